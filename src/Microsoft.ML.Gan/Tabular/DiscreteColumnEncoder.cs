using Microsoft.ML.Gan.IO;
using System.Globalization;

namespace Microsoft.ML.Gan.Tabular;

/// <summary>
/// One discrete column as a one-hot over its categories, as CTGAN encodes discrete columns. Categories are the distinct
/// strings seen when fitting, most frequent first (ties in order of first appearance), so the order is the same for the
/// same column. Decoding takes the category with the largest entry, so a generator's softmax scores decode directly.
/// </summary>
internal sealed class DiscreteColumnEncoder
{
    private readonly Dictionary<string, int> _indices;

    private DiscreteColumnEncoder(string column, string[] categories)
    {
        Column = column;
        Categories = categories;
        _indices = new Dictionary<string, int>(categories.Length, StringComparer.Ordinal);
        for (int i = 0; i < categories.Length; i++)
        {
            _indices[categories[i]] = i;
        }
    }

    /// <summary>The column's name, for messages.</summary>
    public string Column { get; }

    /// <summary>The categories in one-hot order: most frequent first.</summary>
    public IReadOnlyList<string> Categories { get; }

    /// <summary>How many floats one encoded value takes: one per category.</summary>
    public int Width => Categories.Count;

    /// <summary>The categories of <paramref name="values"/>; throws if the column is empty or a value is missing (null).</summary>
    public static DiscreteColumnEncoder Fit(string column, IEnumerable<string?> values)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        int row = 0;
        foreach (string? value in values)
        {
            if (value is null)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Column '{column}' has no value at row {row}; a discrete column needs a category in every row."), nameof(values));
            }

            if (counts.TryGetValue(value, out int count))
            {
                counts[value] = count + 1;
            }
            else
            {
                counts[value] = 1;
                order.Add(value);
            }

            row++;
        }

        if (order.Count == 0)
        {
            throw new ArgumentException($"Column '{column}' has no values; a discrete column needs at least one to learn its categories.", nameof(values));
        }

        return new DiscreteColumnEncoder(column, [.. order.OrderByDescending(category => counts[category])]);
    }

    /// <summary>Writes the one-hot of <paramref name="value"/> into <paramref name="into"/> (length <see cref="Width"/>); throws for a category not seen when fitting.</summary>
    public void Encode(string value, Span<float> into)
    {
        CheckWidth(into.Length, nameof(into));
        if (!_indices.TryGetValue(value, out int index))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Column '{Column}' has no category '{value}'; it knows the {Width} seen when it was fitted: {string.Join(", ", Categories.Take(10))}{(Width > 10 ? ", …" : "")}."),
                nameof(value));
        }

        into.Clear();
        into[index] = 1;
    }

    /// <summary>The category with the largest entry of <paramref name="encoded"/> (length <see cref="Width"/>: a one-hot or scores).</summary>
    public string Decode(ReadOnlySpan<float> encoded)
    {
        CheckWidth(encoded.Length, nameof(encoded));
        return Categories[SpanMath.ArgMax(encoded)];
    }

    private void CheckWidth(int length, string parameter)
    {
        if (length != Width)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Column '{Column}' encodes to {Width} floats, one per category; got a span of {length}."), parameter);
        }
    }
}
