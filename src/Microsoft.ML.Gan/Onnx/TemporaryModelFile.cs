using System.Collections.Concurrent;
using System.Diagnostics;

namespace Microsoft.ML.Gan.Onnx;

/// <summary>
/// An ONNX model written to a temporary file for as long as a transformer uses it. ML.NET's
/// <c>OnnxOptions</c> (the only way to set ONNX Runtime's thread counts) takes a path, not bytes, and
/// OnnxTransformer re-reads that file when the model is saved, so it must outlive the transformer's use.
/// Deleted on <see cref="Dispose"/>, by the finaliser of an undisposed one, or when the process exits. The name
/// carries the process id, so files of processes that were killed are removed the next time one is created.
/// </summary>
internal sealed class TemporaryModelFile : IDisposable
{
    private const string Prefix = "microsoft-ml-gan-";

    // The files still alive, deleted by one handler at process exit. A path, not the object, is kept here, so an
    // undisposed file's owner can be collected and its finaliser run.
    private static readonly ConcurrentDictionary<string, byte> Live = new();

    static TemporaryModelFile() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (string path in Live.Keys)
        {
            Delete(path);
        }
    };

    public TemporaryModelFile(byte[] model)
    {
        RemoveFilesOfDeadProcesses();
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(Path, model);
        Live[Path] = 0;
    }

    ~TemporaryModelFile() => Delete(Path);

    public string Path { get; }

    public void Dispose()
    {
        Delete(Path);
        GC.SuppressFinalize(this);
    }

    private static void Delete(string path)
    {
        if (Live.TryRemove(path, out _))
        {
            File.Delete(path);
        }
    }

    /// <summary>Deletes <c>microsoft-ml-gan-PID-GUID.onnx</c> files whose process no longer runs (a reused PID keeps its file: harmless).</summary>
    private static void RemoveFilesOfDeadProcesses()
    {
        foreach (string file in Directory.EnumerateFiles(System.IO.Path.GetTempPath(), $"{Prefix}*-*.onnx"))
        {
            string name = System.IO.Path.GetFileNameWithoutExtension(file)[Prefix.Length..];
            if (int.TryParse(name.AsSpan(0, Math.Max(name.IndexOf('-'), 0)), out int pid) && !IsRunning(pid))
            {
                try
                {
                    File.Delete(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Another user's file, or one being deleted right now: leave it.
                }
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using Process process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
