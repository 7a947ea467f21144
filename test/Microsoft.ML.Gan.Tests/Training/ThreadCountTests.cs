using Microsoft.ML.Gan.Training;
using TorchSharp;

namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>
/// The thread count changes speed only: the automatic setting (<see cref="GanOptions.Threads"/> = 0) switches counts while
/// training, which is safe only because 1 and 2 threads train the same bits.
/// </summary>
public sealed class ThreadCountTests
{
    private static float[] Trained(GanArchitecture architecture, int threads)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = SyntheticImages.Load(ml, 256);
        var options = new GanOptions { Architecture = architecture, Epochs = 2, BatchSize = 32, Seed = 3, Threads = threads, DcganWidth = 16, SampleCount = 4 };
        using GanTransformer gan = ml.Gan().Train(options).Fit(data);
        return [.. gan.History.Epochs[^1].Samples.SelectMany(s => s), .. gan.History.Epochs.Select(e => (float)e.GeneratorLoss)];
    }

    [TestCase(GanArchitecture.Mlp)]
    [TestCase(GanArchitecture.Dcgan)]
    public void OneTwoAndAutomaticThreadsTrainTheSameBits(GanArchitecture architecture)
    {
        float[] one = Trained(architecture, 1);
        Assert.That(Trained(architecture, 2), Is.EqualTo(one));
        Assert.That(Trained(architecture, 0), Is.EqualTo(one));
    }

    [Test]
    public void TheSettingIsRestoredAfterFit()
    {
        int before = torch.get_num_threads();
        Trained(GanArchitecture.Mlp, 0);
        Assert.That(torch.get_num_threads(), Is.EqualTo(before));
    }
}
