using Microsoft.ML.Gan.IO;
using System.Globalization;

namespace Microsoft.ML.Gan.Tabular;

/// <summary>
/// CTGAN's mode-specific normalisation of one continuous column (Xu et al. 2019, §4.2): a value x becomes
/// [α, one-hot of a mode k], k drawn from x's posterior over the column's modes and α = (x − μₖ) / (4σₖ) clipped to
/// [−0.99, 0.99]. A generator then only has to place a value within one mode, in a range tanh reaches, rather than
/// spread a multi-modal column over one scale. Decoding takes the mode with the largest entry and maps α back.
/// </summary>
/// <remarks>
/// Layout of an encoded value (<see cref="Width"/> floats): α, then one entry per kept mode in component order.
/// A constant column has one mode of deviation 0; its α is always 0 and every value decodes to the constant.
/// </remarks>
internal sealed class ContinuousColumnEncoder
{
    private const double DeviationsPerUnit = 4;      // CTGAN's 4σ: α = ±1 is four deviations from the mode
    private const float AlphaLimit = 0.99f;          // CTGAN clips α here on the way in
    private const double DrawFloor = 1e-6;           // CTGAN adds this to each kept mode's probability before drawing

    private readonly IReadOnlyList<int> _modes;

    private ContinuousColumnEncoder(string column, VariationalGaussianMixture mixture)
    {
        Column = column;
        Mixture = mixture;
        _modes = mixture.KeptComponents;
    }

    /// <summary>The column's name, for messages.</summary>
    public string Column { get; }

    /// <summary>The fitted mixture; its <see cref="VariationalGaussianMixture.KeptComponents"/> are the modes, in one-hot order.</summary>
    public VariationalGaussianMixture Mixture { get; }

    /// <summary>The mixture components kept as modes, in one-hot order.</summary>
    public IReadOnlyList<int> Modes => _modes;

    /// <summary>How many deviations α = ±1 stands for.</summary>
    public static double AlphaUnit => DeviationsPerUnit;

    /// <summary>How many floats one encoded value takes: α and one per mode.</summary>
    public int Width => 1 + _modes.Count;

    /// <summary>
    /// Fits the column's modes on <paramref name="values"/> (see <see cref="VariationalGaussianMixture.Fit"/>; a long
    /// column is fitted on a seeded subsample). Throws if the column is empty or holds a value that is not finite.
    /// </summary>
    public static ContinuousColumnEncoder Fit(string column, ReadOnlySpan<double> values, int seed)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException($"Column '{column}' has no values; a continuous column needs at least one to fit its modes.", nameof(values));
        }

        for (int row = 0; row < values.Length; row++)
        {
            if (!double.IsFinite(values[row]))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Column '{column}' holds {values[row]} at row {row}; a continuous column needs finite numbers."),
                    nameof(values));
            }
        }

        return new ContinuousColumnEncoder(column, VariationalGaussianMixture.Fit(values, seed));
    }

    /// <summary>
    /// Writes x as [α, one-hot mode] into <paramref name="into"/> (length <see cref="Width"/>). The mode is drawn with
    /// <paramref name="random"/> from x's responsibilities renormalised over the kept modes, as CTGAN does, so a value
    /// between two modes is sometimes encoded by one and sometimes by the other.
    /// </summary>
    public void Encode(double x, Random random, Span<float> into)
    {
        if (!double.IsFinite(x))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Column '{Column}' was given {x}; a continuous column encodes finite numbers."), nameof(x));
        }

        CheckWidth(into.Length, nameof(into));
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

        int chosen = _modes[mode];
        double deviation = Mixture.StandardDeviations[chosen];
        double alpha = deviation == 0 ? 0 : (x - Mixture.Means[chosen]) / (DeviationsPerUnit * deviation);
        into.Clear();
        into[0] = Math.Clamp((float)alpha, -AlphaLimit, AlphaLimit);
        into[1 + mode] = 1;
    }

    /// <summary>
    /// The value that <paramref name="encoded"/> (length <see cref="Width"/>: α, then a score per mode, such as a
    /// generator's logits) stands for: α · 4σₖ + μₖ for the mode k with the largest score. α is clipped to [−1, 1], the
    /// range of the generator's tanh, as CTGAN does.
    /// </summary>
    public double Decode(ReadOnlySpan<float> encoded)
    {
        CheckWidth(encoded.Length, nameof(encoded));
        int chosen = _modes[SpanMath.ArgMax(encoded[1..])];
        double alpha = Math.Clamp(encoded[0], -1f, 1f);
        return (alpha * DeviationsPerUnit * Mixture.StandardDeviations[chosen]) + Mixture.Means[chosen];
    }

    private void CheckWidth(int length, string parameter)
    {
        if (length != Width)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Column '{Column}' encodes to {Width} floats (α and {_modes.Count} modes); got a span of {length}."), parameter);
        }
    }
}
