namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>Checkpoints belong to one run: reused folders, resumes with other seeds or data, pruning, and interrupts.</summary>
[Category(TestCategories.Fast)]
public sealed class RunIdentityTests : ScratchDirectoryTest
{
    private string Checkpoints => Path.Combine(Scratch, "checkpoints");

    private GanOptions Options(int epochs, int seed = 7, bool resume = false, string? directory = null)
    {
        GanOptions options = SyntheticImages.FastOptions(seed, architecture: GanArchitecture.Dcgan);
        options.Conditional = true;
        options.GeneratorEmaDecay = 0.8f;
        options.Budget = TrainingBudget.OfEpochs(epochs);
        options.CheckpointDirectory = directory ?? Checkpoints;
        options.Resume = resume;
        return options;
    }

    private static float[] Outputs(GanTransformer gan) => gan.Generate(8, seed: 3).GetColumn<float[]>("GeneratedPixels").SelectMany(p => p).ToArray();

    private static void Train(MLContext ml, GanOptions options, IDataView data)
    {
        using GanTransformer _ = ml.Gan().Generator(options).Fit(data);
    }

    [Test]
    public void ARunIntoAFolderAnotherRunIsTrainingIntoIsRefusedEvenWhileItIsEmpty()
    {
        var ml = new MLContext(1);
        IDataView data = SyntheticImages.LoadLabelled(ml, 64);
        using (Microsoft.ML.Gan.Training.CheckpointDirectoryLock.Take(Checkpoints))   // what a run training into it holds
        {
            Assert.That(Directory.GetFiles(Checkpoints, "*.gan"), Is.Empty, "no checkpoint yet");
            var error = Assert.Throws<IOException>(() => Train(ml, Options(2), data));
            Assert.That(error!.Message, Does.Contain(Checkpoints).And.Contain("in use by another training run").And.Contain("CheckpointDirectory"));
        }

        Train(ml, Options(2), data);
        Assert.That(Directory.GetFiles(Checkpoints, "*.gan"), Is.Not.Empty);
        Assert.That(File.Exists(Path.Combine(Checkpoints, Microsoft.ML.Gan.Training.CheckpointDirectoryLock.FileName)), Is.False, "the lock goes with the run");
    }

    [Test]
    public void AFreshRunIntoAnotherRunsFolderIsAnErrorUnlessOverwriting()
    {
        var ml = new MLContext(1);
        IDataView data = SyntheticImages.LoadLabelled(ml, 64);
        Train(ml, Options(4, seed: 1), data);

        var error = Assert.Throws<InvalidOperationException>(() => Train(ml, Options(2, seed: 2), data));
        Assert.That(error!.Message, Does.Contain(Checkpoints).And.Contain("seed 1").And.Contain("Resume = true").And.Contain("OverwriteCheckpoints = true"));

        // The sequence: run 2 replaces run 1's checkpoints, then resuming run 2 continues run 2, not run 1.
        GanOptions second = Options(2, seed: 2);
        second.OverwriteCheckpoints = true;
        Train(ml, second, data);
        using GanTransformer resumed = ml.Gan().Generator(Options(4, seed: 2, resume: true)).Fit(data);
        GanOptions straight = Options(4, seed: 2, directory: Path.Combine(Scratch, "straight"));
        using GanTransformer uninterrupted = ml.Gan().Generator(straight).Fit(data);

        Assert.That(resumed.History.Seed, Is.EqualTo(2));
        Assert.That(resumed.History.Epochs, Has.Count.EqualTo(4));
        Assert.That(Outputs(resumed), Is.EqualTo(Outputs(uninterrupted)));
    }

    [Test]
    public void ResumeRefusesEverySettingThatChangesWhatTheRunComputesNamingIt()
    {
        // DiffAugment, mode seeking and the EMA's warm-up were accepted silently by the field-by-field header of format 2; the
        // header derived from the plan names each.
        var ml = new MLContext(1);
        IDataView data = SyntheticImages.LoadLabelled(ml, 64);
        Train(ml, Options(1), data);
        GanOptions augmented = Options(2, resume: true);
        augmented.DiffAugment = DiffAugmentPolicy.Translation;
        GanOptions seeking = Options(2, resume: true);
        seeking.ModeSeekingWeight = 1;
        GanOptions warming = Options(2, resume: true);
        warming.GeneratorEmaWarmup = true;
        GanOptions wider = Options(2, resume: true);
        wider.Network = new DcganNetworkOptions { Width = 8 };

        Assert.That(Assert.Throws<InvalidOperationException>(() => Train(ml, augmented, data))!.Message, Does.Contain("Step.DiffAugment: checkpoint None, now Translation"));
        Assert.That(Assert.Throws<InvalidOperationException>(() => Train(ml, seeking, data))!.Message, Does.Contain("Step.ModeSeekingWeight: checkpoint 0, now 1"));
        Assert.That(Assert.Throws<InvalidOperationException>(() => Train(ml, warming, data))!.Message, Does.Contain("Ema.Warmup: checkpoint false, now true"));
        Assert.That(Assert.Throws<InvalidOperationException>(() => Train(ml, wider, data))!.Message, Does.Contain("Networks.Architecture.Width: checkpoint 4, now 8"));
    }

    [Test]
    public void ACheckpointOfAnEarlierFormatIsRefusedSayingSo()
    {
        var ml = new MLContext(1);
        IDataView data = SyntheticImages.LoadLabelled(ml, 64);
        Directory.CreateDirectory(Checkpoints);
        // The layout of formats 1 and 2: magic, a field-by-field JSON header, the body, a SHA-256 of everything before it.
        byte[] header = System.Text.Encoding.UTF8.GetBytes("""{"FormatVersion":2,"Architecture":"Dcgan","Seed":7,"CompletedEpochs":1,"RunId":"0123456789abcdef"}""");
        using (var body = new MemoryStream())
        {
            using (var writer = new BinaryWriter(body, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                writer.Write("MLGANCK1"u8);
                writer.Write(header.Length);
                writer.Write(header);
                writer.Write(0);
            }

            body.Write(System.Security.Cryptography.SHA256.HashData(body.ToArray()));
            File.WriteAllBytes(Path.Combine(Checkpoints, "checkpoint-epoch-0001.gan"), body.ToArray());
        }

        var fresh = Assert.Throws<InvalidOperationException>(() => Train(ml, Options(2), data));
        var resumed = Assert.Throws<InvalidDataException>(() => Train(ml, Options(2, resume: true), data));

        Assert.That(fresh!.Message, Does.Contain("Dcgan, seed 7, 1 epoch(s) done"), "an earlier format's file is still named in the error for a reused folder");
        Assert.That(resumed!.Message, Does.Contain("earlier Microsoft.ML.Gan (checkpoint format 2)").And.Contain("format 3"));
    }

    [Test]
    public void ResumeRefusesAnotherSeedLatentDistributionOrDataNamingEachDifference()
    {
        var ml = new MLContext(1);
        IDataView data = SyntheticImages.LoadLabelled(ml, 64);
        Train(ml, Options(1), data);

        GanOptions otherSeed = Options(2, seed: 8, resume: true);
        GanOptions otherLatents = Options(2, resume: true);
        otherLatents.LatentDistribution = LatentDistribution.Normal;
        // The same number of rows, other pixels.
        IDataView otherData = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 64).Select(i =>
            new SyntheticImages.LabelledRow { Label = (uint)(i % 4), Pixels = SyntheticImages.Square((i + 1) % 4) }));

        Assert.That(Assert.Throws<InvalidOperationException>(() => Train(ml, otherSeed, data))!.Message, Does.Contain("Seed: checkpoint 7, now 8"));
        Assert.That(Assert.Throws<InvalidOperationException>(() => Train(ml, otherLatents, data))!.Message, Does.Contain("Latents.Distribution: checkpoint Uniform, now Normal"));
        Assert.That(Assert.Throws<InvalidOperationException>(() => Train(ml, Options(2, resume: true), otherData))!.Message,
            Does.Contain("Data.Fingerprint: checkpoint").And.Not.Contain("Rows:"));
    }

    [Test]
    public void ResumeAllowsAndLogsANewLearningRateOrBatchSize()
    {
        var ml = new MLContext(1);
        IDataView data = SyntheticImages.LoadLabelled(ml, 64);
        Train(ml, Options(1), data);
        var logger = new ListLogger();
        GanOptions changed = Options(2, resume: true);
        changed.GeneratorLearningRate = 0.001f;
        changed.BatchSize = 16;
        changed.Logger = logger;

        using GanTransformer gan = ml.Gan().Generator(changed).Fit(data);

        Assert.That(gan.History.Epochs, Has.Count.EqualTo(2));
        Assert.That(logger.Messages, Has.Some.Contains("Generator.LearningRate: 0.0002 → 0.001"));
        Assert.That(logger.Messages, Has.Some.Contains("Step.BatchSize: 32 → 16"));
    }

    [Test]
    public void PruningKeepsOtherRunsFiles()
    {
        var ml = new MLContext(1);
        IDataView data = SyntheticImages.LoadLabelled(ml, 64);
        string other = Path.Combine(Scratch, "other");
        Train(ml, Options(2, seed: 9, directory: other), data);
        Train(ml, Options(1), data);
        // A file of another run, placed where the name sorts first.
        string foreign = Path.Combine(Checkpoints, "checkpoint-epoch-0000.gan");
        File.Copy(Path.Combine(other, "checkpoint-epoch-0002.gan"), foreign);

        Train(ml, Options(4, resume: true), data);

        Assert.That(Directory.GetFiles(Checkpoints).Select(Path.GetFileName).Order(),
            Is.EqualTo(new[] { "checkpoint-epoch-0000.gan", "checkpoint-epoch-0003.gan", "checkpoint-epoch-0004.gan" }));
    }

    [Test]
    public void CancelledMidEpochThenResumedEndsWithTheWeightsOfAnUninterruptedRun()
    {
        var ml = new MLContext(1);
        IDataView data = SyntheticImages.LoadLabelled(ml, 96);   // 3 steps per epoch
        using GanTransformer uninterrupted = ml.Gan().Generator(Options(4, directory: Path.Combine(Scratch, "straight"))).Fit(data);

        using var stop = new CancellationTokenSource();
        GanOptions interrupted = Options(4);
        interrupted.LogEveryNSteps = 1;
        interrupted.Progress = new ActionProgress(p =>
        {
            if (p.Epoch == 3 && p.Step == 1 && !p.EpochCompleted)
            {
                stop.Cancel();
            }
        });
        var error = Assert.Throws<OperationCanceledException>(() => ml.Gan().Generator(interrupted).Fit(data, stop.Token));
        Assert.That(error!.Message, Does.Contain("Training cancelled at epoch 3, step 1 of 3"));
        Assert.That(Directory.GetFiles(Checkpoints).Select(Path.GetFileName), Has.Member("checkpoint-epoch-0002.step-000001.gan"));

        using GanTransformer resumed = ml.Gan().Generator(Options(4, resume: true)).Fit(data);

        Assert.That(Outputs(resumed), Is.EqualTo(Outputs(uninterrupted)));
        Assert.That(resumed.History.Epochs.Select(e => e.GeneratorLoss), Is.EqualTo(uninterrupted.History.Epochs.Select(e => e.GeneratorLoss)));
    }

    [Test]
    public void CancelExecutionOnTheMlContextStopsTraining()
    {
        var ml = new MLContext(1);
        // ML.NET 5.0.1 keeps MLContext.CancelExecution internal; ML.NET's own components honour it, and so does Fit.
        var cancelExecution = typeof(MLContext).GetMethod("CancelExecution", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)!;
        GanOptions options = Options(50, directory: Path.Combine(Scratch, "cancel"));
        options.LogEveryNSteps = 1;
        options.Progress = new ActionProgress(p =>
        {
            if (p.Epoch == 2)
            {
                cancelExecution.Invoke(ml, null);
                Thread.Sleep(250);   // the flag is polled every 100 ms
            }
        });

        var error = Assert.Throws<OperationCanceledException>(() => ml.Gan().Generator(options).Fit(SyntheticImages.LoadLabelled(ml, 96)));
        Assert.That(error!.Message, Does.Contain("Training cancelled at epoch 2"));
    }
}
