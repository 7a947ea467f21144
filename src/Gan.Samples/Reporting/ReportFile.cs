using System.Text;

namespace Gan.Samples.Reporting;

/// <summary>Writes a report file through a temporary file and a rename, so a failed write leaves no partial file.</summary>
internal static class ReportFile
{
    public static string Write(string path, byte[] content)
    {
        string temporary = path + ".tmp";
        try
        {
            File.WriteAllBytes(temporary, content);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temporary);   // a full disk, a folder where the file should be: no half-written file stays behind
            throw;
        }

        return path;
    }

    private static void DeleteQuietly(string temporary)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The folder itself is gone or closed: there is nothing of ours to remove, and the write's own error says why.
        }
    }

    public static string Write(string path, string text) => Write(path, Encoding.UTF8.GetBytes(text));
}
