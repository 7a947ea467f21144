using Microsoft.ML.Data;
using Microsoft.ML.Gan.Onnx;

namespace Microsoft.ML.Gan.Data;

/// <summary>
/// <c>count</c> generated rows (latent vector + pixels), computed lazily a batch at a time by ONNX Runtime.
/// Row i's latent vector is the one <see cref="GanCatalog.SampleLatent(GanTransformer, long, int)"/> gives row i for the same seed, so
/// bulk output equals <see cref="GanTransformer.Transform"/> over <c>SampleLatent</c>.
/// </summary>
internal sealed class GeneratedDataView : IDataView
{
    private readonly Func<OnnxGeneratorSession> _session;
    private readonly GeneratorGraphLayout _layout;
    private readonly long _count;
    private readonly int _dimension;
    private readonly int _seed;
    private readonly LatentDistribution _distribution;
    private readonly int _batchSize;

    public GeneratedDataView(Func<OnnxGeneratorSession> session, GeneratorGraphLayout layout, long count, int dimension, int seed, LatentDistribution distribution, int batchSize)
    {
        _session = session;
        _layout = layout;
        _count = count;
        _dimension = dimension;
        _seed = seed;
        _distribution = distribution;
        _batchSize = batchSize;
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(layout.LatentName, new VectorDataViewType(NumberDataViewType.Single, dimension));
        builder.AddColumn(layout.PixelsName, new VectorDataViewType(NumberDataViewType.Single, layout.PixelDimensions));
        Schema = builder.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, columnsNeeded.Any(c => c.Index == 1));

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(GeneratedDataView parent, bool pixelsActive) : DataViewRowCursor
    {
        private readonly float[] _latents = new float[parent._batchSize * parent._dimension];
        private readonly float[] _pixels = new float[pixelsActive ? parent._batchSize * parent._layout.Shape.Size : 0];
        private long _position = -1;
        private long _batchStart = -1;

        public override DataViewSchema Schema => parent.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => column.Index == 0 || pixelsActive;

        public override bool MoveNext()
        {
            if (_position + 1 >= parent._count)
            {
                _position = parent._count;
                return false;
            }

            _position++;
            if (_batchStart < 0 || _position >= _batchStart + parent._batchSize)
            {
                _batchStart = _position;
                int rows = (int)Math.Min(parent._batchSize, parent._count - _position);
                for (int r = 0; r < rows; r++)
                {
                    LatentSampler.Fill(_latents.AsSpan(r * parent._dimension, parent._dimension), parent._seed, (ulong)(_batchStart + r), parent._distribution);
                }

                if (pixelsActive)
                {
                    parent._session().Run(_latents, rows, _pixels);
                }
            }

            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index == 1 && !pixelsActive)
            {
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was created.");
            }

            int width = column.Index == 0 ? parent._dimension : parent._layout.Shape.Size;
            float[] source = column.Index == 0 ? _latents : _pixels;
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                var editor = VBufferEditor.Create(ref value, width);
                source.AsSpan((int)(_position - _batchStart) * width, width).CopyTo(editor.Values);
                value = editor.Commit();
            };
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' holds VBuffer<Single>; requested {typeof(TValue).Name}.");
        }
    }
}
