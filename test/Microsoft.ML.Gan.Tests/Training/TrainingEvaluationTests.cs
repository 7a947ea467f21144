namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>FID/KID measured during training: reported, and without effect on what is trained.</summary>
public sealed class TrainingEvaluationTests
{
    private static GanOptions Options(int evaluateEvery) => new()
    {
        Budget = TrainingBudget.OfEpochs(3),
        Seed = 4,
        Network = new MlpNetworkOptions { HiddenSize = 16 },
        LatentDimension = 16,
        EvaluateEveryEpochs = evaluateEvery,
        EvaluationSampleCount = 300,
    };

    [Category(TestCategories.Slow)]
    [Test]
    public void MetricsAreReportedAndTrainingIsUnchanged()
    {
        var ml = new MLContext(1);
        IDataView data = RealMnist.Load(ml, MnistSplit.Train, 640);
        var reports = new List<GanTrainingProgress>();
        GanOptions evaluated = Options(evaluateEvery: 2);
        evaluated.Progress = new ActionProgress(reports.Add);

        using GanTransformer with = ml.Gan().Generator(evaluated).Fit(data);
        using GanTransformer without = ml.Gan().Generator(Options(evaluateEvery: 0)).Fit(data);

        Assert.That(with.History.Epochs.Select(e => e.Fid is not null), Is.EqualTo(new[] { false, true, true }), "every 2nd epoch and the last");
        Assert.That(with.History.Epochs.Where(e => e.Fid is not null).All(e => e.Fid > 0 && e.Kid is not null));
        Assert.That(reports.Where(r => r.EpochCompleted).Select(r => r.Fid), Is.EqualTo(with.History.Epochs.Select(e => e.Fid)));
        Assert.That(without.History.Epochs.All(e => e.Fid is null));
        IDataView latent = ml.Gan().Data.SampleLatent(with, 20, seed: 1);
        Assert.That(with.Transform(latent).GetColumn<float[]>("GeneratedPixels").ToArray(),
            Is.EqualTo(without.Transform(latent).GetColumn<float[]>("GeneratedPixels").ToArray()), "evaluation draws from its own generator");
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void ImagesOtherThan28x28CannotBeEvaluated()
    {
        var ml = new MLContext(1);
        GanOptions options = SyntheticImages.FastOptions();
        options.EvaluateEveryEpochs = 1;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml, 16)));
        Assert.That(error!.Message, Does.Contain("EvaluateEveryEpochs").And.Contain("1 x 8 x 8"));
    }
}
