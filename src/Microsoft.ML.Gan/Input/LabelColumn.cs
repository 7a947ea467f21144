using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Input;

/// <summary>
/// The label column of a conditional GAN: a key type (classes = its count; key k is class k − 1) or an
/// integer type (class = value). The fitted transformer takes a column with the same name and type.
/// </summary>
internal sealed record LabelColumn(string Name, DataViewType Type, bool IsKey, int? KnownClassCount)
{
    private static readonly Type[] IntegerTypes = [typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong)];

    public static LabelColumn Resolve(DataViewSchema schema, GanOptions options)
    {
        string name = options.LabelColumnName;
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException("inputSchema",
                $"Label column '{name}' not found; a conditional GAN ({nameof(GanOptions)}.{nameof(GanOptions.Conditional)} = true) learns from it. " +
                $"Input columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"{c.Name} ({c.Type})"))}. " +
                $"Set {nameof(GanOptions)}.{nameof(GanOptions.LabelColumnName)} to choose another column.");

        switch (column.Type)
        {
            case KeyDataViewType key:
                if (key.Count < 2 || key.Count > 65536)
                {
                    throw new ArgumentOutOfRangeException("inputSchema", $"Label column '{name}' is a key type with {key.Count} values; expected 2 to 65536 classes.");
                }

                if (options.ClassCount is int declared && declared != (int)key.Count)
                {
                    throw new ArgumentException(
                        $"{nameof(GanOptions)}.{nameof(GanOptions.ClassCount)} is {declared} but label column '{name}' is a key type with {key.Count} values.", nameof(options));
                }

                return new LabelColumn(name, key, IsKey: true, (int)key.Count);
            case NumberDataViewType number when IntegerTypes.Contains(number.RawType):
                return new LabelColumn(name, number, IsKey: false, options.ClassCount);
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
        DataViewSchema.Column column = cursor.Schema[Name];
        if (IsKey)
        {
            ValueGetter<uint>? getter32 = Type.RawType == typeof(uint) ? cursor.GetGetter<uint>(column) : null;
            ValueGetter<ulong>? getter64 = Type.RawType == typeof(ulong) ? cursor.GetGetter<ulong>(column) : null;
            ValueGetter<ushort>? getter16 = Type.RawType == typeof(ushort) ? cursor.GetGetter<ushort>(column) : null;
            ValueGetter<byte>? getter8 = Type.RawType == typeof(byte) ? cursor.GetGetter<byte>(column) : null;
            return () =>
            {
                ulong key = 0;
                if (getter32 is not null) { uint v = 0; getter32(ref v); key = v; }
                else if (getter64 is not null) { getter64(ref key); }
                else if (getter16 is not null) { ushort v = 0; getter16(ref v); key = v; }
                else if (getter8 is not null) { byte v = 0; getter8(ref v); key = v; }

                if (key == 0 && !missingKeyIsNoClass)
                {
                    throw new InvalidDataException($"Label column '{Name}' has a missing key value at row {cursor.Position}; every training row needs a class.");
                }

                return (long)key - 1;
            };
        }

        return Type.RawType switch
        {
            var t when t == typeof(byte) => Integer<byte>(cursor, column, v => v),
            var t when t == typeof(sbyte) => Integer<sbyte>(cursor, column, v => v),
            var t when t == typeof(short) => Integer<short>(cursor, column, v => v),
            var t when t == typeof(ushort) => Integer<ushort>(cursor, column, v => v),
            var t when t == typeof(int) => Integer<int>(cursor, column, v => v),
            var t when t == typeof(uint) => Integer<uint>(cursor, column, v => v),
            var t when t == typeof(long) => Integer<long>(cursor, column, v => v),
            _ => Integer<ulong>(cursor, column, v => v > long.MaxValue ? -1 : (long)v),
        };
    }

    private static Func<long> Integer<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, long> convert)
    {
        ValueGetter<T> getter = cursor.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return convert(value);
        };
    }
}
