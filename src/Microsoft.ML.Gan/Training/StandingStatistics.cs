using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Training;

/// <summary>
/// Recomputes the batch-norm statistics of the EMA generator from its own outputs ("standing statistics", Brock et
/// al. 2019, BigGAN). The average's weights lag the live generator's, but its running means and variances are copied
/// from the live generator, so in eval mode it normalised its activations with statistics of other weights: with
/// DCGAN, EMA made samples worse instead of better (docs/EVALUATION.md). Latents come from a generator of their own,
/// so the training random stream is untouched and every recomputation sees the same inputs.
/// </summary>
internal static class StandingStatistics
{
    /// <summary>Batches of <see cref="BatchSize"/> latents averaged (cumulative mean, PyTorch's momentum = None).</summary>
    public const int Batches = 32;
    public const int BatchSize = 64;

    /// <summary>
    /// Recomputes <paramref name="generator"/>'s batch-norm statistics from its rows for latents and conditions drawn from a
    /// random stream seeded by <paramref name="seed"/>; <paramref name="conditions"/> gives a batch's conditions from that
    /// stream (<see cref="GanBatches.StandingConditions"/>: classes for images, conditional vectors for tables; null when
    /// unconditional).
    /// </summary>
    public static void Recompute(GeneratorNetwork generator, LatentSpace latents, int seed, Device device, Func<int, torch.Generator, Tensor?> conditions)
    {
        BatchNorm[] norms = generator.modules().OfType<BatchNorm>().ToArray();
        if (norms.Length == 0)
        {
            return;
        }

        using var scope = torch.NewDisposeScope();
        using var random = new torch.Generator((ulong)(uint)seed ^ 0x57A7D1F6UL, device);
        double?[] momenta = norms.Select(n => n.momentum).ToArray();
        bool training = generator.training;
        foreach (BatchNorm norm in norms)
        {
            norm.reset_running_stats();
            norm.momentum = null;
        }

        generator.train();
        using (torch.no_grad())
        {
            for (int b = 0; b < Batches; b++)
            {
                Tensor? batchConditions = conditions(BatchSize, random);
                generator.forward(LatentSampler.Draw(BatchSize, latents, device, random), batchConditions);
            }
        }

        for (int i = 0; i < norms.Length; i++)
        {
            norms[i].momentum = momenta[i];
        }

        generator.train(training);
    }
}
