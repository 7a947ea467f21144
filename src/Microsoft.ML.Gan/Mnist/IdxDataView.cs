using Microsoft.ML.Data;
using Microsoft.ML.Gan.IO;

namespace Microsoft.ML.Gan.Mnist;

/// <summary>
/// A lazy <see cref="IDataView"/> over an IDX image file and, optionally, its label file.
/// Each cursor streams the image file from disk; labels (one byte per row) are held in memory.
/// Columns: <c>Label</c> (key type over the classes, values 1..classes; key 1 is class 0, with the
/// class names as key values) and <c>Pixels</c> (<c>Vector&lt;Single, H, W&gt;</c>, byte / 255).
/// </summary>
internal sealed class IdxDataView : SequentialDataView
{
    private readonly IdxFile _images;
    private readonly byte[]? _labels;
    private readonly int _rowCount;

    public IdxDataView(IdxFile images, byte[]? labels, int classCount, int rowCount, string pixelsColumn, string labelColumn)
    {
        if (labels is not null && labels.Length != images.Count)
        {
            throw new InvalidDataException(
                $"IDX image file '{images.FilePath}' has {images.Count} images but its label file has {labels.Length} labels; expected equal counts.");
        }

        if (rowCount < 0 || rowCount > images.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(rowCount), rowCount, $"Expected 0..{images.Count} rows for '{images.FilePath}'.");
        }

        _images = images;
        _labels = labels;
        _rowCount = rowCount;

        var builder = new DataViewSchema.Builder();
        if (labels is not null)
        {
            var annotations = new DataViewSchema.Annotations.Builder();
            // "KeyValues" is ML.NET's annotation kind for key names (AnnotationUtils.Kinds.KeyValues).
            annotations.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, classCount), (ref VBuffer<ReadOnlyMemory<char>> names) =>
            {
                var editor = VBufferEditor.Create(ref names, classCount);
                for (int i = 0; i < classCount; i++)
                {
                    editor.Values[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture).AsMemory();
                }

                names = editor.Commit();
            });
            builder.AddColumn(labelColumn, new KeyDataViewType(typeof(uint), classCount), annotations.ToAnnotations());
        }

        builder.AddColumn(pixelsColumn, new VectorDataViewType(NumberDataViewType.Single, images.Dimensions[1], images.Dimensions[2]));
        Schema = builder.ToSchema();
    }

    public override DataViewSchema Schema { get; }

    public override long? GetRowCount() => _rowCount;

    public override DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, columnsNeeded);

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly IdxDataView _parent;
        private readonly bool[] _active;
        private readonly int _pixelsIndex;
        private readonly int _labelIndex;
        private readonly FileStream? _stream;
        private readonly byte[] _row;
        private long _position = -1;

        public Cursor(IdxDataView parent, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            _parent = parent;
            _active = new bool[parent.Schema.Count];
            foreach (DataViewSchema.Column column in columnsNeeded)
            {
                _active[column.Index] = true;
            }

            _labelIndex = parent._labels is null ? -1 : 0;
            _pixelsIndex = parent.Schema.Count - 1;
            _row = new byte[parent._images.ItemSize];
            if (_active[_pixelsIndex])
            {
                _stream = new FileStream(parent._images.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                _stream.Seek(parent._images.HeaderSize, SeekOrigin.Begin);
            }
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override bool MoveNext()
        {
            if (_position + 1 >= _parent._rowCount)
            {
                _position = _parent._rowCount;
                return false;
            }

            _position++;
            if (_stream is not null)
            {
                try
                {
                    _stream.ReadExactly(_row);
                }
                catch (EndOfStreamException e)
                {
                    throw new InvalidDataException(
                        $"IDX file '{_parent._images.FilePath}' ended at row {_position}; it changed while being read.", e);
                }
            }

            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
            {
                throw NotRequested(column);
            }

            if (column.Index == _pixelsIndex)
            {
                ValueGetter<VBuffer<float>> pixels = GetPixels;
                return pixels as ValueGetter<TValue>
                    ?? throw new InvalidOperationException($"Column '{column.Name}' holds VBuffer<Single>; requested {typeof(TValue).Name}.");
            }

            if (column.Index == _labelIndex)
            {
                ValueGetter<uint> label = GetLabel;
                return label as ValueGetter<TValue>
                    ?? throw new InvalidOperationException($"Column '{column.Name}' holds UInt32 keys; requested {typeof(TValue).Name}.");
            }

            throw new ArgumentOutOfRangeException(nameof(column), column.Name, "Column does not belong to this cursor's schema.");
        }

        private void GetPixels(ref VBuffer<float> value)
        {
            EnsureRow();
            var editor = VBufferEditor.Create(ref value, _row.Length);
            Span<float> values = editor.Values;
            for (int i = 0; i < _row.Length; i++)
            {
                values[i] = _row[i] / 255f;
            }

            value = editor.Commit();
        }

        // Key values are 1-based (0 means missing in ML.NET), so class c is key c + 1.
        private void GetLabel(ref uint value)
        {
            EnsureRow();
            value = (uint)_parent._labels![_position] + 1;
        }

        private void EnsureRow()
        {
            if (_position < 0 || _position >= _parent._rowCount)
            {
                throw new InvalidOperationException("The cursor is not positioned on a row; call MoveNext first.");
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _stream?.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
