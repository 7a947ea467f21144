using System.Globalization;
using System.Numerics;
using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Tabular;

/// <summary>
/// Streams one column of a cursor into a buffer as the table is read once, then fits the column's encoder on it:
/// numbers as doubles (NaN where missing), categories as ids into the distinct values seen. This is the one place that
/// knows each column's .NET type, both reading it and writing decoded values back in it.
/// </summary>
internal abstract class TableColumnReader
{
    /// <summary>Appends the cursor's current row; <paramref name="row"/> is its position, for messages.</summary>
    public abstract void Read(long row);

    /// <summary>Fits the column on the rows read; its encoding starts at <paramref name="offset"/> of an encoded row.</summary>
    public abstract EncodedColumn Fit(int offset, int seed);

    /// <summary>A reader of <paramref name="column"/> from <paramref name="cursor"/>, which has the column active.</summary>
    public static TableColumnReader Create(TableColumn column, DataViewRowCursor cursor)
    {
        Type raw = column.Source.Type.RawType;
        return column.Type switch
        {
            TableColumnType.Floating when raw == typeof(float) => new FloatingColumnReader<float>(column, cursor),
            TableColumnType.Floating => new FloatingColumnReader<double>(column, cursor),
            TableColumnType.Integer or TableColumnType.Key => ForInteger(column, cursor, raw),
            TableColumnType.Boolean => new BooleanColumnReader(column, cursor),
            _ => new TextColumnReader(column, cursor),
        };
    }

    private static TableColumnReader ForInteger(TableColumn column, DataViewRowCursor cursor, Type raw)
    {
        bool key = column.Type == TableColumnType.Key;
        return raw switch
        {
            _ when raw == typeof(sbyte) => new IntegerColumnReader<sbyte>(column, cursor),
            _ when raw == typeof(short) => new IntegerColumnReader<short>(column, cursor),
            _ when raw == typeof(int) => new IntegerColumnReader<int>(column, cursor),
            _ when raw == typeof(long) => new IntegerColumnReader<long>(column, cursor),
            _ when raw == typeof(byte) => key ? new KeyColumnReader<byte>(column, cursor) : new IntegerColumnReader<byte>(column, cursor),
            _ when raw == typeof(ushort) => key ? new KeyColumnReader<ushort>(column, cursor) : new IntegerColumnReader<ushort>(column, cursor),
            _ when raw == typeof(uint) => key ? new KeyColumnReader<uint>(column, cursor) : new IntegerColumnReader<uint>(column, cursor),
            _ => key ? new KeyColumnReader<ulong>(column, cursor) : new IntegerColumnReader<ulong>(column, cursor),
        };
    }

    /// <summary>The distinct values of a column in order of first appearance, and each row's index into them.</summary>
    private sealed class Distinct<T>
        where T : notnull
    {
        private readonly Dictionary<T, int> _ids = [];

        public List<T> Values { get; } = [];

        public List<int> Rows { get; } = [];

        public void Add(T value)
        {
            if (!_ids.TryGetValue(value, out int id))
            {
                id = Values.Count;
                _ids.Add(value, id);
                Values.Add(value);
            }

            Rows.Add(id);
        }
    }

    /// <summary>Single or Double: continuous; NaN is missing, an infinity an error.</summary>
    private sealed class FloatingColumnReader<T>(TableColumn column, DataViewRowCursor cursor) : TableColumnReader
        where T : IBinaryFloatingPointIeee754<T>
    {
        private readonly ValueGetter<T> _getter = cursor.GetGetter<T>(column.Source);
        private readonly List<double> _values = [];
        private T _value = T.Zero;

        public override void Read(long row)
        {
            _getter(ref _value);
            double x = double.CreateTruncating(_value);
            if (double.IsInfinity(x))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Column '{column.Name}' holds {x} at row {row}; a table generator needs finite numbers, or NaN for a missing value."),
                    "data");
            }

            _values.Add(x);
        }

        public override EncodedColumn Fit(int offset, int seed)
            => ContinuousEncodedColumn.Fit(column, offset, [.. _values], x => T.CreateTruncating(x), seed);
    }

    /// <summary>
    /// An integer column: discrete while it has at most <see cref="TableEncoder.MaxDiscreteIntegerValues"/> distinct values,
    /// continuous beyond (decoded to the nearest integer, saturated to the type's range). Both buffers fill until the
    /// distinct values pass the limit. A continuous 64-bit column is read as doubles, exact up to 2⁵³; a discrete one exactly.
    /// </summary>
    private sealed class IntegerColumnReader<T>(TableColumn column, DataViewRowCursor cursor) : TableColumnReader
        where T : IBinaryInteger<T>
    {
        private readonly ValueGetter<T> _getter = cursor.GetGetter<T>(column.Source);
        private readonly List<double> _values = [];
        private Distinct<T>? _distinct = new();
        private T _value = T.Zero;

        public override void Read(long row)
        {
            _getter(ref _value);
            _values.Add(double.CreateTruncating(_value));
            _distinct?.Add(_value);
            if (_distinct?.Values.Count > TableEncoder.MaxDiscreteIntegerValues)
            {
                _distinct = null;
            }
        }

        public override EncodedColumn Fit(int offset, int seed)
        {
            if (_distinct is null)
            {
                return ContinuousEncodedColumn.Fit(column, offset, [.. _values], x => T.CreateSaturating(Math.Round(x)), seed);
            }

            ColumnCategory[] categories = [.. _distinct.Values.Select(v => Named(v.ToString(null, CultureInfo.InvariantCulture), v))];
            return EncodedColumn.FitCategorical(column, TableColumnKind.Discrete, offset, [.. _distinct.Rows], categories, seed);
        }
    }

    /// <summary>A key column: a category per key index seen; key 0 is missing. Messages show a key by its key value where the column has them.</summary>
    private sealed class KeyColumnReader<T>(TableColumn column, DataViewRowCursor cursor) : TableColumnReader
        where T : IBinaryInteger<T>
    {
        private readonly ValueGetter<T> _getter = cursor.GetGetter<T>(column.Source);
        private readonly Distinct<T> _distinct = new();
        private T _value = T.Zero;

        public override void Read(long row)
        {
            _getter(ref _value);
            _distinct.Add(_value);
        }

        public override EncodedColumn Fit(int offset, int seed)
        {
            VBuffer<ReadOnlyMemory<char>> keyValues = default;
            bool named = column.Source.Annotations.Schema.GetColumnOrNull("KeyValues") is { Type: VectorDataViewType { ItemType: TextDataViewType } };
            if (named)
            {
                column.Source.GetKeyValues(ref keyValues);
            }

            ColumnCategory ToCategory(T key)
            {
                if (T.IsZero(key))
                {
                    return new ColumnCategory(EncodedColumn.MissingLabel, key, "key 0");
                }

                string index = key.ToString(null, CultureInfo.InvariantCulture);
                ulong position = ulong.CreateTruncating(key) - 1;
                string display = named && position < (ulong)keyValues.Length ? keyValues.GetItemOrDefault((int)position).ToString() : index;
                return new ColumnCategory(index, key, display);
            }

            return EncodedColumn.FitCategorical(column, TableColumnKind.Key, offset, [.. _distinct.Rows], [.. _distinct.Values.Select(ToCategory)], seed);
        }
    }

    /// <summary>A Boolean column: two categories at most.</summary>
    private sealed class BooleanColumnReader(TableColumn column, DataViewRowCursor cursor) : TableColumnReader
    {
        private readonly ValueGetter<bool> _getter = cursor.GetGetter<bool>(column.Source);
        private readonly Distinct<bool> _distinct = new();
        private bool _value;

        public override void Read(long row)
        {
            _getter(ref _value);
            _distinct.Add(_value);
        }

        public override EncodedColumn Fit(int offset, int seed)
            => DiscreteEncodedColumn.Fit(column, TableColumnKind.Discrete, offset, [.. _distinct.Rows], [.. _distinct.Values.Select(v => Named(v.ToString(), v))]);
    }

    /// <summary>
    /// A text column: a category per distinct text; empty or whitespace-only text is missing and decodes as empty text.
    /// Texts are looked up as spans, so a row allocates a string only for a text not seen before.
    /// </summary>
    private sealed class TextColumnReader : TableColumnReader
    {
        private readonly TableColumn _column;
        private readonly ValueGetter<ReadOnlyMemory<char>> _getter;
        private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
        private readonly List<string> _texts = [];
        private readonly List<int> _rows = [];
        private ReadOnlyMemory<char> _value;

        public TextColumnReader(TableColumn column, DataViewRowCursor cursor)
        {
            _column = column;
            _getter = cursor.GetGetter<ReadOnlyMemory<char>>(column.Source);
            _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public override void Read(long row)
        {
            _getter(ref _value);
            ReadOnlySpan<char> text = _value.Span.IsWhiteSpace() ? EncodedColumn.MissingLabel : _value.Span;
            if (!_lookup.TryGetValue(text, out int id))
            {
                id = _texts.Count;
                string added = text.ToString();
                _ids.Add(added, id);
                _texts.Add(added);
            }

            _rows.Add(id);
        }

        public override EncodedColumn Fit(int offset, int seed)
            => EncodedColumn.FitCategorical(_column, TableColumnKind.Discrete, offset, [.. _rows], [.. _texts.Select(t => Named(t, t.AsMemory()))], seed);
    }

    private static ColumnCategory Named(string label, object value) => new(label, value, label);
}
