using Microsoft.ML.Gan.IO;
using System.Globalization;
using System.Text;

namespace Microsoft.ML.Gan;

/// <summary>What one epoch left behind (the article's per-epoch losses and <c>view_samples</c> images).</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="DiscriminatorLoss">Mean discriminator loss over the epoch (real + fake BCE).</param>
/// <param name="GeneratorLoss">Mean generator loss over the epoch.</param>
/// <param name="Duration">Wall-clock time of the epoch.</param>
/// <param name="Samples">The fixed latent vectors rendered by the generator in eval mode after the epoch,
/// each <c>Channels × Height × Width</c> values in [0, 1]; empty for an epoch whose grid the history no longer keeps
/// (<see cref="GanTrainingHistory.KeepsSamples"/>).</param>
/// <param name="Fid">FID against training images when <see cref="GanOptions.EvaluateEveryEpochs"/> measured it this epoch.</param>
/// <param name="Kid">KID likewise.</param>
public sealed record GanEpochSummary(int Epoch, double DiscriminatorLoss, double GeneratorLoss, TimeSpan Duration, IReadOnlyList<float[]> Samples,
    double? Fid = null, double? Kid = null);

/// <summary>
/// The training history of a <see cref="GanTransformer"/>. Losses are epoch means (the article recorded
/// the last batch's; means are less noisy and cost one device sync per epoch).
/// </summary>
public sealed class GanTrainingHistory
{
    internal GanTrainingHistory(ImageShape imageShape, IReadOnlyList<GanEpochSummary> epochs, int seed)
    {
        ImageShape = imageShape;
        Epochs = epochs;
        Seed = seed;
    }

    /// <summary>Shape of every sample image.</summary>
    public ImageShape ImageShape { get; }

    /// <summary>One summary per completed epoch, in order.</summary>
    public IReadOnlyList<GanEpochSummary> Epochs { get; }

    /// <summary>The seed training used (given or drawn from the <see cref="MLContext"/>).</summary>
    public int Seed { get; }

    /// <summary>Every history keeps the sample grids of its last this many epochs.</summary>
    public const int RecentSampleEpochs = 16;

    /// <summary>Besides the recent ones, a history keeps the grids of at most this many evenly spaced epochs.</summary>
    public const int SpacedSampleEpochs = 100;

    /// <summary>
    /// Whether a history of <paramref name="completedEpochs"/> epochs holds the sample grid of <paramref name="epoch"/>: the last
    /// <see cref="RecentSampleEpochs"/>, and of the epochs before those, the ones at the smallest power-of-two stride that
    /// keeps at most <see cref="SpacedSampleEpochs"/> (so a run of up to 116 epochs keeps every grid). Training drops the other grids as it goes (their losses stay), so memory,
    /// checkpoints and saved models stay bounded however many epochs run; a grid once dropped never comes back, so a tool
    /// that writes each epoch's grid (the samples app's PNGs) can delete the files this rule no longer keeps.
    /// </summary>
    public static bool KeepsSamples(int epoch, int completedEpochs)
    {
        if (epoch > completedEpochs - RecentSampleEpochs)
        {
            return true;
        }

        int stride = 1;
        while ((completedEpochs - RecentSampleEpochs) / stride > SpacedSampleEpochs)
        {
            stride *= 2;
        }

        return epoch % stride == 0;
    }

    /// <summary>Drops, in place, the grids of the epochs a history of <paramref name="completedEpochs"/> no longer keeps.</summary>
    internal static void DropOldSamples(List<GanEpochSummary> epochs, int completedEpochs)
    {
        for (int i = 0; i < epochs.Count; i++)
        {
            GanEpochSummary epoch = epochs[i];
            if (epoch.Samples.Count > 0 && !KeepsSamples(epoch.Epoch, completedEpochs))
            {
                epochs[i] = epoch with { Samples = [] };
            }
        }
    }

    /// <summary>
    /// Writes the losses as CSV with the header <c>epoch,d_loss,g_loss,seconds,fid,kid</c> (invariant culture,
    /// round-trippable numbers; fid and kid empty where not measured), atomically.
    /// </summary>
    public void SaveLossesCsv(string path)
    {
        var text = new StringBuilder().Append("epoch,d_loss,g_loss,seconds,fid,kid").Append('\n');
        foreach (GanEpochSummary epoch in Epochs)
        {
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"{epoch.Epoch},{epoch.DiscriminatorLoss:R},{epoch.GeneratorLoss:R},{epoch.Duration.TotalSeconds:F3},{epoch.Fid:R},{epoch.Kid:R}")).Append('\n');
        }

        AtomicFile.Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
