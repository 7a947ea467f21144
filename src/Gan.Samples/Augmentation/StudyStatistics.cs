namespace Gan.Samples.Augmentation;

/// <summary>Mean ± sd over seeds and the paired difference between two arms with its 95 % confidence interval.</summary>
internal static class StudyStatistics
{
    // Two-sided 95 % quantiles of Student's t for 1..30 degrees of freedom; beyond 30 the normal 1.96 is close enough.
    private static readonly double[] T975 =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    public static (double Mean, double Sd) MeanSd(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        double sd = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
        return (mean, sd);
    }

    /// <summary>Mean of <c>a[i] − b[i]</c> and the half-width of its 95 % t interval (NaN with one pair).</summary>
    public static (double Mean, double HalfWidth) PairedDifference(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count || a.Count == 0)
        {
            throw new ArgumentException($"Paired samples need equal, non-zero counts; got {a.Count} and {b.Count}.");
        }

        double[] differences = a.Zip(b, (x, y) => x - y).ToArray();
        (double mean, double sd) = MeanSd(differences);
        int df = differences.Length - 1;
        double halfWidth = df == 0 ? double.NaN : (df <= T975.Length ? T975[df - 1] : 1.96) * sd / Math.Sqrt(differences.Length);
        return (mean, halfWidth);
    }
}
