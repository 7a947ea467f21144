namespace Microsoft.ML.Gan;

/// <summary>A progress report from <see cref="GanEstimator.Fit(IDataView, CancellationToken)"/>.</summary>
/// <param name="Epoch">The current epoch, 1-based.</param>
/// <param name="Epochs">The epochs this fit runs in total.</param>
/// <param name="Step">Steps completed in this epoch.</param>
/// <param name="StepsPerEpoch">Steps in one epoch.</param>
/// <param name="DiscriminatorLoss">Mean discriminator loss over the epoch's steps so far.</param>
/// <param name="GeneratorLoss">Mean generator loss over the epoch's steps so far.</param>
/// <param name="EpochCompleted">True for the report that closes an epoch.</param>
/// <param name="Elapsed">Time since training started.</param>
/// <param name="Samples">On epoch-closing reports, the fixed latent vectors rendered after the epoch
/// (as in <see cref="GanEpochSummary.Samples"/>); otherwise null.</param>
/// <param name="Fid">On epoch-closing reports of evaluated epochs, FID against training images.</param>
/// <param name="Kid">KID likewise.</param>
public sealed record GanTrainingProgress(
    int Epoch,
    int Epochs,
    int Step,
    int StepsPerEpoch,
    double DiscriminatorLoss,
    double GeneratorLoss,
    bool EpochCompleted,
    TimeSpan Elapsed,
    IReadOnlyList<float[]>? Samples = null,
    double? Fid = null,
    double? Kid = null);
