using Microsoft.Extensions.Logging;

namespace Microsoft.ML.Gan;

/// <summary>
/// Options of <see cref="SemiSupervisedGanTrainer"/>: a GAN whose discriminator is a K-class classifier, trained on a few
/// labelled images and many unlabelled ones (Salimans et al., 2016, "Improved Techniques for Training GANs", feature
/// matching). Rows whose label is a missing key (key 0) are the unlabelled ones. Every default is the paper's MNIST setting
/// except the budget and the weight average, which are chosen for a budget of minutes rather than 300 epochs
/// (docs/SEMI-SUPERVISED.md says how they were chosen, on a validation split).
/// </summary>
public sealed class SemiSupervisedGanOptions
{
    /// <summary>The label column: a key type, missing (key 0) on unlabelled rows. Default: <c>Label</c>.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The images: a known-size <c>Vector&lt;Single&gt;</c> in [0, <see cref="MaxPixelValue"/>] or <c>Vector&lt;Byte&gt;</c>. Default: <c>Pixels</c>.</summary>
    public string PixelsColumnName { get; set; } = "Pixels";

    /// <summary>Output: the class probabilities, as ML.NET's multiclass trainers name them. Default: <c>Score</c>.</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>Output: the most probable class, of the label's key type with its key values. Default: <c>PredictedLabel</c>.</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>
    /// How long to train. An epoch is one pass over the unlabelled rows, <see cref="BatchSize"/> labelled and as many
    /// unlabelled rows a step (the labelled rows are repeated as often as needed). Default: 10 epochs, the budget the other
    /// defaults were chosen with on a validation split (docs/SEMI-SUPERVISED.md); accuracy was still rising there.
    /// </summary>
    public TrainingBudget Budget { get; set; } = TrainingBudget.OfEpochs(10);

    /// <summary>
    /// The classifier-discriminator's network. Default: <see cref="SemiSupervisedNetwork.Mlp"/> (the paper's), chosen on a
    /// validation split over <see cref="SemiSupervisedNetwork.Cnn"/>, which learns faster in the first epochs but did not end
    /// better (docs/SEMI-SUPERVISED.md).
    /// </summary>
    public SemiSupervisedNetwork Network { get; set; } = SemiSupervisedNetwork.Mlp;

    /// <summary>Labelled rows per step, and as many unlabelled rows and generated images. Default: 100 (the paper's).</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Adam learning rate of both networks. Default: 0.003 (the paper's).</summary>
    public float LearningRate { get; set; } = 0.003f;

    /// <summary>Adam beta1 of both networks. Default: 0.5 (the paper's; beta2 is 0.999).</summary>
    public float Beta1 { get; set; } = 0.5f;

    /// <summary>Weight of the unlabelled and generated rows' term against the labelled rows' cross-entropy. Default: 1 (the paper's).</summary>
    public float UnlabelledWeight { get; set; } = 1f;

    /// <summary>
    /// Weight of the consistency term on the unlabelled rows (as FixMatch, Sohn et al. 2020, has it): the classifier's class for
    /// a slightly shifted copy of an unlabelled image (±1 pixel) becomes the target for a strongly altered copy (±4 pixels and
    /// an 8 × 8 cut-out) when it is at least <see cref="ConfidenceThreshold"/> sure. It teaches the classifier from unlabelled
    /// rows far faster than the GAN term alone (docs/DESIGN-DECISIONS.md). Default: 1. 0 turns it off (the paper's recipe).
    /// </summary>
    public float ConsistencyWeight { get; set; } = 1f;

    /// <summary>
    /// The probability the classifier must give a class for an unlabelled row to count in the consistency term. Default: 0.8,
    /// chosen on a validation split over FixMatch's 0.95 (docs/SEMI-SUPERVISED.md).
    /// </summary>
    public float ConfidenceThreshold { get; set; } = 0.8f;

    /// <summary>
    /// The strong view of an unlabelled image in the consistency term. Default: <see cref="ConsistencyAugmentation.AffineAndCutOut"/>,
    /// chosen on a validation split over shifts alone (docs/SEMI-SUPERVISED.md).
    /// </summary>
    public ConsistencyAugmentation StrongAugmentation { get; set; } = ConsistencyAugmentation.AffineAndCutOut;

    /// <summary>
    /// The share of the GAN's budget, at its start, that trains without the consistency term (the Improved GAN's losses
    /// alone), so that the classes form from the unlabelled rows before the classifier's own confident targets reinforce
    /// them: a style of a digit that none of its labelled images shows (a crossed 7 among ten plain ones) can otherwise be
    /// taken for another digit early and kept there. Default: 0 (the term from the first step): 0.5 and 0.25 rescued one
    /// weak labelled subset on validation but not another, nor the test split (0.5; docs/SEMI-SUPERVISED-START.md).
    /// </summary>
    public float ConsistencyStartShare { get; set; }

    /// <summary>
    /// Whether the consistency term's targets (the class of the slightly shifted copy, and how sure the classifier is of it)
    /// are drawn with the classifier's training noise on, as in training. Default: true, chosen on a validation split over
    /// false, which scores them as the classifier scores (no Gaussian noise; docs/SEMI-SUPERVISED.md has both).
    /// </summary>
    public bool NoisyConsistencyTargets { get; set; } = true;

    /// <summary>
    /// Whether the consistency term aligns the classifier's class distribution on unlabelled rows with a uniform one before
    /// it picks targets (ReMixMatch's distribution alignment, Berthelot et al. 2020): every prediction is multiplied by
    /// 1 / (K × the running mean prediction) and normalised, so a class the classifier has started to give too often (a
    /// style of one digit taken for another) is drawn back rather than locked in by its own confident targets. The running
    /// mean spans about 128 steps. It assumes the classes are about equally common among the unlabelled rows, as MNIST's
    /// digits are. Default: true (chosen on a validation split: +0.21 points over five labelled subsets,
    /// docs/SEMI-SUPERVISED-OPTIONS.md).
    /// </summary>
    public bool DistributionAlignment { get; set; } = true;

    /// <summary>
    /// The share of the budget, at its end, over which both learning rates fall linearly to 0. Default: 0.3. 0 keeps them
    /// constant (the paper's recipe).
    /// </summary>
    public float LearningRateDecayShare { get; set; } = 0.3f;

    /// <summary>
    /// Epochs of self-training after the GAN's budget: the trained classifier labels the unlabelled rows, and a fresh
    /// <see cref="SemiSupervisedNetwork.Cnn"/> (the student) learns the labelled rows and every unlabelled row labelled with
    /// probability at least <see cref="PseudoLabelConfidence"/>, each seen turned, scaled, sheared and shifted at random; the
    /// student is what is saved and scored. An epoch is one pass over those rows (about a sixth of a GAN epoch's time on MNIST).
    /// Default: 20, chosen on a validation split over none, which it beat on every labelled subset tried
    /// (docs/SEMI-SUPERVISED.md). 0 saves the GAN's classifier. With more labels the student, not the GAN, sets the level:
    /// at 1,000 labels on MNIST 40 epochs were above 20 on each of four validation subsets, by less than the rule for a
    /// default asks (docs/SEMI-SUPERVISED-THOUSAND-STUDENT.md).
    /// </summary>
    public int SelfTrainingEpochs { get; set; } = 20;

    /// <summary>
    /// Rounds of self-training (<see cref="SelfTrainingEpochs"/> each): after the first, the last round's student is the
    /// teacher that labels the unlabelled rows again for a fresh student (Xie et al. 2020, "Self-training with Noisy Student").
    /// Each round costs as much as the first. Default: 1.
    /// </summary>
    public int SelfTrainingRounds { get; set; } = 1;

    /// <summary>
    /// Whether the student also learns every unlabelled row by consistency, as FixMatch does (Sohn et al. 2020): each step its
    /// weight average (the student itself without one) labels a batch of unlabelled rows shifted by up to a pixel, and where
    /// that label's probability reaches <see cref="PseudoLabelConfidence"/> the student must give it to the row's strong view
    /// (<see cref="StudentStrongAugmentation"/>), weight 1, beside its cross-entropy on the teacher's labels. Rows the teacher was not
    /// sure of can so join as the student grows sure of them. Each step also labels and learns a second batch, so the student
    /// takes longer (docs/SEMI-SUPERVISED-STUDENT.md gives the training minutes). Unused without a student (<see cref="SelfTrainingEpochs"/> 0). Default: true, chosen on a
    /// validation split with <see cref="ConsistencyAugmentation.Affine"/> as its view: +0.14 points [+0.01, +0.27] over five
    /// labelled subsets, above the student without it on every one; with the GAN's view (cut-out included) it had ended below
    /// on all three subsets tried (docs/SEMI-SUPERVISED-STUDENT.md).
    /// </summary>
    public bool StudentConsistency { get; set; } = true;

    /// <summary>
    /// The strong view of an unlabelled image in the student's consistency term (<see cref="StudentConsistency"/>; unused
    /// without it). Default: <see cref="ConsistencyAugmentation.Affine"/>, the view the student learns every other image in,
    /// chosen on a validation split over the GAN's <see cref="ConsistencyAugmentation.AffineAndCutOut"/>
    /// (docs/SEMI-SUPERVISED-STUDENT.md).
    /// </summary>
    public ConsistencyAugmentation StudentStrongAugmentation { get; set; } = ConsistencyAugmentation.Affine;

    /// <summary>
    /// Channels of each of the student's two convolutions (<see cref="SemiSupervisedNetwork.Cnn"/>; its dense layer keeps 256
    /// units). More channels give the student room for more of what its rows hold, at more time per epoch: the weights of
    /// its second convolution grow with the square of this, those of its dense layer in proportion. Unused without a
    /// student (<see cref="SelfTrainingEpochs"/> 0). At most 8 or a multiple of 8: libtorch's CPU convolution is wrong for
    /// other widths above 8 (docs/DESIGN-DECISIONS.md). Default: 32; at 1,000 labels on MNIST 64 was 0.27 points above it
    /// on one validation subset and 0.03 below on another (docs/SEMI-SUPERVISED-WIDE-STUDENT.md).
    /// </summary>
    public int StudentChannels { get; set; } = 32;

    /// <summary>
    /// The probability the GAN's classifier must give an unlabelled row's class for the row to join self-training with that
    /// class (<see cref="SelfTrainingEpochs"/>). Default: 0.95, as <see cref="SemiSupervisedGanTransformer.LabelUnlabelledRows"/>
    /// filters by default (on MNIST with 100 labels it keeps about 95 % of the unlabelled rows, 99.3 % of them rightly labelled).
    /// </summary>
    public float PseudoLabelConfidence { get; set; } = 0.95f;

    /// <summary>
    /// Whether the classes self-training learns combine the GAN's classifier with label propagation: the labelled rows' classes
    /// spread over a graph that links every training image to its 10 most similar (cosine similarity of the slant-corrected
    /// pixels, as handwriting recognition deskews), and each unlabelled row the classifier is sure of
    /// (<see cref="PseudoLabelConfidence"/>) takes the most probable class of the classifier's probabilities, raised to the
    /// power 0.1, times the propagated ones. A style of a digit that none of its labelled images shows (a crossed 7 among ten
    /// plain ones), which the classifier can take for another digit, is found by the graph through the styles between them.
    /// Slant correction centres each image, so this suits images whose class does not lie in where they sit. Building the
    /// graph compares every training image with every other once (about two minutes for 50,000 MNIST images on one core).
    /// Unused without a student (<see cref="SelfTrainingEpochs"/> 0). Default: false: on a validation split it was above the
    /// recipe on each of five labelled subsets, by about a point where the classifier took the crossed 7s for 2s, but +0.41
    /// points [−0.20, +1.03] over the five is not an interval above 0 (docs/SEMI-SUPERVISED-PROPAGATION.md), and on five
    /// fresh subsets, never below either, +0.43 [−0.27, +1.13] (docs/SEMI-SUPERVISED-PROPAGATION-CONFIRMATION.md).
    /// </summary>
    public bool PropagateLabels { get; set; }

    /// <summary>Size of the generator's latent vector z ~ U(0, 1). Default: 100 (the paper's).</summary>
    public int LatentDimension { get; set; } = 100;

    /// <summary>
    /// Decay of an exponential moving average of the classifier's weights, updated after every step; the average is what is
    /// exported, scored and measured. The t-th update uses min(decay, (1 + t) / (10 + t)), so the average follows the classifier
    /// closely at first. The paper averages with 0.9999 over 180,000 steps; a budget of a few thousand steps needs a shorter
    /// memory. Default: 0.999. Null turns it off.
    /// </summary>
    public float? WeightAverageDecay { get; set; } = 0.999f;

    /// <summary>The value that means full intensity in the pixel column. Default: null — 1 for Single columns, 255 for Byte.</summary>
    public float? MaxPixelValue { get; set; }

    /// <summary>Seed of every random choice (weights, noise, batches). Default: null, drawn from the MLContext's seeded generator.</summary>
    public int? Seed { get; set; }

    /// <summary>TorchSharp intra-op threads while training; 0 chooses while training runs (see <see cref="GanOptions.Threads"/>). Default: 1.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>TorchSharp device; null follows the MLContext (<see cref="GanOptions.Device"/>). Default: null.</summary>
    public string? Device { get; set; }

    /// <summary>Receives training progress and summaries. Default: null, which writes them to the context's log (<c>mlContext.Log</c>).</summary>
    public ILogger? Logger { get; set; }

    /// <summary>Called on the training thread after every epoch, with the validation accuracy when validation rows were given. Default: none.</summary>
    public IProgress<SemiSupervisedGanProgress>? Progress { get; set; }

    internal SemiSupervisedGanOptions Clone() => (SemiSupervisedGanOptions)MemberwiseClone();

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    internal void Validate()
    {
        const string Owner = nameof(SemiSupervisedGanOptions);
        OptionChecks.ColumnName(LabelColumnName, Owner, nameof(LabelColumnName));
        OptionChecks.ColumnName(PixelsColumnName, Owner, nameof(PixelsColumnName));
        OptionChecks.ColumnName(ScoreColumnName, Owner, nameof(ScoreColumnName));
        OptionChecks.ColumnName(PredictedLabelColumnName, Owner, nameof(PredictedLabelColumnName));
        if (ScoreColumnName == PredictedLabelColumnName)
        {
            throw new ArgumentException($"{Owner}.{nameof(ScoreColumnName)} and {nameof(PredictedLabelColumnName)} must differ; both are '{ScoreColumnName}'.");
        }

        OptionChecks.NotNull(Budget, Owner, nameof(Budget));
        OptionChecks.AtLeast(BatchSize, 1, Owner, nameof(BatchSize));
        OptionChecks.AtLeast(LatentDimension, 1, Owner, nameof(LatentDimension));
        OptionChecks.AtLeast(Threads, 0, Owner, nameof(Threads));
        OptionChecks.Positive(LearningRate, Owner, nameof(LearningRate));
        OptionChecks.InRange(Beta1, 0f, 1f, Owner, nameof(Beta1), upperInclusive: false);
        OptionChecks.NonNegative(UnlabelledWeight, Owner, nameof(UnlabelledWeight));
        OptionChecks.NonNegative(ConsistencyWeight, Owner, nameof(ConsistencyWeight));
        OptionChecks.InRange(ConfidenceThreshold, 0f, 1f, Owner, nameof(ConfidenceThreshold), upperInclusive: true);
        OptionChecks.InRange(ConsistencyStartShare, 0f, 1f, Owner, nameof(ConsistencyStartShare), upperInclusive: false);
        foreach ((ConsistencyAugmentation view, string name) in new[] { (StrongAugmentation, nameof(StrongAugmentation)), (StudentStrongAugmentation, nameof(StudentStrongAugmentation)) })
        {
            if (!Enum.IsDefined(view))
            {
                throw new ArgumentOutOfRangeException(name, view, $"{Owner}.{name} must be one of {string.Join(", ", Enum.GetNames<ConsistencyAugmentation>())}.");
            }
        }

        if (!Enum.IsDefined(Network))
        {
            throw new ArgumentOutOfRangeException(nameof(Network), Network, $"{Owner}.{nameof(Network)} must be one of {string.Join(", ", Enum.GetNames<SemiSupervisedNetwork>())}.");
        }

        OptionChecks.InRange(LearningRateDecayShare, 0f, 1f, Owner, nameof(LearningRateDecayShare), upperInclusive: true);
        OptionChecks.AtLeast(SelfTrainingEpochs, 0, Owner, nameof(SelfTrainingEpochs));
        OptionChecks.AtLeast(SelfTrainingRounds, 1, Owner, nameof(SelfTrainingRounds));
        OptionChecks.ConvolutionChannels(StudentChannels, Owner, nameof(StudentChannels), strideTwoOnly: true);
        OptionChecks.InRange(PseudoLabelConfidence, 0f, 1f, Owner, nameof(PseudoLabelConfidence), upperInclusive: true);
        if (WeightAverageDecay is float decay)
        {
            OptionChecks.InRange(decay, 0f, 1f, Owner, nameof(WeightAverageDecay), upperInclusive: false);
        }

        if (MaxPixelValue is float max)
        {
            OptionChecks.Positive(max, Owner, nameof(MaxPixelValue));
        }

        if (Device is not null && string.IsNullOrWhiteSpace(Device))
        {
            throw new ArgumentException($"{Owner}.{nameof(Device)} must name a device such as 'cpu' or 'cuda', or be null to follow the MLContext.", nameof(Device));
        }
    }
}

/// <summary>One epoch of a semi-supervised GAN's training.</summary>
/// <param name="Epoch">1-based epoch just finished.</param>
/// <param name="Epochs">Epochs the budget makes.</param>
/// <param name="LabelledLoss">Mean cross-entropy of the labelled rows.</param>
/// <param name="UnlabelledLoss">Mean loss of the unlabelled and generated rows (real against generated).</param>
/// <param name="GeneratorLoss">Mean feature-matching loss of the generator.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation rows given to Fit; null without them.</param>
/// <param name="Elapsed">Training time so far.</param>
/// <param name="SelfTraining">
/// True for an epoch of self-training (<see cref="SemiSupervisedGanOptions.SelfTrainingEpochs"/>): then <paramref name="LabelledLoss"/> is
/// the student's mean cross-entropy on labelled and pseudo-labelled rows (plus its consistency term with
/// <see cref="SemiSupervisedGanOptions.StudentConsistency"/>), and the unlabelled and generator losses are 0 (it has neither term).
/// </param>
public sealed record SemiSupervisedGanProgress(int Epoch, int Epochs, double LabelledLoss, double UnlabelledLoss, double GeneratorLoss, double? ValidationAccuracy, TimeSpan Elapsed,
    bool SelfTraining = false);
