using Microsoft.ML.Data;
using Microsoft.ML.Gan.IO;

namespace Microsoft.ML.Gan.Input;

/// <summary>
/// A view of <c>source</c> in which only some rows keep their key-typed label and every other row's label is the missing
/// key (0): the few-labels experiment's data, made from fully labelled data (<see cref="GanDataCatalog.KeepLabels"/>). Rows are
/// identified by their position in the source's cursor order, which must be the same on every pass.
/// </summary>
internal sealed class KeptLabelsDataView : SequentialDataView
{
    private readonly IDataView _source;
    private readonly int _label;
    private readonly bool[] _kept;

    private KeptLabelsDataView(IDataView source, int label, bool[] kept)
    {
        _source = source;
        _label = label;
        _kept = kept;
    }

    /// <summary>Keeps <paramref name="perClass"/> labels of every class (all of a class that has fewer), chosen with <paramref name="seed"/>.</summary>
    public static KeptLabelsDataView Create(IDataView source, string labelColumnName, int perClass, int seed)
    {
        DataViewSchema.Column label = source.Schema.GetColumnOrNull(labelColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(labelColumnName),
                $"Label column '{labelColumnName}' not found. Input columns: {string.Join(", ", source.Schema.Where(c => !c.IsHidden).Select(c => $"{c.Name} ({c.Type})"))}.");
        if (label.Type is not KeyDataViewType key)
        {
            throw new ArgumentOutOfRangeException(nameof(labelColumnName),
                $"Label column '{labelColumnName}' has type {label.Type}; keeping labels needs a key type, whose missing value (key 0) marks an unlabelled row. Convert it with MapValueToKey.");
        }

        if (perClass < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(perClass), perClass, $"Labels per class must be at least 1; got {perClass}.");
        }

        var rowsOfClass = new List<int>[(int)key.Count];
        for (int c = 0; c < rowsOfClass.Length; c++)
        {
            rowsOfClass[c] = [];
        }

        int rows = 0;
        using (DataViewRowCursor cursor = source.GetRowCursor([label]))
        {
            Func<long> read = LabelCodec.Reader(cursor, label, isKey: true);
            while (cursor.MoveNext())
            {
                long c = read();
                if (c >= 0)
                {
                    rowsOfClass[c].Add(rows);
                }

                rows++;
            }
        }

        var random = new Random(seed);
        var kept = new bool[rows];
        foreach (List<int> members in rowsOfClass)
        {
            int[] chosen = [.. members];
            random.Shuffle(chosen);
            foreach (int row in chosen.Take(perClass))
            {
                kept[row] = true;
            }
        }

        return new KeptLabelsDataView(source, label.Index, kept);
    }

    public override DataViewSchema Schema => _source.Schema;

    public override long? GetRowCount() => _kept.Length;

    public override DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, _source.GetRowCursor(columnsNeeded));

    private sealed class Cursor(KeptLabelsDataView parent, DataViewRowCursor inner) : DataViewRowCursor
    {
        public override DataViewSchema Schema => parent.Schema;

        public override long Position => inner.Position;

        public override long Batch => inner.Batch;

        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);

        public override bool MoveNext() => inner.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            ValueGetter<TValue> getter = inner.GetGetter<TValue>(column);
            if (column.Index != parent._label)
            {
                return getter;
            }

            return (ref TValue value) =>
            {
                getter(ref value);
                long position = inner.Position;
                if (position >= parent._kept.Length)
                {
                    throw new InvalidOperationException($"The source has more rows than when labels were chosen ({parent._kept.Length}); its cursor order must not change.");
                }

                if (!parent._kept[position])
                {
                    value = default!;   // the missing key
                }
            };
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
