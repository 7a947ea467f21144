using Microsoft.ML.Data;
using Microsoft.ML.Gan.IO;

namespace Microsoft.ML.Gan.Input;

/// <summary>
/// The rows of several views with the same schema, one after another (ML.NET's own AppendRowsDataView is
/// internal). Used to add synthetic rows to real ones before training any ML.NET trainer.
/// </summary>
internal sealed class AppendedDataView : SequentialDataView
{
    private readonly IDataView[] _sources;

    public AppendedDataView(IDataView[] sources)
    {
        if (sources.Length == 0)
        {
            throw new ArgumentException("Expected at least one data view.", nameof(sources));
        }

        DataViewSchema first = sources[0].Schema;
        for (int s = 1; s < sources.Length; s++)
        {
            DataViewSchema other = sources[s].Schema;
            if (other.Count != first.Count)
            {
                throw new ArgumentException($"Data view {s} has {other.Count} columns; the first has {first.Count}. Appended views need the same schema.", nameof(sources));
            }

            for (int c = 0; c < first.Count; c++)
            {
                if (other[c].Name != first[c].Name || !other[c].Type.Equals(first[c].Type))
                {
                    throw new ArgumentException(
                        $"Column {c} of data view {s} is '{other[c].Name}' ({other[c].Type}); the first view has '{first[c].Name}' ({first[c].Type}). Appended views need the same schema.",
                        nameof(sources));
                }
            }
        }

        _sources = sources;
        Schema = first;
    }

    public override DataViewSchema Schema { get; }

    public override long? GetRowCount()
    {
        long total = 0;
        foreach (IDataView source in _sources)
        {
            if (source.GetRowCount() is not long count)
            {
                return null;
            }

            total += count;
        }

        return total;
    }

    public override DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, columnsNeeded.Select(c => c.Index).ToArray());

    private sealed class Cursor(AppendedDataView parent, int[] active) : DataViewRowCursor
    {
        private int _source = -1;
        private DataViewRowCursor? _current;
        private long _position = -1;

        public override DataViewSchema Schema => parent.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override bool MoveNext()
        {
            while (_current is null || !_current.MoveNext())
            {
                _current?.Dispose();
                _current = null;
                if (++_source >= parent._sources.Length)
                {
                    return false;
                }

                IDataView next = parent._sources[_source];
                _current = next.GetRowCursor(active.Select(i => next.Schema[i]));
            }

            _position++;
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

            // Each source cursor has its own getters; fetch the current source's lazily and keep them.
            var perSource = new ValueGetter<TValue>?[parent._sources.Length];
            return (ref TValue value) =>
            {
                ValueGetter<TValue> getter = perSource[_source] ??= _current!.GetGetter<TValue>(_current.Schema[column.Index]);
                getter(ref value);
            };
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _current?.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
