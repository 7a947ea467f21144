using Microsoft.ML.Gan.Training;

namespace Microsoft.ML.Gan.Tests;

[Category(TestCategories.Fast)]
public sealed class GanOptionsTests
{
    private static TrainingPlan Plan(GanOptions options) => TrainingPlan.Resolve(options, new ImageShape(1, 28, 28), 0, "cpu");

    [Test]
    public void DefaultsAreTheArticlesNetwork()
    {
        var options = new GanOptions();
        TrainingPlan plan = Plan(options);
        Assert.Multiple(() =>
        {
            Assert.That(options.Network, Is.EqualTo(new MlpNetworkOptions { HiddenSize = 32, Dropout = 0.3f, LeakyReluSlope = 0.2f }));
            Assert.That(options.AdversarialLoss, Is.EqualTo(new NonSaturatingLossOptions { RealLabel = 0.9f }));
            Assert.That(options.Budget, Is.EqualTo(TrainingBudget.OfEpochs(100)));
            Assert.That(options.LatentDimension, Is.EqualTo(100));
            Assert.That(plan.Generator, Is.EqualTo(new OptimizerPlan(0.002f, 0.9f, 0.999f)));
            Assert.That(plan.Discriminator, Is.EqualTo(new OptimizerPlan(0.002f, 0.9f, 0.999f)));
            Assert.That(options.BatchSize, Is.EqualTo(64));
            Assert.That(options.Conditional, Is.False);
            Assert.That(options.GeneratorEmaDecay, Is.Null);
            Assert.That(options.DiscriminatorStepsPerGeneratorStep, Is.EqualTo(1));
            Assert.That(options.LatentDistribution, Is.EqualTo(LatentDistribution.Uniform));
            Assert.That(options.SampleCount, Is.EqualTo(16));
            Assert.That(options.Device, Is.Null, "the MLContext chooses");
            Assert.That((options.PixelsColumnName, options.LabelColumnName, options.LatentColumnName), Is.EqualTo(("Pixels", "Label", "Latent")));
        });
    }

    [Test]
    public void SyntheticDataRecipeIsAConditionalDcganWithEmaAndModeSeeking()
    {
        GanOptions recipe = GanOptions.SyntheticDataRecipe();
        Assert.Multiple(() =>
        {
            Assert.That(recipe.Network, Is.EqualTo(new DcganNetworkOptions { Width = 32 }));
            Assert.That(recipe.Conditional, Is.True);
            Assert.That(recipe.GeneratorEmaDecay, Is.EqualTo(0.999f));
            Assert.That(recipe.ModeSeekingWeight, Is.EqualTo(1f));
            Assert.That(recipe.Budget, Is.EqualTo(TrainingBudget.OfEpochs(GanOptions.SyntheticDataEpochs)));
            Assert.That(recipe.DiffAugment, Is.EqualTo(DiffAugmentPolicy.None));
        });
        Assert.That(() => new MLContext().Gan().Generator(recipe), Throws.Nothing);
    }

    [Test]
    public void ABudgetIsEpochsOrStepsNeverBoth()
    {
        GanOptions fewLabels = GanOptions.SyntheticDataRecipe();
        fewLabels.Budget = TrainingBudget.OfSteps(2_000);
        fewLabels.DiffAugment = DiffAugmentPolicy.Translation | DiffAugmentPolicy.Cutout;

        Assert.That(() => new MLContext().Gan().Generator(fewLabels), Throws.Nothing);
        Assert.That((fewLabels.Budget.Epochs, fewLabels.Budget.Steps), Is.EqualTo(((int?)null, (int?)2_000)), "the step budget replaced the recipe's epochs");
        Assert.That(TrainingBudget.OfEpochs(15).ToString(), Is.EqualTo("15 epochs"));
        Assert.That(TrainingBudget.OfSteps(1_500).ToString(), Is.EqualTo("1,500 generator steps"));
        Assert.That(() => TrainingBudget.OfEpochs(0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("TrainingBudget.Epochs"));
        Assert.That(() => TrainingBudget.OfSteps(-1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("TrainingBudget.Steps"));
    }

    private static IEnumerable<TestCaseData> InvalidOptions()
    {
        yield return new TestCaseData(new GanOptions { BatchSize = 0 }, "GanOptions.BatchSize");
        yield return new TestCaseData(new GanOptions { LatentDimension = 0 }, "GanOptions.LatentDimension");
        yield return new TestCaseData(new GanOptions { Network = new MlpNetworkOptions { HiddenSize = -1 } }, "MlpNetworkOptions.HiddenSize");
        yield return new TestCaseData(new GanOptions { Network = new MlpNetworkOptions { Dropout = 1f } }, "MlpNetworkOptions.Dropout");
        yield return new TestCaseData(new GanOptions { Network = new MlpNetworkOptions { LeakyReluSlope = float.NaN } }, "MlpNetworkOptions.LeakyReluSlope");
        yield return new TestCaseData(new GanOptions { Network = new DcganNetworkOptions { Width = 0 } }, "DcganNetworkOptions.Width");
        yield return new TestCaseData(new GanOptions { Network = null! }, "GanOptions.Network");
        yield return new TestCaseData(new GanOptions { AdversarialLoss = new NonSaturatingLossOptions { RealLabel = 1.5f } }, "NonSaturatingLossOptions.RealLabel");
        yield return new TestCaseData(new GanOptions { AdversarialLoss = new WassersteinGradientPenaltyLossOptions { GradientPenaltyWeight = 0 } }, "WassersteinGradientPenaltyLossOptions.GradientPenaltyWeight");
        yield return new TestCaseData(new GanOptions { GeneratorLearningRate = float.NaN }, "GanOptions.GeneratorLearningRate");
        yield return new TestCaseData(new GanOptions { DiscriminatorBetas = (0.5f, 1f) }, "GanOptions.DiscriminatorBetas");
        yield return new TestCaseData(new GanOptions { Threads = -1 }, "GanOptions.Threads");
        yield return new TestCaseData(new GanOptions { PixelsColumnName = " " }, "GanOptions.PixelsColumnName");
        yield return new TestCaseData(new GanOptions { GeneratedImageColumnName = "Latent" }, "GeneratedImageColumnName");
        yield return new TestCaseData(new GanOptions { MaxPixelValue = 0 }, "GanOptions.MaxPixelValue");
        yield return new TestCaseData(new GanOptions { Device = "" }, "GanOptions.Device");
        yield return new TestCaseData(new GanOptions { AuxiliaryClassifier = true }, "AuxiliaryClassifier");
        yield return new TestCaseData(new GanOptions { Resume = true }, "CheckpointDirectory");
        yield return new TestCaseData(new GanOptions { GeneratorEmaDecay = 1f }, "GanOptions.GeneratorEmaDecay");
        yield return new TestCaseData(new GanOptions { DiscriminatorStepsPerGeneratorStep = 0 }, "GanOptions.DiscriminatorStepsPerGeneratorStep");
        yield return new TestCaseData(new GanOptions { MaxGradientNorm = -1 }, "GanOptions.MaxGradientNorm");
        yield return new TestCaseData(new GanOptions { ClassCount = 1 }, "GanOptions.ClassCount");
        yield return new TestCaseData(new GanOptions { ModeSeekingWeight = -1 }, "GanOptions.ModeSeekingWeight");
        yield return new TestCaseData(new GanOptions { GeneratorEmaWarmup = true }, "GeneratorEmaWarmup ramps up the EMA's decay, but GanOptions.GeneratorEmaDecay is not set");
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void InvalidOptionIsNamedWhenTheEstimatorIsCreated(GanOptions options, string option)
    {
        var error = Assert.Throws(Is.InstanceOf<ArgumentException>(), () => new MLContext().Gan().Generator(options));
        Assert.That(error!.Message, Does.Contain(option));
    }

    [Test]
    public void TheArchitectureChoosesTheAdamDefaultsInThePlan()
    {
        TrainingPlan dcgan = Plan(new GanOptions { Network = new DcganNetworkOptions() });
        TrainingPlan overridden = Plan(new GanOptions { Network = new DcganNetworkOptions(), GeneratorLearningRate = 0.01f, DiscriminatorBetas = (0.1f, 0.2f) });

        Assert.That(dcgan.Generator, Is.EqualTo(new OptimizerPlan(0.0002f, 0.5f, 0.999f)));
        Assert.That(dcgan.Discriminator, Is.EqualTo(new OptimizerPlan(0.0002f, 0.5f, 0.999f)));
        Assert.That(overridden.Generator, Is.EqualTo(new OptimizerPlan(0.01f, 0.5f, 0.999f)));
        Assert.That(overridden.Discriminator, Is.EqualTo(new OptimizerPlan(0.0002f, 0.1f, 0.2f)));
    }

    [Test]
    public void TheEstimatorKeepsTheSettingsItWasCreatedWith()
    {
        var network = new MlpNetworkOptions { HiddenSize = 8 };
        var options = new GanOptions { Network = network, LatentDimension = 4, Budget = TrainingBudget.OfEpochs(1), SampleCount = 0 };
        var ml = new MLContext(1);
        GanEstimator estimator = ml.Gan().Generator(options);

        network.HiddenSize = 0;                 // invalid now; the estimator holds its own copy
        options.LatentDimension = 7;
        using GanTransformer gan = estimator.Fit(SyntheticImages.Load(ml, 16));

        Assert.That(gan.LatentDimension, Is.EqualTo(4));
    }

#pragma warning disable CS0618 // The flat names of one release ago, kept as shims over the grouped options.
    [Test]
    public void TheFlatNamesOfTheLastReleaseStillWork()
    {
        var dcgan = new GanOptions { Architecture = GanArchitecture.Dcgan, DcganWidth = 16, LeakyReluSlope = 0.1f, SpectralNormalization = true };
        var mlp = new GanOptions { HiddenSize = 16, Dropout = 0.1f, LeakyReluSlope = 0.3f, Epochs = 7 };
        var wgan = new GanOptions { Loss = GanLoss.WassersteinGradientPenalty, GradientPenaltyWeight = 5, MaxSteps = 40 };
        var smoothed = new GanOptions { RealLabel = 0.8f };

        Assert.Multiple(() =>
        {
            Assert.That(dcgan.Network, Is.EqualTo(new DcganNetworkOptions { Width = 16, LeakyReluSlope = 0.1f, SpectralNormalization = true }));
            Assert.That(mlp.Network, Is.EqualTo(new MlpNetworkOptions { HiddenSize = 16, Dropout = 0.1f, LeakyReluSlope = 0.3f }));
            Assert.That((mlp.Budget, mlp.Epochs), Is.EqualTo((TrainingBudget.OfEpochs(7), 7)));
            Assert.That(wgan.AdversarialLoss, Is.EqualTo(new WassersteinGradientPenaltyLossOptions { GradientPenaltyWeight = 5 }));
            Assert.That((wgan.Budget, wgan.MaxSteps), Is.EqualTo((TrainingBudget.OfSteps(40), (int?)40)));
            Assert.That(smoothed.AdversarialLoss, Is.EqualTo(new NonSaturatingLossOptions { RealLabel = 0.8f }));
            Assert.That((dcgan.Architecture, wgan.Loss), Is.EqualTo((GanArchitecture.Dcgan, GanLoss.WassersteinGradientPenalty)));
        });
    }

    [Test]
    public void AFlatNameTheNetworkOrLossDoesNotHaveIsAnErrorNotANoOp()
    {
        // The last release rejected these when the estimator was created; the shims reject them when set.
        Assert.That(() => new GanOptions { Architecture = GanArchitecture.Dcgan, HiddenSize = 64 },
            Throws.ArgumentException.With.Message.Contains("belongs to MlpNetworkOptions").And.Message.Contains("DcganNetworkOptions"));
        Assert.That(() => new GanOptions { DcganWidth = 32 }, Throws.ArgumentException.With.Message.Contains("belongs to DcganNetworkOptions"));
        Assert.That(() => new GanOptions { Loss = GanLoss.Hinge, GradientPenaltyWeight = 5 }, Throws.ArgumentException.With.Message.Contains("WassersteinGradientPenaltyLossOptions"));
        Assert.That(() => new GanOptions { Loss = GanLoss.Hinge, RealLabel = 0.9f }, Throws.ArgumentException.With.Message.Contains("NonSaturatingLossOptions"));
        Assert.That(() => new GanOptions { HiddenSize = 64, Architecture = GanArchitecture.Dcgan },
            Throws.ArgumentException.With.Message.Contains("changing its kind would drop them"), "settings given to the Mlp are not dropped silently");
    }
#pragma warning restore CS0618
}
