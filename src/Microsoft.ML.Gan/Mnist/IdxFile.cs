using System.Buffers.Binary;

namespace Microsoft.ML.Gan.Mnist;

/// <summary>
/// Header of an IDX file (the MNIST container format, http://yann.lecun.com/exdb/mnist/):
/// two zero bytes, a type byte (0x08 = unsigned byte), a dimension count, then one big-endian
/// int32 per dimension, then the data in row-major order. Image files are 3-dimensional
/// (count × height × width, magic 0x00000803), label files 1-dimensional (magic 0x00000801).
/// </summary>
internal sealed class IdxFile
{
    private const byte UnsignedByteType = 0x08;

    private IdxFile(string path, int[] dimensions)
    {
        FilePath = path;
        Dimensions = dimensions;
    }

    public string FilePath { get; }

    /// <summary>Sizes of each dimension; the first is the item count.</summary>
    public int[] Dimensions { get; }

    public int Count => Dimensions[0];

    public int HeaderSize => 4 + (4 * Dimensions.Length);

    /// <summary>Bytes per item (product of the dimensions after the first).</summary>
    public int ItemSize => Dimensions.Skip(1).Aggregate(1, (a, b) => a * b);

    /// <summary>Reads and checks the header; the file length must match the header exactly.</summary>
    public static IdxFile Open(string path, int expectedDimensionCount)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> magic = stackalloc byte[4];
        if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4)
        {
            throw new InvalidDataException($"IDX file '{path}' is truncated: it has {stream.Length} bytes, fewer than the 4-byte magic number.");
        }

        int expectedMagic = (UnsignedByteType << 8) | expectedDimensionCount;
        int actualMagic = BinaryPrimitives.ReadInt32BigEndian(magic);
        if (actualMagic != expectedMagic)
        {
            throw new InvalidDataException(
                $"IDX file '{path}' has magic number 0x{actualMagic:X8}; expected 0x{expectedMagic:X8} " +
                $"(unsigned bytes, {expectedDimensionCount} dimension{(expectedDimensionCount == 1 ? "" : "s")}).");
        }

        var sizes = new byte[4 * expectedDimensionCount];
        if (stream.ReadAtLeast(sizes, sizes.Length, throwOnEndOfStream: false) < sizes.Length)
        {
            throw new InvalidDataException($"IDX file '{path}' is truncated inside its header ({stream.Length} bytes).");
        }

        var dimensions = new int[expectedDimensionCount];
        for (int i = 0; i < dimensions.Length; i++)
        {
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(sizes.AsSpan(4 * i));
            if (dimensions[i] <= 0 || (i > 0 && dimensions[i] > 65536))
            {
                throw new InvalidDataException($"IDX file '{path}' declares dimension {i} as {dimensions[i]}; expected a positive size.");
            }
        }

        var file = new IdxFile(path, dimensions);
        long expectedLength = file.HeaderSize + ((long)file.Count * file.ItemSize);
        if (stream.Length != expectedLength)
        {
            string shape = string.Join(" x ", dimensions);
            string problem = stream.Length < expectedLength ? "is truncated" : "has trailing bytes";
            throw new InvalidDataException(
                $"IDX file '{path}' {problem}: its header declares {shape}, which needs {expectedLength} bytes, but the file has {stream.Length}.");
        }

        return file;
    }

    /// <summary>Opens an image file and checks its item shape when one is expected.</summary>
    public static IdxFile OpenImages(string path, int? height = null, int? width = null)
    {
        IdxFile file = Open(path, 3);
        if ((height is int h && file.Dimensions[1] != h) || (width is int w && file.Dimensions[2] != w))
        {
            throw new InvalidDataException(
                $"IDX file '{path}' holds {file.Dimensions[1]} x {file.Dimensions[2]} images; expected {height} x {width}.");
        }

        return file;
    }

    /// <summary>Reads a label file whole and checks every label is below <paramref name="classCount"/>.</summary>
    public static byte[] ReadLabels(string path, int classCount)
    {
        IdxFile file = Open(path, 1);
        byte[] all = File.ReadAllBytes(path);
        byte[] labels = all[file.HeaderSize..];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classCount)
            {
                throw new InvalidDataException(
                    $"IDX label file '{path}' has label {labels[i]} at row {i}; expected a class in 0..{classCount - 1}.");
            }
        }

        return labels;
    }
}
