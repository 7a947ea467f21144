using Microsoft.ML.Data;
using Microsoft.ML.Gan.IO;

namespace Microsoft.ML.Gan.Tabular;

/// <summary>
/// Encoded rows (a row-major float matrix, such as a generator's output) as an <see cref="IDataView"/> with exactly the
/// training schema of a <see cref="TableEncoder"/>. A cursor decodes each row's active columns as it reaches the row, so
/// the view holds no more than the matrix.
/// </summary>
internal sealed class DecodedTableDataView : SequentialDataView
{
    private readonly TableEncoder _encoder;
    private readonly float[] _encoded;

    public DecodedTableDataView(TableEncoder encoder, float[] encoded)
    {
        _encoder = encoder;
        _encoded = encoded;
        var builder = new DataViewSchema.Builder();
        foreach (TableColumn column in encoder.Schema.Columns)
        {
            builder.AddColumn(column.Name, column.Source.Type, column.Source.Annotations);
        }

        Schema = builder.ToSchema();
    }

    public override DataViewSchema Schema { get; }

    public override long? GetRowCount() => _encoded.Length / _encoder.Width;

    public override DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, [.. columnsNeeded.Select(c => c.Index).Distinct()]);

    private sealed class Cursor(DecodedTableDataView parent, int[] active) : DataViewRowCursor
    {
        private readonly object[] _values = new object[parent.Schema.Count];
        private readonly long _rows = parent._encoded.Length / parent._encoder.Width;
        private long _position = -1;

        public override DataViewSchema Schema => parent.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override bool MoveNext()
        {
            if (_position + 1 >= _rows)
            {
                return false;
            }

            _position++;
            int width = parent._encoder.Width;
            ReadOnlySpan<float> row = parent._encoded.AsSpan((int)_position * width, width);
            foreach (int index in active)
            {
                EncodedColumn column = parent._encoder.Columns[index];
                _values[index] = column.Decode(row.Slice(column.Offset, column.Width));
            }

            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
            {
                throw NotRequested(column);
            }

            if (typeof(TValue) != column.Type.RawType)
            {
                throw new InvalidOperationException($"Column '{column.Name}' holds {column.Type}; requested {typeof(TValue).Name}.");
            }

            return (ref TValue value) => value = (TValue)_values[column.Index];
        }
    }
}
