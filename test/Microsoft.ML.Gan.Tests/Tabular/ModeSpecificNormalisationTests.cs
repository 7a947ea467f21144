using Microsoft.ML.Gan.Tabular;

namespace Microsoft.ML.Gan.Tests.Tabular;

/// <summary>
/// CTGAN's mode-specific normalisation: the variational Gaussian mixture against scikit-learn and on known mixtures,
/// the continuous encoder's round trip, clipping and mode draws, and the discrete encoder.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class ModeSpecificNormalisationTests
{
    /// <summary>70 % N(0, 1) and 30 % N(10, 0.5²): two well-separated modes of different widths.</summary>
    private static readonly Lazy<double[]> TwoModes = new(() => TwoGaussians(10_000, seed: 1));

    private static readonly Lazy<ContinuousColumnEncoder> TwoModeEncoder = new(() => ContinuousColumnEncoder.Fit("income", TwoModes.Value, seed: 5));

    private static double[] TwoGaussians(int count, int seed)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = random.NextDouble() < 0.7 ? Normal(random) : 10 + (0.5 * Normal(random));
        }

        return values;
    }

    private static double Normal(Random random)
        => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>The weight, mean and standard deviation of the mixture of <paramref name="components"/> alone.</summary>
    private static (double Weight, double Mean, double Deviation) Pooled(VariationalGaussianMixture mixture, IEnumerable<int> components)
    {
        double weight = 0, first = 0, second = 0;
        foreach (int k in components)
        {
            double w = mixture.Weights[k], mean = mixture.Means[k], deviation = mixture.StandardDeviations[k];
            weight += w;
            first += w * mean;
            second += w * ((deviation * deviation) + (mean * mean));
        }

        double pooledMean = first / weight;
        return (weight, pooledMean, Math.Sqrt((second / weight) - (pooledMean * pooledMean)));
    }

    /// <summary>The kept components nearer <paramref name="centre"/> than <paramref name="other"/>.</summary>
    private static int[] KeptNear(VariationalGaussianMixture mixture, double centre, double other)
        => [.. mixture.KeptComponents.Where(k => Math.Abs(mixture.Means[k] - centre) < Math.Abs(mixture.Means[k] - other))];

    [Test]
    public void DigammaAndLogGammaMatchKnownValues()
    {
        // Reference values from scipy.special.digamma and gammaln.
        (double X, double Digamma, double LogGamma)[] known =
        [
            (0.001, -1000.5755719318103, 6.907178885383853),
            (0.5, -1.9635100260214235, 0.5723649429247),
            (1, -0.5772156649015329, 0),
            (10, 2.251752589066721, 12.801827480081469),
            (123.4, 4.8113737751162775, 469.3360974421906),
        ];
        foreach ((double x, double digamma, double logGamma) in known)
        {
            Assert.That(VariationalGaussianMixture.Digamma(x), Is.EqualTo(digamma).Within(1e-9), $"ψ({x})");
            Assert.That(VariationalGaussianMixture.LogGamma(x), Is.EqualTo(logGamma).Within(1e-9), $"ln Γ({x})");
        }
    }

    [Test]
    public void MatchesScikitLearnFromTheSameStart()
    {
        // 300 values evenly over [0, 3] and 100 over [10, 10.5], each started in one of ten equal-width bins (so six
        // components start empty). Reference: scikit-learn 1.2.1's BayesianGaussianMixture(n_components=10,
        // weight_concentration_prior_type='dirichlet_process', weight_concentration_prior=0.001) with
        // _initialize_parameters replaced by these one-hot responsibilities; it stops at max_iter = 100, unconverged.
        double[] x = [.. Enumerable.Range(0, 300).Select(i => 3.0 * i / 299), .. Enumerable.Range(0, 100).Select(i => 10 + (0.5 * i / 99))];
        double min = x.Min(), max = x.Max();
        int[] labels = [.. x.Select(v => (int)Math.Min(9, Math.Floor((v - min) / (max - min) * 10)))];

        VariationalGaussianMixture mixture = VariationalGaussianMixture.FromStart(x, labels, 10);

        double[] weights = [0.70425752113124, 0.04715461654238, 0.00266650692128, 0.00263744938086, 0.00260872484890, 0.00258032889386, 0.00255225716708, 0.00252450540033, 0.00249706940342, 0.23052102031064];
        double[] means = [1.50210608482974, 1.69442746880130, 3.60829740894554, 3.60931692981201, 3.61032085925525, 3.61130950652375, 3.61228317258704, 3.61324215042650, 3.61418672531340, 10.18498173602325];
        double[] deviations = [0.90122782004525, 1.36182738594574, 3.81429116818123, 3.81499289788708, 3.81568373822293, 3.81636391001087, 3.81703362800962, 3.81769310113265, 3.81834253265648, 0.76929162083421];
        double[] atSix = [2.93600431264162e-03, 2.09105134295324e-01, 1.16881959091918e-01, 1.15402102796995e-01, 1.13944231997341e-01, 1.12507927800892e-01, 1.11092782065712e-01, 1.09698397035948e-01, 1.08324384993246e-01, 1.07075609983797e-04];
        Assert.That(mixture.Weights, Is.EqualTo(weights).Within(1e-9));
        Assert.That(mixture.Means, Is.EqualTo(means).Within(1e-9));
        Assert.That(mixture.StandardDeviations, Is.EqualTo(deviations).Within(1e-9));
        var responsibilities = new double[10];
        mixture.Responsibilities(6, responsibilities);
        Assert.That(responsibilities, Is.EqualTo(atSix).Within(1e-9));
        Assert.That(mixture.KeptComponents, Is.EqualTo(new[] { 0, 1, 9 }), "components lighter than 0.005 are not modes");
    }

    [Test]
    public void TwoSeparatedGaussiansAreFoundAndUnusedComponentsSwitchedOff()
    {
        VariationalGaussianMixture mixture = TwoModeEncoder.Value.Mixture!;

        // At CTGAN's 100 iterations the wide mode is often still shared by a few overlapping components (scikit-learn
        // does the same from the same start), so each true mode is checked as the mixture of the kept components nearest it.
        Assert.That(mixture.KeptComponents.Select(k => mixture.Means[k]), Has.All.Matches<double>(mean => Math.Abs(mean) < 1 || Math.Abs(mean - 10) < 0.5), "every kept mode belongs to a true one");
        var wide = Pooled(mixture, KeptNear(mixture, 0, 10));
        var narrow = Pooled(mixture, KeptNear(mixture, 10, 0));
        Assert.That(wide.Weight, Is.EqualTo(0.7).Within(0.02));
        Assert.That(wide.Mean, Is.EqualTo(0).Within(0.05));
        Assert.That(wide.Deviation, Is.EqualTo(1).Within(0.05));
        Assert.That(narrow.Weight, Is.EqualTo(0.3).Within(0.02));
        Assert.That(narrow.Mean, Is.EqualTo(10).Within(0.05));
        Assert.That(narrow.Deviation, Is.EqualTo(0.5).Within(0.05));

        int[] off = [.. Enumerable.Range(0, mixture.ComponentCount).Except(mixture.KeptComponents)];
        Assert.That(off, Has.Length.GreaterThanOrEqualTo(3), "the stick-breaking prior leaves components the data do not need with no weight");
        Assert.That(off.Sum(k => mixture.Weights[k]), Is.LessThan(0.01));
        Assert.That(mixture.Weights.Sum(), Is.EqualTo(1).Within(1e-12));
    }

    [Test]
    public void ASingleGaussianIsCoveredByItsKeptModes()
    {
        var random = new Random(2);
        double[] values = [.. Enumerable.Range(0, 5000).Select(_ => 5 + (2 * Normal(random)))];

        VariationalGaussianMixture mixture = ContinuousColumnEncoder.Fit("age", values, seed: 3).Mixture!;

        (double weight, double mean, double deviation) = Pooled(mixture, mixture.KeptComponents);
        Assert.That(weight, Is.GreaterThan(0.99));
        Assert.That(mean, Is.EqualTo(5).Within(0.1));
        Assert.That(deviation, Is.EqualTo(2).Within(0.1));
    }

    [Test]
    public void EncodingRoundTripsWithinAModeAndClipsAlphaOutsideIt()
    {
        ContinuousColumnEncoder encoder = TwoModeEncoder.Value;
        VariationalGaussianMixture mixture = encoder.Mixture!;
        var random = new Random(9);
        var encoded = new float[encoder.Width];
        int inside = 0;
        double[] values = [.. TwoModes.Value.Take(4000), -60, -5, 4.5, 30, 1e6];
        foreach (double x in values)
        {
            encoder.Encode(x, random, encoded);

            Assert.That(encoded[0], Is.InRange(-0.99f, 0.99f), $"α of {x}");
            Assert.That(encoded.Skip(1).Count(e => e == 1), Is.EqualTo(1), "one mode is on");
            Assert.That(encoded.Skip(1).Sum(), Is.EqualTo(1));
            int component = mixture.KeptComponents[Array.IndexOf(encoded, 1f, 1) - 1];
            double mean = mixture.Means[component], deviation = mixture.StandardDeviations[component];
            double decoded = encoder.Decode(encoded);
            if (Math.Abs(x - mean) <= 3.96 * deviation)
            {
                inside++;
                Assert.That(decoded, Is.EqualTo(x).Within(1e-4 * deviation), $"{x} in the mode at {mean} ± {deviation}");
            }
            else
            {
                Assert.That(Math.Abs(encoded[0]), Is.EqualTo(0.99f), $"{x} is outside the mode at {mean} ± {deviation}, so α is clipped");
                Assert.That(decoded, Is.EqualTo(Math.Clamp(mean + (Math.Sign(x - mean) * 3.96 * deviation), encoder.Minimum, encoder.Maximum)).Within(1e-4 * deviation));
            }

            Assert.That(decoded, Is.InRange(encoder.Minimum, encoder.Maximum), "decoded values stay within the training values");
        }

        Assert.That(inside, Is.GreaterThan(3900), "nearly every value of the column is drawn into a mode that holds it");
    }

    [Test]
    public void AValueHoldingAShareOfTheColumnIsAPointMassThatDecodesExactly()
    {
        // 90 % zeros, the rest spread from 100 to 10,000 (capital gains): 0 is a mode of its own, after the mixture's modes.
        var random = new Random(4);
        double[] values = [.. Enumerable.Range(0, 5000).Select(i => i % 10 == 0 ? Math.Round(100 * Math.Exp(4.6 * random.NextDouble())) : 0.0)];
        ContinuousColumnEncoder encoder = ContinuousColumnEncoder.Fit("capital-gain", values, seed: 1);
        var encoded = new float[encoder.Width];

        Assert.That(encoder.PointMasses, Is.EqualTo(new[] { 0.0 }));
        Assert.That(encoder.Mixture!.KeptComponents.Select(k => encoder.Mixture.Means[k]), Has.All.GreaterThan(50), "the mixture sees only the other values");
        Assert.That(encoder.Width, Is.EqualTo(1 + encoder.Mixture.KeptComponents.Count + 1));
        encoder.Encode(0, random, encoded);
        Assert.That(encoded[0], Is.Zero, "α of a point mass");
        Assert.That(Array.IndexOf(encoded, 1f, 1), Is.EqualTo(encoder.Width - 1), "its mode is the last");
        foreach (float alpha in new[] { -1f, -0.3f, 0f, 0.7f, 1f })
        {
            encoded[0] = alpha;
            Assert.That(encoder.Decode(encoded), Is.EqualTo(0.0), $"the point mass decodes to itself whatever α ({alpha})");
        }

        Assert.That(ContinuousColumnEncoder.Fit("spread", [.. Enumerable.Range(0, 100).Select(i => (double)i)], seed: 1).PointMasses, Is.Empty, "no value holds 5 %");
    }

    [Test]
    public void ModesAreDrawnInProportionToTheResponsibilities()
    {
        ContinuousColumnEncoder encoder = TwoModeEncoder.Value;
        VariationalGaussianMixture mixture = encoder.Mixture!;
        IReadOnlyList<int> kept = mixture.KeptComponents;

        // The point midway between two kept modes where the second most likely mode is most likely, so at least two are drawn often.
        double[] Expected(double x)
        {
            var all = new double[mixture.ComponentCount];
            mixture.Responsibilities(x, all);
            double[] p = [.. kept.Select(k => all[k] + 1e-6)];
            double total = p.Sum();
            return [.. p.Select(v => v / total)];
        }

        double SecondLargest(double x) => Expected(x).OrderDescending().ElementAt(1);
        double point = (from a in kept from b in kept where a < b select (mixture.Means[a] + mixture.Means[b]) / 2).MaxBy(SecondLargest);
        double[] expected = Expected(point);
        Assert.That(expected.OrderDescending().ElementAt(1), Is.GreaterThan(0.15), "the test needs a point two modes share");

        const int Draws = 20_000;
        var counts = new int[kept.Count];
        var random = new Random(4);
        var encoded = new float[encoder.Width];
        for (int i = 0; i < Draws; i++)
        {
            encoder.Encode(point, random, encoded);
            counts[Array.IndexOf(encoded, 1f, 1) - 1]++;
        }

        // Four binomial standard deviations at 20,000 draws are at most 0.015.
        Assert.That(counts.Select(c => (double)c / Draws), Is.EqualTo(expected).Within(0.015));
    }

    [Test]
    public void TheSameSeedGivesTheSameFit()
    {
        double[] values = TwoGaussians(3000, seed: 6);

        VariationalGaussianMixture first = VariationalGaussianMixture.Fit(values, seed: 8);
        VariationalGaussianMixture again = VariationalGaussianMixture.Fit(values, seed: 8);
        VariationalGaussianMixture other = VariationalGaussianMixture.Fit(values, seed: 9);

        Assert.That(again.Weights, Is.EqualTo(first.Weights));
        Assert.That(again.Means, Is.EqualTo(first.Means));
        Assert.That(again.StandardDeviations, Is.EqualTo(first.StandardDeviations));
        Assert.That(other.Means, Is.Not.EqualTo(first.Means), "the seed picks the k-means start");
    }

    [Test]
    public void AMillionRowColumnIsFittedOnASubsampleThatKeepsItsShape()
    {
        // The fit reads at most VariationalGaussianMixture.MaxFitValues of the million values; its speed is a benchmark's business.
        double[] values = TwoGaussians(1_000_000, seed: 10);
        ContinuousColumnEncoder encoder = ContinuousColumnEncoder.Fit("amount", values, seed: 11);
        var random = new Random(12);
        var encoded = new float[encoder.Width];
        double worst = 0;
        foreach (double x in values)
        {
            encoder.Encode(x, random, encoded);
            worst = Math.Max(worst, Math.Abs(encoded[0]));
        }

        VariationalGaussianMixture mixture = encoder.Mixture!;
        Assert.That(Pooled(mixture, KeptNear(mixture, 10, 0)).Weight, Is.EqualTo(0.3).Within(0.02), "the subsample keeps the column's shape");
        Assert.That(worst, Is.LessThanOrEqualTo(0.99f));
    }

    [Test]
    public void AConstantColumnHasOneModeAndAlphaZero()
    {
        ContinuousColumnEncoder encoder = ContinuousColumnEncoder.Fit("flag", [3.5, 3.5, 3.5, 3.5], seed: 1);
        var encoded = new float[encoder.Width];

        Assert.That(encoder.Width, Is.EqualTo(2));
        encoder.Encode(3.5, new Random(1), encoded);
        Assert.That(encoded, Is.EqualTo(new[] { 0f, 1f }));
        Assert.That(encoder.Decode(encoded), Is.EqualTo(3.5));
        encoder.Encode(4, new Random(1), encoded);
        Assert.That(encoded, Is.EqualTo(new[] { 0f, 1f }), "no deviation to scale by: every value sits on the mode");
        Assert.That(encoder.Decode([0.7f, 0.2f]), Is.EqualTo(3.5));
    }

    [Test]
    public void AnEmptyColumnIsRejectedByName()
    {
        Assert.That(() => ContinuousColumnEncoder.Fit("income", [], seed: 1),
            Throws.ArgumentException.With.Message.Contains("'income'").And.Message.Contains("no values"));
        Assert.That(() => DiscreteColumnEncoder.Fit("city", []),
            Throws.ArgumentException.With.Message.Contains("'city'").And.Message.Contains("no values"));
    }

    [TestCase(double.NaN, "NaN")]
    [TestCase(double.PositiveInfinity, "Infinity")]
    public void ANonFiniteValueIsRejectedByColumnAndRow(double bad, string shown)
    {
        Assert.That(() => ContinuousColumnEncoder.Fit("income", [1, 2, bad, 4], seed: 1),
            Throws.ArgumentException.With.Message.Contains("'income'").And.Message.Contains(shown).And.Message.Contains("row 2"));
        Assert.That(() => TwoModeEncoder.Value.Encode(bad, new Random(1), new float[TwoModeEncoder.Value.Width]),
            Throws.ArgumentException.With.Message.Contains("'income'").And.Message.Contains(shown));
    }

    [Test]
    public void ASpanOfTheWrongWidthIsRejected()
    {
        ContinuousColumnEncoder encoder = TwoModeEncoder.Value;
        Assert.That(() => encoder.Encode(1, new Random(1), new float[encoder.Width + 1]), Throws.ArgumentException.With.Message.Contains("'income'"));
        Assert.That(() => encoder.Decode(new float[encoder.Width - 1]), Throws.ArgumentException.With.Message.Contains("'income'"));
    }

    [Test]
    public void DiscreteCategoriesRoundTripMostFrequentFirst()
    {
        string[] values = ["Paris", "Oslo", "Lima", "Oslo", "Lima", "Oslo"];
        DiscreteColumnEncoder encoder = DiscreteColumnEncoder.Fit("city", values);
        var encoded = new float[encoder.Width];

        Assert.That(encoder.Categories, Is.EqualTo(new[] { "Oslo", "Lima", "Paris" }));
        foreach (string value in values)
        {
            encoder.Encode(value, encoded);
            Assert.That(encoded.Sum(), Is.EqualTo(1));
            Assert.That(encoder.Decode(encoded), Is.EqualTo(value));
        }

        Assert.That(encoder.Decode([0.2f, 0.1f, 0.7f]), Is.EqualTo("Paris"), "scores decode to their largest");
    }

    [Test]
    public void AnUnknownOrMissingCategoryIsRejectedByName()
    {
        DiscreteColumnEncoder encoder = DiscreteColumnEncoder.Fit("city", ["Oslo", "Lima"]);

        Assert.That(() => encoder.Encode("Rome", new float[encoder.Width]),
            Throws.ArgumentException.With.Message.Contains("'city'").And.Message.Contains("'Rome'").And.Message.Contains("Oslo, Lima"));
        Assert.That(() => DiscreteColumnEncoder.Fit("city", ["Oslo", null, "Lima"]),
            Throws.ArgumentException.With.Message.Contains("'city'").And.Message.Contains("row 1"));
    }
}
