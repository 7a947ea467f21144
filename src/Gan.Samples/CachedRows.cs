using Microsoft.ML;
using Microsoft.ML.Data;

namespace Gan.Samples;

/// <summary>Filling a cached view once, so that every row is made (and checked) now rather than by its first reader.</summary>
internal static class CachedRows
{
    /// <summary>Reads every row's <paramref name="pixelsColumn"/> once, which makes each row and fills the cache of <paramref name="cached"/>.</summary>
    public static void Fill(IDataView cached, string pixelsColumn = "Pixels")
    {
        using DataViewRowCursor cursor = cached.GetRowCursor(cached.Schema);
        ValueGetter<VBuffer<float>> pixels = cursor.GetGetter<VBuffer<float>>(cached.Schema[pixelsColumn]);
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            pixels(ref buffer);
        }
    }
}
