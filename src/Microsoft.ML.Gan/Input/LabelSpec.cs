using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Input;

/// <summary>
/// A label column of generated rows: the training label's name, type (key or integer) and annotations
/// (e.g. key names), and which class each row gets.
/// </summary>
internal sealed record LabelSpec(string Name, DataViewType Type, bool IsKey, DataViewSchema.Annotations? Annotations, int ClassCount, Func<long, long> ClassOfRow)
{
    /// <summary>Row i gets class i mod classes: balanced, and the same for every seed.</summary>
    public static Func<long, long> RoundRobin(int classCount) => row => row % classCount;

    /// <summary>The first counts[0] rows get class 0, the next counts[1] class 1, and so on.</summary>
    public static Func<long, long> FromCounts(IReadOnlyList<int> counts)
    {
        long[] ends = new long[counts.Count];
        long total = 0;
        for (int i = 0; i < counts.Count; i++)
        {
            total += counts[i];
            ends[i] = total;
        }

        return row =>
        {
            int index = Array.BinarySearch(ends, row);
            return index >= 0 ? index + 1 : ~index;
        };
    }

    public LabelSpec WithClasses(Func<long, long> classOfRow) => this with { ClassOfRow = classOfRow };

    /// <summary>A getter writing class indices from <paramref name="classOf"/> in this column's type (keys are class + 1).</summary>
    public Delegate Getter(Func<long> classOf) => LabelCodec.Writer(Type, IsKey, classOf, Name);
}
