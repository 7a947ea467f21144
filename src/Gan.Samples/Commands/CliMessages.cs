using System.Text.RegularExpressions;

namespace Gan.Samples.Commands;

/// <summary>
/// Library errors say what to change in the API (<c>GanOptions.Epochs</c>); on the command line the same advice names
/// the option (<c>--epochs</c>). .NET's "(Parameter 'x')" and "Actual value was …" tails, which name C# parameters, go.
/// </summary>
internal static partial class CliMessages
{
    private static readonly Dictionary<string, string> Options = new(StringComparer.Ordinal)
    {
        ["Epochs"] = "--epochs", ["MaxSteps"] = "--max-steps", ["BatchSize"] = "--batch-size", ["HiddenSize"] = "--hidden-size",
        ["LatentDimension"] = "--latent-dim", ["GeneratorLearningRate"] = "--g-lr", ["DiscriminatorLearningRate"] = "--d-lr",
        ["GeneratorBetas"] = "--beta1/--beta2", ["DiscriminatorBetas"] = "--beta1/--beta2", ["DcganWidth"] = "--dcgan-width",
        ["Architecture"] = "--architecture", ["Loss"] = "--loss", ["Conditional"] = "--conditional", ["AuxiliaryClassifier"] = "--aux-classifier",
        ["DiscriminatorStepsPerGeneratorStep"] = "--critic-steps", ["GeneratorEmaDecay"] = "--ema", ["GeneratorEmaWarmup"] = "--ema-warmup", ["Tvae"] = "--tvae", ["MaxGradientNorm"] = "--max-grad-norm",
        ["CheckpointDirectory"] = "--checkpoint-dir", ["CheckpointEveryEpochs"] = "--checkpoint-every", ["EvaluateEveryEpochs"] = "--eval-every",
        ["EvaluationSampleCount"] = "--eval-samples", ["OverwriteCheckpoints"] = "--overwrite-checkpoints", ["Resume"] = "--resume",
        ["LatentDistribution"] = "--latent-distribution", ["Threads"] = "--threads", ["DiffAugment"] = "--diff-augment",
        ["ModeSeekingWeight"] = "--mode-seeking", ["MinimumConfidence"] = "--filter-confidence", ["SpectralNormalization"] = "--spectral-norm", ["MaxRows"] = "--max-rows",
        ["DataDirectory"] = "--mnist-dir", ["CasSampleCount"] = "--cas-samples", ["CnnCasEpochs"] = "--cnn-cas-epochs",
        ["CnnCasChannels"] = "--cnn-cas-channels", ["MaxCandidatesPerRow"] = "--filter-max-candidates", ["TensorBoardDirectory"] = "--tensorboard",
        ["Device"] = "--device",

        // SemiSupervisedGanOptions, as the semi-supervised verb names them.
        ["LearningRate"] = "--lr", ["ConsistencyWeight"] = "--consistency", ["ConfidenceThreshold"] = "--confidence", ["ConsistencyStartShare"] = "--consistency-start", ["PropagateLabels"] = "--propagate-labels",
        ["StrongAugmentation"] = "--strong-augmentation", ["LearningRateDecayShare"] = "--lr-decay-share", ["WeightAverageDecay"] = "--weight-average",
        ["Network"] = "--network", ["NoisyConsistencyTargets"] = "--noisy-targets", ["DistributionAlignment"] = "--distribution-alignment", ["SelfTrainingEpochs"] = "--self-training-epochs",
        ["PseudoLabelConfidence"] = "--pseudo-label-confidence", ["SelfTrainingRounds"] = "--self-training-rounds",
        ["StudentConsistency"] = "--student-consistency", ["StudentStrongAugmentation"] = "--student-strong-augmentation",
        ["StudentChannels"] = "--student-channels",

        // Members of the option groups, named only with their group (TrainingBudget.Steps, DcganNetworkOptions.Width).
        ["LabelColumnName"] = "--label", ["ExcludedColumnNames"] = "--exclude",

        ["Steps"] = "--max-steps", ["Width"] = "--dcgan-width",
    };

    /// <summary>The training plan's paths a resume names when a setting changed (<c>Step.DiffAugment: checkpoint …</c>), as flags.</summary>
    private static readonly Dictionary<string, string> PlanPaths = new(StringComparer.Ordinal)
    {
        ["Seed"] = "--seed", ["Step.BatchSize"] = "--batch-size", ["Step.CriticSteps"] = "--critic-steps", ["Step.ModeSeekingWeight"] = "--mode-seeking",
        ["Step.DiffAugment"] = "--diff-augment", ["Step.MaxGradientNorm"] = "--max-grad-norm", ["Ema"] = "--ema", ["Ema.Decay"] = "--ema",
        ["Ema.Warmup"] = "--ema-warmup", ["Networks.Architecture.Kind"] = "--architecture", ["Networks.Architecture.Width"] = "--dcgan-width",
        ["Networks.Architecture.HiddenSize"] = "--hidden-size", ["Networks.Architecture.SpectralNormalization"] = "--spectral-norm",
        ["Networks.LatentDimension"] = "--latent-dim", ["Networks.AuxiliaryClassifier"] = "--aux-classifier", ["Loss.Kind"] = "--loss",
        ["Generator.LearningRate"] = "--g-lr", ["Discriminator.LearningRate"] = "--d-lr", ["Latents.Distribution"] = "--latent-distribution",
    };

    public static string ForCommandLine(string message)
    {
        // "Step.DiffAugment: checkpoint None, now Translation" → "--diff-augment: checkpoint None, now Translation".
        message = ChangedSetting().Replace(message, m => PlanPaths.TryGetValue(m.Groups["path"].Value, out string? option) ? option : m.Value);
        // "GanOptions.Resume = true" and "Resume = true" → "--resume"; "MnistOptions.MaxRows" → "--max-rows".
        message = QualifiedName().Replace(message, m => Options.TryGetValue(m.Groups["name"].Value, out string? option) ? option : m.Value);
        message = SwitchOn().Replace(message, m => Options.TryGetValue(m.Groups["name"].Value, out string? option) ? option : m.Value);
        message = ParameterTail().Replace(message, "");
        return message.Trim();
    }

    [GeneratedRegex(@"\b(?:GanOptions|MnistOptions|GanEvaluationOptions|PyTorchGeneratorOptions|SyntheticRowOptions|TrainingBudget|MlpNetworkOptions|DcganNetworkOptions|SemiSupervisedGanOptions|TabularGanOptions)\.(?<name>[A-Z]\w*)(?: = true)?")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"\b(?<name>Resume|OverwriteCheckpoints|CheckpointDirectory|MaxSteps|Epochs)(?: = true)?(?=[ ,.;)]|$)")]
    private static partial Regex SwitchOn();

    [GeneratedRegex(@"(?<path>\b[A-Z]\w*(?:\.[A-Z]\w*)*)(?=: checkpoint )")]
    private static partial Regex ChangedSetting();

    // "Actual value was 1.5." runs to the end of its line: a decimal point is not the end of the sentence.
    [GeneratedRegex(@"\s*\(Parameter '[^']*'\)|\s*Actual value was [^\r\n]*")]
    private static partial Regex ParameterTail();
}
