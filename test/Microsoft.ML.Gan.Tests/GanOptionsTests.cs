namespace Microsoft.ML.Gan.Tests;

[Category(TestCategories.Fast)]
public sealed class GanOptionsTests
{
    [Test]
    public void DefaultsAreTheArticlesNetwork()
    {
        var options = new GanOptions();
        Assert.Multiple(() =>
        {
            Assert.That(options.HiddenSize, Is.EqualTo(32));
            Assert.That(options.LatentDimension, Is.EqualTo(100));
            Assert.That(options.Dropout, Is.EqualTo(0.3f));
            Assert.That(options.LeakyReluSlope, Is.EqualTo(0.2f));
            Assert.That(options.EffectiveGeneratorLearningRate, Is.EqualTo(0.002f));
            Assert.That(options.EffectiveDiscriminatorLearningRate, Is.EqualTo(0.002f));
            Assert.That(options.EffectiveGeneratorBetas, Is.EqualTo((0.9f, 0.999f)));
            Assert.That(options.EffectiveDiscriminatorBetas, Is.EqualTo((0.9f, 0.999f)));
            Assert.That(options.BatchSize, Is.EqualTo(64));
            Assert.That(options.Epochs, Is.EqualTo(100));
            Assert.That(options.EffectiveRealLabel, Is.EqualTo(0.9f));
            Assert.That(options.Architecture, Is.EqualTo(GanArchitecture.Mlp));
            Assert.That(options.Loss, Is.EqualTo(GanLoss.NonSaturating));
            Assert.That(options.Conditional, Is.False);
            Assert.That(options.GeneratorEmaDecay, Is.Null);
            Assert.That(options.DiscriminatorStepsPerGeneratorStep, Is.EqualTo(1));
            Assert.That(options.LatentDistribution, Is.EqualTo(LatentDistribution.Uniform));
            Assert.That(options.SampleCount, Is.EqualTo(16));
            Assert.That((options.PixelsColumnName, options.LabelColumnName, options.LatentColumnName), Is.EqualTo(("Pixels", "Label", "Latent")));
        });
    }

    [Test]
    public void SyntheticDataRecipeIsAConditionalDcganWithEmaAndModeSeeking()
    {
        GanOptions recipe = GanOptions.SyntheticDataRecipe();
        Assert.Multiple(() =>
        {
            Assert.That(recipe.Architecture, Is.EqualTo(GanArchitecture.Dcgan));
            Assert.That(recipe.Conditional, Is.True);
            Assert.That(recipe.DcganWidth, Is.EqualTo(32));
            Assert.That(recipe.GeneratorEmaDecay, Is.EqualTo(0.999f));
            Assert.That(recipe.ModeSeekingWeight, Is.EqualTo(1f));
            Assert.That(recipe.Epochs, Is.EqualTo(GanOptions.SyntheticDataEpochs));
            Assert.That(recipe.DiffAugment, Is.EqualTo(DiffAugmentPolicy.None));
        });
        Assert.That(() => new MLContext().Gan().Train(recipe), Throws.Nothing);
    }

    [Test]
    public void SyntheticDataRecipeTakesAStepBudgetInsteadOfItsEpochs()
    {
        GanOptions fewLabels = GanOptions.SyntheticDataRecipe();
        fewLabels.MaxSteps = 2_000;
        fewLabels.DiffAugment = DiffAugmentPolicy.Translation | DiffAugmentPolicy.Cutout;
        Assert.That(() => new MLContext().Gan().Train(fewLabels), Throws.Nothing);

        GanOptions both = GanOptions.SyntheticDataRecipe();
        both.Epochs = 3;
        both.MaxSteps = 2_000;
        Assert.That(() => new MLContext().Gan().Train(both), Throws.InstanceOf<ArgumentException>().With.Message.Contains("MaxSteps"));
    }

    private static IEnumerable<TestCaseData> InvalidOptions()
    {
        yield return new TestCaseData(new GanOptions { BatchSize = 0 }, "BatchSize");
        yield return new TestCaseData(new GanOptions { Epochs = 0 }, "Epochs");
        yield return new TestCaseData(new GanOptions { LatentDimension = 0 }, "LatentDimension");
        yield return new TestCaseData(new GanOptions { HiddenSize = -1 }, "HiddenSize");
        yield return new TestCaseData(new GanOptions { Dropout = 1f }, "Dropout");
        yield return new TestCaseData(new GanOptions { RealLabel = 1.5f }, "RealLabel");
        yield return new TestCaseData(new GanOptions { GeneratorLearningRate = float.NaN }, "GeneratorLearningRate");
        yield return new TestCaseData(new GanOptions { DiscriminatorBetas = (0.5f, 1f) }, "DiscriminatorBetas");
        yield return new TestCaseData(new GanOptions { Threads = -1 }, "Threads");
        yield return new TestCaseData(new GanOptions { PixelsColumnName = " " }, "PixelsColumnName");
        yield return new TestCaseData(new GanOptions { GeneratedImageColumnName = "Latent" }, "GeneratedImageColumnName");
        yield return new TestCaseData(new GanOptions { MaxPixelValue = 0 }, "MaxPixelValue");
        yield return new TestCaseData(new GanOptions { Device = "" }, "Device");
        yield return new TestCaseData(new GanOptions { Loss = GanLoss.WassersteinGradientPenalty, RealLabel = 0.9f }, "RealLabel");
        yield return new TestCaseData(new GanOptions { Loss = GanLoss.Hinge, RealLabel = 1f }, "RealLabel");
        yield return new TestCaseData(new GanOptions { AuxiliaryClassifier = true }, "AuxiliaryClassifier");
        yield return new TestCaseData(new GanOptions { Resume = true }, "CheckpointDirectory");
        yield return new TestCaseData(new GanOptions { GeneratorEmaDecay = 1f }, "GeneratorEmaDecay");
        yield return new TestCaseData(new GanOptions { DiscriminatorStepsPerGeneratorStep = 0 }, "DiscriminatorStepsPerGeneratorStep");
        yield return new TestCaseData(new GanOptions { MaxGradientNorm = -1 }, "MaxGradientNorm");
        yield return new TestCaseData(new GanOptions { ClassCount = 1 }, "ClassCount");
        yield return new TestCaseData(new GanOptions { GeneratorEmaWarmup = true }, "GeneratorEmaWarmup ramps up the EMA's decay, but GanOptions.GeneratorEmaDecay is not set");
        // A setting the chosen architecture or loss would ignore.
        yield return new TestCaseData(new GanOptions { Architecture = GanArchitecture.Dcgan, HiddenSize = 64 }, "HiddenSize (64) applies to the Mlp architecture only");
        yield return new TestCaseData(new GanOptions { Architecture = GanArchitecture.Dcgan, Dropout = 0.5f }, "Dropout (0.5) applies to the Mlp architecture only");
        yield return new TestCaseData(new GanOptions { DcganWidth = 32 }, "DcganWidth (32) applies to the Dcgan architecture only");
        yield return new TestCaseData(new GanOptions { Loss = GanLoss.Hinge, GradientPenaltyWeight = 5 }, "GradientPenaltyWeight");
    }

    [Test]
    public void SettingsOfTheChosenArchitectureAndLossAreAccepted()
    {
        var dcgan = new GanOptions { Architecture = GanArchitecture.Dcgan, DcganWidth = 16, LeakyReluSlope = 0.1f };
        var mlp = new GanOptions { HiddenSize = 16, Dropout = 0.1f, LeakyReluSlope = 0.1f };
        var wgan = new GanOptions { Loss = GanLoss.WassersteinGradientPenalty, RealLabel = null, GradientPenaltyWeight = 5 };

        Assert.That(() => new MLContext().Gan().Train(dcgan), Throws.Nothing);
        Assert.That(() => new MLContext().Gan().Train(mlp), Throws.Nothing);
        Assert.That(() => new MLContext().Gan().Train(wgan), Throws.Nothing);
        Assert.That(dcgan.HiddenSize, Is.EqualTo(32), "an unset size still reads as its documented default");
    }

    [Test]
    public void DcganDefaultsAreRadfordsAdam()
    {
        var options = new GanOptions { Architecture = GanArchitecture.Dcgan };
        Assert.That(options.EffectiveGeneratorLearningRate, Is.EqualTo(0.0002f));
        Assert.That(options.EffectiveGeneratorBetas, Is.EqualTo((0.5f, 0.999f)));
        Assert.That(options.EffectiveDiscriminatorBetas, Is.EqualTo((0.5f, 0.999f)));
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void InvalidOptionIsNamedWhenTheEstimatorIsCreated(GanOptions options, string option)
    {
        var error = Assert.Throws(Is.InstanceOf<ArgumentException>(), () => new MLContext().Gan().Train(options));
        Assert.That(error!.Message, Does.Contain(option));
    }
}
