using Microsoft.ML.Data;
using Microsoft.ML.Gan.Onnx;

namespace Microsoft.ML.Gan.Data;

/// <summary>How generated pixels are written out.</summary>
/// <param name="Name">Column name.</param>
/// <param name="Dimensions">Vector dimensions.</param>
/// <param name="AsBytes">Write bytes 0..255 instead of floats.</param>
/// <param name="Scale">Floats are pixel × Scale (1 for [0, 1]; the training column's maximum for training rows).</param>
internal sealed record PixelOutput(string Name, int[] Dimensions, bool AsBytes, float Scale);

/// <summary>
/// <c>count</c> generated rows, computed lazily a batch at a time by ONNX Runtime. Row i's latent vector is
/// the one <see cref="LatentDataView"/> gives row i for the same seed, and its class (conditional
/// generators) the label plan's class for row i, so bulk output equals <see cref="GanTransformer.Transform"/>
/// over <see cref="GanCatalog.SampleLatent(GanTransformer, long, int, IReadOnlyList{int})"/>. Columns: the latent vector (unless
/// <c>latentColumn</c> is null), the label, and the pixels.
/// </summary>
internal sealed class GeneratedDataView : SequentialDataView
{
    private readonly Func<OnnxGeneratorSession> _session;
    private readonly GeneratorGraphLayout _layout;
    private readonly long _count;
    private readonly int _dimension;
    private readonly int _seed;
    private readonly LatentDistribution _distribution;
    private readonly int _batchSize;
    private readonly LabelSpec? _label;
    private readonly PixelOutput _pixels;
    private readonly int _latentIndex;
    private readonly int _labelIndex;
    private readonly int _pixelsIndex;

    public GeneratedDataView(Func<OnnxGeneratorSession> session, GeneratorGraphLayout layout, long count, int dimension, int seed,
        LatentDistribution distribution, int batchSize, string? latentColumn, LabelSpec? label, PixelOutput pixels)
    {
        _session = session;
        _layout = layout;
        _count = count;
        _dimension = dimension;
        _seed = seed;
        _distribution = distribution;
        _batchSize = batchSize;
        _label = label;
        _pixels = pixels;
        var builder = new DataViewSchema.Builder();
        int index = 0;
        _latentIndex = _labelIndex = -1;
        if (latentColumn is not null)
        {
            builder.AddColumn(latentColumn, new VectorDataViewType(NumberDataViewType.Single, dimension));
            _latentIndex = index++;
        }

        if (label is not null)
        {
            builder.AddColumn(label.Name, label.Type, label.Annotations);
            _labelIndex = index++;
        }

        builder.AddColumn(pixels.Name, new VectorDataViewType(pixels.AsBytes ? NumberDataViewType.Byte : NumberDataViewType.Single, pixels.Dimensions));
        _pixelsIndex = index;
        Schema = builder.ToSchema();
    }

    public override DataViewSchema Schema { get; }

    public override long? GetRowCount() => _count;

    public override DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, columnsNeeded.Select(c => c.Index).ToHashSet());

    private sealed class Cursor(GeneratedDataView parent, HashSet<int> active) : DataViewRowCursor
    {
        private readonly float[] _latents = new float[parent._batchSize * parent._dimension];
        private readonly long[]? _classes = parent._label is null ? null : new long[parent._batchSize];
        private readonly float[] _pixels = new float[active.Contains(parent._pixelsIndex) ? parent._batchSize * parent._layout.Shape.Size : 0];
        private long _position = -1;
        private long _batchStart = -1;

        public override DataViewSchema Schema => parent.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

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
                    if (_classes is not null)
                    {
                        _classes[r] = parent._label!.ClassOfRow(_batchStart + r);
                    }
                }

                if (_pixels.Length > 0)
                {
                    parent._session().Run(_latents, _classes, rows, _pixels);
                }
            }

            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!active.Contains(column.Index))
            {
                throw NotRequested(column);
            }

            Delegate getter;
            if (column.Index == parent._labelIndex)
            {
                getter = parent._label!.Getter(() => _classes![_position - _batchStart]);
            }
            else if (column.Index == parent._latentIndex)
            {
                getter = Floats(_latents, parent._dimension, 1f);
            }
            else if (parent._pixels.AsBytes)
            {
                int size = parent._layout.Shape.Size;
                getter = (ValueGetter<VBuffer<byte>>)((ref VBuffer<byte> value) =>
                {
                    var editor = VBufferEditor.Create(ref value, size);
                    ReadOnlySpan<float> source = _pixels.AsSpan((int)(_position - _batchStart) * size, size);
                    for (int i = 0; i < size; i++)
                    {
                        editor.Values[i] = GanImages.ToByte(source[i]);
                    }

                    value = editor.Commit();
                });
            }
            else
            {
                getter = Floats(_pixels, parent._layout.Shape.Size, parent._pixels.Scale);
            }

            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' holds {column.Type}; requested {typeof(TValue).Name}.");
        }

        private ValueGetter<VBuffer<float>> Floats(float[] source, int width, float scale) => (ref VBuffer<float> value) =>
        {
            var editor = VBufferEditor.Create(ref value, width);
            ReadOnlySpan<float> row = source.AsSpan((int)(_position - _batchStart) * width, width);
            if (scale == 1f)
            {
                row.CopyTo(editor.Values);
            }
            else
            {
                for (int i = 0; i < width; i++)
                {
                    editor.Values[i] = row[i] * scale;
                }
            }

            value = editor.Commit();
        };
    }
}
