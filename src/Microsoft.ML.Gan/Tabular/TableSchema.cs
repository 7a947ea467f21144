using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Tabular;

/// <summary>
/// The ML.NET type families a table generator learns from. The family fixes how a column is read and written back and,
/// but for integers, how it is encoded: floating columns are continuous, Boolean and text columns discrete, key columns
/// discrete over their key indices. An integer column is discrete or continuous by its data (see
/// <see cref="TableEncoder.MaxDiscreteIntegerValues"/>), which the schema alone cannot say.
/// </summary>
internal enum TableColumnType
{
    /// <summary>Single or Double; NaN is a missing value.</summary>
    Floating,

    /// <summary>SByte, Byte, Int16, UInt16, Int32, UInt32, Int64 or UInt64; never missing.</summary>
    Integer,

    /// <summary>Boolean; never missing.</summary>
    Boolean,

    /// <summary>Text; empty or whitespace-only text is a missing value.</summary>
    Text,

    /// <summary>A key type; key 0 is a missing value.</summary>
    Key,
}

/// <summary>
/// One column the table generator learns and writes back: the input's column as it is (name, exact
/// <see cref="DataViewType"/> and annotations, so key columns keep their key values) and its type family.
/// </summary>
internal sealed record TableColumn(DataViewSchema.Column Source, TableColumnType Type)
{
    /// <summary>The column's name, in the input and in generated rows.</summary>
    public string Name => Source.Name;
}

/// <summary>
/// The columns of a table a generator learns from: every visible column of the input in order, less the ones the user
/// leaves out. Each must be of a type the encoders take; any other (vectors, dates, images…) is an error that names it,
/// since the generated rows must have exactly the training schema and a column cannot be silently dropped.
/// </summary>
internal sealed class TableSchema
{
    private static readonly HashSet<Type> IntegerTypes =
        [typeof(sbyte), typeof(byte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong)];

    private TableSchema(IReadOnlyList<TableColumn> columns) => Columns = columns;

    /// <summary>The columns, in the input's order.</summary>
    public IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>
    /// The visible columns of <paramref name="schema"/> except <paramref name="excludedColumns"/> (matched by exact name).
    /// Throws <see cref="ArgumentException"/> for an excluded name the schema lacks, for a column of a type the generator
    /// cannot learn (naming the column and its type), and when no column is left.
    /// </summary>
    public static TableSchema Create(DataViewSchema schema, IEnumerable<string> excludedColumns)
    {
        var excluded = new HashSet<string>(excludedColumns, StringComparer.Ordinal);
        DataViewSchema.Column[] visible = [.. schema.Where(c => !c.IsHidden)];
        string[] unknown = [.. excluded.Where(name => !visible.Any(c => c.Name == name)).Order(StringComparer.Ordinal)];
        if (unknown.Length > 0)
        {
            throw new ArgumentException(
                $"The excluded column{(unknown.Length == 1 ? "" : "s")} {string.Join(", ", unknown.Select(n => $"'{n}'"))} " +
                $"{(unknown.Length == 1 ? "is" : "are")} not in the data. Input columns: {Describe(visible)}.", nameof(excludedColumns));
        }

        var columns = new List<TableColumn>();
        foreach (DataViewSchema.Column column in visible.Where(c => !excluded.Contains(c.Name)))
        {
            TableColumnType type = TypeOf(column.Type) ?? throw new ArgumentException(
                $"Column '{column.Name}' has type {column.Type}, which a table generator cannot learn from; exclude it. Supported: Single, Double, " +
                "integer types (SByte to UInt64), Boolean, text and key types.", nameof(schema));
            columns.Add(new TableColumn(column, type));
        }

        if (columns.Count == 0)
        {
            throw new ArgumentException(
                $"Every column of the data is excluded; a table generator needs at least one. Input columns: {Describe(visible)}.", nameof(excludedColumns));
        }

        return new TableSchema(columns);
    }

    private static TableColumnType? TypeOf(DataViewType type) => type switch
    {
        KeyDataViewType => TableColumnType.Key,
        NumberDataViewType when type == NumberDataViewType.Single || type == NumberDataViewType.Double => TableColumnType.Floating,
        NumberDataViewType when IntegerTypes.Contains(type.RawType) => TableColumnType.Integer,
        BooleanDataViewType => TableColumnType.Boolean,
        TextDataViewType => TableColumnType.Text,
        _ => null,
    };

    private static string Describe(IEnumerable<DataViewSchema.Column> columns)
        => string.Join(", ", columns.Select(c => $"{c.Name} ({c.Type})"));
}
