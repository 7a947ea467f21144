using System.Collections.Concurrent;
using Microsoft.ML.Gan.IO;

namespace Microsoft.ML.Gan.Onnx;

/// <summary>
/// An ONNX model written to a temporary file for as long as a transformer uses it. ML.NET's
/// <c>OnnxOptions</c> (the only way to set ONNX Runtime's thread counts) takes a path, not bytes, and
/// OnnxTransformer re-reads that file when the model is saved, so it must outlive the transformer's use.
/// Deleted on <see cref="Dispose"/>, by the finaliser of an undisposed one, or when the process exits; it lives in the
/// process's own folder (<see cref="ProcessTempFolder"/>), so the files of processes that were killed are removed too.
/// </summary>
internal sealed class TemporaryModelFile : IDisposable
{
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
        Path = System.IO.Path.Combine(ProcessTempFolder.Path, $"{Guid.NewGuid():N}.onnx");
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
}
