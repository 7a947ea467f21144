using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Generation;

/// <summary>
/// The cursor both output views share: rows are served one at a time from buffers that are filled a batch at a time
/// (one ONNX Runtime call per batch). Subclasses say how to reach the next row and how to fill a batch from the current
/// one; the getters of this class read the current row's slice of a batch buffer.
/// </summary>
internal abstract class BatchedCursor : DataViewRowCursor
{
    private long _position = -1;
    private long _batchStart;
    private int _batchRows;

    public sealed override long Position => _position;

    /// <summary>The current row's index within its batch.</summary>
    protected int RowInBatch => (int)(_position - _batchStart);

    /// <summary>False when this cursor computes nothing (none of its batched columns was asked for).</summary>
    protected virtual bool FillsBatches => true;

    public sealed override bool MoveNext()
    {
        if (!MoveToNextRow())
        {
            return false;
        }

        _position++;
        if (FillsBatches && _position >= _batchStart + _batchRows)
        {
            _batchStart = _position;
            _batchRows = FillBatch(_position);
        }

        CheckRow();
        return true;
    }

    /// <summary>Steps whatever the rows come from; false at the end. <see cref="Position"/> is still the previous row's.</summary>
    protected abstract bool MoveToNextRow();

    /// <summary>Fills the batch buffers with the rows from <paramref name="start"/> on; returns how many (at least 1).</summary>
    protected abstract int FillBatch(long start);

    /// <summary>Checks the current row against its batch (the default checks nothing).</summary>
    protected virtual void CheckRow()
    {
    }

    /// <summary>The current row's <paramref name="width"/> values of <paramref name="source"/>, times <paramref name="scale"/>.</summary>
    protected ValueGetter<VBuffer<float>> Floats(float[] source, int width, float scale = 1f) => (ref VBuffer<float> value) =>
    {
        var editor = VBufferEditor.Create(ref value, width);
        ReadOnlySpan<float> row = source.AsSpan(RowInBatch * width, width);
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

    /// <summary>The current row's pixels in [0, 1] as bytes 0..255.</summary>
    protected ValueGetter<VBuffer<byte>> Bytes(float[] pixels, int size) => (ref VBuffer<byte> value) =>
    {
        var editor = VBufferEditor.Create(ref value, size);
        ReadOnlySpan<float> source = pixels.AsSpan(RowInBatch * size, size);
        for (int i = 0; i < size; i++)
        {
            editor.Values[i] = GanImages.ToByte(source[i]);
        }

        value = editor.Commit();
    };

    /// <summary>
    /// The current row's 3 × H × W image planes, Round(pixel × 255), that ConvertToImage reads. MathF.Round rounds half to
    /// even like ONNX's Round, and the product is one IEEE multiplication in both, so the planes equal the one-row graph's
    /// bit for bit. One channel becomes the same plane as red, green and blue, like that graph's Concat.
    /// </summary>
    protected ValueGetter<VBuffer<float>> Planes(float[] pixels, ImageShape shape) => (ref VBuffer<float> value) =>
    {
        ReadOnlySpan<float> row = pixels.AsSpan(RowInBatch * shape.Size, shape.Size);
        var editor = VBufferEditor.Create(ref value, 3 * shape.Height * shape.Width);
        for (int i = 0; i < row.Length; i++)
        {
            editor.Values[i] = MathF.Round(row[i] * 255f);
        }

        for (int copy = row.Length; copy < editor.Values.Length; copy += row.Length)
        {
            editor.Values[..row.Length].CopyTo(editor.Values[copy..]);
        }

        value = editor.Commit();
    };
}
