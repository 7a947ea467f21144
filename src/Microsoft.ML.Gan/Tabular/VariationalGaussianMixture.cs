using System.Globalization;

namespace Microsoft.ML.Gan.Tabular;

/// <summary>
/// A one-dimensional Gaussian mixture fitted by variational Bayes, with a Dirichlet-process (stick-breaking) prior on the
/// weights: how CTGAN's mode-specific normalisation finds the modes of a continuous column (Xu et al. 2019, "Modeling
/// Tabular Data using Conditional GAN"). CTGAN fits scikit-learn's <c>BayesianGaussianMixture(n_components=10,
/// weight_concentration_prior_type='dirichlet_process', weight_concentration_prior=0.001)</c>; this is that model with
/// scikit-learn's default priors, its updates (Bishop 2006, §10.2; Blei and Jordan 2006 for the sticks) and its stopping
/// rule, written for one dimension. The tiny concentration prior makes every further stick costly, so components the data
/// do not need end with weights near zero; only the <see cref="KeptComponents"/> are modes of the column.
/// </summary>
/// <remarks>
/// Fitting: k-means++ seeding and Lloyd's iterations give each value one component (scikit-learn's <c>init_params='kmeans'</c>),
/// then variational E and M steps alternate until the evidence lower bound, summed over the values as scikit-learn does,
/// moves by less than 1e-3 or 100 iterations have run. One seeded <see cref="Random"/> draws the subsample and the seeds,
/// so a seed and a column give the same fit every time. Within those 100 iterations a wide mode is often still shared by
/// a few overlapping components, each above the threshold; scikit-learn, from the same start, stops at the same numbers.
/// </remarks>
internal sealed class VariationalGaussianMixture
{
    /// <summary>CTGAN's number of components: the most modes a column can have.</summary>
    public const int MaxComponents = 10;

    /// <summary>
    /// The most values a fit reads; a longer column is fitted on a uniform subsample of this many, drawn with the seed.
    /// The mixture has three numbers per component, and a mode at the <see cref="KeptWeight"/> threshold still holds about
    /// 100 of these values, enough to place it; 100 iterations over 20,000 values take a fraction of a second, so a
    /// 1,000,000-row column costs one pass to sample and the same fit.
    /// </summary>
    public const int MaxFitValues = 20_000;

    /// <summary>CTGAN's threshold: a component with less weight than this is not a mode of the column.</summary>
    public const double KeptWeight = 0.005;

    private const double WeightConcentrationPrior = 0.001;   // CTGAN's γ: sticks beyond the data's need break off almost nothing
    private const double MeanPrecisionPrior = 1;             // scikit-learn's default β₀
    private const double DegreesOfFreedomPrior = 1;          // scikit-learn's default ν₀: the number of dimensions
    private const double VarianceFloor = 1e-6;               // scikit-learn's reg_covar, added to every component's variance
    private const double Tolerance = 1e-3;                   // scikit-learn's tol on the change of the lower bound
    private const int MaxIterations = 100;                   // scikit-learn's max_iter
    private const int MaxKMeansIterations = 300;             // scikit-learn's KMeans max_iter
    private const double EmptyCount = 10 * 2.220446049250313e-16;   // scikit-learn's 10 × machine epsilon: an empty component stays finite

    private static readonly double HalfLogTwoPi = 0.5 * Math.Log(2 * Math.PI);

    private readonly double _meanPrior;          // m₀
    private readonly double _variancePrior;      // W₀⁻¹

    // The variational posterior, one entry per component.
    private readonly double[] _stickA;           // Beta(a, b) over the fraction of the remaining stick this component takes
    private readonly double[] _stickB;
    private readonly double[] _meanPrecision;    // β: the precision of the mean's Gaussian, in units of the component's
    private readonly double[] _means;            // m
    private readonly double[] _degreesOfFreedom; // ν of the precision's Wishart
    private readonly double[] _variances;        // W⁻¹ / ν: scikit-learn's covariances_

    // What the E step needs per component: log ρ(x) = _logScale − ½ (x − m)² _precision.
    private readonly double[] _logScale;
    private readonly double[] _precision;

    private VariationalGaussianMixture(int components, double meanPrior, double variancePrior)
    {
        _meanPrior = meanPrior;
        _variancePrior = variancePrior;
        _stickA = new double[components];
        _stickB = new double[components];
        _meanPrecision = new double[components];
        _means = new double[components];
        _degreesOfFreedom = new double[components];
        _variances = new double[components];
        _logScale = new double[components];
        _precision = new double[components];
        Weights = new double[components];
        StandardDeviations = new double[components];
        KeptComponents = [];
    }

    /// <summary>How many components the fit had: 10, fewer for a column of fewer values, 1 for a constant column.</summary>
    public int ComponentCount => _means.Length;

    /// <summary>The expected weight of each component under the stick-breaking posterior; they sum to 1.</summary>
    public IReadOnlyList<double> Weights { get; private set; }

    /// <summary>The mean of each component.</summary>
    public IReadOnlyList<double> Means => _means;

    /// <summary>The standard deviation of each component (the square root of scikit-learn's covariances_); 0 for a constant column.</summary>
    public IReadOnlyList<double> StandardDeviations { get; private set; }

    /// <summary>The components whose weight is above <see cref="KeptWeight"/>, in component order; never empty.</summary>
    public IReadOnlyList<int> KeptComponents { get; private set; }

    /// <summary>
    /// Fits the mixture to <paramref name="values"/>, which must be finite and not empty (the column encoders check and
    /// name the column). Past <see cref="MaxFitValues"/> values the fit reads a seeded uniform subsample.
    /// </summary>
    public static VariationalGaussianMixture Fit(ReadOnlySpan<double> values, int seed)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("A Gaussian mixture needs at least one value to fit.", nameof(values));
        }

        var random = new Random(seed);
        double[] x = Subsample(values, random);
        if (Array.TrueForAll(x, value => value == x[0]))
        {
            return Constant(x[0]);
        }

        int components = Math.Min(MaxComponents, x.Length);
        return FromStart(x, KMeans(x, components, random), components);
    }

    /// <summary>
    /// Fits the mixture to <paramref name="x"/> (finite, not all equal) from a start that gives value i wholly to
    /// component <paramref name="labels"/>[i] of <paramref name="components"/>. The priors come from <paramref name="x"/>:
    /// its mean for the means, its variance (numpy's cov, n − 1 in the denominator) for the variances.
    /// </summary>
    internal static VariationalGaussianMixture FromStart(double[] x, int[] labels, int components)
    {
        double mean = x.Average(), squares = x.Sum(value => (value - mean) * (value - mean));
        var mixture = new VariationalGaussianMixture(components, mean, squares / (x.Length - 1));
        mixture.Run(x, labels);
        return mixture;
    }

    /// <summary>
    /// Writes the posterior probability of each component for <paramref name="x"/> into <paramref name="into"/>
    /// (length <see cref="ComponentCount"/>), as scikit-learn's predict_proba: from the expected log weights and the
    /// expected log densities, not from the point estimates alone.
    /// </summary>
    public void Responsibilities(double x, Span<double> into)
    {
        if (into.Length != ComponentCount)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The responsibilities need a span of {ComponentCount} values, one per component; got {into.Length}."), nameof(into));
        }

        if (ComponentCount == 1)
        {
            into[0] = 1;
            return;
        }

        double logNormaliser = LogResponsibilities(x, into);
        for (int k = 0; k < into.Length; k++)
        {
            into[k] = Math.Exp(into[k] - logNormaliser);
        }
    }

    /// <summary>The digamma function ψ(x) = d/dx ln Γ(x) for x &gt; 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 6, then the asymptotic series.</summary>
    internal static double Digamma(double x)
    {
        double result = 0;
        while (x < 6)
        {
            result -= 1 / x;
            x += 1;
        }

        double f = 1 / (x * x);
        double series = f * ((1.0 / 12) - (f * ((1.0 / 120) - (f * ((1.0 / 252) - (f * ((1.0 / 240) - (f / 132))))))));
        return result + Math.Log(x) - (0.5 / x) - series;
    }

    /// <summary>ln Γ(x) for x &gt; 0: the recurrence Γ(x) = Γ(x + 1) / x up to x ≥ 7, then Stirling's series.</summary>
    internal static double LogGamma(double x)
    {
        double product = 1;
        while (x < 7)
        {
            product *= x;
            x += 1;
        }

        double f = 1 / (x * x);
        double series = ((1.0 / 12) - (f * ((1.0 / 360) - (f * ((1.0 / 1260) - (f / 1680)))))) / x;
        return ((x - 0.5) * Math.Log(x)) - x + HalfLogTwoPi + series - Math.Log(product);
    }

    /// <summary>All of <paramref name="values"/>, or past <see cref="MaxFitValues"/> a uniform sample of that many (reservoir sampling: one pass, no index array).</summary>
    private static double[] Subsample(ReadOnlySpan<double> values, Random random)
    {
        if (values.Length <= MaxFitValues)
        {
            return values.ToArray();
        }

        double[] sample = values[..MaxFitValues].ToArray();
        for (int i = MaxFitValues; i < values.Length; i++)
        {
            int slot = random.Next(i + 1);
            if (slot < MaxFitValues)
            {
                sample[slot] = values[i];
            }
        }

        return sample;
    }

    /// <summary>A column of one value: one component there, weight 1, standard deviation 0.</summary>
    private static VariationalGaussianMixture Constant(double value)
    {
        var mixture = new VariationalGaussianMixture(1, value, 0);
        mixture._means[0] = value;
        mixture.Weights = [1.0];
        mixture.StandardDeviations = [0.0];
        mixture.KeptComponents = [0];
        return mixture;
    }

    /// <summary>The start, then E and M steps until the lower bound settles; then the weights, deviations and kept components.</summary>
    private void Run(double[] x, int[] labels)
    {
        int n = x.Length, components = ComponentCount;
        var responsibilities = new double[n * components];
        for (int i = 0; i < n; i++)
        {
            responsibilities[(i * components) + labels[i]] = 1;
        }

        MStep(x, responsibilities);
        double lowerBound = double.NegativeInfinity;
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            double previous = lowerBound;
            double entropy = EStep(x, responsibilities);
            MStep(x, responsibilities);
            lowerBound = entropy + ParameterBound();
            if (Math.Abs(lowerBound - previous) < Tolerance)
            {
                break;
            }
        }

        Summarise();
    }

    /// <summary>
    /// Labels from k-means: k-means++ seeds (each next centre drawn in proportion to its squared distance from the
    /// nearest centre so far), then Lloyd's iterations until no label changes. A centre that loses all its values stays where it is.
    /// </summary>
    private static int[] KMeans(double[] x, int components, Random random)
    {
        int n = x.Length;
        var centres = new double[components];
        var distances = new double[n];
        centres[0] = x[random.Next(n)];
        for (int i = 0; i < n; i++)
        {
            distances[i] = (x[i] - centres[0]) * (x[i] - centres[0]);
        }

        for (int c = 1; c < components; c++)
        {
            double total = 0;
            foreach (double d in distances)
            {
                total += d;
            }

            int chosen = total > 0 ? Draw(distances, random.NextDouble() * total) : random.Next(n);
            centres[c] = x[chosen];
            for (int i = 0; i < n; i++)
            {
                distances[i] = Math.Min(distances[i], (x[i] - centres[c]) * (x[i] - centres[c]));
            }
        }

        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = Nearest(centres, x[i]);
        }

        var sums = new double[components];
        var counts = new int[components];
        for (int iteration = 0; iteration < MaxKMeansIterations; iteration++)
        {
            Array.Clear(sums);
            Array.Clear(counts);
            for (int i = 0; i < n; i++)
            {
                sums[labels[i]] += x[i];
                counts[labels[i]]++;
            }

            for (int c = 0; c < components; c++)
            {
                if (counts[c] > 0)
                {
                    centres[c] = sums[c] / counts[c];
                }
            }

            bool changed = false;
            for (int i = 0; i < n; i++)
            {
                int nearest = Nearest(centres, x[i]);
                changed |= nearest != labels[i];
                labels[i] = nearest;
            }

            if (!changed)
            {
                break;
            }
        }

        return labels;
    }

    /// <summary>The index where the running sum of <paramref name="weights"/> first passes <paramref name="target"/>.</summary>
    private static int Draw(double[] weights, double target)
    {
        double sum = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            sum += weights[i];
            if (sum > target && weights[i] > 0)
            {
                return i;
            }
        }

        return Array.FindLastIndex(weights, w => w > 0);
    }

    private static int Nearest(double[] centres, double value)
    {
        int best = 0;
        for (int c = 1; c < centres.Length; c++)
        {
            if (Math.Abs(value - centres[c]) < Math.Abs(value - centres[best]))
            {
                best = c;
            }
        }

        return best;
    }

    /// <summary>
    /// Fills <paramref name="responsibilities"/> (n × components) from the current posterior and returns their entropy
    /// −Σ r ln r, the lower bound's term from the assignments.
    /// </summary>
    private double EStep(double[] x, double[] responsibilities)
    {
        int components = ComponentCount;
        double entropy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            Span<double> row = responsibilities.AsSpan(i * components, components);
            double logNormaliser = LogResponsibilities(x[i], row);
            for (int k = 0; k < components; k++)
            {
                double logResponsibility = row[k] - logNormaliser;
                row[k] = Math.Exp(logResponsibility);
                entropy -= row[k] * logResponsibility;
            }
        }

        return entropy;
    }

    /// <summary>Writes ln ρₖ(x), the unnormalised log responsibility of each component, into <paramref name="into"/> and returns ln Σₖ ρₖ(x).</summary>
    private double LogResponsibilities(double x, Span<double> into)
    {
        double largest = double.NegativeInfinity;
        for (int k = 0; k < into.Length; k++)
        {
            double d = x - _means[k];
            into[k] = _logScale[k] - (0.5 * d * d * _precision[k]);
            largest = Math.Max(largest, into[k]);
        }

        double sum = 0;
        foreach (double logRho in into)
        {
            sum += Math.Exp(logRho - largest);
        }

        return largest + Math.Log(sum);
    }

    /// <summary>
    /// The posterior from the responsibilities' statistics: per component the count Nₖ, mean x̄ₖ and variance Sₖ, then
    /// the sticks' Beta, the means' Gaussian and the precisions' Wishart (Bishop 10.58–10.63, the sticks as Blei and Jordan).
    /// </summary>
    private void MStep(double[] x, double[] responsibilities)
    {
        int components = ComponentCount;
        Span<double> counts = stackalloc double[components];
        Span<double> sums = stackalloc double[components];
        Span<double> squares = stackalloc double[components];
        counts.Fill(EmptyCount);
        for (int i = 0; i < x.Length; i++)
        {
            ReadOnlySpan<double> row = responsibilities.AsSpan(i * components, components);
            for (int k = 0; k < components; k++)
            {
                counts[k] += row[k];
                sums[k] += row[k] * x[i];
            }
        }

        for (int k = 0; k < components; k++)
        {
            sums[k] /= counts[k];
        }

        for (int i = 0; i < x.Length; i++)
        {
            ReadOnlySpan<double> row = responsibilities.AsSpan(i * components, components);
            for (int k = 0; k < components; k++)
            {
                double d = x[i] - sums[k];
                squares[k] += row[k] * d * d;
            }
        }

        double after = 0;   // the count of the components after k, for the sticks
        for (int k = components - 1; k >= 0; k--)
        {
            double count = counts[k], mean = sums[k], variance = (squares[k] / count) + VarianceFloor;
            _stickA[k] = 1 + count;
            _stickB[k] = WeightConcentrationPrior + after;
            after += count;
            _meanPrecision[k] = MeanPrecisionPrior + count;
            _means[k] = ((MeanPrecisionPrior * _meanPrior) + (count * mean)) / _meanPrecision[k];
            _degreesOfFreedom[k] = DegreesOfFreedomPrior + count;
            double fromPrior = mean - _meanPrior;
            _variances[k] = (_variancePrior + (count * variance) + (count * MeanPrecisionPrior / _meanPrecision[k] * fromPrior * fromPrior)) / _degreesOfFreedom[k];
        }

        // E[ln πₖ] = E[ln vₖ] + Σ_{j<k} E[ln(1 − vⱼ)], with vₖ ~ Beta(aₖ, bₖ) the fraction of the remaining stick.
        double remaining = 0;
        for (int k = 0; k < components; k++)
        {
            double digammaSum = Digamma(_stickA[k] + _stickB[k]);
            double logWeight = Digamma(_stickA[k]) - digammaSum + remaining;
            remaining += Digamma(_stickB[k]) - digammaSum;
            double nu = _degreesOfFreedom[k];
            // E[ln λ] = ln 2 + ψ(ν/2) + ln W, with W = 1 / (ν · variance); the mean's uncertainty adds −1/β.
            _logScale[k] = logWeight - HalfLogTwoPi - (0.5 * Math.Log(_variances[k])) - (0.5 * Math.Log(nu))
                + (0.5 * (Math.Log(2) + Digamma(0.5 * nu) - (1 / _meanPrecision[k])));
            _precision[k] = 1 / _variances[k];
        }
    }

    /// <summary>
    /// The lower bound's terms from the posterior (scikit-learn's, constants dropped): the Wishart normalisers, the sticks'
    /// Beta normalisers and the means' precisions.
    /// </summary>
    private double ParameterBound()
    {
        double bound = 0;
        for (int k = 0; k < ComponentCount; k++)
        {
            double nu = _degreesOfFreedom[k];
            double logDetPrecision = (-0.5 * Math.Log(_variances[k])) - (0.5 * Math.Log(nu));
            bound += (nu * logDetPrecision) + (0.5 * nu * Math.Log(2)) + LogGamma(0.5 * nu);
            bound += LogGamma(_stickA[k]) + LogGamma(_stickB[k]) - LogGamma(_stickA[k] + _stickB[k]);
            bound -= 0.5 * Math.Log(_meanPrecision[k]);
        }

        return bound;
    }

    /// <summary>The expected weights from the sticks, the deviations, and the components above the threshold.</summary>
    private void Summarise()
    {
        int components = ComponentCount;
        var weights = new double[components];
        double remaining = 1, total = 0;
        for (int k = 0; k < components; k++)
        {
            double share = _stickA[k] / (_stickA[k] + _stickB[k]);
            weights[k] = share * remaining;
            remaining *= 1 - share;
            total += weights[k];
        }

        for (int k = 0; k < components; k++)
        {
            weights[k] /= total;
        }

        Weights = weights;
        StandardDeviations = [.. _variances.Select(Math.Sqrt)];
        KeptComponents = [.. Enumerable.Range(0, components).Where(k => weights[k] > KeptWeight)];
    }
}
