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

    private sealed class ColourRow
    {
        [VectorType(3, SyntheticImages.Side, SyntheticImages.Side)]
        public float[] Pixels { get; set; } = [];
    }

    [Category(TestCategories.Fast)]
    [TestCase(GanArchitecture.Mlp)]
    [TestCase(GanArchitecture.Dcgan)]
    public void ColourImagesTrainAndComeOutInColour(GanArchitecture architecture)
    {
        var ml = new MLContext(1);
        // Red squares on a green background: the channels differ everywhere.
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 64).Select(i =>
        {
            float[] square = SyntheticImages.Square(i);
            return new ColourRow { Pixels = [.. square, .. square.Select(v => 1 - v), .. new float[square.Length]] };
        }));
        GanOptions options = SyntheticImages.FastOptions(architecture: architecture);
        options.Budget = TrainingBudget.OfEpochs(40);
        options.GeneratorLearningRate = 0.005f;   // few steps: learn fast
        options.DiscriminatorLearningRate = 0.005f;

        using GanTransformer gan = ml.Gan().Generator(options).Fit(data);
        IDataView output = gan.Transform(ml.Gan().Data.SampleLatent(gan, 4, seed: 1));

        Assert.That(gan.ImageShape, Is.EqualTo(new ImageShape(3, SyntheticImages.Side, SyntheticImages.Side)));
        Assert.That(output.Schema["GeneratedPixels"].Type.ToString(), Is.EqualTo("Vector<Single, 3, 8, 8>"));
        float[] pixels = output.GetColumn<float[]>("GeneratedPixels").First();
        using MLImage image = output.GetColumn<MLImage>("GeneratedImage").First();
        byte[] bgra = image.Pixels.ToArray();
        int plane = SyntheticImages.Side * SyntheticImages.Side;
        for (int i = 0; i < plane; i++)
        {
            Assert.That(bgra[(4 * i) + 2], Is.EqualTo((byte)MathF.Round(pixels[i] * 255)), $"red of pixel {i}");
            Assert.That(bgra[(4 * i) + 1], Is.EqualTo((byte)MathF.Round(pixels[plane + i] * 255)), $"green of pixel {i}");
            Assert.That(bgra[(4 * i) + 0], Is.EqualTo((byte)MathF.Round(pixels[(2 * plane) + i] * 255)), $"blue of pixel {i}");
        }

        Assert.That(pixels.Skip(plane).Take(plane).Average(), Is.GreaterThan(pixels.Take(plane).Average()), "mostly green, as trained");
    }

    [Category(TestCategories.Slow)]
    [TestCaseSource(nameof(Combinations))]
    public void TrainsAFewHundredStepsAndChangesItsOutputs(GanArchitecture architecture, GanLoss loss, bool conditional, bool auxiliary)
    {
        var ml = new MLContext(1);
        GanOptions options = SyntheticImages.FastOptions(architecture: architecture);
        options.AdversarialLoss = GanLossOptions.For(loss);
        options.Conditional = conditional;
        options.AuxiliaryClassifier = auxiliary;
        options.Budget = TrainingBudget.OfEpochs(50);                                        // 4 steps per epoch: 200 steps
        options.DiscriminatorStepsPerGeneratorStep = loss == GanLoss.WassersteinGradientPenalty ? 2 : 1;
        options.GeneratorEmaDecay = architecture == GanArchitecture.Dcgan ? 0.9f : null;
        IDataView data = conditional ? SyntheticImages.LoadLabelled(ml) : SyntheticImages.Load(ml);

        using GanTransformer gan = ml.Gan().Generator(options).Fit(data);

        float[] first = gan.History.Epochs[0].Samples.SelectMany(s => s).ToArray();
        float[] last = gan.History.Epochs[^1].Samples.SelectMany(s => s).ToArray();
        double change = first.Zip(last).Max(p => Math.Abs(p.First - p.Second));
        Assert.That(change, Is.GreaterThan(0.05), "the fixed samples moved");
        Assert.That(gan.History.Epochs.All(e => double.IsFinite(e.DiscriminatorLoss) && double.IsFinite(e.GeneratorLoss)));
        float[][] generated = gan.Transform(ml.Gan().Data.SampleLatent(gan, 8, seed: 1)).GetColumn<float[]>("GeneratedPixels").ToArray();
        float[] values = generated.SelectMany(p => p).ToArray();
        Assert.That(values.All(v => v is >= 0 and <= 1), $"min {values.Min()}, max {values.Max()}, NaN {values.Count(float.IsNaN)}");
        Assert.That(gan.IsConditional, Is.EqualTo(conditional));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void TheLeakyReluSlopeShapesTheDcganDiscriminator()
    {
        float[] Train(float? slope)
        {
            var ml = new MLContext(1);
            GanOptions options = SyntheticImages.FastOptions(architecture: GanArchitecture.Dcgan);
            if (slope is float given)
            {
                ((DcganNetworkOptions)options.Network).LeakyReluSlope = given;
            }

            using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml, 64));
            return [.. gan.History.Epochs[^1].Samples.SelectMany(s => s)];
        }

        Assert.That(Train(0.2f), Is.EqualTo(Train(null)), "0.2 is the default, as published");
        Assert.That(Train(0.05f), Is.Not.EqualTo(Train(null)), "another slope trains another discriminator, so another generator");
    }
}
