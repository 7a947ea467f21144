using Microsoft.ML.Data;
using Microsoft.ML.Gan.Artifact;
using Microsoft.ML.Gan.IO;
using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Onnx;

namespace Microsoft.ML.Gan.Generation;

/// <summary>
/// The input rows with every column passed through unchanged and the generator's columns appended: the pixels and
/// the hidden 3 × H × W image planes that ConvertToImage reads — the same columns, types and values as the stock
/// chain's OnnxTransformer gives, computed for a batch of rows per ONNX Runtime call (<see cref="GanTransformer.Transform"/>).
/// </summary>
/// <remarks>
/// <para>
/// Two cursors over the input move in lockstep: one serves the pass-through columns row by row, the other reads only
/// the latent (and label) columns up to a batch ahead, so that ONNX Runtime sees a batch at a time. This relies on
/// what ML.NET's cursors created without a random source promise: the same rows in the same order every time. The
/// row ids of the two are compared, so an input that breaks the promise fails with an error instead of pairing rows
/// with the wrong pixels. (Caching a batch of pass-through values instead would copy every input column of every
/// row; the second cursor reads only the latent and label, which the pass-through cursor never needs.)
/// </para>
/// <para>
/// The image planes (<see cref="BatchedCursor.Planes"/>) are computed from the pixels only when their column is read —
/// that is, only when the image column is asked for.
/// </para>
/// </remarks>
internal sealed class GeneratorOutputDataView : SequentialDataView
{
    private readonly IDataView _input;
    private readonly GeneratorModel _model;
    private readonly Func<OnnxGeneratorSession> _session;
    private readonly int _pixelsIndex;
    private readonly int _planesIndex;

    public GeneratorOutputDataView(IDataView input, GeneratorModel model, Func<OnnxGeneratorSession> session)
    {
        _input = input;
        _model = model;
        _session = session;
        Schema = SchemaFor(input.Schema, model);
        _pixelsIndex = input.Schema.Count;
        _planesIndex = input.Schema.Count + 1;
    }

    /// <summary>The input schema (hidden columns too) followed by the pixels and the image planes.</summary>
    public static DataViewSchema SchemaFor(DataViewSchema input, GeneratorModel model)
    {
        ImageShape shape = model.Metadata.ImageShape;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        builder.AddColumn(model.Layout.PixelsName, new VectorDataViewType(NumberDataViewType.Single, model.Layout.PixelDimensions));
        builder.AddColumn(model.Layout.ImagePlanesName, new VectorDataViewType(NumberDataViewType.Single, 3, shape.Height, shape.Width));
        return builder.ToSchema();
    }

    public override DataViewSchema Schema { get; }

    public override long? GetRowCount() => _input.GetRowCount();

    public override DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, columnsNeeded.Select(c => c.Index).ToHashSet());

    private sealed class Cursor : BatchedCursor
    {
        private readonly GeneratorOutputDataView _parent;
        private readonly HashSet<int> _active;
        private readonly DataViewRowCursor _input;
        private readonly ValueGetter<DataViewRowId> _inputId;
        private readonly DataViewRowCursor? _ahead;
        private readonly ValueGetter<DataViewRowId>? _aheadId;
        private readonly ValueGetter<VBuffer<float>>? _latent;
        private readonly Func<long>? _class;
        private readonly int _batchSize;
        private readonly int _dimension;
        private readonly float[] _latents = [];
        private readonly long[]? _classes;
        private readonly float[] _pixels = [];
        private readonly DataViewRowId[] _ids = [];
        private VBuffer<float> _latentRow;

        public Cursor(GeneratorOutputDataView parent, HashSet<int> active)
        {
            _parent = parent;
            _active = active;
            DataViewSchema inputSchema = parent._input.Schema;
            _input = parent._input.GetRowCursor(active.Where(i => i < inputSchema.Count).Select(i => inputSchema[i]));
            _inputId = _input.GetIdGetter();
            GeneratorModel model = parent._model;
            _dimension = model.Metadata.LatentDimension;
            if (!active.Contains(parent._pixelsIndex) && !active.Contains(parent._planesIndex))
            {
                return;
            }

            _batchSize = model.BatchSize;
            DataViewSchema.Column latent = inputSchema[model.Layout.LatentName];
            LabelSpec? label = model.Metadata.Label;
            DataViewSchema.Column[] read = label is null ? [latent] : [latent, inputSchema[label.Name]];
            _ahead = parent._input.GetRowCursor(read);
            _aheadId = _ahead.GetIdGetter();
            _latent = _ahead.GetGetter<VBuffer<float>>(latent);
            if (label is not null)
            {
                _class = new LabelColumn(label.Name, label.Type, label.IsKey, label.ClassCount).CreateReader(_ahead, missingKeyIsNoClass: true);
                _classes = new long[_batchSize];
            }

            _latents = new float[_batchSize * _dimension];
            _pixels = new float[_batchSize * model.Metadata.ImageShape.Size];
            _ids = new DataViewRowId[_batchSize];
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Batch => _input.Batch;

        protected override bool FillsBatches => _ahead is not null;

        public override bool IsColumnActive(DataViewSchema.Column column)
            => column.Index < _parent._pixelsIndex ? _input.IsColumnActive(_input.Schema[column.Index]) : _active.Contains(column.Index);

        protected override bool MoveToNextRow() => _input.MoveNext();

        /// <summary>Reads the next batch's latent vectors (and classes) ahead and generates their pixels in one call.</summary>
        protected override int FillBatch(long start)
        {
            int rows = 0;
            while (rows < _batchSize && _ahead!.MoveNext())
            {
                _aheadId!(ref _ids[rows]);
                _latent!(ref _latentRow);
                if (_latentRow.Length != _dimension)
                {
                    throw new InvalidOperationException(
                        $"Latent column '{_parent._model.Layout.LatentName}' holds {_latentRow.Length} values at row {start + rows}; expected {_dimension}.");
                }

                _latentRow.CopyTo(_latents.AsSpan(rows * _dimension, _dimension));
                if (_classes is not null)
                {
                    _classes[rows] = _class!();
                }

                rows++;
            }

            if (rows == 0)
            {
                throw OutOfStep();
            }

            _parent._session().Run(_latents, _classes, rows, _pixels);
            return rows;
        }

        /// <summary>The pass-through row must be the row the batch was read for.</summary>
        protected override void CheckRow()
        {
            if (_ahead is null)
            {
                return;
            }

            DataViewRowId id = default;
            _inputId(ref id);
            if (!id.Equals(_ids[RowInBatch]))
            {
                throw OutOfStep();
            }
        }

        private InvalidOperationException OutOfStep() => new(
            $"The input view gave different rows to two cursors at row {Position}; generating in batches needs an input whose cursors, " +
            "created without a random source, return the same rows in the same order (as ML.NET's do).");

        public override ValueGetter<DataViewRowId> GetIdGetter() => _inputId;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < _parent._pixelsIndex)
            {
                return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            }

            if (!_active.Contains(column.Index))
            {
                throw NotRequested(column);
            }

            ImageShape shape = _parent._model.Metadata.ImageShape;
            ValueGetter<VBuffer<float>> getter = column.Index == _parent._pixelsIndex ? Floats(_pixels, shape.Size) : Planes(_pixels, shape);
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' holds {column.Type}; requested {typeof(TValue).Name}.");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _ahead?.Dispose();
                _input.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
