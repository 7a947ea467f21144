namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>Memory, checkpoints and model zips stay bounded in the number of epochs: old sample grids are dropped as training goes.</summary>
public sealed class BoundedHistoryTests : ScratchDirectoryTest
{
    [Category(TestCategories.Fast)]
    [Test]
    public void TheRuleKeepsTheRecentEpochsAndAtMostAHundredSpacedOnesAndNeverTakesOneBack()
    {
        foreach (int completed in new[] { 1, 16, 17, 100, 116, 117, 200, 1_000, 3_000, 100_000 })
        {
            int[] kept = [.. Enumerable.Range(1, completed).Where(e => GanTrainingHistory.KeepsSamples(e, completed))];
            Assert.That(kept.Length, Is.AtMost(GanTrainingHistory.RecentSampleEpochs + GanTrainingHistory.SpacedSampleEpochs).And.AtLeast(Math.Min(completed, 66)), $"{completed} epochs");
            Assert.That(kept.TakeLast(Math.Min(completed, 16)), Is.EqualTo(Enumerable.Range(Math.Max(1, completed - 15), Math.Min(completed, 16))), "the last 16");
            if (completed <= 116)
            {
                Assert.That(kept, Has.Length.EqualTo(completed), "short runs keep every grid");
            }
        }

        for (int completed = 2; completed <= 3_000; completed++)
        {
            int dropped = Enumerable.Range(1, completed - 1).FirstOrDefault(e => !GanTrainingHistory.KeepsSamples(e, completed - 1) && GanTrainingHistory.KeepsSamples(e, completed));
            Assert.That(dropped, Is.Zero, $"epoch {dropped} came back at {completed} epochs");
        }
    }

    [Category(TestCategories.Slow)]
    [Test]
    public void ThreeThousandTinyEpochsKeepABoundedHistoryCheckpointAndZip()
    {
        var ml = new MLContext(1);
        GanOptions options = SyntheticImages.FastOptions();
        options.BatchSize = 16;
        options.SampleCount = 16;
        options.Budget = TrainingBudget.OfEpochs(3_000);
        options.CheckpointDirectory = Path.Combine(Scratch, "checkpoints");
        options.CheckpointEveryEpochs = 1_000;
        long before = GC.GetTotalMemory(forceFullCollection: true);

        using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml, 16));   // one step an epoch
        long retained = GC.GetTotalMemory(forceFullCollection: true) - before;
        string zip = Path.Combine(Scratch, "model.zip");
        gan.Save(zip);

        IReadOnlyList<GanEpochSummary> epochs = gan.History.Epochs;
        Assert.That(epochs, Has.Count.EqualTo(3_000), "every epoch's losses stay");
        Assert.That(epochs.Where(e => e.Samples.Count > 0).Select(e => e.Epoch), Is.EqualTo(Enumerable.Range(1, 3_000).Where(e => GanTrainingHistory.KeepsSamples(e, 3_000))));
        Assert.That(epochs.TakeLast(16).All(e => e.Samples.Count == 16), "the last epochs' grids");
        // 3,000 grids of 16 8x8 images were 3,000 x 4 KiB = 12 MiB in memory and 16 MiB of base64 in the zip; 116 grids are
        // under 0.5 MiB, and the losses of 3,000 epochs a few hundred KiB.
        Assert.That(new FileInfo(zip).Length, Is.LessThan(1_500_000), "model zip bytes");
        Assert.That(Directory.GetFiles(options.CheckpointDirectory).Max(f => new FileInfo(f).Length), Is.LessThan(1_500_000), "checkpoint bytes");
        Assert.That(retained, Is.LessThan(8 << 20), "managed memory the trained model holds on to");
    }
}
