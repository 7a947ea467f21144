using System.Runtime.InteropServices;
using Microsoft.ML.Gan.Training;
using TorchSharp;

namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>
/// The automatic thread count (<see cref="GanOptions.Threads"/> = 0) switches counts while training. For the article's
/// MLP that changes speed only: 1, 2 and automatic threads train the same bits (the documented promise), and so does
/// one thread with two for MKL's matrix products, the governor's third candidate.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class ThreadCountTests
{
    private static float[] Trained(int threads, bool conditional) =>
        // 96 steps: past the governor's warm-up (20) and its first measurement of all three candidates (12 steps each).
        Trained(new GanOptions { Budget = TrainingBudget.OfEpochs(3), BatchSize = 8, Seed = 3, Threads = threads, SampleCount = 4, Conditional = conditional });

    private static float[] Trained(GanOptions options)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = options.Conditional ? SyntheticImages.LoadLabelled(ml, 256) : SyntheticImages.Load(ml, 256);
        using GanTransformer gan = ml.Gan().Generator(options).Fit(data);
        return [.. gan.History.Epochs[^1].Samples.SelectMany(s => s), .. gan.History.Epochs.Select(e => (float)e.GeneratorLoss)];
    }

    [TestCase(false)]
    [TestCase(true)]
    public void TheArticlesNetworkTrainsTheSameBitsOnOneTwoAndAutomaticThreads(bool conditional)
    {
        float[] one = Trained(1, conditional);
        Assert.That(Trained(2, conditional), Is.EqualTo(one));
        Assert.That(Trained(0, conditional), Is.EqualTo(one));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void TheArticlesNetworkTrainsTheSameBitsWithTwoThreadsForMatrixProducts(bool conditional)
    {
        // libtorch's x64 builds carry MKL; the candidate exists wherever it does.
        Assert.That(GemmThreads.Available, Is.EqualTo(RuntimeInformation.ProcessArchitecture == Architecture.X64));
        float[] one = Trained(1, conditional);
        GemmThreads.Set(2);
        try
        {
            Assert.That(Trained(1, conditional), Is.EqualTo(one));
        }
        finally
        {
            GemmThreads.Set(0);
        }
    }

    /// <summary>
    /// Why automatic threads are opt-in and the docs promise equal bits for the MLP only: a width-4 DCGAN's kernels split
    /// their sums differently on 2 threads. If this starts failing, this libtorch computes the same bits on both counts.
    /// </summary>
    [Test]
    public void ASmallDcganTrainsOtherBitsOnTwoThreads()
    {
        GanOptions Dcgan(int threads) => new()
        {
            Network = new DcganNetworkOptions { Width = 4 }, LatentDimension = 8, Budget = TrainingBudget.OfEpochs(2), BatchSize = 32, Seed = 3, Threads = threads, SampleCount = 4,
        };

        Assert.That(Trained(Dcgan(2)), Is.Not.EqualTo(Trained(Dcgan(1))));
    }

    [Test]
    public void TheSettingIsRestoredAfterFit()
    {
        int before = torch.get_num_threads();
        Trained(0, conditional: false);
        Assert.That(torch.get_num_threads(), Is.EqualTo(before));
    }
}
