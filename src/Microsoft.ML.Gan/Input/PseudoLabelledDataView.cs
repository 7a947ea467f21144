using Microsoft.ML.Data;
using Microsoft.ML.Gan.IO;

namespace Microsoft.ML.Gan.Input;

/// <summary>
/// <c>source</c> with every unlabelled row (missing key) given a class chosen for it, and the unlabelled rows with no class
/// chosen left out; labelled rows pass unchanged. Rows are told apart by their position in the source's cursor order.
/// </summary>
internal sealed class PseudoLabelledDataView : SequentialDataView
{
    private readonly IDataView _source;
    private readonly int _label;
    private readonly long[] _classes;     // per source row: its own class, a chosen class, or −1 (left out)
    private readonly long _kept;

    /// <param name="source">The rows.</param>
    /// <param name="label">The key-typed label column.</param>
    /// <param name="classes">Per source row: the class index to give it (its own for labelled rows), or −1 to leave it out.</param>
    public PseudoLabelledDataView(IDataView source, DataViewSchema.Column label, long[] classes)
    {
        _source = source;
        _label = label.Index;
        _classes = classes;
        _kept = classes.Count(c => c >= 0);
    }

    public override DataViewSchema Schema => _source.Schema;

    public override long? GetRowCount() => _kept;

    public override DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, _source.GetRowCursor(columnsNeeded));

    private sealed class Cursor(PseudoLabelledDataView parent, DataViewRowCursor inner) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => parent.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);

        public override bool MoveNext()
        {
            while (inner.MoveNext())
            {
                if (inner.Position >= parent._classes.Length)
                {
                    throw new InvalidOperationException($"The source has more rows than when they were labelled ({parent._classes.Length}); its cursor order must not change.");
                }

                if (parent._classes[inner.Position] >= 0)
                {
                    _position++;
                    return true;
                }
            }

            return false;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            ValueGetter<TValue> getter = inner.GetGetter<TValue>(column);
            if (column.Index != parent._label)
            {
                return getter;
            }

            // Key k is class k − 1; the raw type is the key's (byte, ushort, uint or ulong), known here once, not per row.
            long[] classes = parent._classes;
            Delegate key = getter switch
            {
                ValueGetter<byte> => (ValueGetter<byte>)((ref byte value) => value = checked((byte)(classes[inner.Position] + 1))),
                ValueGetter<ushort> => (ValueGetter<ushort>)((ref ushort value) => value = checked((ushort)(classes[inner.Position] + 1))),
                ValueGetter<uint> => (ValueGetter<uint>)((ref uint value) => value = checked((uint)(classes[inner.Position] + 1))),
                _ => (ValueGetter<ulong>)((ref ulong value) => value = checked((ulong)(classes[inner.Position] + 1))),
            };
            return (ValueGetter<TValue>)key;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
