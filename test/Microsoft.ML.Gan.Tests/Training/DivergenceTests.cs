namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>The divergence guard: a non-finite loss stops training, or rolls back and retries.</summary>
[Category(TestCategories.Fast)]
public sealed class DivergenceTests
{
    // A learning rate this size drives the weights to infinity within an epoch: an injected NaN.
    private static GanOptions Diverging(DivergenceAction action)
    {
        GanOptions options = SyntheticImages.FastOptions();
        options.GeneratorLearningRate = 1e30f;
        options.DiscriminatorLearningRate = 1e30f;
        options.Budget = TrainingBudget.OfEpochs(3);
        options.OnDivergence = action;
        return options;
    }

    [Test]
    public void NonFiniteLossStopsTrainingWithTheEpoch()
    {
        var ml = new MLContext(1);
        var error = Assert.Throws<InvalidOperationException>(() => ml.Gan().Generator(Diverging(DivergenceAction.Throw)).Fit(SyntheticImages.Load(ml)));
        Assert.That(error!.Message, Does.Contain("diverged in epoch 1").And.Contain("MaxGradientNorm"));
    }

    [Test]
    public void RollBackRetriesWithSmallerLearningRatesThenGivesUp()
    {
        var ml = new MLContext(1);
        var logger = new ListLogger();
        GanOptions options = Diverging(DivergenceAction.RollBack);
        options.Logger = logger;

        var error = Assert.Throws<InvalidOperationException>(() => ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml)));

        Assert.That(error!.Message, Does.Contain("after 3 roll-backs"));
        Assert.That(logger.Messages.Count(m => m.Contains("rolled back")), Is.EqualTo(3));
        Assert.That(logger.Messages, Has.Some.Contains("learning rates x0.125"));
    }

    [Test]
    public void StableRunNeverRollsBack()
    {
        var ml = new MLContext(1);
        var logger = new ListLogger();
        GanOptions options = SyntheticImages.FastOptions();
        options.OnDivergence = DivergenceAction.RollBack;
        options.Budget = TrainingBudget.OfEpochs(2);
        options.Logger = logger;

        using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml));

        Assert.That(logger.Messages.Where(m => m.Contains("rolled back")), Is.Empty, "a stable run never rolls back");
        Assert.That(gan.History.Epochs, Has.Count.EqualTo(2));
    }
}
