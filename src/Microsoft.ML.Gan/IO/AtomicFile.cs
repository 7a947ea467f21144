namespace Microsoft.ML.Gan.IO;

/// <summary>Write-to-temporary-then-rename, the one way this library writes files.</summary>
internal static class AtomicFile
{
    /// <summary>
    /// Calls <paramref name="write"/> with a temporary path next to <paramref name="path"/> (ending in
    /// <paramref name="extension"/>, for writers that pick a format from it), then renames it over
    /// <paramref name="path"/>. On any failure the temporary file is deleted and the target is untouched.
    /// </summary>
    public static void Write(string path, Action<string> write, string extension = ".tmp")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Cannot write '{path}': directory '{directory}' does not exist.");
        }

        RemoveStaleTemporaries(directory, Path.GetFileName(fullPath), extension);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}{extension}");
        try
        {
            write(temporary);
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            // Name the target the caller asked for, not the hidden temporary next to it.
            throw new IOException($"Cannot write '{path}': {e.Message.Replace(temporary, fullPath, StringComparison.Ordinal)}", e);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>
    /// Deletes temporaries of <paramref name="name"/> that a writer killed before it could rename or delete them left
    /// behind: those last written before this process started (a writer in this process would still own its file).
    /// </summary>
    private static void RemoveStaleTemporaries(string directory, string name, string extension)
    {
        DateTime processStart = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();
        foreach (string file in Directory.EnumerateFiles(directory, $".{name}.*{extension}"))
        {
            string guid = Path.GetFileName(file)[(name.Length + 2)..^extension.Length];
            if (guid.Length == 32 && guid.All(char.IsAsciiHexDigitLower) && File.GetLastWriteTimeUtc(file) < processStart)
            {
                try
                {
                    File.Delete(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Not ours to delete, or already gone.
                }
            }
        }
    }

    /// <summary>Writes a stream's worth of bytes atomically.</summary>
    public static void Write(string path, Action<Stream> write)
        => Write(path, temporary =>
        {
            using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write);
            write(stream);
        });
}
