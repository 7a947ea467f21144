using Microsoft.ML.Gan.Networks;
using TorchSharp;

namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>Checkpoints, exact resume, and what happens with bad or mismatched checkpoint files.</summary>
[Category(TestCategories.Fast)]
public sealed class CheckpointTests : ScratchDirectoryTest
{
    private string Checkpoints => Path.Combine(Scratch, "checkpoints");

    private GanOptions Options(int epochs, bool resume = false, GanArchitecture architecture = GanArchitecture.Dcgan, bool emaWarmup = false)
    {
        GanOptions options = SyntheticImages.FastOptions(seed: 7, architecture: architecture);
        options.GeneratorEmaWarmup = emaWarmup;             // the decay then depends on the update count, which resuming must continue
        options.Conditional = true;
        options.GeneratorEmaDecay = 0.8f;                   // and the EMA copy
        options.Budget = TrainingBudget.OfEpochs(epochs);
        options.CheckpointDirectory = Checkpoints;
        options.Resume = resume;
        return options;
    }

    private static void AssertSameWeights(GeneratorNetwork a, GeneratorNetwork b)
    {
        var left = a.state_dict();
        var right = b.state_dict();
        Assert.That(right.Keys, Is.EquivalentTo(left.Keys));
        foreach ((string name, torch.Tensor tensor) in left)
        {
            Assert.That(tensor.Equals(right[name]), Is.True, $"{name} differs");
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public void InterruptedAndResumedEqualsUninterrupted(bool emaWarmup)
    {
        var ml = new MLContext(1);
        IDataView data = SyntheticImages.LoadLabelled(ml, 96);
        GanOptions straight = Options(6, emaWarmup: emaWarmup);
        straight.CheckpointDirectory = Path.Combine(Scratch, "straight");
        (GanTransformer uninterrupted, GeneratorNetwork uninterruptedGenerator) = ml.Gan().Generator(straight).FitKeepingGenerator(data);
        using GanTransformer disposeUninterrupted = uninterrupted;
        using GeneratorNetwork disposeUninterruptedGenerator = uninterruptedGenerator;

        using (ml.Gan().Generator(Options(3, emaWarmup: emaWarmup)).Fit(data))
        {
        }

        Assert.That(Directory.GetFiles(Checkpoints).Select(Path.GetFileName), Is.EquivalentTo(new[] { "checkpoint-epoch-0002.gan", "checkpoint-epoch-0003.gan" }),
            "one per epoch, the two newest kept");
        (GanTransformer resumed, GeneratorNetwork resumedGenerator) = ml.Gan().Generator(Options(6, resume: true, emaWarmup: emaWarmup)).FitKeepingGenerator(data);
        using GanTransformer disposeResumed = resumed;
        using GeneratorNetwork disposeResumedGenerator = resumedGenerator;

        AssertSameWeights(resumedGenerator, uninterruptedGenerator);
        Assert.That(resumed.History.Epochs.Select(e => e.Epoch), Is.EqualTo(new[] { 1, 2, 3, 4, 5, 6 }));
        Assert.That(resumed.History.Epochs.Select(e => e.GeneratorLoss), Is.EqualTo(uninterrupted.History.Epochs.Select(e => e.GeneratorLoss)));
        Assert.That(resumed.History.Epochs[^1].Samples, Is.EqualTo(uninterrupted.History.Epochs[^1].Samples));
    }

    [Test]
    public void TheEmaGeneratorIsTheSameWhetherItsStatisticsAreRecomputedEveryEpochOrOnlyAtTheEnd()
    {
        var ml = new MLContext(1);
        IDataView data = SyntheticImages.LoadLabelled(ml, 96);
        GanOptions everyEpoch = Options(4);                 // a checkpoint, and so a recomputation, after every epoch
        GanOptions onlyAtTheEnd = Options(4);
        onlyAtTheEnd.CheckpointDirectory = null;            // no checkpoints and (below) nothing rendered: used only when published
        everyEpoch.SampleCount = onlyAtTheEnd.SampleCount = 0;
        (GanTransformer first, GeneratorNetwork firstGenerator) = ml.Gan().Generator(everyEpoch).FitKeepingGenerator(data);
        (GanTransformer second, GeneratorNetwork secondGenerator) = ml.Gan().Generator(onlyAtTheEnd).FitKeepingGenerator(data);
        using GanTransformer disposeFirst = first, disposeSecond = second;
        using GeneratorNetwork disposeFirstGenerator = firstGenerator, disposeSecondGenerator = secondGenerator;

        AssertSameWeights(secondGenerator, firstGenerator);   // the state dict: weights and batch-norm statistics
    }

    [Test]
    public void ResumingAFinishedRunTrainsNothingAndSaysSo()
    {
        var ml = new MLContext(1);
        IDataView data = SyntheticImages.LoadLabelled(ml, 64);
        (GanTransformer finished, GeneratorNetwork finishedGenerator) = ml.Gan().Generator(Options(2)).FitKeepingGenerator(data);
        using GanTransformer disposeFinished = finished;
        using GeneratorNetwork disposeFinishedGenerator = finishedGenerator;
        var logger = new ListLogger();
        GanOptions again = Options(2, resume: true);
        again.Logger = logger;
        var progress = new List<GanTrainingProgress>();
        again.Progress = new ActionProgress(progress.Add);

        (GanTransformer resumed, GeneratorNetwork resumedGenerator) = ml.Gan().Generator(again).FitKeepingGenerator(data);
        using GanTransformer disposeResumed = resumed;
        using GeneratorNetwork disposeResumedGenerator = resumedGenerator;

        Assert.That(progress, Is.Empty, "no epoch ran");
        Assert.That(logger.Messages, Has.Some.Contains("already reached 2 epochs"));
        AssertSameWeights(resumedGenerator, finishedGenerator);
        Assert.That(resumed.History.Epochs, Has.Count.EqualTo(2));
    }

    [Test]
    public void ResumeWithoutACheckpointStartsFreshAndSaysSo()
    {
        var ml = new MLContext(1);
        var logger = new ListLogger();
        GanOptions options = Options(1, resume: true);
        options.Logger = logger;

        using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.LoadLabelled(ml, 32));

        Assert.That(logger.Messages, Has.Some.Contains("holds no checkpoint"));
        Assert.That(gan.History.Epochs, Has.Count.EqualTo(1));
    }

    [Test]
    public void CorruptCheckpointIsAnErrorNotASilentRestart()
    {
        var ml = new MLContext(1);
        IDataView data = SyntheticImages.LoadLabelled(ml, 32);
        using (ml.Gan().Generator(Options(1)).Fit(data))
        {
        }

        string path = Directory.GetFiles(Checkpoints).Single();
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => ml.Gan().Generator(Options(3, resume: true)).Fit(data));
        Assert.That(error!.Message, Does.Contain(path).And.Contain("corrupt"));

        File.WriteAllBytes(path, bytes[..100]);
        error = Assert.Throws<InvalidDataException>(() => ml.Gan().Generator(Options(3, resume: true)).Fit(data));
        Assert.That(error!.Message, Does.Contain(path));
    }

    [Test]
    public void CheckpointOfAnotherArchitectureIsRejectedByName()
    {
        var ml = new MLContext(1);
        IDataView data = SyntheticImages.LoadLabelled(ml, 32);
        using (ml.Gan().Generator(Options(1, architecture: GanArchitecture.Mlp)).Fit(data))
        {
        }

        var error = Assert.Throws<InvalidOperationException>(() => ml.Gan().Generator(Options(2, resume: true)).Fit(data));
        Assert.That(error!.Message, Does.Contain("Networks.Architecture.Kind: checkpoint Mlp, now Dcgan"));
    }

    [Test]
    public void NotACheckpointIsRejected()
    {
        Directory.CreateDirectory(Checkpoints);
        string path = Path.Combine(Checkpoints, "checkpoint-epoch-0001.gan");
        File.WriteAllText(path, "hello, not a checkpoint at all, but long enough to have a header and a hash in it");
        var ml = new MLContext(1);
        var error = Assert.Throws<InvalidDataException>(() => ml.Gan().Generator(Options(2, resume: true)).Fit(SyntheticImages.LoadLabelled(ml, 32)));
        Assert.That(error!.Message, Does.Contain("not a Microsoft.ML.Gan checkpoint"));
    }
}
