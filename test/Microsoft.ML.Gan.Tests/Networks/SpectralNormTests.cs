using Microsoft.ML.Gan.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Networks;

/// <summary>Spectral normalization: σ converges to the largest singular value, u is a saved buffer, and the discriminator trains with it.</summary>
[Category(TestCategories.Fast)]
public sealed class SpectralNormTests
{
    [Test]
    public void PowerIterationFindsTheLargestSingularValue()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        Tensor weight = torch.randn(16, 3, 4, 4);
        Tensor u = SpectralNorm.InitialU(16);
        for (int i = 0; i < 50; i++)
        {
            SpectralNorm.Normalized(weight, u, training: true);
        }

        Tensor normalized = SpectralNorm.Normalized(weight, u, training: false);
        float top = torch.linalg.svdvals(normalized.view(16, -1))[0].item<float>();
        Assert.That(top, Is.EqualTo(1f).Within(1e-3f));
        Tensor frozen = u.clone();
        SpectralNorm.Normalized(weight, u, training: false);
        Assert.That(u.data<float>().ToArray(), Is.EqualTo(frozen.data<float>().ToArray()), "eval mode leaves u alone");
    }

    [Test]
    public void TheSpectralDiscriminatorHasNoBatchNormAndCheckpointsItsVectors()
    {
        using var discriminator = new DcganDiscriminator(new ImageShape(1, 28, 28), width: 8, classCount: 10, spectralNorm: true);
        string[] buffers = discriminator.named_buffers().Select(b => b.name).ToArray();
        Assert.That(buffers, Is.EquivalentTo(new[] { "conv1.u", "conv2.u", "fc.u", "projection.u" }));
        Assert.That(discriminator.HasBatchStatistics, Is.False, "real and fake go through in one pass");
        using var plain = new DcganDiscriminator(new ImageShape(1, 28, 28), width: 8, classCount: 10);
        Assert.That(plain.HasBatchStatistics, Is.True);
    }

    [Test]
    public void TrainsReproduciblyAndOnlyWithDcgan()
    {
        var ml = new MLContext(1);
        float[] Train()
        {
            GanOptions options = SyntheticImages.FastOptions(architecture: GanArchitecture.Dcgan);
            options.Conditional = true;
            options.Network = new DcganNetworkOptions { Width = 4, SpectralNormalization = true };
            options.AdversarialLoss = new HingeLossOptions();
            using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.LoadLabelled(ml, 64));
            return gan.Generate(4, seed: 1).GetColumn<float[]>("GeneratedPixels").SelectMany(p => p).ToArray();
        }

        Assert.That(Train(), Is.EqualTo(Train()));
    }
}
