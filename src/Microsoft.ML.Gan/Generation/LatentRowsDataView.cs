using Microsoft.ML.Data;
using Microsoft.ML.Gan.IO;

namespace Microsoft.ML.Gan.Generation;

/// <summary><c>count</c> latent rows of a table generator (<see cref="TableSampling.FillLatent"/>), one vector column, computed lazily from (seed, row).</summary>
internal sealed class LatentRowsDataView : SequentialDataView
{
    private readonly TableSampling _sampling;
    private readonly long _count;
    private readonly int _seed;

    public LatentRowsDataView(TableSampling sampling, string column, long count, int seed)
    {
        _sampling = sampling;
        _count = count;
        _seed = seed;
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(column, new VectorDataViewType(NumberDataViewType.Single, sampling.LatentWidth));
        Schema = builder.ToSchema();
    }

    public override DataViewSchema Schema { get; }

    public override long? GetRowCount() => _count;

    public override DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, columnsNeeded.Any());

    private sealed class Cursor(LatentRowsDataView parent, bool active) : DataViewRowCursor
    {
        private readonly float[] _latent = new float[parent._sampling.LatentWidth];
        private long _position = -1;

        public override DataViewSchema Schema => parent.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => active;

        public override bool MoveNext()
        {
            if (_position + 1 >= parent._count)
            {
                return false;
            }

            _position++;
            if (active)
            {
                parent._sampling.FillLatent(_latent, parent._seed, (ulong)_position);
            }

            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!active)
            {
                throw NotRequested(column);
            }

            if (typeof(TValue) != typeof(VBuffer<float>))
            {
                throw new InvalidOperationException($"Column '{column.Name}' holds {column.Type}; requested {typeof(TValue).Name}.");
            }

            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                VBufferEditor<float> editor = VBufferEditor.Create(ref value, _latent.Length);
                _latent.CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }
    }
}
