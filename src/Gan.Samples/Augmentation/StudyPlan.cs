using Microsoft.ML.Gan;

namespace Gan.Samples.Augmentation;

/// <summary>The classifiers a study trains on every arm.</summary>
internal enum StudyClassifier
{
    /// <summary>ML.NET LbfgsMaximumEntropy on the 784 pixels.</summary>
    Lbfgs,

    /// <summary>ML.NET LightGbm (multiclass) on the 784 pixels.</summary>
    LightGbm,

    /// <summary>The TorchSharp LeNet CNN (<see cref="LeNetClassifier"/>) with a fixed step budget.</summary>
    Cnn,
}

/// <summary>What a classifier is trained on, besides the real rows.</summary>
internal enum Arm
{
    /// <summary>(a) The real rows only.</summary>
    Real,

    /// <summary>(b) Real plus ratio × real rows of classic augmentation (shifts and rotations).</summary>
    Classic,

    /// <summary>(c) Real plus ratio × real rows from the conditional GAN.</summary>
    Gan,

    /// <summary>(d) Real plus GAN rows that a CNN trained on the real rows recognises as their label.</summary>
    FilteredGan,

    /// <summary>(e) Real plus ratio × real rows, half classic and half from the GAN.</summary>
    ClassicAndGan,

    /// <summary>
    /// (f) With the unlabelled rows: real plus ratio × real rows from a conditional GAN trained on the real rows and the
    /// unlabelled rows the semi-supervised classifier labelled (the synthetic-row pipeline of issue 24).
    /// </summary>
    SemiSupervisedGan,

    /// <summary>
    /// (g) With the unlabelled rows: real plus ratio × real rows of (f)'s GAN that the semi-supervised classifier gives their
    /// own label with at least the filter's confidence (the pipeline, filtered).
    /// </summary>
    FilteredSemiSupervisedGan,

    /// <summary>(h) With the unlabelled rows: real plus every unlabelled row the semi-supervised classifier labelled (no generated row).</summary>
    PseudoLabelled,
}

/// <summary>What the augmentation study runs: regimes, seeds, ratios, classifiers, and the GAN recipe.</summary>
internal sealed record StudyPlan
{
    /// <summary>Labelled real rows per run (multiples of 10: balanced over the digits).</summary>
    public required int[] Regimes { get; init; }

    public required int[] Seeds { get; init; }

    /// <summary>Synthetic rows per real row.</summary>
    public required int[] Ratios { get; init; }

    public required StudyClassifier[] Classifiers { get; init; }

    /// <summary>Generator steps of the GAN per regime (same order as <see cref="Regimes"/>).</summary>
    public required int[] GanSteps { get; init; }

    /// <summary>MNIST train rows held out (the last ones) to choose settings on; never the test split.</summary>
    public int ValidationRows { get; init; } = 2_000;

    public int DcganWidth { get; init; } = 32;

    public DiffAugmentPolicy DiffAugment { get; init; } = DiffAugmentPolicy.Translation | DiffAugmentPolicy.Cutout;

    public float? GeneratorEma { get; init; } = 0.995f;

    /// <summary>Weight of the GAN's mode-seeking term (<see cref="GanOptions.ModeSeekingWeight"/>); 0 is off.</summary>
    public float ModeSeeking { get; init; }

    /// <summary>Whether the GAN's discriminator also classifies the label (<see cref="GanOptions.AuxiliaryClassifier"/>, AC-GAN).</summary>
    public bool AuxiliaryClassifier { get; init; } = true;

    /// <summary>Sampling temperature of the GAN rows (<see cref="SyntheticRowOptions.LatentScale"/>).</summary>
    public float LatentScale { get; init; } = 1f;

    /// <summary>Arm (d) keeps GAN rows whose label the real-row CNN gives at least this probability.</summary>
    public float FilterConfidence { get; init; } = 0.5f;

    /// <summary>Optimizer steps of every CNN fit (batch 64), whatever the arm's size, so arms differ only in data.</summary>
    public int CnnSteps { get; init; } = 250;

    public int LightGbmIterations { get; init; } = 15;

    /// <summary>L-BFGS iterations of LbfgsMaximumEntropy: a fixed optimisation budget, the same on every arm (ML.NET's default runs to a 1e-7 tolerance, minutes on 100k rows).</summary>
    public int LbfgsIterations { get; init; } = 100;

    /// <summary>TorchSharp threads for the GAN and the CNN.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>
    /// Regimes (of <see cref="Regimes"/>) that also run the setting "N labels + the rest of the pool unlabelled": the
    /// semi-supervised classifier, the rows of its pipeline (arms (f), (g), (h)) and the classifier itself as a reference.
    /// </summary>
    public int[] UnlabelledRegimes { get; init; } = [];

    /// <summary>Training steps of the semi-supervised classifier (600 steps are one epoch of its 100 + 100 batches).</summary>
    public int SemiSupervisedSteps { get; init; } = 3_000;

    /// <summary>
    /// Generator steps of the GAN trained on the real and the classifier-labelled rows (<see cref="GanOptions.SyntheticDataRecipe"/>;
    /// 7,500 steps are 8 epochs of 60,000 images, where that recipe first reached 98 % label agreement in docs/BENCHMARKS.md).
    /// </summary>
    public int SemiSupervisedGanSteps { get; init; } = DefaultSemiSupervisedGanSteps;

    public const int DefaultSemiSupervisedGanSteps = 7_500;

    /// <summary>Self-training epochs of the semi-supervised classifier (<see cref="SemiSupervisedGanOptions.SelfTrainingEpochs"/>; none unless set: the CLI passes the library's default).</summary>
    public int SemiSupervisedSelfTrainingEpochs { get; init; }

    /// <summary>
    /// Whether the semi-supervised classifier aligns its class distribution (<see cref="SemiSupervisedGanOptions.DistributionAlignment"/>;
    /// off unless set: the CLI passes the library's default; runs kept from before the option have it off).
    /// </summary>
    public bool SemiSupervisedDistributionAlignment { get; init; }

    /// <summary>An unlabelled row takes the classifier's label when the classifier gives it at least this probability.</summary>
    public float PseudoLabelConfidence { get; init; } = 0.95f;

    /// <summary>The arms of every regime: (a) to (e).</summary>
    public IEnumerable<(Arm Arm, int Ratio)> Arms()
    {
        yield return (Arm.Real, 0);
        foreach (Arm arm in new[] { Arm.Classic, Arm.Gan, Arm.FilteredGan, Arm.ClassicAndGan })
        {
            foreach (int ratio in Ratios)
            {
                yield return (arm, ratio);
            }
        }
    }

    /// <summary>The arms of <paramref name="regime"/>: (a) to (e), and (f) to (h) when it has the unlabelled rows too.</summary>
    public IEnumerable<(Arm Arm, int Ratio)> Arms(int regime)
    {
        IEnumerable<(Arm Arm, int Ratio)> arms = Arms();
        if (!UnlabelledRegimes.Contains(regime))
        {
            return arms;
        }

        return arms
            .Concat(new[] { Arm.SemiSupervisedGan, Arm.FilteredSemiSupervisedGan }.SelectMany(arm => Ratios.Select(ratio => (arm, ratio))))
            .Append((Arm.PseudoLabelled, 0));
    }

    public void Validate()
    {
        if (Regimes.Length == 0 || Regimes.Any(r => r < 10 || r % 10 != 0))
        {
            throw new ArgumentException($"--regimes must be multiples of 10 (a balanced labelled set); got {string.Join(", ", Regimes)}.");
        }

        if (Seeds.Length == 0 || Ratios.Length == 0 || Ratios.Any(r => r < 1) || Classifiers.Length == 0)
        {
            throw new ArgumentException("--seeds, --ratios (each at least 1) and --classifiers need at least one value.");
        }

        if (GanSteps.Length != Regimes.Length || GanSteps.Any(s => s < 1))
        {
            throw new ArgumentException($"--gan-steps needs one positive value per regime ({Regimes.Length}); got {string.Join(", ", GanSteps)}.");
        }

        if (!float.IsFinite(ModeSeeking) || ModeSeeking < 0)
        {
            throw new ArgumentException($"--mode-seeking must be a finite value >= 0; got {ModeSeeking}.");
        }

        if (!float.IsFinite(LatentScale) || LatentScale <= 0)
        {
            throw new ArgumentException($"--latent-scale must be a finite value > 0; got {LatentScale}.");
        }

        // One message per option, with its value; relational patterns are false for NaN, so NaN is refused too.
        Require(ValidationRows is >= 100 and <= 10_000, "--validation-rows", "between 100 and 10,000", ValidationRows);
        Require(FilterConfidence is >= 0 and < 1, "--filter-confidence", "in [0, 1)", FilterConfidence);
        Require(CnnSteps >= 1, "--cnn-steps", "at least 1", CnnSteps);
        Require(LightGbmIterations >= 1, "--lightgbm-iterations", "at least 1", LightGbmIterations);
        Require(LbfgsIterations >= 1, "--lbfgs-iterations", "at least 1", LbfgsIterations);
        Require(Threads >= 1, "--threads", "at least 1", Threads);
        Require(DcganWidth >= 1, "--dcgan-width", "at least 1", DcganWidth);
        Require(SemiSupervisedSteps >= 1, "--ssl-steps", "at least 1", SemiSupervisedSteps);
        Require(SemiSupervisedSelfTrainingEpochs >= 0, "--ssl-self-training-epochs", "at least 0", SemiSupervisedSelfTrainingEpochs);
        Require(SemiSupervisedGanSteps >= 1, "--ssl-gan-steps", "at least 1", SemiSupervisedGanSteps);
        Require(PseudoLabelConfidence is >= 0 and <= 1, "--pseudo-label-confidence", "in [0, 1]", PseudoLabelConfidence);
        if (UnlabelledRegimes.Except(Regimes).ToArray() is { Length: > 0 } strangers)
        {
            throw new ArgumentException($"--unlabelled-regimes must be among --regimes ({string.Join(", ", Regimes)}); got {string.Join(", ", strangers)}.");
        }

        if (Regimes.Any(r => r / 10 > 4_000))
        {
            throw new ArgumentException("--regimes: at most 40,000 labelled rows (the pool is MNIST train without the validation rows).");
        }

        static void Require(bool valid, string option, string expected, object value)
        {
            if (!valid)
            {
                throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{option} must be {expected}; got {value}."));
            }
        }
    }
}

/// <summary>One classifier fit: which arm, its validation and test accuracy, and how long it took.</summary>
internal sealed record Measurement(int Regime, int Seed, StudyClassifier Classifier, Arm Arm, int Ratio, double Validation, double Test, double Seconds);

/// <summary>
/// One GAN trained on a run's real rows, with diagnostics from the shipped MNIST network (reporting only; nothing is
/// chosen by it). <paramref name="RowSeconds"/> is the time to make the run's GAN and filtered rows, the filter's CNN included.
/// </summary>
internal sealed record GanRun(int Regime, int Seed, double Seconds, double RowSeconds, double LabelAgreement, double FilteredLabelAgreement);

/// <summary>
/// The semi-supervised side of a run with unlabelled rows: the classifier's own accuracy (the reference row), how many
/// unlabelled rows it labelled and how many of those labels MNIST agrees with, and the GAN trained on them (as <see cref="GanRun"/>).
/// </summary>
internal sealed record SemiSupervisedRun(int Regime, int Seed, double Seconds, double Validation, double Test, int Unlabelled, int PseudoLabelled, double PseudoLabelAccuracy,
    double GanSeconds, double RowSeconds, double LabelAgreement, double FilteredLabelAgreement);
