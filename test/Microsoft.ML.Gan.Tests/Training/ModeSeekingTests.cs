using Microsoft.ML.Gan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>The mode-seeking term (MSGAN): paired classes, its value, and training with it.</summary>
[Category(TestCategories.Fast)]
public sealed class ModeSeekingTests
{
    [Test]
    public void PairsRepeatTheFirstHalfsClassesAndAnOddRowKeepsItsOwn()
    {
        using var scope = torch.NewDisposeScope();
        Assert.That(GanLosses.PairedClasses(torch.tensor(new long[] { 3, 1, 4, 1, 5 })).data<long>().ToArray(), Is.EqualTo(new long[] { 3, 1, 3, 1, 5 }));
        Assert.That(GanLosses.PairedClasses(torch.tensor(new long[] { 7, 2, 9, 9 })).data<long>().ToArray(), Is.EqualTo(new long[] { 7, 2, 7, 2 }));
    }

    [Test]
    public void ThePenaltyFallsAsImagesOfDifferentLatentsDiffer()
    {
        using var scope = torch.NewDisposeScope();
        Tensor latents = torch.tensor(new float[] { 0, 0, 1, 1 }, [2, 2]);          // pair: z₁ = (0, 0), z₂ = (1, 1): mean |Δz| = 1
        Tensor same = torch.tensor(new float[] { 0.5f, 0.5f, 0.5f, 0.5f }, [2, 2]);
        Tensor apart = torch.tensor(new float[] { 0, 0, 0.5f, 0.5f }, [2, 2]);       // mean |ΔG| = 0.5

        Assert.That(GanLosses.ModeSeeking(same, latents).item<float>(), Is.EqualTo(1e5f).Within(1f), "collapsed: 1 / ε");
        Assert.That(GanLosses.ModeSeeking(apart, latents).item<float>(), Is.EqualTo(1 / (0.5f + 1e-5f)).Within(1e-3f));
    }

    [Test]
    public void TrainingWithItIsReproducibleAndDiffersFromTrainingWithout()
    {
        var ml = new MLContext(1);
        float[] Train(float weight)
        {
            GanOptions options = SyntheticImages.FastOptions();
            options.Conditional = true;
            options.ModeSeekingWeight = weight;
            using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.LoadLabelled(ml, 64));
            return gan.Generate(4, seed: 1).GetColumn<float[]>("GeneratedPixels").SelectMany(p => p).ToArray();
        }

        float[] seeking = Train(1f);
        Assert.That(Train(1f), Is.EqualTo(seeking));
        Assert.That(Train(0f), Is.Not.EqualTo(seeking));
    }

    [Test]
    public void ANegativeWeightIsRefused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext(1).Gan().Generator(new GanOptions { ModeSeekingWeight = -1 }));
        Assert.That(error!.Message, Does.Contain("ModeSeekingWeight"));
    }
}
