using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Networks;

namespace Microsoft.ML.Gan.Training;

/// <summary>One optimizer's settings: Adam's learning rate and betas.</summary>
internal sealed record OptimizerPlan(float LearningRate, float Beta1, float Beta2);

/// <summary>The adversarial loss with its settings: the real target of the BCE loss, λ of the gradient penalty.</summary>
internal sealed record LossPlan(GanLoss Loss, float RealLabel, float GradientPenaltyWeight);

/// <summary>
/// <see cref="GanOptions"/> resolved once, against the training images, into what each part of training takes: the networks,
/// the loss, the two optimizers, the latent space and the EMA. Defaults that depend on the architecture (learning rates, betas)
/// are settled here, so the networks, losses, optimizer state, EMA and latent draws read their part and never the options.
/// What concerns the run itself (checkpoints, evaluation cadence, logging, progress) stays with the loop.
/// </summary>
internal sealed record TrainingPlan(
    NetworkPlan Networks,
    LossPlan Loss,
    OptimizerPlan Generator,
    OptimizerPlan Discriminator,
    LatentSpace Latents,
    float? EmaDecay,
    bool EmaWarmup,
    float? MaxGradientNorm,
    int SampleCount)
{
    public static TrainingPlan Resolve(GanOptions options, ImageShape shape, int classCount)
    {
        (float gBeta1, float gBeta2) = options.EffectiveGeneratorBetas;
        (float dBeta1, float dBeta2) = options.EffectiveDiscriminatorBetas;
        return new TrainingPlan(
            NetworkPlan.Resolve(options, shape, classCount),
            new LossPlan(options.Loss, options.EffectiveRealLabel, options.GradientPenaltyWeight),
            new OptimizerPlan(options.EffectiveGeneratorLearningRate, gBeta1, gBeta2),
            new OptimizerPlan(options.EffectiveDiscriminatorLearningRate, dBeta1, dBeta2),
            new LatentSpace(options.LatentDimension, options.LatentDistribution),
            options.GeneratorEmaDecay,
            options.GeneratorEmaWarmup,
            options.MaxGradientNorm,
            options.SampleCount);
    }

    /// <summary>
    /// The EMA decay of generator update <paramref name="update"/> (1-based, counted over the whole run): the decay, or with
    /// warm-up min(decay, (1 + t) / (10 + t)).
    /// </summary>
    public float EmaDecayAt(long update)
    {
        float decay = EmaDecay ?? 0;
        return EmaWarmup ? Math.Min(decay, (1f + update) / (10f + update)) : decay;
    }
}
