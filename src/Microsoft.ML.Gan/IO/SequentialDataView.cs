namespace Microsoft.ML.Gan.IO;

/// <summary>
/// What the library's own views share: rows come in one order through one cursor (no shuffling, a cursor
/// set of one), and a getter for a column the cursor was not asked for is an error.
/// </summary>
internal abstract class SequentialDataView : IDataView
{
    public bool CanShuffle => false;

    public abstract DataViewSchema Schema { get; }

    public abstract long? GetRowCount();

    public abstract DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    /// <summary>The error for asking a cursor for a column it was not created with.</summary>
    public static InvalidOperationException NotRequested(DataViewSchema.Column column)
        => new($"Column '{column.Name}' was not requested when this cursor was created.");
}
