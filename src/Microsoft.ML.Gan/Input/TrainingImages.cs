using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Input;

/// <summary>
/// The training set, read once through a cursor and held as one flat array of images rescaled from
/// [0, max] to [-1, 1] (the generator's tanh range, as in the article).
/// </summary>
internal sealed class TrainingImages
{
    private TrainingImages(float[] values, int count, ImageShape shape, long[]? classes, int classCount)
    {
        Values = values;
        Count = count;
        Shape = shape;
        Classes = classes;
        ClassCount = classCount;
    }

    /// <summary>Count × Shape.Size values in [-1, 1].</summary>
    public float[] Values { get; }

    public int Count { get; }

    /// <summary>The first <paramref name="count"/> images back in [0, 1] (the feature network's input range).</summary>
    public float[] UnitPixels(int count)
    {
        var pixels = new float[count * Shape.Size];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (Values[i] + 1) / 2;
        }

        return pixels;
    }

    public ImageShape Shape { get; }

    /// <summary>A hash over every pixel and class (16 hex digits): the same rows give the same fingerprint, different rows a different one.</summary>
    public string Fingerprint()
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Values.AsSpan()));
        if (Classes is not null)
        {
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Classes.AsSpan()));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    /// <summary>Class index (0..ClassCount-1) of every image, for a conditional GAN; null otherwise.</summary>
    public long[]? Classes { get; }

    /// <summary>Number of classes; 0 without labels.</summary>
    public int ClassCount { get; }

    /// <summary>
    /// Reads at most <paramref name="maxRows"/> rows (all by default). With <paramref name="allowUnlabelled"/> a missing key
    /// label reads as class −1 (an unlabelled row, for semi-supervised training) instead of being an error.
    /// </summary>
    public static TrainingImages Read(IDataView data, PixelColumn column, LabelColumn? label, CancellationToken cancellationToken, int maxRows = int.MaxValue,
        bool allowUnlabelled = false)
    {
        int size = column.Shape.Size;
        long? known = data.GetRowCount();
        var values = new float[(int)Math.Min((known ?? 1024) * size, Array.MaxLength)];
        int count = 0;
        DataViewSchema.Column source = data.Schema[column.Name];
        DataViewSchema.Column[] needed = label is null ? [source] : [source, data.Schema[label.Name]];
        using DataViewRowCursor cursor = data.GetRowCursor(needed);
        Action<Span<float>> read = CreateReader(cursor, source, column);
        Func<long>? readClass = label?.CreateReader(cursor, missingKeyIsNoClass: allowUnlabelled);
        var classes = new List<long>();
        float scale = 2f / column.MaxValue;
        while (count < maxRows && cursor.MoveNext())
        {
            if ((count & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if ((long)(count + 1) * size > values.Length)
            {
                Array.Resize(ref values, (int)Math.Min(Math.Max(2L * values.Length, (long)(count + 1) * size), Array.MaxLength));
            }

            Span<float> image = values.AsSpan(count * size, size);
            read(image);
            for (int i = 0; i < image.Length; i++)
            {
                float v = image[i];
                if (!float.IsFinite(v))
                {
                    throw new InvalidDataException(
                        $"Pixel column '{column.Name}' has a non-finite value ({v}) at row {cursor.Position}, index {i}; expected values in [0, {column.MaxValue}].");
                }

                if (v < 0 || v > column.MaxValue)
                {
                    throw new InvalidDataException(
                        $"Pixel column '{column.Name}' has value {v} at row {cursor.Position}, index {i}; expected values in [0, {column.MaxValue}]. " +
                        $"Scale the column (e.g. ExtractPixels with scaleImage: 1f / 255) or set {nameof(GanOptions)}.{nameof(GanOptions.MaxPixelValue)}.");
                }

                image[i] = (v * scale) - 1f;
            }

            if (readClass is not null)
            {
                long index = readClass();
                if ((index < 0 && !(allowUnlabelled && index == -1)) || (label!.KnownClassCount is int classLimit && index >= classLimit))
                {
                    string range = label!.KnownClassCount is int k ? $"0..{k - 1}" : "0 or more";
                    throw new InvalidDataException(
                        $"Label column '{label.Name}' has {(label.IsKey ? $"key {index + 1}" : $"value {index}")} at row {cursor.Position}; expected a class in {range}.");
                }

                classes.Add(index);
            }

            count++;
        }

        if (count == 0)
        {
            throw new ArgumentException($"The training data has no rows; expected at least one image in column '{column.Name}'.", nameof(data));
        }

        if (values.Length != count * size)
        {
            Array.Resize(ref values, count * size);
        }

        int classCount = 0;
        if (label is not null)
        {
            classCount = label.KnownClassCount ?? (int)(classes.Max() + 1);
            if (classCount < 2)
            {
                throw new InvalidDataException($"Label column '{label.Name}' holds a single class; a conditional GAN needs at least 2 (or set {nameof(GanOptions)}.{nameof(GanOptions.ClassCount)}).");
            }
        }

        return new TrainingImages(values, count, column.Shape, label is null ? null : [.. classes], classCount);
    }

    private static Action<Span<float>> CreateReader(DataViewRowCursor cursor, DataViewSchema.Column source, PixelColumn column)
    {
        switch (column.Storage)
        {
            case PixelStorage.Single:
            {
                ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(source);
                VBuffer<float> buffer = default;
                return destination =>
                {
                    getter(ref buffer);
                    buffer.CopyTo(destination);
                };
            }

            case PixelStorage.Byte:
            {
                ValueGetter<VBuffer<byte>> getter = cursor.GetGetter<VBuffer<byte>>(source);
                VBuffer<byte> buffer = default;
                var dense = new byte[column.Shape.Size];
                return destination =>
                {
                    getter(ref buffer);
                    buffer.CopyTo(dense);
                    for (int i = 0; i < dense.Length; i++)
                    {
                        destination[i] = dense[i];
                    }
                };
            }

            default:
            {
                ValueGetter<MLImage> getter = cursor.GetGetter<MLImage>(source);
                MLImage image = null!;
                return destination =>
                {
                    getter(ref image);
                    if (image is null || image.Width != column.Shape.Width || image.Height != column.Shape.Height)
                    {
                        throw new InvalidDataException(
                            $"Image column '{column.Name}' has a {(image is null ? "missing" : $"{image.Width} x {image.Height}")} image at row {cursor.Position}; " +
                            $"expected {column.Shape.Width} x {column.Shape.Height}.");
                    }

                    ToGrayscale(image, destination, column.MaxValue / 255f);
                };
            }
        }
    }

    /// <summary>ITU-R BT.601 luma of a 4-byte-per-pixel image, in [0, maxValue].</summary>
    private static void ToGrayscale(MLImage image, Span<float> destination, float scale)
    {
        ReadOnlySpan<byte> pixels = image.Pixels;
        bool bgra = image.PixelFormat == MLPixelFormat.Bgra32;
        for (int i = 0; i < destination.Length; i++)
        {
            ReadOnlySpan<byte> p = pixels.Slice(4 * i, 4);
            float red = bgra ? p[2] : p[0];
            float blue = bgra ? p[0] : p[2];
            // The weights sum to 1 only up to rounding; clamp so white stays exactly 255.
            destination[i] = MathF.Min((0.299f * red) + (0.587f * p[1]) + (0.114f * blue), 255f) * scale;
        }
    }
}
