using Microsoft.ML.Data;
using Microsoft.ML.Gan.IO;

namespace Microsoft.ML.Gan.Input;

/// <summary>
/// Latent vectors as an <see cref="IDataView"/>, computed lazily from (seed, row) by <see cref="LatentSampler"/>.
/// Two uses, one implementation: on its own, <c>count</c> rows holding only the latent column
/// (<see cref="GanDataCatalog.SampleLatent(GanTransformer, long, int, IReadOnlyList{int}, float)"/>); over a source view, every source row plus a latent column
/// derived from the row's id (how <see cref="GanTransformer"/> draws a synthetic twin per input row).
/// </summary>
internal sealed class LatentDataView : SequentialDataView
{
    private readonly IDataView? _source;
    private readonly long _count;
    private readonly int _dimension;
    private readonly int _seed;
    private readonly LatentDistribution _distribution;
    private readonly LabelSpec? _label;
    private readonly float _scale;

    private LatentDataView(IDataView? source, long count, string column, int dimension, int seed, LatentDistribution distribution, LabelSpec? label = null, float scale = 1f)
    {
        _scale = scale;
        _label = label;
        _source = source;
        _count = count;
        _dimension = dimension;
        _seed = seed;
        _distribution = distribution;
        var builder = new DataViewSchema.Builder();
        if (source is not null)
        {
            builder.AddColumns(source.Schema);
        }

        builder.AddColumn(column, new VectorDataViewType(NumberDataViewType.Single, dimension));
        if (label is not null)
        {
            builder.AddColumn(label.Name, label.Type, label.Annotations);
        }

        Schema = builder.ToSchema();
    }

    /// <summary>The schema <see cref="Append"/> produces for a source with <paramref name="schema"/>.</summary>
    public static DataViewSchema SchemaWithLatent(DataViewSchema schema, string column, int dimension)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(schema);
        builder.AddColumn(column, new VectorDataViewType(NumberDataViewType.Single, dimension));
        return builder.ToSchema();
    }

    /// <summary><paramref name="count"/> latent rows (times <paramref name="scale"/>); with <paramref name="label"/>, also a class per row.</summary>
    public static LatentDataView Sample(long count, string column, int dimension, int seed, LatentDistribution distribution, LabelSpec? label = null, float scale = 1f)
        => new(null, count, column, dimension, seed, distribution, label, scale);

    public static LatentDataView Append(IDataView source, string column, int dimension, int seed, LatentDistribution distribution)
        => new(source, 0, column, dimension, seed, distribution);

    public override DataViewSchema Schema { get; }

    public override long? GetRowCount() => _source is null ? _count : _source.GetRowCount();

    public override DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, columnsNeeded.ToArray());

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly LatentDataView _parent;
        private readonly DataViewRowCursor? _source;
        private readonly ValueGetter<DataViewRowId>? _sourceId;
        private readonly int _latentIndex;
        private readonly bool _latentActive;
        private readonly int _labelIndex;
        private long _position = -1;

        public Cursor(LatentDataView parent, DataViewSchema.Column[] columnsNeeded)
        {
            _parent = parent;
            _labelIndex = parent._label is null ? -1 : parent.Schema.Count - 1;
            _latentIndex = parent.Schema.Count - (parent._label is null ? 1 : 2);
            _latentActive = columnsNeeded.Any(c => c.Index == _latentIndex);
            if (parent._source is not null)
            {
                DataViewSchema sourceSchema = parent._source.Schema;
                _source = parent._source.GetRowCursor(columnsNeeded.Where(c => c.Index < _latentIndex).Select(c => sourceSchema[c.Index]));
                _sourceId = _source.GetIdGetter();
            }
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column)
            => column.Index == _latentIndex ? _latentActive : column.Index == _labelIndex || _source!.IsColumnActive(_source.Schema[column.Index]);

        public override bool MoveNext()
        {
            bool moved = _source?.MoveNext() ?? _position + 1 < _parent._count;
            if (moved)
            {
                _position++;
            }

            return moved;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => _sourceId ?? ((ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0));

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index == _labelIndex)
            {
                return _parent._label!.Getter(() => _parent._label.ClassOfRow(_position)) as ValueGetter<TValue>
                    ?? throw new InvalidOperationException($"Column '{column.Name}' holds {column.Type}; requested {typeof(TValue).Name}.");
            }

            if (column.Index != _latentIndex)
            {
                return _source!.GetGetter<TValue>(_source.Schema[column.Index]);
            }

            if (!_latentActive)
            {
                throw NotRequested(column);
            }

            ValueGetter<VBuffer<float>> latent = GetLatent;
            return latent as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' holds VBuffer<Single>; requested {typeof(TValue).Name}.");
        }

        private void GetLatent(ref VBuffer<float> value)
        {
            DataViewRowId id = default;
            if (_sourceId is null)
            {
                id = new DataViewRowId((ulong)_position, 0);
            }
            else
            {
                _sourceId(ref id);
            }

            var editor = VBufferEditor.Create(ref value, _parent._dimension);
            // Row ids are unique per row of a view; mixing both halves keeps every id distinct.
            LatentSampler.Fill(editor.Values, _parent._seed, id.Low ^ (id.High * 0x9E3779B97F4A7C15UL), _parent._distribution, _parent._scale);
            value = editor.Commit();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _source?.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
