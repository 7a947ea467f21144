using System.Diagnostics;

namespace Microsoft.ML.Gan.IO;

/// <summary>
/// One temporary folder per process, <c>microsoft-ml-gan-PID-GUID</c> under the system's temporary folder, for every
/// temporary file of the library and of ML.NET working for it (ML.NET's <c>ml_dotnet_*</c> folders of <c>Model.Save</c> /
/// <c>Model.Load</c>, the model files of its ONNX transformers). It is deleted when the process exits (Ctrl+C and SIGTERM
/// included); folders of processes that were killed are deleted the next time a process creates its own.
/// </summary>
internal static class ProcessTempFolder
{
    internal const string Prefix = "microsoft-ml-gan-";

    private static readonly Lazy<string> Folder = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>This process's folder (created on first use).</summary>
    public static string Path => Folder.Value;

    /// <summary>
    /// Points <paramref name="context"/>'s <see cref="MLContext.TempFilePath"/> at this process's folder while it is still
    /// ML.NET's default (the system's temporary folder); a folder the user chose is left alone.
    /// </summary>
    public static void Adopt(MLContext context)
    {
        if (SameFolder(context.TempFilePath, System.IO.Path.GetTempPath()))
        {
            context.TempFilePath = Path;
        }
    }

    /// <summary>
    /// Deletes, in <paramref name="root"/>, the folders and files named <c>microsoft-ml-gan-PID-…</c> whose process no longer
    /// runs (a reused PID keeps its folder until that process ends: harmless). Returns how many it deleted.
    /// </summary>
    internal static int RemoveLeftoversOfDeadProcesses(string root)
    {
        int removed = 0;
        foreach (string entry in Directory.EnumerateFileSystemEntries(root, $"{Prefix}*-*"))
        {
            string name = System.IO.Path.GetFileName(entry)[Prefix.Length..];
            int dash = name.IndexOf('-');
            if (dash <= 0 || !int.TryParse(name.AsSpan(0, dash), out int pid) || IsRunning(pid))
            {
                continue;
            }

            try
            {
                if (Directory.Exists(entry))
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }

                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's, or being deleted right now: leave it.
            }
        }

        return removed;
    }

    private static string Create()
    {
        string root = System.IO.Path.GetTempPath();
        RemoveLeftoversOfDeadProcesses(root);
        string path = System.IO.Path.Combine(root, $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(path);
        return path;
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file still open (Windows) keeps the folder; the next process removes it.
        }
    }

    private static bool SameFolder(string a, string b)
        => string.Equals(System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(a)), System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(b)),
            OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

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
