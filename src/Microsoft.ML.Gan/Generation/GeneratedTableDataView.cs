using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.IO;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Tabular;

namespace Microsoft.ML.Gan.Generation;

/// <summary>Where a generated table's rows come from: a count of rows of a seed's stream, or the rows of an input view.</summary>
/// <param name="Input">The rows to pass through and generate one row each for; null for <paramref name="Count"/> rows alone.</param>
/// <param name="Count">Rows to generate when there is no input.</param>
/// <param name="Seed">The stream of latent rows, for rows without a latent column.</param>
/// <param name="LatentColumn">The input's latent column, when it has one.</param>
/// <param name="LabelColumn">The input's label column, when each row's twin should have its label.</param>
/// <param name="Condition">One entry of the conditional vector every row is conditioned on; −1 for none.</param>
internal sealed record TableGenerationSource(IDataView? Input, long Count, int Seed, DataViewSchema.Column? LatentColumn, DataViewSchema.Column? LabelColumn, int Condition);

/// <summary>
/// Generated table rows as a lazy <see cref="IDataView"/>: the training columns (exactly the training schema), after the input's
/// columns when there is an input (same names: the generated columns hide the input's, as ML.NET transforms do). A cursor
/// generates <see cref="BatchSize"/> rows at a time as it reaches them, reading latent rows and labels ahead with a second
/// cursor over the input, so a million rows stream in constant memory.
/// </summary>
internal sealed class GeneratedTableDataView : IDataView
{
    public const int BatchSize = 1024;

    private readonly TableSampling _sampling;
    private readonly TableEncoder _encoder;
    private readonly CtganGenerator _generator;
    private readonly object _generatorLock;
    private readonly TableGenerationSource _source;
    private readonly int _firstGenerated;

    public GeneratedTableDataView(TableSampling sampling, TableEncoder encoder, CtganGenerator generator, object generatorLock, TableGenerationSource source)
    {
        _sampling = sampling;
        _encoder = encoder;
        _generator = generator;
        _generatorLock = generatorLock;
        _source = source;
        var builder = new DataViewSchema.Builder();
        if (source.Input is not null)
        {
            builder.AddColumns(source.Input.Schema);
        }

        _firstGenerated = source.Input?.Schema.Count ?? 0;
        foreach (TableColumn column in encoder.Schema.Columns)
        {
            builder.AddColumn(column.Name, column.Source.Type, column.Source.Annotations);
        }

        Schema = builder.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _source.Input is null ? _source.Count : _source.Input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, [.. columnsNeeded.Select(c => c.Index).Distinct()]);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly GeneratedTableDataView _parent;
        private readonly HashSet<int> _active;
        private readonly int[] _activeGenerated;
        private readonly DataViewRowCursor? _input;
        private readonly DataViewRowCursor? _ahead;
        private readonly ValueGetter<VBuffer<float>>? _latentGetter;
        private readonly Func<string>? _labelOf;
        private readonly object[] _values;
        private readonly float[] _latents;
        private readonly int[] _conditions = new int[BatchSize];
        private VBuffer<float> _latent;
        private float[] _encoded = [];
        private int _inBatch;
        private int _batchRows;
        private long _position = -1;
        private long _read;

        public Cursor(GeneratedTableDataView parent, int[] active)
        {
            _parent = parent;
            _active = [.. active];
            _activeGenerated = [.. active.Where(i => i >= parent._firstGenerated).Select(i => i - parent._firstGenerated)];
            _values = new object[parent._encoder.Columns.Count];
            _latents = new float[BatchSize * parent._sampling.LatentWidth];
            TableGenerationSource source = parent._source;
            if (source.Input is not null)
            {
                _input = source.Input.GetRowCursor(source.Input.Schema.Where(c => _active.Contains(c.Index)));
                DataViewSchema.Column[] needed = [.. new[] { source.LatentColumn, source.LabelColumn }.OfType<DataViewSchema.Column>()];
                _ahead = source.Input.GetRowCursor(needed);
                _latentGetter = source.LatentColumn is { } latent ? _ahead.GetGetter<VBuffer<float>>(latent) : null;
                _labelOf = source.LabelColumn is { } label ? LabelReader(_ahead, label) : null;
            }
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override bool MoveNext()
        {
            if (_inBatch + 1 >= _batchRows && !NextBatch())
            {
                return false;
            }

            if (_input is not null && !_input.MoveNext())
            {
                return false;
            }

            _position++;
            _inBatch++;
            int width = _parent._encoder.Width;
            ReadOnlySpan<float> row = _encoded.AsSpan(_inBatch * width, width);
            foreach (int index in _activeGenerated)
            {
                EncodedColumn column = _parent._encoder.Columns[index];
                _values[index] = column.Decode(row.Slice(column.Offset, column.Width));
            }

            return true;
        }

        /// <summary>Reads the next batch's latent rows and conditions and generates its rows; false at the end.</summary>
        private bool NextBatch()
        {
            TableSampling sampling = _parent._sampling;
            TableGenerationSource source = _parent._source;
            int width = sampling.LatentWidth;
            int rows = 0;
            while (rows < BatchSize && (_ahead?.MoveNext() ?? _read < source.Count))
            {
                Span<float> latent = _latents.AsSpan(rows * width, width);
                if (_latentGetter is not null)
                {
                    _latentGetter(ref _latent);
                    if (_latent.Length != width)
                    {
                        throw new InvalidOperationException(
                            $"Latent column '{source.LatentColumn!.Value.Name}' holds vectors of {_latent.Length} values at row {_read}; this table generator reads {width}.");
                    }

                    _latent.CopyTo(latent);
                    CheckFinite(latent, source.LatentColumn!.Value.Name);
                }
                else
                {
                    sampling.FillLatent(latent, source.Seed, (ulong)_read);
                }

                _conditions[rows] = _labelOf is not null && source.LabelColumn is { } label ? TwinCondition(label.Name, _labelOf()) : source.Condition;
                rows++;
                _read++;
            }

            if (rows == 0)
            {
                return false;
            }

            lock (_parent._generatorLock)
            {
                if (_encoded.Length == 0)
                {
                    _encoded = new float[BatchSize * _parent._encoder.Width];
                }

                sampling.Generate(_parent._generator, _latents.AsSpan(0, rows * width), rows, _conditions.AsSpan(0, rows), _encoded);
            }

            _batchRows = rows;
            _inBatch = -1;
            return true;
        }

        /// <summary>The condition of a twin of a row whose label is <paramref name="value"/>: an error for a value training never saw.</summary>
        private int TwinCondition(string column, string value)
        {
            int index = _parent._sampling.ConditionIndex(column, value);
            return index >= 0 ? index : throw new InvalidOperationException(
                $"Label column '{column}' holds '{value}' at row {_read}, a value the generator never saw in training, so it cannot generate a twin of that label. " +
                "Filter such rows out first, or give the rows a latent column and no label column.");
        }

        private void CheckFinite(ReadOnlySpan<float> latent, string column)
        {
            foreach (float value in latent)
            {
                if (!float.IsFinite(value))
                {
                    throw new InvalidOperationException($"Latent column '{column}' holds {value} at row {_read}; latent values must be finite numbers.");
                }
            }
        }

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
            {
                throw SequentialDataView.NotRequested(column);
            }

            if (column.Index < _parent._firstGenerated)
            {
                return _input!.GetGetter<TValue>(_input.Schema[column.Index]);
            }

            if (typeof(TValue) != column.Type.RawType)
            {
                throw new InvalidOperationException($"Column '{column.Name}' holds {column.Type}; requested {typeof(TValue).Name}.");
            }

            int index = column.Index - _parent._firstGenerated;
            return (ref TValue value) => value = (TValue)_values[index];
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input?.Dispose();
                _ahead?.Dispose();
            }

            base.Dispose(disposing);
        }

        /// <summary>Reads a discrete label column's value as the label its category is known by (a missing key as missing).</summary>
        private static Func<string> LabelReader(DataViewRowCursor cursor, DataViewSchema.Column column)
        {
            MethodInfo make = typeof(Cursor).GetMethod(nameof(MakeLabelReader), BindingFlags.NonPublic | BindingFlags.Static)!;
            return (Func<string>)make.MakeGenericMethod(column.Type.RawType).Invoke(null, [cursor, column])!;
        }

        private static Func<string> MakeLabelReader<T>(DataViewRowCursor cursor, DataViewSchema.Column column)
        {
            ValueGetter<T> getter = cursor.GetGetter<T>(column);
            bool key = column.Type is KeyDataViewType;
            T value = default!;
            return () =>
            {
                getter(ref value);
                return key && Convert.ToUInt64(value, System.Globalization.CultureInfo.InvariantCulture) == 0 ? EncodedColumn.MissingLabel : TableSampling.LabelOf(value!);
            };
        }
    }
}
