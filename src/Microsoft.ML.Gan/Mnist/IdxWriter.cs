using Microsoft.ML.Gan.IO;
using System.Buffers.Binary;

namespace Microsoft.ML.Gan.Mnist;

/// <summary>Writes images and labels in the IDX format <see cref="IdxFile"/> reads (atomically).</summary>
internal static class IdxWriter
{
    /// <summary>Images of height × width values in [0, 1], stored as bytes (value × 255, rounded).</summary>
    public static void WriteImages(string path, IReadOnlyList<float[]> images, int height, int width)
        => AtomicFile.Write(path, stream => WriteImages(stream, images, height, width));

    /// <summary>
    /// Images (and, when <paramref name="labelsPath"/> is set, their class indices) from one pass over
    /// <paramref name="rows"/>: each row is written as it comes, and the counts in the headers are filled in at the
    /// end, so memory does not grow with the number of rows. Both files are written atomically.
    /// </summary>
    public static void WriteStreaming(string imagesPath, string? labelsPath, IEnumerable<(float[] Image, int Label)> rows, int height, int width)
        => AtomicFile.Write(imagesPath, images =>
        {
            if (labelsPath is null)
            {
                WriteImages(images, rows.Select(r => r.Image), height, width);
                return;
            }

            AtomicFile.Write(labelsPath, labels =>
            {
                WriteLabelsHeader(labels, 0);
                int count = WriteImages(images, rows.Select(r =>
                {
                    labels.WriteByte(checked((byte)r.Label));
                    return r.Image;
                }), height, width);
                labels.Position = 0;
                WriteLabelsHeader(labels, count);
            });
        });

    private static int WriteImages(Stream stream, IEnumerable<float[]> images, int height, int width)
    {
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, 0x00000803);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], height);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], width);
        stream.Write(header);
        var row = new byte[height * width];
        int count = 0;
        foreach (float[] image in images)
        {
            if (image.Length != row.Length)
            {
                throw new ArgumentException($"An image has {image.Length} values; expected {height} x {width}.", nameof(images));
            }

            for (int i = 0; i < row.Length; i++)
            {
                row[i] = GanImages.ToByte(image[i]);
            }

            stream.Write(row);
            count++;
        }

        // The count goes into the header once known (the file stream is seekable).
        stream.Position = 4;
        BinaryPrimitives.WriteInt32BigEndian(header, count);
        stream.Write(header[..4]);
        stream.Position = stream.Length;
        return count;
    }

    private static void WriteLabelsHeader(Stream stream, int count)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, 0x00000801);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], count);
        stream.Write(header);
    }

    /// <summary>Class indices 0..255, one byte each.</summary>
    public static void WriteLabels(string path, IReadOnlyList<int> labels)
        => AtomicFile.Write(path, stream =>
        {
            WriteLabelsHeader(stream, labels.Count);
            foreach (int label in labels)
            {
                stream.WriteByte(checked((byte)label));
            }
        });
}
