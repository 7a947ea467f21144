using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Gan.Input;

/// <summary>How training images are stored in the pixel column.</summary>
internal enum PixelStorage
{
    Single,
    Byte,
    Image,
}

/// <summary>
/// The training column, checked against what the GAN can learn from: a known-size vector of Single or
/// Byte read as C × H × W, or a fixed-size MLImage read as grayscale.
/// </summary>
internal sealed record PixelColumn(string Name, PixelStorage Storage, ImageShape Shape, int[] Dimensions, float MaxValue)
{
    /// <summary>The training column, as <see cref="GanOptions"/> names it.</summary>
    public static PixelColumn Resolve(DataViewSchema schema, GanOptions options)
        => Resolve(schema, options.PixelsColumnName, options.MaxPixelValue, $"Set {nameof(GanOptions)}.{nameof(GanOptions.PixelsColumnName)} to choose another column.");

    /// <summary>
    /// The image column <paramref name="name"/>, with pixel values in [0, <paramref name="maxPixelValue"/>] (default: 1 for
    /// Single, 255 for Byte and images); <paramref name="howToChoose"/> ends the errors.
    /// </summary>
    public static PixelColumn Resolve(DataViewSchema schema, string name, float? maxPixelValue, string howToChoose)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw SchemaError(name, "not found", schema, howToChoose);

        switch (column.Type)
        {
            case VectorDataViewType vector when vector.ItemType == NumberDataViewType.Single || vector.ItemType == NumberDataViewType.Byte:
                if (!vector.IsKnownSize)
                {
                    throw SchemaError(name, $"has variable size ({vector}); expected a known-size vector such as Vector<Single, 28, 28>", schema, howToChoose);
                }

                PixelStorage storage = vector.ItemType == NumberDataViewType.Single ? PixelStorage.Single : PixelStorage.Byte;
                float max = maxPixelValue ?? (storage == PixelStorage.Single ? 1f : 255f);
                return new PixelColumn(name, storage, ShapeOf(name, vector.Dimensions), [.. vector.Dimensions], max);

            case ImageDataViewType image:
                if (image.Height <= 0 || image.Width <= 0)
                {
                    throw SchemaError(name, "is an image column of unknown size; add ResizeImages before the GAN so every image has the same size", schema, howToChoose);
                }

                return new PixelColumn(name, PixelStorage.Image, new ImageShape(1, image.Height, image.Width), [image.Height, image.Width], maxPixelValue ?? 255f);

            default:
                throw SchemaError(name, $"has type {column.Type}; expected a known-size Vector<Single> or Vector<Byte> (C x H x W, H x W or a square size) or an MLImage", schema, howToChoose);
        }
    }

    private static ImageShape ShapeOf(string name, IReadOnlyList<int> dimensions)
    {
        switch (dimensions.Count)
        {
            case 3 when dimensions[0] is 1 or 3:
                return new ImageShape(dimensions[0], dimensions[1], dimensions[2]);
            case 2:
                return new ImageShape(1, dimensions[0], dimensions[1]);
            case 1:
                int side = (int)Math.Round(Math.Sqrt(dimensions[0]));
                if (side * side == dimensions[0])
                {
                    return new ImageShape(1, side, side);
                }

                break;
        }

        throw new ArgumentOutOfRangeException(
            "inputSchema",
            $"Pixel column '{name}' has dimensions {string.Join(" x ", dimensions)}; expected C x H x W with C = 1 or 3, H x W, " +
            "or one square size such as 784 (28 x 28).");
    }

    private static ArgumentOutOfRangeException SchemaError(string name, string problem, DataViewSchema schema, string howToChoose)
        => new("inputSchema",
            $"Pixel column '{name}' {problem}. Input columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"{c.Name} ({c.Type})"))}. " +
            howToChoose);
}
