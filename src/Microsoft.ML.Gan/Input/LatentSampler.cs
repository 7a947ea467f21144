using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Input;

/// <summary>The latent vectors a generator takes: their size and the distribution they are drawn from.</summary>
internal readonly record struct LatentSpace(int Dimension, LatentDistribution Distribution);

/// <summary>
/// Every latent vector the library draws, in two streams with different jobs:
/// <list type="bullet">
/// <item><see cref="Draw"/>, for training (and its in-training evaluation): batches from libtorch's random generator,
/// the stream the source article's PyTorch code draws from, so a seeded run repeats the seed algorithm step for step.</item>
/// <item><see cref="Fill"/>, for scoring (<c>SampleLatent</c>, <c>Generate</c>, rows without a latent column): a pure
/// function of (seed, row), so the same row of the same seed always gets the same vector, whatever order or batching
/// rows are read in. Each row seeds a SplitMix64 stream (Steele, Lea and Flood, 2014) from the mixed seed and row id;
/// uniform floats use the top 24 bits, normals the Box–Muller transform.</item>
/// </list>
/// </summary>
internal static class LatentSampler
{
    /// <summary>
    /// z for <paramref name="count"/> images: Uniform(-1, 1) as in the article, or N(0, 1); from the global (training)
    /// random generator, or from <paramref name="random"/>.
    /// </summary>
    public static Tensor Draw(int count, LatentSpace space, Device device, torch.Generator? random = null) => space.Distribution switch
    {
        LatentDistribution.Normal => torch.randn(count, space.Dimension, generator: random, device: device),
        // uniform_(-1, 1) computes u·2 + (−1) from the same draws as rand's u: the bits of rand·2 − 1 (u·2 is exact), in one operation instead of three.
        _ => torch.empty(count, space.Dimension, device: device).uniform_(-1, 1, generator: random),
    };

    /// <param name="destination">Where the vector goes.</param>
    /// <param name="seed">Seed of the stream.</param>
    /// <param name="row">Row id: the same (seed, row) always gives the same vector.</param>
    /// <param name="distribution">Uniform(−1, 1) or N(0, 1).</param>
    /// <param name="scale">Multiplies the vector (a sampling temperature; 1 leaves it as drawn).</param>
    public static void Fill(Span<float> destination, int seed, ulong row, LatentDistribution distribution, float scale = 1f)
    {
        FillUnscaled(destination, seed, row, distribution);
        if (scale != 1f)
        {
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] *= scale;
            }
        }
    }

    private static void FillUnscaled(Span<float> destination, int seed, ulong row, LatentDistribution distribution)
    {
        // The stream state lives in a local, not behind a ref, so it stays in a register: this loop is what bulk
        // generation spends most of its time on outside ONNX Runtime.
        ulong state = Mix(((ulong)(uint)seed << 32) ^ Mix(row + Golden));
        if (distribution == LatentDistribution.Normal)
        {
            for (int i = 0; i < destination.Length; i += 2)
            {
                // 1 - u keeps the logarithm's argument in (0, 1].
                state += Golden;
                double radius = Math.Sqrt(-2.0 * Math.Log(1.0 - ToUnit(Mix(state))));
                state += Golden;
                double angle = 2.0 * Math.PI * ToUnit(Mix(state));
                destination[i] = (float)(radius * Math.Cos(angle));
                if (i + 1 < destination.Length)
                {
                    destination[i + 1] = (float)(radius * Math.Sin(angle));
                }
            }
        }
        else
        {
            for (int i = 0; i < destination.Length; i++)
            {
                state += Golden;
                // 2u − 1 for u = k / 2^24 is (k − 2^23) / 2^23: exact in float, so this equals the double arithmetic
                // (2.0 * u - 1.0) it replaces, value for value.
                destination[i] = ((float)(long)(Mix(state) >> 40) * (1f / (1 << 23))) - 1f;
            }
        }
    }

    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>Uniform in [0, 1) with 24 bits of <paramref name="bits"/>, so the float conversion is exact and never reaches 1.</summary>
    private static double ToUnit(ulong bits) => (bits >> 40) * (1.0 / (1 << 24));

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
