using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Input;

/// <summary>
/// The label column of a conditional GAN: a key type (classes = its count; key k is class k − 1) or an
/// integer type (class = value). The fitted transformer takes a column with the same name and type.
/// </summary>
internal sealed record LabelColumn(string Name, DataViewType Type, bool IsKey, int? KnownClassCount)
{
    /// <summary>The conditional GAN's label column, as <see cref="GanOptions"/> names it.</summary>
    public static LabelColumn Resolve(DataViewSchema schema, GanOptions options)
        => Resolve(schema, options.LabelColumnName, options.ClassCount,
            $"a conditional GAN ({nameof(GanOptions)}.{nameof(GanOptions.Conditional)} = true) learns from it",
            $"Set {nameof(GanOptions)}.{nameof(GanOptions.LabelColumnName)} to choose another column.", $"{nameof(GanOptions)}.{nameof(GanOptions.ClassCount)}");

    /// <summary>
    /// The label column <paramref name="name"/>; <paramref name="declaredClassCount"/> (named <paramref name="classCountOption"/>)
    /// must match a key type's count. Errors say what the column is for and how to name another.
    /// </summary>
    public static LabelColumn Resolve(DataViewSchema schema, string name, int? declaredClassCount, string purpose, string howToChoose, string classCountOption)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException("inputSchema",
                $"Label column '{name}' not found; {purpose}. " +
                $"Input columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"{c.Name} ({c.Type})"))}. {howToChoose}");

        switch (column.Type)
        {
            case KeyDataViewType key:
                if (key.Count < 2 || key.Count > 65536)
                {
                    throw new ArgumentOutOfRangeException("inputSchema", $"Label column '{name}' is a key type with {key.Count} values; expected 2 to 65536 classes.");
                }

                if (declaredClassCount is int declared && declared != (int)key.Count)
                {
                    throw new ArgumentException(
                        $"{classCountOption} is {declared} but label column '{name}' is a key type with {key.Count} values.", nameof(declaredClassCount));
                }

                return new LabelColumn(name, key, IsKey: true, (int)key.Count);
            case NumberDataViewType number when LabelCodec.Supports(number.RawType):
                return new LabelColumn(name, number, IsKey: false, declaredClassCount);
            default:
                throw new ArgumentOutOfRangeException("inputSchema",
                    $"Label column '{name}' has type {column.Type}; expected a key type (e.g. from MapValueToKey) or an integer type.");
        }
    }

    /// <summary>A reader of the current row's class index (not yet range-checked against an unknown class count).</summary>
    /// <param name="cursor">A cursor with this column active.</param>
    /// <param name="missingKeyIsNoClass">Scoring: a missing key (0) reads as class −1, which the generator gets as no class
    /// at all (as from MapKeyToVector); training rejects it.</param>
    public Func<long> CreateReader(DataViewRowCursor cursor, bool missingKeyIsNoClass = false)
    {
        Func<long> read = LabelCodec.Reader(cursor, cursor.Schema[Name], IsKey);
        if (!IsKey || missingKeyIsNoClass)
        {
            return read;
        }

        return () =>
        {
            long value = read();
            return value >= 0
                ? value
                : throw new InvalidDataException($"Label column '{Name}' has a missing key value at row {cursor.Position}; every training row needs a class.");
        };
    }
}
