using Microsoft.ML.Gan.IO;
using System.Globalization;

namespace Microsoft.ML.Gan.Tabular;

/// <summary>
/// CTGAN's mode-specific normalisation of one continuous column (Xu et al. 2019, §4.2): a value x becomes
/// [α, one-hot of a mode k], k drawn from x's posterior over the column's modes and α = (x − μₖ) / (4σₖ) clipped to
/// [−0.99, 0.99]. A generator then only has to place a value within one mode, in a range tanh reaches, rather than
/// spread a multi-modal column over one scale. Decoding takes the mode with the largest entry and maps α back, into the
/// range of the training values (SDV's <c>enforce_min_max_values</c>).
/// </summary>
/// <remarks>
/// <para>
/// Point masses: a value that holds at least <see cref="PointMassShare"/> of the column (0 in a column of capital gains,
/// 40 in one of weekly hours) is a mode of its own with deviation 0, after the mixture's modes; the mixture is fitted on
/// the other values. A Bayesian mixture cannot represent such a spike: its variance prior (the column's variance) widens
/// the spike's component to a spread of its own, so generated rows would put almost nothing exactly on the value.
/// </para>
/// <para>
/// Layout of an encoded value (<see cref="Width"/> floats): α, then one entry per mixture mode in component order, then one
/// per point mass. A constant column is one point mass; its α is always 0 and every value decodes to the constant.
/// </para>
/// </remarks>
internal sealed class ContinuousColumnEncoder
{
    /// <summary>A value holding at least this share of a column's values is a point-mass mode.</summary>
    public const double PointMassShare = 0.05;

    private const double DeviationsPerUnit = 4;      // CTGAN's 4σ: α = ±1 is four deviations from the mode
    private const float AlphaLimit = 0.99f;          // CTGAN clips α here on the way in
    private const double DrawFloor = 1e-6;           // CTGAN adds this to each kept mode's probability before drawing

    private readonly IReadOnlyList<int> _modes;
    private readonly double[] _pointMasses;
    private readonly Dictionary<double, int> _pointMassIndex;

    private ContinuousColumnEncoder(string column, VariationalGaussianMixture? mixture, double[] pointMasses, double minimum, double maximum)
    {
        Column = column;
        Mixture = mixture;
        _modes = mixture?.KeptComponents ?? [];
        _pointMasses = pointMasses;
        _pointMassIndex = [];
        for (int i = 0; i < pointMasses.Length; i++)
        {
            _pointMassIndex[pointMasses[i]] = i;
        }

        Minimum = minimum;
        Maximum = maximum;
        ModeMeans = [.. _modes.Select(m => mixture!.Means[m]), .. pointMasses];
        ModeDeviations = [.. _modes.Select(m => mixture!.StandardDeviations[m]), .. pointMasses.Select(_ => 0.0)];
    }

    /// <summary>The column's name, for messages.</summary>
    public string Column { get; }

    /// <summary>
    /// The mixture fitted on the values that are no point mass; its <see cref="VariationalGaussianMixture.KeptComponents"/> are
    /// the first modes, in one-hot order. Null when every value is a point mass.
    /// </summary>
    public VariationalGaussianMixture? Mixture { get; }

    /// <summary>The point masses, the last modes in one-hot order (most frequent first).</summary>
    public IReadOnlyList<double> PointMasses => _pointMasses;

    /// <summary>Every mode's mean, in one-hot order: the mixture's kept components, then the point masses.</summary>
    public IReadOnlyList<double> ModeMeans { get; }

    /// <summary>Every mode's standard deviation, in one-hot order (0 for a point mass).</summary>
    public IReadOnlyList<double> ModeDeviations { get; }

    /// <summary>The smallest and largest training values: decoded values are kept within them.</summary>
    public double Minimum { get; }

    public double Maximum { get; }

    /// <summary>How many deviations α = ±1 stands for.</summary>
    public static double AlphaUnit => DeviationsPerUnit;

    /// <summary>How many floats one encoded value takes: α and one per mode.</summary>
    public int Width => 1 + ModeMeans.Count;

    /// <summary>
    /// Fits the column's modes on <paramref name="values"/>: its point masses, and a mixture (see
    /// <see cref="VariationalGaussianMixture.Fit"/>; a long column is fitted on a seeded subsample) on the other values.
    /// Throws if the column is empty or holds a value that is not finite.
    /// </summary>
    public static ContinuousColumnEncoder Fit(string column, ReadOnlySpan<double> values, int seed)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException($"Column '{column}' has no values; a continuous column needs at least one to fit its modes.", nameof(values));
        }

        var counts = new Dictionary<double, int>();
        for (int row = 0; row < values.Length; row++)
        {
            if (!double.IsFinite(values[row]))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Column '{column}' holds {values[row]} at row {row}; a continuous column needs finite numbers."),
                    nameof(values));
            }

            counts[values[row]] = counts.GetValueOrDefault(values[row]) + 1;
        }

        double share = PointMassShare * values.Length;
        double[] pointMasses = [.. counts.Where(c => c.Value >= share).OrderByDescending(c => c.Value).ThenBy(c => c.Key).Select(c => c.Key)];
        var massValues = new HashSet<double>(pointMasses);
        var rest = new List<double>(values.Length);
        double minimum = double.PositiveInfinity, maximum = double.NegativeInfinity;
        foreach (double x in values)
        {
            minimum = Math.Min(minimum, x);
            maximum = Math.Max(maximum, x);
            if (!massValues.Contains(x))
            {
                rest.Add(x);
            }
        }

        VariationalGaussianMixture? mixture = rest.Count == 0 ? null : VariationalGaussianMixture.Fit(rest.ToArray(), seed);
        return new ContinuousColumnEncoder(column, mixture, pointMasses, minimum, maximum);
    }

    /// <summary>
    /// Writes x as [α, one-hot mode] into <paramref name="into"/> (length <see cref="Width"/>). A point mass is its own mode
    /// with α = 0. Otherwise the mode is drawn with <paramref name="random"/> from x's responsibilities renormalised over
    /// the mixture's kept modes, as CTGAN does, so a value between two modes is sometimes encoded by one and sometimes by
    /// the other. (A value neither, in a column of point masses only, takes the nearest point mass.)
    /// </summary>
    public void Encode(double x, Random random, Span<float> into)
    {
        if (!double.IsFinite(x))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Column '{Column}' was given {x}; a continuous column encodes finite numbers."), nameof(x));
        }

        CheckWidth(into.Length, nameof(into));
        into.Clear();
        bool isPointMass = _pointMassIndex.TryGetValue(x, out int point);
        if (isPointMass || Mixture is null)
        {
            into[1 + _modes.Count + (isPointMass ? point : Nearest(x))] = 1;
            return;
        }

        Span<double> responsibilities = stackalloc double[Mixture.ComponentCount];
        Mixture.Responsibilities(x, responsibilities);
        double total = 0;
        foreach (int component in _modes)
        {
            total += responsibilities[component] + DrawFloor;
        }

        double target = random.NextDouble() * total;
        int mode = _modes.Count - 1;
        for (int m = 0; m < _modes.Count - 1; m++)
        {
            target -= responsibilities[_modes[m]] + DrawFloor;
            if (target < 0)
            {
                mode = m;
                break;
            }
        }

        double deviation = ModeDeviations[mode];
        double alpha = deviation == 0 ? 0 : (x - ModeMeans[mode]) / (DeviationsPerUnit * deviation);
        into[0] = Math.Clamp((float)alpha, -AlphaLimit, AlphaLimit);
        into[1 + mode] = 1;
    }

    /// <summary>
    /// The value that <paramref name="encoded"/> (length <see cref="Width"/>: α, then a score per mode, such as a
    /// generator's logits) stands for: α · 4σₖ + μₖ for the mode k with the largest score (exactly μₖ for a point mass),
    /// within [<see cref="Minimum"/>, <see cref="Maximum"/>]. α is clipped to [−1, 1], the range of the generator's tanh, as
    /// CTGAN does.
    /// </summary>
    public double Decode(ReadOnlySpan<float> encoded)
    {
        CheckWidth(encoded.Length, nameof(encoded));
        int mode = SpanMath.ArgMax(encoded[1..]);
        double alpha = Math.Clamp(encoded[0], -1f, 1f);
        return Math.Clamp((alpha * DeviationsPerUnit * ModeDeviations[mode]) + ModeMeans[mode], Minimum, Maximum);
    }

    private int Nearest(double x)
    {
        int best = 0;
        for (int i = 1; i < _pointMasses.Length; i++)
        {
            if (Math.Abs(_pointMasses[i] - x) < Math.Abs(_pointMasses[best] - x))
            {
                best = i;
            }
        }

        return best;
    }

    private void CheckWidth(int length, string parameter)
    {
        if (length != Width)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Column '{Column}' encodes to {Width} floats (α and {Width - 1} modes); got a span of {length}."), parameter);
        }
    }
}
