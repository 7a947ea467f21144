using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Input;

/// <summary>
/// Class indices in and out of a label column, for every label type the library takes: a key type (class c is key
/// c + 1, the missing key 0 reads as −1) or an integer type (class = value). Reading the training and scoring label
/// (<see cref="LabelColumn"/>) and writing generated labels (<see cref="LabelSpec"/>) go through this one table.
/// </summary>
internal static class LabelCodec
{
    private sealed record Codec(Func<DataViewRowCursor, DataViewSchema.Column, Func<long>> Read, Func<Func<long>, Delegate> Write);

    private static readonly Dictionary<Type, Codec> Codecs = new()
    {
        [typeof(byte)] = Of<byte>(v => v, c => (byte)c),
        [typeof(sbyte)] = Of<sbyte>(v => v, c => (sbyte)c),
        [typeof(short)] = Of<short>(v => v, c => (short)c),
        [typeof(ushort)] = Of<ushort>(v => v, c => (ushort)c),
        [typeof(int)] = Of<int>(v => v, c => (int)c),
        [typeof(uint)] = Of<uint>(v => v, c => (uint)c),
        [typeof(long)] = Of<long>(v => v, c => c),
        // Above long.MaxValue no class can match: −1, which every range check rejects.
        [typeof(ulong)] = Of<ulong>(v => v > long.MaxValue ? -1 : (long)v, c => (ulong)c),
    };

    /// <summary>True for the integer types a label (key or plain integer) may have.</summary>
    public static bool Supports(Type rawType) => Codecs.ContainsKey(rawType);

    /// <summary>A reader of the current row's class index: key k gives k − 1 (so the missing key gives −1), an integer itself.</summary>
    public static Func<long> Reader(DataViewRowCursor cursor, DataViewSchema.Column column, bool isKey)
    {
        Func<long> read = CodecOf(column.Type, column.Name).Read(cursor, column);
        return isKey ? () => read() - 1 : read;
    }

    /// <summary>A getter (a <c>ValueGetter</c> of the column's raw type) writing the class indices <paramref name="classOf"/> gives.</summary>
    public static Delegate Writer(DataViewType type, bool isKey, Func<long> classOf, string name)
        => CodecOf(type, name).Write(isKey ? () => classOf() + 1 : classOf);

    private static Codec CodecOf(DataViewType type, string name)
        => Codecs.GetValueOrDefault(type.RawType)
           ?? throw new NotSupportedException($"Label column '{name}' has type {type}; expected a key type or an integer type.");

    private static Codec Of<T>(Func<T, long> toClass, Func<long, T> fromClass) => new(
        (cursor, column) =>
        {
            ValueGetter<T> getter = cursor.GetGetter<T>(column);
            T value = default!;
            return () =>
            {
                getter(ref value);
                return toClass(value);
            };
        },
        classOf => (ValueGetter<T>)((ref T value) => value = fromClass(classOf())));
}
