namespace Microsoft.ML.Gan.IO;

/// <summary>Span arithmetic the layers above share.</summary>
internal static class SpanMath
{
    /// <summary>The index of the largest value, the first on a tie: how a one-hot or a row of scores names its entry.</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
