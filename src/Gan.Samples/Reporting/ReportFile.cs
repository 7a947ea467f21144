using System.Text;

namespace Gan.Samples.Reporting;

/// <summary>Writes a report file through a temporary file and a rename, so a failed write leaves no partial file.</summary>
internal static class ReportFile
{
    public static string Write(string path, byte[] content)
    {
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, content);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    public static string Write(string path, string text) => Write(path, Encoding.UTF8.GetBytes(text));
}
