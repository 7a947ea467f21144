using Microsoft.ML.Data;
using Microsoft.ML.Gan.IO;
using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Onnx;

namespace Microsoft.ML.Gan.Generation;

/// <summary>How generated pixels are written out.</summary>
/// <param name="Name">Column name.</param>
/// <param name="Dimensions">Vector dimensions.</param>
/// <param name="AsBytes">Write bytes 0..255 instead of floats.</param>
/// <param name="Scale">Floats are pixel × Scale (1 for [0, 1]; the training column's maximum for training rows).</param>
internal sealed record PixelOutput(string Name, int[] Dimensions, bool AsBytes, float Scale);

/// <summary>
/// Judges generated rows by a classifier's probability of their label: rows below <paramref name="MinimumConfidence"/>
/// are replaced by further candidates of the same class, and <paramref name="WeightColumn"/> (when set) holds the probability.
/// </summary>
/// <param name="Probabilities">Softmax probabilities [count × classes] of count images with pixels in [0, 1].</param>
/// <param name="MinimumConfidence">Keep rows whose label probability is at least this; null keeps every row.</param>
/// <param name="MaxCandidatesPerRow">Give up when a class needs more candidates than this per kept row.</param>
/// <param name="WeightColumn">Name of the weight column; null for none.</param>
internal sealed record RowJudge(Func<float[], int, float[]> Probabilities, float? MinimumConfidence, int MaxCandidatesPerRow, string? WeightColumn);

/// <summary>
/// <c>count</c> generated rows, computed lazily a batch at a time by ONNX Runtime. Row i's latent vector is
/// the one <see cref="LatentDataView"/> gives row i for the same seed, and its class (conditional
/// generators) the label plan's class for row i, so bulk output equals <see cref="GanTransformer.Transform"/>
/// over <see cref="GanDataCatalog.SampleLatent(GanTransformer, long, int, IReadOnlyList{int}, float)"/>. Columns: the latent vector (unless
/// <c>latentColumn</c> is null), the label, the pixels, and a weight when a <see cref="RowJudge"/> asks for one.
/// With a filtering judge, rows are drawn from per-class candidate streams instead (candidate k of class c has latent
/// row k·classes + c), so the kept rows still follow the label plan and depend only on the seed.
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
    private readonly RowJudge? _judge;
    private readonly int _weightIndex = -1;
    private readonly float _latentScale;

    public GeneratedDataView(Func<OnnxGeneratorSession> session, GeneratorGraphLayout layout, long count, int dimension, int seed,
        LatentDistribution distribution, int batchSize, string? latentColumn, LabelSpec? label, PixelOutput pixels, RowJudge? judge = null, float latentScale = 1f)
    {
        _latentScale = latentScale;
        if (judge is not null && label is null)
        {
            throw new InvalidOperationException("Judging generated rows by their label needs a conditional generator.");
        }

        _judge = judge;
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
        _pixelsIndex = index++;
        if (judge?.WeightColumn is string weightColumn)
        {
            builder.AddColumn(weightColumn, NumberDataViewType.Single);
            _weightIndex = index;
        }

        Schema = builder.ToSchema();
    }

    public override DataViewSchema Schema { get; }

    public override long? GetRowCount() => _count;

    public override DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, columnsNeeded.Select(c => c.Index).ToHashSet());

    private sealed class Cursor(GeneratedDataView parent, HashSet<int> active) : BatchedCursor
    {
        private readonly float[] _latents = new float[parent._batchSize * parent._dimension];
        private readonly long[]? _classes = parent._label is null ? null : new long[parent._batchSize];
        private readonly float[] _pixels = new float[active.Contains(parent._pixelsIndex) || parent._judge is not null ? parent._batchSize * parent._layout.Shape.Size : 0];
        private readonly float[] _weights = new float[parent._judge is null ? 0 : parent._batchSize];
        private readonly CandidateStreams? _candidates = parent._judge?.MinimumConfidence is null ? null : new CandidateStreams(parent);

        public override DataViewSchema Schema => parent.Schema;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        protected override bool MoveToNextRow() => Position + 1 < parent._count;

        protected override int FillBatch(long start)
        {
            int rows = (int)Math.Min(parent._batchSize, parent._count - start);
            if (_candidates is not null)
            {
                _candidates.Fill(start, rows, _latents, _classes!, _pixels, _weights);
                return rows;
            }

            for (int r = 0; r < rows; r++)
            {
                LatentSampler.Fill(_latents.AsSpan(r * parent._dimension, parent._dimension), parent._seed, (ulong)(start + r), parent._distribution, parent._latentScale);
                if (_classes is not null)
                {
                    _classes[r] = parent._label!.ClassOfRow(start + r);
                }
            }

            if (_pixels.Length > 0)
            {
                parent._session().Run(_latents, _classes, rows, _pixels);
            }

            if (parent._judge is RowJudge judge)
            {
                float[] probabilities = judge.Probabilities(_pixels, rows);
                int classes = parent._label!.ClassCount;
                for (int r = 0; r < rows; r++)
                {
                    _weights[r] = probabilities[(r * classes) + _classes![r]];
                }
            }

            return rows;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => (ref DataViewRowId id) => id = new DataViewRowId((ulong)Position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!active.Contains(column.Index))
            {
                throw NotRequested(column);
            }

            int size = parent._layout.Shape.Size;
            Delegate getter;
            if (column.Index == parent._weightIndex)
            {
                getter = (ValueGetter<float>)((ref float value) => value = _weights[RowInBatch]);
            }
            else if (column.Index == parent._labelIndex)
            {
                getter = parent._label!.Getter(() => _classes![RowInBatch]);
            }
            else if (column.Index == parent._latentIndex)
            {
                getter = Floats(_latents, parent._dimension);
            }
            else
            {
                getter = parent._pixels.AsBytes ? Bytes(_pixels, size) : Floats(_pixels, size, parent._pixels.Scale);
            }

            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' holds {column.Type}; requested {typeof(TValue).Name}.");
        }
    }

    /// <summary>
    /// Per-class streams of candidate rows for a filtering judge: candidates are generated a batch at a time for the
    /// class that needs one, judged, and the kept ones queued until the label plan asks for that class.
    /// </summary>
    private sealed class CandidateStreams(GeneratedDataView parent)
    {
        private const int CandidateBatch = 256;
        private readonly int _classes = parent._label!.ClassCount;
        private readonly Queue<(float[] Latent, float[] Pixels, float Weight)>[] _kept =
            Enumerable.Range(0, parent._label!.ClassCount).Select(_ => new Queue<(float[], float[], float)>()).ToArray();
        private readonly long[] _drawn = new long[parent._label!.ClassCount];
        private readonly long[] _taken = new long[parent._label!.ClassCount];
        private readonly float[] _latents = new float[CandidateBatch * parent._dimension];
        private readonly long[] _candidateClasses = new long[CandidateBatch];
        private readonly float[] _pixels = new float[CandidateBatch * parent._layout.Shape.Size];

        public void Fill(long batchStart, int rows, float[] latents, long[] classes, float[] pixels, float[] weights)
        {
            int dimension = parent._dimension, size = parent._layout.Shape.Size;
            for (int r = 0; r < rows; r++)
            {
                int c = (int)parent._label!.ClassOfRow(batchStart + r);
                while (_kept[c].Count == 0)
                {
                    Draw(c);
                }

                (float[] latent, float[] image, float weight) = _kept[c].Dequeue();
                _taken[c]++;
                classes[r] = c;
                latent.CopyTo(latents.AsSpan(r * dimension, dimension));
                image.CopyTo(pixels.AsSpan(r * size, size));
                weights[r] = weight;
            }
        }

        private void Draw(int c)
        {
            RowJudge judge = parent._judge!;
            if (_drawn[c] >= (long)judge.MaxCandidatesPerRow * (_taken[c] + 1))
            {
                throw new InvalidOperationException(
                    $"Only {_taken[c]} of {_drawn[c]} generated rows of class {c} reached the minimum confidence {judge.MinimumConfidence}; " +
                    $"lower {nameof(SyntheticRowOptions)}.{nameof(SyntheticRowOptions.MinimumConfidence)}, raise {nameof(SyntheticRowOptions)}.{nameof(SyntheticRowOptions.MaxCandidatesPerRow)} " +
                    "or train the generator longer.");
            }

            int dimension = parent._dimension, size = parent._layout.Shape.Size;
            for (int i = 0; i < CandidateBatch; i++)
            {
                ulong row = (ulong)(((_drawn[c] + i) * _classes) + c);
                LatentSampler.Fill(_latents.AsSpan(i * dimension, dimension), parent._seed, row, parent._distribution, parent._latentScale);
                _candidateClasses[i] = c;
            }

            _drawn[c] += CandidateBatch;
            parent._session().Run(_latents, _candidateClasses, CandidateBatch, _pixels);
            float[] probabilities = judge.Probabilities(_pixels, CandidateBatch);
            for (int i = 0; i < CandidateBatch; i++)
            {
                float confidence = probabilities[(i * _classes) + c];
                if (confidence >= judge.MinimumConfidence!.Value)
                {
                    _kept[c].Enqueue((_latents.AsSpan(i * dimension, dimension).ToArray(), _pixels.AsSpan(i * size, size).ToArray(), confidence));
                }
            }
        }
    }
}
