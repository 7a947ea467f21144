using System.Globalization;
using Microsoft.ML.Gan.Input;

namespace Microsoft.ML.Gan.Artifact;

/// <summary>
/// Typed reads of the <c>gan.</c> keys of an ONNX graph's <c>metadata_props</c>, shared by the generator's and the
/// classifier's metadata; every error names the model (<paramref name="source"/>), the key and what was expected.
/// </summary>
/// <param name="properties">The graph's metadata, keys with their <c>gan.</c> prefix.</param>
/// <param name="source">The model, as errors name it (for example <c>Model 'm.zip'</c>).</param>
/// <param name="writtenAs">What a missing key means the graph was not written as, for example "the generator metadata Microsoft.ML.Gan writes".</param>
internal sealed class MetadataReader(IReadOnlyDictionary<string, string> properties, string source, string writtenAs)
{
    public const string Prefix = "gan.";
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public bool Has(string key) => properties.ContainsKey(Prefix + key);

    public string Text(string key) => properties.TryGetValue(Prefix + key, out string? value)
        ? value
        : throw new InvalidDataException($"{source} has no metadata entry '{Prefix}{key}'; expected {writtenAs}.");

    public int IntOr(string key, int fallback) => Has(key) ? Int(key) : fallback;

    public double? DoubleOrNull(string key) => Has(key) ? Double(key) : null;

    public T EnumOr<T>(string key, T fallback)
        where T : struct, Enum
        => Has(key) ? Enum<T>(key) : fallback;

    public int Int(string key) => int.TryParse(Text(key), NumberStyles.Integer, Invariant, out int value) ? value : throw Bad(key, "expected an integer");

    public float Float(string key) => float.TryParse(Text(key), NumberStyles.Float, Invariant, out float value) ? value : throw Bad(key, "expected a number");

    public double Double(string key) => double.TryParse(Text(key), NumberStyles.Float, Invariant, out double value) ? value : throw Bad(key, "expected a number");

    public bool Bool(string key) => bool.TryParse(Text(key), out bool value) ? value : throw Bad(key, "expected true or false");

    public T Enum<T>(string key)
        where T : struct, Enum
        => System.Enum.TryParse(Text(key), out T value) && System.Enum.IsDefined(value)
            ? value
            : throw Bad(key, $"expected one of {string.Join(", ", System.Enum.GetNames<T>())}");

    public int[] Dimensions(string key)
    {
        string[] parts = Text(key).Split('x', StringSplitOptions.TrimEntries);
        var dimensions = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, Invariant, out dimensions[i]) || dimensions[i] < 1)
            {
                throw Bad(key, "expected positive sizes written a x b x c");
            }
        }

        return dimensions;
    }

    /// <summary>
    /// The pixel column of <c>image.shape</c> (channels x height x width) and <c>pixels.*</c>, whose dimensions must hold
    /// the image's values.
    /// </summary>
    public PixelColumn Pixels()
    {
        int[] shape = Dimensions("image.shape");
        if (shape.Length != 3)
        {
            throw Bad("image.shape", "expected channels x height x width");
        }

        var imageShape = new ImageShape(shape[0], shape[1], shape[2]);
        var pixels = new PixelColumn(Text("pixels.column"), Enum<PixelStorage>("pixels.storage"), imageShape, Dimensions("pixels.dimensions"), Float("pixels.max_value"));
        if (pixels.Dimensions.Aggregate(1, (a, b) => a * b) != imageShape.Size)
        {
            throw Bad("pixels.dimensions", $"expected {imageShape.Size} values, the image shape's");
        }

        return pixels;
    }

    public InvalidDataException Bad(string key, string expected)
        => new($"{source} has metadata entry '{Prefix}{key}' = '{(properties.TryGetValue(Prefix + key, out string? v) ? v : "")}'; {expected}.");
}
