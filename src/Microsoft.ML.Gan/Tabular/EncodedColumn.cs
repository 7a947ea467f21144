using Microsoft.ML.Gan.IO;
using System.Globalization;

namespace Microsoft.ML.Gan.Tabular;

/// <summary>How a column is encoded.</summary>
internal enum TableColumnKind
{
    /// <summary>Mode-specific normalisation: [α, one-hot mode] (<see cref="ContinuousColumnEncoder"/>).</summary>
    Continuous,

    /// <summary>A one-hot over the values seen (<see cref="DiscreteColumnEncoder"/>).</summary>
    Discrete,

    /// <summary>A one-hot over the key indices seen; the column's key values stay in its annotations.</summary>
    Key,
}

/// <summary>What a generator's output head applies to a span of the encoding, as CTGAN's generator does.</summary>
internal enum EncodedSpanKind
{
    /// <summary>One value in [−1, 1]: a continuous column's α, through tanh.</summary>
    Scalar,

    /// <summary>A one-hot group (modes, categories, present/missing), through Gumbel-softmax.</summary>
    Softmax,
}

/// <summary>A span of an encoded row: <paramref name="Width"/> floats from <paramref name="Offset"/>, and what produces them.</summary>
internal readonly record struct EncodedSpan(int Offset, int Width, EncodedSpanKind Kind);

/// <summary>
/// One category of a discrete or key column: <paramref name="Label"/> names it to the <see cref="DiscreteColumnEncoder"/>
/// (unique within the column; <see cref="EncodedColumn.MissingLabel"/> for missing values), <paramref name="Value"/> is
/// what it decodes to in the column's own .NET type, and <paramref name="Display"/> is how a message shows it.
/// </summary>
internal sealed record ColumnCategory(string Label, object Value, string Display);

/// <summary>
/// One column of the table, fitted: its encoder, its place in an encoded row, its rate of missing values, and the training
/// rows it was fitted on (so the table is encoded without reading the view again). Decoding gives a value of the column's
/// own .NET type (the raw type of its <see cref="Microsoft.ML.Data.DataViewType"/>), boxed.
/// </summary>
internal abstract class EncodedColumn
{
    /// <summary>The label of the category that stands for missing values; no value's own label is empty.</summary>
    public const string MissingLabel = "";

    protected EncodedColumn(TableColumn column, TableColumnKind kind, int offset, double missingRate)
    {
        Column = column;
        Kind = kind;
        Offset = offset;
        MissingRate = missingRate;
    }

    /// <summary>The column this encodes.</summary>
    public TableColumn Column { get; }

    /// <summary>How the column is encoded.</summary>
    public TableColumnKind Kind { get; }

    /// <summary>Where the column's encoding starts in an encoded row.</summary>
    public int Offset { get; }

    /// <summary>The share of training rows whose value is missing: what generated rows should reproduce.</summary>
    public double MissingRate { get; }

    /// <summary>How many floats the column's encoding takes.</summary>
    public abstract int Width { get; }

    /// <summary>The column's spans, in order, at their offsets in an encoded row.</summary>
    public abstract IEnumerable<EncodedSpan> Spans { get; }

    /// <summary>Writes training row <paramref name="row"/>'s value into <paramref name="into"/> (length <see cref="Width"/>).</summary>
    public abstract void Encode(int row, Random random, Span<float> into);

    /// <summary>The value <paramref name="encoded"/> (length <see cref="Width"/>: a one-hot or a generator's scores) stands for.</summary>
    public abstract object Decode(ReadOnlySpan<float> encoded);

    /// <summary>
    /// A discrete or key column's categories in the order its decoded index counts them (one-hot order, or frequency order for a
    /// frequency-encoded column); null for a continuous column.
    /// </summary>
    public virtual IReadOnlyList<ColumnCategory>? Categories => null;

    /// <summary>
    /// Fits a discrete or key column (see <see cref="DiscreteEncodedColumn.Fit"/>): one-hot up to
    /// <see cref="TableEncoder.MaxOneHotCategories"/> categories, frequency-encoded beyond.
    /// </summary>
    public static EncodedColumn FitCategorical(TableColumn column, TableColumnKind kind, int offset, int[] rows, IReadOnlyList<ColumnCategory> categories, int seed)
        => categories.Count > TableEncoder.MaxOneHotCategories
            ? FrequencyEncodedColumn.Fit(column, kind, offset, rows, categories, seed)
            : DiscreteEncodedColumn.Fit(column, kind, offset, rows, categories);

    /// <summary>
    /// Throws when the column gives a generator nothing to learn: every one of <paramref name="rows"/> rows missing, or
    /// <paramref name="singleValue"/> (not null) in every row. A single value with some rows missing is kept: the missing
    /// rate is worth learning.
    /// </summary>
    internal static void CheckLearnable(TableColumn column, int rows, int missing, string? singleValue)
    {
        if (missing == rows)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Column '{column.Name}' is missing ({MissingDescription(column.Type)}) in all {rows} rows; a generator has nothing to learn from it, so exclude it."),
                "data");
        }

        if (singleValue is not null)
        {
            throw new ArgumentException(
                $"Column '{column.Name}' has the single value '{singleValue}' in every row; a generator has nothing to learn from it, so exclude it.", "data");
        }
    }

    private static string MissingDescription(TableColumnType type) => type switch
    {
        TableColumnType.Floating => "NaN",
        TableColumnType.Text => "empty text",
        TableColumnType.Key => "key 0",
        _ => "missing",
    };
}

/// <summary>
/// A continuous column: CTGAN's [α, one-hot mode], fitted on the values that are present. A column with missing values
/// gets a further present/missing one-hot after the modes, as SDV's transformers add a null column beside the value; a
/// missing row encodes the mean of the present values in [α, mode] (what SDV fills in), so the mode group stays a one-hot.
/// A present/missing pair rather than one 0/1 entry keeps every span a tanh scalar or a softmax group.
/// </summary>
internal sealed class ContinuousEncodedColumn : EncodedColumn
{
    private readonly ContinuousColumnEncoder _encoder;
    private readonly double[] _values;
    private readonly double _fill;
    private readonly bool _hasMissing;
    private readonly Func<double, object> _toValue;

    private ContinuousEncodedColumn(TableColumn column, int offset, double missingRate, ContinuousColumnEncoder encoder, double[] values, double fill, Func<double, object> toValue)
        : base(column, TableColumnKind.Continuous, offset, missingRate)
    {
        _encoder = encoder;
        _values = values;
        _fill = fill;
        _hasMissing = missingRate > 0;
        _toValue = toValue;
    }

    public override int Width => _encoder.Width + (_hasMissing ? 2 : 0);

    /// <summary>The column's modes (for the ONNX exporter, which decodes as <see cref="Decode"/> does).</summary>
    public ContinuousColumnEncoder Encoder => _encoder;

    /// <summary>Whether the encoding ends with a present/missing pair (the column had missing values).</summary>
    public bool HasMissing => _hasMissing;

    public override IEnumerable<EncodedSpan> Spans
    {
        get
        {
            yield return new EncodedSpan(Offset, 1, EncodedSpanKind.Scalar);
            yield return new EncodedSpan(Offset + 1, _encoder.Width - 1, EncodedSpanKind.Softmax);
            if (_hasMissing)
            {
                yield return new EncodedSpan(Offset + _encoder.Width, 2, EncodedSpanKind.Softmax);
            }
        }
    }

    /// <summary>
    /// Fits the column's modes on <paramref name="values"/> (one per training row, NaN where missing, every other value
    /// finite); <paramref name="toValue"/> turns a decoded number (NaN for missing) into the column's .NET type.
    /// </summary>
    public static ContinuousEncodedColumn Fit(TableColumn column, int offset, double[] values, Func<double, object> toValue, int seed)
    {
        double[] present = [.. values.Where(x => !double.IsNaN(x))];
        int missing = values.Length - present.Length;
        bool single = missing == 0 && present.Min() == present.Max();
        CheckLearnable(column, values.Length, missing, single ? Convert.ToString(toValue(present[0]), CultureInfo.InvariantCulture) : null);
        return new ContinuousEncodedColumn(column, offset, (double)missing / values.Length,
            ContinuousColumnEncoder.Fit(column.Name, present, seed), values, present.Average(), toValue);
    }

    public override void Encode(int row, Random random, Span<float> into)
    {
        double x = _values[row];
        bool missing = double.IsNaN(x);
        _encoder.Encode(missing ? _fill : x, random, into[.._encoder.Width]);
        if (_hasMissing)
        {
            into[_encoder.Width] = missing ? 0 : 1;
            into[_encoder.Width + 1] = missing ? 1 : 0;
        }
    }

    public override object Decode(ReadOnlySpan<float> encoded)
        => _hasMissing && SpanMath.ArgMax(encoded[_encoder.Width..]) == 1
            ? _toValue(double.NaN)
            : _toValue(_encoder.Decode(encoded[.._encoder.Width]));
}

/// <summary>
/// A discrete or key column: a one-hot over the categories seen, missing values (empty text, key 0) being one more
/// category, so a generator draws them at the rate it saw them.
/// </summary>
internal sealed class DiscreteEncodedColumn : EncodedColumn
{
    private readonly DiscreteColumnEncoder _encoder;
    private readonly int[] _rows;
    private readonly IReadOnlyList<ColumnCategory> _categories;
    private readonly Dictionary<string, object> _valueOf;
    private readonly int[] _entryOf;

    private DiscreteEncodedColumn(TableColumn column, TableColumnKind kind, int offset, double missingRate, DiscreteColumnEncoder encoder, int[] rows, IReadOnlyList<ColumnCategory> categories)
        : base(column, kind, offset, missingRate)
    {
        _encoder = encoder;
        _rows = rows;
        _categories = categories;
        _valueOf = categories.ToDictionary(c => c.Label, c => c.Value, StringComparer.Ordinal);
        var entryOfLabel = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int entry = 0; entry < encoder.Width; entry++)
        {
            entryOfLabel[encoder.Categories[entry]] = entry;
        }

        _entryOf = [.. categories.Select(c => entryOfLabel[c.Label])];
        var oneHot = new ColumnCategory[categories.Count];
        for (int id = 0; id < categories.Count; id++)
        {
            oneHot[_entryOf[id]] = categories[id];
        }

        OneHotCategories = oneHot;
    }

    public override int Width => _encoder.Width;

    /// <summary>
    /// The categories in one-hot order (most frequent first): entry i of the encoding stands for the i-th. A conditional
    /// vector follows this order, so a condition and the generator's output for the column line up.
    /// </summary>
    public IReadOnlyList<ColumnCategory> OneHotCategories { get; }

    /// <summary>Training row <paramref name="row"/>'s category as its index in <see cref="OneHotCategories"/>: the entry its one-hot sets.</summary>
    public int CategoryOf(int row) => _entryOf[_rows[row]];

    public override IEnumerable<EncodedSpan> Spans => [new EncodedSpan(Offset, Width, EncodedSpanKind.Softmax)];

    public override IReadOnlyList<ColumnCategory> Categories => OneHotCategories;

    /// <summary>
    /// Fits the one-hot on <paramref name="rows"/>, each training row's index into <paramref name="categories"/> (the
    /// distinct values in order of first appearance; the one labelled <see cref="EncodedColumn.MissingLabel"/> stands for missing values).
    /// </summary>
    public static DiscreteEncodedColumn Fit(TableColumn column, TableColumnKind kind, int offset, int[] rows, IReadOnlyList<ColumnCategory> categories)
    {
        int missingId = categories.ToList().FindIndex(c => c.Label == MissingLabel);
        int missing = missingId < 0 ? 0 : rows.Count(id => id == missingId);
        CheckLearnable(column, rows.Length, missing, categories.Count == 1 ? categories[0].Display : null);
        DiscreteColumnEncoder encoder = DiscreteColumnEncoder.Fit(column.Name, rows.Select(id => categories[id].Label));
        return new DiscreteEncodedColumn(column, kind, offset, (double)missing / rows.Length, encoder, rows, categories);
    }

    public override void Encode(int row, Random random, Span<float> into) => _encoder.Encode(_categories[_rows[row]].Label, into);

    public override object Decode(ReadOnlySpan<float> encoded) => _valueOf[_encoder.Decode(encoded)];
}

/// <summary>
/// A discrete or key column of more than <see cref="TableEncoder.MaxOneHotCategories"/> categories (a city, a product id),
/// frequency-encoded as RDT's <c>FrequencyEncoder</c> does for CTGAN: the categories, most frequent first, tile [0, 1) with
/// intervals as wide as their frequencies; a row's category becomes a position drawn uniformly in its interval, encoded as
/// a continuous column ([α, modes]); decoding maps the position back to the interval it falls in. The encoding's width no
/// longer grows with the categories (a one-hot of 50,000 would make a critic input of millions in a pack), at the price of
/// the column not entering the conditional vector: a generator is not conditioned on its values.
/// </summary>
internal sealed class FrequencyEncodedColumn : EncodedColumn
{
    private readonly ContinuousColumnEncoder _encoder;
    private readonly double[] _positions;
    private readonly double[] _starts;
    private readonly IReadOnlyList<ColumnCategory> _categories;

    private FrequencyEncodedColumn(TableColumn column, TableColumnKind kind, int offset, double missingRate, ContinuousColumnEncoder encoder, double[] positions,
        double[] starts, IReadOnlyList<ColumnCategory> categories)
        : base(column, kind, offset, missingRate)
    {
        _encoder = encoder;
        _positions = positions;
        _starts = starts;
        _categories = categories;
    }

    public override int Width => _encoder.Width;

    /// <summary>The categories, most frequent first: category i holds [<see cref="Starts"/>[i], <see cref="Starts"/>[i + 1]).</summary>
    public override IReadOnlyList<ColumnCategory> Categories => _categories;

    /// <summary>Where each category's interval starts (the first at 0).</summary>
    public IReadOnlyList<double> Starts => _starts;

    /// <summary>The positions' modes (for the ONNX exporter, which decodes as <see cref="Decode"/> does).</summary>
    public ContinuousColumnEncoder Encoder => _encoder;

    public override IEnumerable<EncodedSpan> Spans =>
    [
        new EncodedSpan(Offset, 1, EncodedSpanKind.Scalar),
        new EncodedSpan(Offset + 1, _encoder.Width - 1, EncodedSpanKind.Softmax),
    ];

    /// <summary>
    /// Fits the column on <paramref name="rows"/>, each training row's index into <paramref name="categories"/> (as for
    /// <see cref="DiscreteEncodedColumn.Fit"/>); the rows' positions are drawn with <paramref name="seed"/>.
    /// </summary>
    public static FrequencyEncodedColumn Fit(TableColumn column, TableColumnKind kind, int offset, int[] rows, IReadOnlyList<ColumnCategory> categories, int seed)
    {
        var counts = new int[categories.Count];
        foreach (int id in rows)
        {
            counts[id]++;
        }

        int missingId = categories.ToList().FindIndex(c => c.Label == MissingLabel);
        CheckLearnable(column, rows.Length, missingId < 0 ? 0 : counts[missingId], null);
        int[] order = [.. Enumerable.Range(0, categories.Count).Where(id => counts[id] > 0).OrderByDescending(id => counts[id]).ThenBy(id => id)];
        var rank = new int[categories.Count];
        var starts = new double[order.Length];
        double start = 0;
        for (int r = 0; r < order.Length; r++)
        {
            rank[order[r]] = r;
            starts[r] = start;
            start += counts[order[r]] / (double)rows.Length;
        }

        var random = new Random(seed);
        var positions = new double[rows.Length];
        for (int row = 0; row < rows.Length; row++)
        {
            int r = rank[rows[row]];
            double end = r + 1 < starts.Length ? starts[r + 1] : 1;
            positions[row] = starts[r] + (random.NextDouble() * (end - starts[r]));
        }

        ContinuousColumnEncoder encoder = ContinuousColumnEncoder.Fit(column.Name, positions, seed);
        return new FrequencyEncodedColumn(column, kind, offset, missingId < 0 ? 0 : counts[missingId] / (double)rows.Length, encoder, positions, starts,
            [.. order.Select(id => categories[id])]);
    }

    public override void Encode(int row, Random random, Span<float> into) => _encoder.Encode(_positions[row], random, into);

    public override object Decode(ReadOnlySpan<float> encoded) => _categories[IndexOf(_encoder.Decode(encoded))].Value;

    /// <summary>The category whose interval holds <paramref name="position"/>: how many intervals after the first start at or before it.</summary>
    public int IndexOf(double position)
    {
        int index = Array.BinarySearch(_starts, position);
        return index >= 0 ? index : Math.Max(0, ~index - 1);
    }
}
