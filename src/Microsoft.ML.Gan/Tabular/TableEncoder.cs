using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Tabular;

/// <summary>
/// A whole table as CTGAN sees it: every column of a <see cref="TableSchema"/> fitted on the training rows and laid out
/// side by side in one encoded row of <see cref="Width"/> floats. A generator's output heads follow <see cref="Spans"/>
/// (tanh on each α, Gumbel-softmax on each one-hot group); its rows decode into an <see cref="IDataView"/> with exactly
/// the training schema.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Kinds: Single and Double columns are continuous; Boolean and text columns discrete; key columns discrete over
/// the key indices seen. An integer column with at most <see cref="MaxDiscreteIntegerValues"/> distinct values is
/// discrete (codes, ratings, counts of a few kinds come back exactly); with more it is continuous, decoded to the
/// nearest integer and saturated to its type's range. A discrete or key column of more than
/// <see cref="MaxOneHotCategories"/> categories is frequency-encoded: one continuous position rather than a one-hot.</item>
/// <item>Missing values (NaN, empty or whitespace-only text, key 0) are learned, not dropped: a discrete or key column
/// has a category for them, a continuous column a present/missing pair after its modes
/// (<see cref="ContinuousEncodedColumn"/>). A generator that matches the encoded rows draws them at the rate seen
/// (<see cref="EncodedColumn.MissingRate"/>). Missing text comes back as empty text.</item>
/// <item>Errors, each naming its column: no rows; a column missing in every row; a column with one value in every row
/// (no rows missing), since a generator learns nothing from it and it is better excluded than silently copied; an
/// infinite number.</item>
/// </list>
/// </remarks>
internal sealed class TableEncoder
{
    /// <summary>The most distinct values an integer column may have and still be discrete.</summary>
    public const int MaxDiscreteIntegerValues = 20;

    /// <summary>
    /// The most categories a discrete or key column is one-hot encoded with; a column with more is frequency-encoded
    /// (<see cref="FrequencyEncodedColumn"/>), so its width does not grow with its categories.
    /// </summary>
    public const int MaxOneHotCategories = 1_000;

    private readonly int _seed;

    private TableEncoder(TableSchema schema, IReadOnlyList<EncodedColumn> columns, int rowCount, int seed)
    {
        Schema = schema;
        Columns = columns;
        RowCount = rowCount;
        _seed = seed;
        Width = columns.Sum(c => c.Width);
        Spans = [.. columns.SelectMany(c => c.Spans)];
    }

    /// <summary>The columns, as the input had them.</summary>
    public TableSchema Schema { get; }

    /// <summary>The fitted columns, in schema order and in the order of their encodings.</summary>
    public IReadOnlyList<EncodedColumn> Columns { get; }

    /// <summary>How many training rows were read.</summary>
    public int RowCount { get; }

    /// <summary>How many floats an encoded row takes.</summary>
    public int Width { get; }

    /// <summary>Every column's spans, in order: they tile an encoded row from 0 to <see cref="Width"/>.</summary>
    public IReadOnlyList<EncodedSpan> Spans { get; }

    /// <summary>
    /// Reads <paramref name="data"/>'s columns of <paramref name="schema"/> once and fits an encoder per column.
    /// Column i's modes are fitted with seed <paramref name="seed"/> + i; <see cref="EncodeRows"/> draws with <paramref name="seed"/>.
    /// Throws <see cref="ArgumentException"/>, naming the column, for what a generator cannot learn (see the remarks).
    /// </summary>
    public static TableEncoder Fit(IDataView data, TableSchema schema, int seed)
    {
        foreach (TableColumn column in schema.Columns)
        {
            if (column.Source.Index >= data.Schema.Count || data.Schema[column.Source.Index].Name != column.Name || !data.Schema[column.Source.Index].Type.Equals(column.Source.Type))
            {
                throw new ArgumentException($"The table schema was made for other data: column '{column.Name}' ({column.Source.Type}) is not where it was.", nameof(schema));
            }
        }

        TableColumnReader[] readers;
        int rows = 0;
        using (DataViewRowCursor cursor = data.GetRowCursor(schema.Columns.Select(c => c.Source)))
        {
            readers = [.. schema.Columns.Select(c => TableColumnReader.Create(c, cursor))];
            while (cursor.MoveNext())
            {
                foreach (TableColumnReader reader in readers)
                {
                    reader.Read(cursor.Position);
                }

                rows++;
            }
        }

        if (rows == 0)
        {
            throw new ArgumentException("The data has no rows; a table generator needs rows to learn from.", nameof(data));
        }

        var columns = new EncodedColumn[readers.Length];
        int offset = 0;
        for (int i = 0; i < readers.Length; i++)
        {
            columns[i] = readers[i].Fit(offset, unchecked(seed + i));
            offset += columns[i].Width;
        }

        return new TableEncoder(schema, columns, rows, seed);
    }

    /// <summary>
    /// Writes training row <paramref name="row"/> into <paramref name="into"/> (length <see cref="Width"/>). A continuous
    /// value's mode is drawn with <paramref name="random"/> (see <see cref="ContinuousColumnEncoder.Encode"/>).
    /// </summary>
    public void EncodeRow(int row, Random random, Span<float> into)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, RowCount);
        CheckWidth(into.Length, nameof(into));
        foreach (EncodedColumn column in Columns)
        {
            column.Encode(row, random, into.Slice(column.Offset, column.Width));
        }
    }

    /// <summary>Every training row encoded, row-major (<see cref="RowCount"/> × <see cref="Width"/>); the same for the same fit seed.</summary>
    public float[] EncodeRows()
    {
        if ((long)RowCount * Width > Array.MaxLength)
        {
            throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"{RowCount} rows of {Width} floats do not fit one array; encode them a row at a time with {nameof(EncodeRow)}."));
        }

        var encoded = new float[RowCount * Width];
        var random = new Random(_seed);
        for (int row = 0; row < RowCount; row++)
        {
            EncodeRow(row, random, encoded.AsSpan(row * Width, Width));
        }

        return encoded;
    }

    /// <summary>
    /// The values <paramref name="encodedRow"/> (length <see cref="Width"/>: an encoded row or a generator's output) stands
    /// for, one per column, each of the column's .NET type (the raw type of its <see cref="DataViewType"/>).
    /// </summary>
    public object[] Decode(ReadOnlySpan<float> encodedRow)
    {
        CheckWidth(encodedRow.Length, nameof(encodedRow));
        var values = new object[Columns.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Columns[i].Decode(encodedRow.Slice(Columns[i].Offset, Columns[i].Width));
        }

        return values;
    }

    /// <summary>
    /// The rows of <paramref name="encodedRows"/> (row-major, a multiple of <see cref="Width"/> long) as a view with the
    /// training schema: the same column names, order, types and annotations (so key columns keep their key values).
    /// Rows are decoded as a cursor reaches them.
    /// </summary>
    public IDataView CreateDataView(float[] encodedRows)
    {
        if (encodedRows.Length % Width != 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Encoded rows are {Width} floats each; got {encodedRows.Length} floats, not a whole number of rows."), nameof(encodedRows));
        }

        return new DecodedTableDataView(this, encodedRows);
    }

    private void CheckWidth(int length, string parameter)
    {
        if (length != Width)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"An encoded row is {Width} floats; got a span of {length}."), parameter);
        }
    }
}
