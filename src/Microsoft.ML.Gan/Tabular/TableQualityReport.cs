namespace Microsoft.ML.Gan;

/// <summary>The statistic a quality score is one minus, named as SDMetrics names its metrics.</summary>
public enum QualityMetric
{
    /// <summary>1 − the two-sample Kolmogorov–Smirnov statistic of a continuous column's present values.</summary>
    KSComplement,

    /// <summary>1 − the total variation distance of a discrete column's category frequencies, missing being a category.</summary>
    TVComplement,

    /// <summary>1 − |ρ_real − ρ_synthetic| / 2, with Pearson's ρ of two continuous columns over the rows where both are present.</summary>
    CorrelationSimilarity,

    /// <summary>1 − the total variation distance of two columns' joint frequencies; a continuous one is cut into bins of the real range first.</summary>
    ContingencySimilarity,
}

/// <summary>How well the synthetic data reproduces one column's distribution: 1 is the same, 0 as different as can be.</summary>
public sealed record ColumnShapeScore(string Column, QualityMetric Metric, double Score);

/// <summary>
/// How well the synthetic data reproduces how two columns vary together: 1 is the same, 0 as different as can be. Null
/// when a correlation is undefined (a column constant, or fewer than two rows with both present, in either table), as
/// SDMetrics leaves such a pair out of its average.
/// </summary>
public sealed record ColumnPairTrendScore(string FirstColumn, string SecondColumn, QualityMetric Metric, double? Score);

/// <summary>
/// SDMetrics' quality report for one table: a score per column (Column Shapes) and per pair of columns (Column Pair
/// Trends), each property's mean, and <see cref="OverallScore"/>, the mean of the two properties.
/// </summary>
/// <param name="ColumnShapes">One score per column, in column order.</param>
/// <param name="ColumnPairTrends">One score per pair of columns, in column order (first with second, first with third, …).</param>
/// <param name="ColumnShapesScore">The mean of <paramref name="ColumnShapes"/>.</param>
/// <param name="ColumnPairTrendsScore">The mean of the pair scores that are defined; null when none is (a one-column table).</param>
/// <param name="OverallScore">The mean of the two property scores; the column shapes score alone when the pairs have none.</param>
public sealed record TableQualityReport(
    IReadOnlyList<ColumnShapeScore> ColumnShapes,
    IReadOnlyList<ColumnPairTrendScore> ColumnPairTrends,
    double ColumnShapesScore,
    double? ColumnPairTrendsScore,
    double OverallScore);
