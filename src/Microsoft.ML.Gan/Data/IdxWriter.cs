using System.Buffers.Binary;

namespace Microsoft.ML.Gan.Data;

/// <summary>Writes images and labels in the IDX format <see cref="IdxFile"/> reads (atomically).</summary>
internal static class IdxWriter
{
    /// <summary>Images of height × width values in [0, 1], stored as bytes (value × 255, rounded).</summary>
    public static void WriteImages(string path, IReadOnlyList<float[]> images, int height, int width)
        => AtomicFile.Write(path, stream =>
        {
            Span<byte> header = stackalloc byte[16];
            BinaryPrimitives.WriteInt32BigEndian(header, 0x00000803);
            BinaryPrimitives.WriteInt32BigEndian(header[4..], images.Count);
            BinaryPrimitives.WriteInt32BigEndian(header[8..], height);
            BinaryPrimitives.WriteInt32BigEndian(header[12..], width);
            stream.Write(header);
            var row = new byte[height * width];
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
            }
        });

    /// <summary>Class indices 0..255, one byte each.</summary>
    public static void WriteLabels(string path, IReadOnlyList<int> labels)
        => AtomicFile.Write(path, stream =>
        {
            Span<byte> header = stackalloc byte[8];
            BinaryPrimitives.WriteInt32BigEndian(header, 0x00000801);
            BinaryPrimitives.WriteInt32BigEndian(header[4..], labels.Count);
            stream.Write(header);
            foreach (int label in labels)
            {
                stream.WriteByte(checked((byte)label));
            }
        });
}
