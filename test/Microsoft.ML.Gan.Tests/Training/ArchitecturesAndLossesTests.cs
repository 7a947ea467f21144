namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>Every architecture × loss (× conditioning) trains a few hundred steps and changes its outputs.</summary>
public sealed class ArchitecturesAndLossesTests
{
    private static IEnumerable<TestCaseData> Combinations()
    {
        foreach (GanArchitecture architecture in Enum.GetValues<GanArchitecture>())
        {
            foreach (GanLoss loss in Enum.GetValues<GanLoss>())
            {
                yield return new TestCaseData(architecture, loss, false, false).SetArgDisplayNames($"{architecture}", $"{loss}", "unconditional");
                yield return new TestCaseData(architecture, loss, true, false).SetArgDisplayNames($"{architecture}", $"{loss}", "conditional");
            }

            yield return new TestCaseData(architecture, GanLoss.NonSaturating, true, true).SetArgDisplayNames($"{architecture}", "NonSaturating", "AC-GAN");
        }
    }

    [TestCaseSource(nameof(Combinations))]
    public void TrainsAFewHundredStepsAndChangesItsOutputs(GanArchitecture architecture, GanLoss loss, bool conditional, bool auxiliary)
    {
        var ml = new MLContext(1);
        GanOptions options = SyntheticImages.FastOptions();
        options.Architecture = architecture;
        options.Loss = loss;
        options.Conditional = conditional;
        options.AuxiliaryClassifier = auxiliary;
        options.Epochs = 50;                                        // 4 steps per epoch: 200 steps
        options.DiscriminatorStepsPerGeneratorStep = loss == GanLoss.WassersteinGradientPenalty ? 2 : 1;
        options.GeneratorEmaDecay = architecture == GanArchitecture.Dcgan ? 0.9f : null;
        IDataView data = conditional ? SyntheticImages.LoadLabelled(ml) : SyntheticImages.Load(ml);

        using GanTransformer gan = ml.Gan().Train(options).Fit(data);

        float[] first = gan.History.Epochs[0].Samples.SelectMany(s => s).ToArray();
        float[] last = gan.History.Epochs[^1].Samples.SelectMany(s => s).ToArray();
        double change = first.Zip(last).Max(p => Math.Abs(p.First - p.Second));
        Assert.That(change, Is.GreaterThan(0.05), "the fixed samples moved");
        Assert.That(gan.History.Epochs.All(e => double.IsFinite(e.DiscriminatorLoss) && double.IsFinite(e.GeneratorLoss)));
        float[][] generated = gan.Transform(ml.Gan().SampleLatent(gan, 8, seed: 1)).GetColumn<float[]>("GeneratedPixels").ToArray();
        float[] values = generated.SelectMany(p => p).ToArray();
        Assert.That(values.All(v => v is >= 0 and <= 1), $"min {values.Min()}, max {values.Max()}, NaN {values.Count(float.IsNaN)}");
        Assert.That(gan.IsConditional, Is.EqualTo(conditional));
    }
}
