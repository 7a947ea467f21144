using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Networks;

namespace Microsoft.ML.Gan.Training;

/// <summary>One optimizer's settings: Adam's learning rate and betas.</summary>
internal sealed record OptimizerPlan(float LearningRate, float Beta1, float Beta2);

/// <summary>The exponential moving average of the generator's weights: its decay and whether it ramps up.</summary>
internal sealed record EmaPlan([property: ResumeMayChange] float Decay, bool Warmup)
{
    /// <summary>
    /// The decay of generator update <paramref name="update"/> (1-based, counted over the whole run): the decay, or with
    /// warm-up min(decay, (1 + t) / (10 + t)).
    /// </summary>
    public float DecayAt(long update) => Warmup ? Math.Min(Decay, (1f + update) / (10f + update)) : Decay;
}

/// <summary>What one training step does besides the networks and the loss.</summary>
internal sealed record StepPlan(
    [property: ResumeMayChange] int BatchSize,
    int CriticSteps,
    bool Shuffle,
    float ModeSeekingWeight,
    DiffAugmentPolicy DiffAugment,
    [property: ResumeMayChange] float? MaxGradientNorm);

/// <summary>Checkpoints: where, how often, and whether this run continues or replaces what is there.</summary>
internal sealed record CheckpointPlan(string Directory, int EveryEpochs, double? EveryMinutes, bool Resume, bool Overwrite);

/// <summary>The run around the computation: budget, threads, device, reporting and files.</summary>
internal sealed record RunPlan(
    TrainingBudget Budget,
    int Threads,
    string Device,
    DivergenceAction OnDivergence,
    CheckpointPlan? Checkpoints,
    int EvaluateEveryEpochs,
    int EvaluationSampleCount,
    string? TensorBoardDirectory,
    int TensorBoardLossEveryNSteps,
    int LogEveryNSteps,
    IProgress<GanTrainingProgress>? Progress);

/// <summary>
/// <see cref="GanOptions"/> resolved once, against the training images, into everything training reads: the networks, the loss,
/// the two optimizers, the latent space, the EMA, the step and the run. Defaults that depend on the architecture (learning
/// rates, betas) and the device the MLContext chooses are settled here; nothing below reads the options. The checkpoint
/// header is this plan (<see cref="CheckpointHeader.For"/>): every setting not marked <see cref="NotInCheckpointAttribute"/>
/// is part of a run's identity, those marked <see cref="ResumeMayChangeAttribute"/> may change when it resumes. A table's
/// variational autoencoder (<see cref="TvaeNetworkOptions"/>) has no adversarial <see cref="Loss"/>: its encoder takes the
/// discriminator's place and optimizer.
/// </summary>
internal sealed record TrainingPlan(
    NetworkPlan Networks,
    GanLossOptions? Loss,
    [property: ResumeMayChange] OptimizerPlan Generator,
    [property: ResumeMayChange] OptimizerPlan Discriminator,
    LatentSpace Latents,
    EmaPlan? Ema,
    StepPlan Step,
    int SampleCount,
    [property: NotInCheckpoint] RunPlan Run)
{
    /// <summary>Resolves <paramref name="options"/> (already validated) for images of <paramref name="shape"/> and <paramref name="classCount"/> classes.</summary>
    public static TrainingPlan Resolve(GanOptions options, ImageShape shape, int classCount, string device)
    {
        GanNetworkOptions network = options.Network with { };
        (float gBeta1, float gBeta2) = options.GeneratorBetas ?? network.DefaultBetas;
        (float dBeta1, float dBeta2) = options.DiscriminatorBetas ?? network.DefaultBetas;
        CheckpointPlan? checkpoints = options.CheckpointDirectory is string directory
            ? new CheckpointPlan(directory, options.CheckpointEveryEpochs, options.CheckpointEveryMinutes, options.Resume, options.OverwriteCheckpoints)
            : null;
        return new TrainingPlan(
            new NetworkPlan(network, options.LatentDimension, shape, classCount, options.AuxiliaryClassifier),
            options.AdversarialLoss with { },
            new OptimizerPlan(options.GeneratorLearningRate ?? network.DefaultLearningRate, gBeta1, gBeta2),
            new OptimizerPlan(options.DiscriminatorLearningRate ?? network.DefaultLearningRate, dBeta1, dBeta2),
            new LatentSpace(options.LatentDimension, options.LatentDistribution),
            options.GeneratorEmaDecay is float decay ? new EmaPlan(decay, options.GeneratorEmaWarmup) : null,
            new StepPlan(options.BatchSize, options.DiscriminatorStepsPerGeneratorStep, options.Shuffle, options.ModeSeekingWeight, options.DiffAugment, options.MaxGradientNorm),
            options.SampleCount,
            new RunPlan(options.Budget, options.Threads, device, options.OnDivergence, checkpoints, options.EvaluateEveryEpochs, options.EvaluationSampleCount,
                options.TensorBoardDirectory, options.TensorBoardLossEveryNSteps, options.LogEveryNSteps, options.Progress));
    }

    /// <summary>
    /// Resolves <paramref name="options"/> (already validated) for table rows of <paramref name="layout"/>: CTGAN's networks and
    /// WGAN-GP, or with <see cref="TabularGanOptions.Tvae"/> TVAE's encoder and decoder; z ~ N(0, 1), an EMA only when asked
    /// for, no augmentation, no sample grid.
    /// </summary>
    public static TrainingPlan ResolveTable(TabularGanOptions options, TableLayout layout, string device)
    {
        object networks = options.Tvae is TvaeOptions vae
            ? new TvaeNetworkOptions
            {
                DecoderWidth = vae.DecoderWidth,
                DecoderLayers = vae.DecoderLayers,
                ResidualDecoder = vae.ResidualDecoder,
                EncoderWidth = vae.EncoderWidth,
                EncoderLayers = vae.EncoderLayers,
                LossFactor = vae.LossFactor,
            }
            : new CtganNetworkOptions
            {
                GeneratorWidth = options.GeneratorWidth,
                GeneratorLayers = options.GeneratorLayers,
                CriticWidth = options.CriticWidth,
                CriticLayers = options.CriticLayers,
                PackSize = options.PackSize,
                Dropout = options.CriticDropout,
            };
        (float beta1, float beta2) = options.Tvae?.Betas ?? options.Betas;
        CheckpointPlan? checkpoints = options.CheckpointDirectory is string directory
            ? new CheckpointPlan(directory, options.CheckpointEveryEpochs, null, options.Resume, options.OverwriteCheckpoints)
            : null;
        return new TrainingPlan(
            new NetworkPlan(networks, options.LatentDimension, default, 0, false) { Table = layout },
            options.Tvae is null ? new WassersteinGradientPenaltyLossOptions { GradientPenaltyWeight = options.GradientPenaltyWeight } : null,
            new OptimizerPlan(options.Tvae?.LearningRate ?? options.GeneratorLearningRate, beta1, beta2),
            new OptimizerPlan(options.Tvae?.LearningRate ?? options.CriticLearningRate, beta1, beta2),
            new LatentSpace(options.LatentDimension, LatentDistribution.Normal),
            options.GeneratorEmaDecay is float decay ? new EmaPlan(decay, options.GeneratorEmaWarmup) : null,
            new StepPlan(options.BatchSize, options.Tvae is null ? options.CriticStepsPerGeneratorStep : 1, true, 0, DiffAugmentPolicy.None, null),
            0,
            new RunPlan(options.Budget, options.Threads, device, DivergenceAction.Throw, checkpoints, 0, 0, null, 0, options.LogEveryNSteps, options.Progress));
    }
}
