using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Training;
using TorchSharp;

namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>A short real run moves the generator from noise towards MNIST's pixel statistics.</summary>
[Category(TestCategories.Slow)]
public sealed class TrainingOnMnistTests
{
    private const float NearBlack = 0.1f;

    private static (double Mean, double NearBlackFraction) Statistics(IEnumerable<float[]> images)
    {
        float[] all = images.SelectMany(i => i).ToArray();
        return (all.Average(v => (double)v), all.Count(v => v < NearBlack) / (double)all.Length);
    }

    [Test]
    public void GeneratorMovesFromNoiseTowardsDigits()
    {
        var (realMean, realBlack) = Statistics(RealMnist.Load(new MLContext(), MnistSplit.Test, 1000).GetColumn<float[]>("Pixels"));

        torch.manual_seed(1);
        using var untrained = new MlpGenerator(100, 32, 784, 0.3, 0.2);
        using torch.Tensor z = LatentSampler.Draw(1000, new LatentSpace(100, LatentDistribution.Uniform), torch.CPU);
        var (untrainedMean, untrainedBlack) = Statistics(untrained.Render(z, null, 784));

        var (trainedMean, trainedBlack) = Statistics(TrainedMnistGan.Gan.Generate(1000, seed: 5).GetColumn<float[]>("GeneratedPixels"));

        TestContext.Out.WriteLine($"mean pixel: real {realMean:F3}, untrained {untrainedMean:F3}, trained {trainedMean:F3}");
        TestContext.Out.WriteLine($"near-black fraction: real {realBlack:F3}, untrained {untrainedBlack:F3}, trained {trainedBlack:F3}");
        Assert.That(realMean, Is.InRange(0.10, 0.16), "MNIST's mean pixel is about 0.13");
        Assert.That(untrainedMean, Is.InRange(0.4, 0.6), "an untrained tanh generator sits near 0.5");
        Assert.That(untrainedBlack, Is.LessThan(0.2));
        Assert.That(Math.Abs(trainedMean - realMean), Is.LessThan(Math.Abs(untrainedMean - realMean) / 2), "mean pixel moved at least half way to MNIST's");
        Assert.That(trainedBlack, Is.GreaterThan(0.3), "a large share of generated pixels became background (none were before)");
        Assert.That(TrainedMnistGan.Gan.History.Epochs, Has.Count.EqualTo(TrainedMnistGan.Epochs));
    }
}
