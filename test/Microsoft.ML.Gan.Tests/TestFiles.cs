using System.Buffers.Binary;
using System.IO.Compression;

namespace Microsoft.ML.Gan.Tests;

/// <summary>Scratch directories, small IDX files written byte by byte, and entries of zips.</summary>
internal static class TestFiles
{
    public static string NewDirectory()
    {
        string directory = Path.Combine(Path.GetTempPath(), "gan-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>An IDX file: magic (0, 0, 0x08, dims), big-endian sizes, then <paramref name="data"/>.</summary>
    public static string WriteIdx(string path, int[] dimensions, byte[] data, int? magic = null)
    {
        var bytes = new byte[4 + (4 * dimensions.Length) + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic ?? (0x0800 | dimensions.Length));
        for (int i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), dimensions[i]);
        }

        data.CopyTo(bytes, 4 + (4 * dimensions.Length));
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary><paramref name="count"/> images of 28 × 28 whose pixel i of image n is (n + i) mod 256.</summary>
    public static string WriteImages(string path, int count, int height = 28, int width = 28)
    {
        var data = new byte[count * height * width];
        for (int n = 0; n < count; n++)
        {
            for (int i = 0; i < height * width; i++)
            {
                data[(n * height * width) + i] = (byte)((n + i) % 256);
            }
        }

        return WriteIdx(path, [count, height, width], data);
    }

    public static string WriteLabels(string path, params byte[] labels) => WriteIdx(path, [labels.Length], labels);

    /// <summary>The bytes of entry <paramref name="name"/> of the zip at <paramref name="zip"/>.</summary>
    public static byte[] ZipEntry(string zip, string name)
    {
        using ZipArchive archive = ZipFile.OpenRead(zip);
        using Stream stream = archive.GetEntry(name)!.Open();
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }
}
