using Microsoft.ML.Gan.Input;

namespace Microsoft.ML.Gan.Tests.Data;

/// <summary>The latent vectors of a seed never change: saved seeds, generated files and resumed runs depend on them.</summary>
[Category(TestCategories.Fast)]
public sealed class LatentSamplerTests
{
    // Bit patterns written by the sampler as first committed (double arithmetic, the stream state behind a ref).
    [TestCase(LatentDistribution.Uniform, 0UL, new[] { 0x3F2442A0, unchecked((int)0xBF544A4E), 0x3F60640C, 0x3E394958, 0x3F348052 })]
    [TestCase(LatentDistribution.Uniform, 12345UL, new[] { unchecked((int)0xBE5B74B8), unchecked((int)0xBEFA7648), unchecked((int)0xBF6171D4), 0x3EBB7C0C, unchecked((int)0xBF2C8974) })]
    [TestCase(LatentDistribution.Normal, 0UL, new[] { 0x3FCC0656, 0x3F729AA3, unchecked((int)0xBFFE93B7), unchecked((int)0xBFA29ED0), 0x3FEED60C })]
    [TestCase(LatentDistribution.Normal, 12345UL, new[] { unchecked((int)0xBD0B038F), 0x3F7F969D, unchecked((int)0xBE129CAC), unchecked((int)0xBEA3F951), unchecked((int)0xBE7FFC70) })]
    public void VectorsOfASeedAreTheSameBitsAsEver(LatentDistribution distribution, ulong row, int[] expectedBits)
    {
        var vector = new float[5];
        LatentSampler.Fill(vector, seed: 7, row, distribution);
        Assert.That(vector.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(expectedBits));
    }
}
