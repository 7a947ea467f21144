namespace Microsoft.ML.Gan.Tests.Training;

/// <summary><see cref="GanOptions.MaxSteps"/>: a fixed number of generator steps, whatever the data size.</summary>
[Category(TestCategories.Fast)]
public sealed class StepBudgetTests
{
    private sealed class Recorder : IProgress<GanTrainingProgress>
    {
        public List<GanTrainingProgress> Reports { get; } = [];

        public void Report(GanTrainingProgress value) => Reports.Add(value);
    }

    [Test]
    public void TenStepsOfFourPerEpochMakeThreeEpochsTheLastCutToTwoSteps()
    {
        var ml = new MLContext(1);
        var recorder = new Recorder();
        // 128 rows in batches of 32: 4 steps per epoch.
        var options = new GanOptions { LatentDimension = 8, Network = new MlpNetworkOptions { HiddenSize = 8 }, BatchSize = 32, Seed = 1, SampleCount = 4, Budget = TrainingBudget.OfSteps(10), Progress = recorder };

        using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml, 128));

        Assert.That(gan.History.Epochs.Select(e => e.Epoch), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(recorder.Reports.Where(r => r.EpochCompleted).Select(r => r.Step), Is.EqualTo(new[] { 4, 4, 2 }), "steps made in each epoch");
    }

    [Test]
    public void ABudgetOfWholeEpochsTrainsExactlyLikeThoseEpochs()
    {
        var ml = new MLContext(1);
        float[] Train(Action<GanOptions> length)
        {
            var options = new GanOptions { LatentDimension = 8, Network = new MlpNetworkOptions { HiddenSize = 8 }, BatchSize = 32, Seed = 1, SampleCount = 4 };
            length(options);
            using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml, 128));
            return gan.Generate(8, seed: 2).GetColumn<float[]>("GeneratedPixels").SelectMany(p => p).ToArray();
        }

        Assert.That(Train(o => o.Budget = TrainingBudget.OfSteps(12)), Is.EqualTo(Train(o => o.Budget = TrainingBudget.OfEpochs(3))));
        Assert.That(Train(o => o.Budget = TrainingBudget.OfSteps(11)), Is.Not.EqualTo(Train(o => o.Budget = TrainingBudget.OfEpochs(3))));
    }

    [Test]
    public void CountsGeneratorStepsWhenTheCriticTakesSeveral()
    {
        var ml = new MLContext(1);
        var recorder = new Recorder();
        var options = new GanOptions
        {
            LatentDimension = 8, Network = new MlpNetworkOptions { HiddenSize = 8 }, BatchSize = 16, Seed = 1, SampleCount = 4, AdversarialLoss = new HingeLossOptions(),
            DiscriminatorStepsPerGeneratorStep = 3, Budget = TrainingBudget.OfSteps(5), Progress = recorder,   // 8 batches per epoch: 2 generator steps each
        };

        using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml, 128));

        Assert.That(recorder.Reports.Where(r => r.EpochCompleted).Select(r => r.Step), Is.EqualTo(new[] { 8, 8, 3 }),
            "2 + 2 + 1 generator steps; the last epoch stops after the 3rd batch");
    }

    [Test]
    public void ABudgetThatAnEpochCannotReachIsRefusedNamingTheOptions()
    {
        var ml = new MLContext(1);
        var options = new GanOptions { LatentDimension = 8, Network = new MlpNetworkOptions { HiddenSize = 8 }, BatchSize = 64, Budget = TrainingBudget.OfSteps(10), DiscriminatorStepsPerGeneratorStep = 5, Seed = 1 };
        var error = Assert.Throws<ArgumentException>(() => ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml, 128)));
        Assert.That(error!.Message, Does.Contain("Budget (10 generator steps)").And.Contain("DiscriminatorStepsPerGeneratorStep"));
    }
}
