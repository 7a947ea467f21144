using Microsoft.ML.Gan.Training;

namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>The EMA's warm-up: min(decay, (1 + t) / (10 + t)) at update t, so early averages follow the generator.</summary>
[Category(TestCategories.Fast)]
public sealed class EmaWarmupTests
{
    private static EmaPlan Plan(bool warmup)
        => TrainingPlan.Resolve(new GanOptions { GeneratorEmaDecay = 0.999f, GeneratorEmaWarmup = warmup }, new ImageShape(1, 28, 28), 0, "cpu").Ema!;

    [Test]
    public void TheDecayRampsUpToTheChosenOneAndIsTheChosenOneWithout()
    {
        EmaPlan warm = Plan(warmup: true), plain = Plan(warmup: false);

        Assert.That(warm.DecayAt(1), Is.EqualTo(2f / 11f));
        Assert.That(warm.DecayAt(90), Is.EqualTo(0.91f).Within(1e-6f));
        Assert.That(warm.DecayAt(100_000), Is.EqualTo(0.999f), "capped at the chosen decay");
        Assert.That(Enumerable.Range(1, 20_000).Select(t => warm.DecayAt(t)), Is.Ordered, "never decreases");
        Assert.That(plain.DecayAt(1), Is.EqualTo(0.999f));
    }

    /// <summary>
    /// The MLP has no batch norm and the average never feeds back into training, so the live generator is the same in all
    /// three runs; the published average with warm-up is much closer to it after a few dozen updates than without.
    /// </summary>
    [Test]
    public void AfterAFewUpdatesTheWarmedUpAverageIsCloserToTheGenerator()
    {
        float[] Generated(float? decay, bool warmup)
        {
            var ml = new MLContext(1);
            GanOptions options = SyntheticImages.FastOptions();
            options.Budget = TrainingBudget.OfEpochs(10);                                  // 2 steps an epoch on 64 rows: 20 updates
            options.GeneratorEmaDecay = decay;
            options.GeneratorEmaWarmup = warmup;
            using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml, 64));
            return [.. gan.Generate(32, seed: 5).GetColumn<float[]>("GeneratedPixels").SelectMany(p => p)];
        }

        float[] live = Generated(null, false);
        double Distance(float[] other) => live.Zip(other).Average(p => Math.Abs(p.First - p.Second));

        double plain = Distance(Generated(0.999f, false)), warm = Distance(Generated(0.999f, true));

        Assert.That(warm, Is.LessThan(plain / 3), $"mean |EMA - generator| per pixel: {warm:F4} with warm-up, {plain:F4} without");
    }
}
