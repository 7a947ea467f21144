using Microsoft.Extensions.Logging;

namespace Microsoft.ML.Gan;

/// <summary>
/// Options of <see cref="GanEstimator"/>. Every default reproduces the vanilla GAN of the source article
/// (an MLP generator and discriminator on MNIST in PyTorch): hidden size 32, latent size 100, dropout 0.3,
/// LeakyReLU slope 0.2, Adam with learning rate 0.002 and default betas for both networks, batch 64,
/// 100 epochs, z ~ Uniform(-1, 1), real images labelled 0.9 (label smoothing), 16 fixed latent vectors
/// rendered after every epoch. Other architectures, losses, class conditioning, an EMA generator and
/// checkpoints are options too.
/// </summary>
public sealed class GanOptions
{
    /// <summary>Epochs of <see cref="SyntheticDataRecipe"/> on all of MNIST.</summary>
    public const int SyntheticDataEpochs = 15;

    /// <summary>
    /// The recommended starting point for labelled synthetic training data, measured lever by lever in docs/COVERAGE.md:
    /// a conditional <see cref="GanArchitecture.Dcgan"/> of width 32, an EMA generator (decay 0.999, with its batch-norm
    /// statistics recomputed from its own outputs), the mode-seeking term with weight 1, and <see cref="SyntheticDataEpochs"/>
    /// epochs. Mode seeking is the lever that closes most of the gap between a CNN trained on generated rows and one
    /// trained on real rows; the smaller width pays for the longer training.
    /// Every property can still be changed; the epoch count is a default only, so setting <see cref="MaxSteps"/> instead is
    /// not a conflict. On a few hundred or thousand images use a step budget with <see cref="DiffAugment"/> and turn mode
    /// seeking off (<see cref="ModeSeekingWeight"/> = 0): with 1,000 MNIST images it traded class fidelity for variety,
    /// and most rows no longer showed their label (<c>gan-samples augment --regimes 1000 --mode-seeking 1</c> reports the
    /// label agreement).
    /// </summary>
    public static GanOptions SyntheticDataRecipe() => new()
    {
        Architecture = GanArchitecture.Dcgan,
        Conditional = true,
        DcganWidth = 32,
        GeneratorEmaDecay = 0.999f,
        ModeSeekingWeight = 1f,
        _epochs = SyntheticDataEpochs,
    };

    /// <summary>
    /// Training images: a known-size <c>Vector&lt;Single&gt;</c> (values in [0, <see cref="MaxPixelValue"/>]),
    /// a known-size <c>Vector&lt;Byte&gt;</c>, or an ImageAnalytics <c>MLImage</c> column (read as grayscale).
    /// Vector dimensions are read as C × H × W (3 dimensions), H × W (2) or a square H × W (1).
    /// Default: <c>Pixels</c>.
    /// </summary>
    public string PixelsColumnName { get; set; } = "Pixels";

    /// <summary>The latent-vector input of the fitted transformer (<c>Vector&lt;Single, LatentDimension&gt;</c>). Default: <c>Latent</c>.</summary>
    public string LatentColumnName { get; set; } = "Latent";

    /// <summary>
    /// Label column of a <see cref="Conditional"/> GAN: a key type (its count is the number of classes) or an
    /// integer type (classes 0..<see cref="ClassCount"/>-1). The fitted transformer then takes a column of the
    /// same name and type next to the latent column. Ignored when not conditional. Default: <c>Label</c>.
    /// </summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The networks. Default: <see cref="GanArchitecture.Mlp"/> (article).</summary>
    public GanArchitecture Architecture { get; set; } = GanArchitecture.Mlp;

    /// <summary>
    /// Condition both networks on the label column: the generator on a label embedding concatenated to z, the
    /// discriminator by projection. The result generates labelled images. Default: false (article).
    /// </summary>
    public bool Conditional { get; set; }

    /// <summary>
    /// Also train the discriminator to classify real images, and the generator to make images it classifies as their
    /// label (AC-GAN, with the classifier learning from real images only); needs <see cref="Conditional"/>. It makes
    /// labels hold on few images and short budgets (docs/AUGMENTATION.md). Default: false.
    /// </summary>
    public bool AuxiliaryClassifier { get; set; }

    /// <summary>Number of classes of an integer label column. Default: null — the largest label + 1. Key-typed labels bring their own count.</summary>
    public int? ClassCount { get; set; }

    /// <summary>
    /// Base width w of <see cref="GanArchitecture.Dcgan"/> (channels w and 2w). Default: 64 (the usual 128 × 7 × 7 start for MNIST).
    /// Dcgan only: setting it with another architecture is an error, not ignored.
    /// </summary>
    public int DcganWidth { get => _dcganWidth ?? 64; set => _dcganWidth = value; }

    /// <summary>The adversarial loss. Default: <see cref="GanLoss.NonSaturating"/> (article).</summary>
    public GanLoss Loss { get; set; } = GanLoss.NonSaturating;

    /// <summary>
    /// λ of <see cref="GanLoss.WassersteinGradientPenalty"/>. Default: 10 (Gulrajani et al., 2017). Setting it with another loss
    /// is an error, not ignored.
    /// </summary>
    public float GradientPenaltyWeight { get => _gradientPenaltyWeight ?? 10f; set => _gradientPenaltyWeight = value; }

    /// <summary>Discriminator (critic) steps per generator step; each uses its own real batch. Default: 1 (article; WGAN-GP usually uses 5).</summary>
    public int DiscriminatorStepsPerGeneratorStep { get; set; } = 1;

    /// <summary>
    /// Decay of an exponential moving average of the generator's weights, updated after every generator step;
    /// when set, the average is what gets rendered, exported and scored. Default: null (off); 0.999 is common.
    /// The average starts at the initial weights and keeps decay^steps of them, so a short budget needs a smaller
    /// decay: after 1,500 steps 0.999 still holds 22 % of the untrained generator, 0.995 0.05 %.
    /// </summary>
    public float? GeneratorEmaDecay { get; set; }

    /// <summary>
    /// Ramps the EMA's decay up instead of starting at <see cref="GeneratorEmaDecay"/>: the t-th update uses
    /// min(decay, (1 + t) / (10 + t)), as TensorFlow's ExponentialMovingAverage does with num_updates. Early on the average
    /// then follows the generator closely instead of keeping decay^t of the untrained weights (0.999 keeps 6 % of them
    /// after three MNIST epochs), and it reaches the full decay after about 9,000 updates. Needs <see cref="GeneratorEmaDecay"/>.
    /// Default: false.
    /// </summary>
    public bool GeneratorEmaWarmup { get; set; }

    /// <summary>
    /// λ of the mode-seeking term (Mao et al., CVPR 2019, MSGAN) added to the generator's loss: pairs of latents of one
    /// class must give images as different as the latents are, against a conditional generator drawing each class in one
    /// style. The paper uses 1. Default: 0 (off; the article's loss).
    /// </summary>
    public float ModeSeekingWeight { get; set; }

    /// <summary>
    /// Spectral normalization of every layer of the <see cref="GanArchitecture.Dcgan"/> discriminator (Miyato et al., ICLR
    /// 2018), replacing its batch normalization. Batch norm normalises the real and the fake batch each by its own
    /// statistics, which hides exactly what sets a fake batch apart (too little variety); spectral normalization bounds
    /// the discriminator without that. Dcgan only: with Mlp it is an error. Default: false (DCGAN as published).
    /// </summary>
    public bool SpectralNormalization { get; set; }

    /// <summary>Clip each network's gradient norm to this value before every optimizer step. Default: null (off).</summary>
    public float? MaxGradientNorm { get; set; }

    /// <summary>What to do when a loss becomes NaN or infinite. Default: <see cref="DivergenceAction.Throw"/>.</summary>
    public DivergenceAction OnDivergence { get; set; } = DivergenceAction.Throw;

    /// <summary>
    /// Directory for checkpoints (networks, EMA copy, optimizers, random state, counters, history), written
    /// atomically. Default: null (none).
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>
    /// Let a fresh run (not <see cref="Resume"/>) delete the checkpoints another run left in <see cref="CheckpointDirectory"/>.
    /// Without it such a folder is an error, so that no run hands back another run's model. Default: false.
    /// </summary>
    public bool OverwriteCheckpoints { get; set; }

    /// <summary>Write a checkpoint every this many epochs (with <see cref="CheckpointDirectory"/>). Default: 1.</summary>
    public int CheckpointEveryEpochs { get; set; } = 1;

    /// <summary>Also write one at the end of any epoch when this many minutes passed since the last. Default: null.</summary>
    public double? CheckpointEveryMinutes { get; set; }

    /// <summary>
    /// Continue from the latest checkpoint in <see cref="CheckpointDirectory"/>. <see cref="Epochs"/> is the
    /// total target: a finished run is not trained further. Without a checkpoint, training starts fresh and
    /// says so; a corrupt or incompatible checkpoint is an error, never a silent restart. Default: false.
    /// </summary>
    public bool Resume { get; set; }

    /// <summary>Output: generated pixels in [0, 1], shaped like the training column. Default: <c>GeneratedPixels</c>.</summary>
    public string GeneratedPixelsColumnName { get; set; } = "GeneratedPixels";

    /// <summary>Output: the generated image as an opaque <c>MLImage</c> (white on black). Default: <c>GeneratedImage</c>.</summary>
    public string GeneratedImageColumnName { get; set; } = "GeneratedImage";

    /// <summary>Size of the latent vector z. Default: 100 (article).</summary>
    public int LatentDimension { get; set; } = 100;

    /// <summary>
    /// The article's h: the <see cref="GanArchitecture.Mlp"/> networks' layers are h, 2h, 4h wide. Default: 32 (article).
    /// Mlp only (Dcgan's size is <see cref="DcganWidth"/>): setting it with another architecture is an error, not ignored.
    /// </summary>
    public int HiddenSize { get => _hiddenSize ?? 32; set => _hiddenSize = value; }

    /// <summary>
    /// Dropout probability after every hidden layer of both <see cref="GanArchitecture.Mlp"/> networks. Default: 0.3 (article).
    /// Mlp only (DCGAN has no dropout): setting it with another architecture is an error, not ignored.
    /// </summary>
    public float Dropout { get => _dropout ?? 0.3f; set => _dropout = value; }

    /// <summary>
    /// Negative slope of the LeakyReLU activations: every hidden layer of both <see cref="GanArchitecture.Mlp"/> networks, and the
    /// <see cref="GanArchitecture.Dcgan"/> discriminator (whose generator uses ReLU, as published). Default: 0.2 (article and DCGAN).
    /// </summary>
    public float LeakyReluSlope { get; set; } = 0.2f;

    // Architecture- and loss-specific settings remember whether they were set, so one that does not apply is an error.
    private int? _hiddenSize;
    private float? _dropout;
    private int? _dcganWidth;
    private float? _gradientPenaltyWeight;

    /// <summary>Adam learning rate of the generator. Default: null — 0.002 for Mlp (article), 0.0002 for Dcgan (Radford et al.).</summary>
    public float? GeneratorLearningRate { get; set; }

    /// <summary>Adam learning rate of the discriminator. Default: null — 0.002 for Mlp (article), 0.0002 for Dcgan.</summary>
    public float? DiscriminatorLearningRate { get; set; }

    /// <summary>Adam (beta1, beta2) of the generator. Default: null — (0.9, 0.999) for Mlp (PyTorch's, as in the article), (0.5, 0.999) for Dcgan.</summary>
    public (float Beta1, float Beta2)? GeneratorBetas { get; set; }

    /// <summary>Adam (beta1, beta2) of the discriminator. Default: null — as <see cref="GeneratorBetas"/>.</summary>
    public (float Beta1, float Beta2)? DiscriminatorBetas { get; set; }

    /// <summary>Images per training step. Default: 64 (article).</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Passes over the training data. Default: 100 (article). Set this or <see cref="MaxSteps"/>, not both.</summary>
    public int Epochs
    {
        get => _epochs;
        set
        {
            _epochs = value;
            _epochsSet = true;
        }
    }

    private int _epochs = 100;
    private bool _epochsSet;

    /// <summary>
    /// A step budget instead of <see cref="Epochs"/>: train exactly this many generator steps, whatever the dataset
    /// size. Training then runs ⌈MaxSteps / generator steps per epoch⌉ epochs, the last one cut short. With 1,000
    /// images and batch 64 an epoch is 16 steps, so epochs say little; steps are what a GAN's quality follows.
    /// Set this or <see cref="Epochs"/>, not both. Default: null (train <see cref="Epochs"/> epochs).
    /// </summary>
    public int? MaxSteps { get; set; }

    /// <summary>
    /// Differentiable augmentation of every image the discriminator sees, real and generated (DiffAugment, Zhao et
    /// al. 2020): the lever for training on few images. <c>Translation | Cutout</c> (or <see cref="DiffAugmentPolicy.All"/>
    /// for colour images) is the paper's recommendation for limited data. Default: <see cref="DiffAugmentPolicy.None"/> (article).
    /// </summary>
    public DiffAugmentPolicy DiffAugment { get; set; }

    /// <summary>
    /// Target the discriminator is trained towards for real images with <see cref="GanLoss.NonSaturating"/>
    /// (one-sided label smoothing; 1 disables it). Default: null — 0.9 (article). Other losses have no targets.
    /// </summary>
    public float? RealLabel { get; set; }

    /// <summary>Distribution of z, in training and when the transformer draws latent vectors itself. Default: <see cref="LatentDistribution.Uniform"/> (article).</summary>
    public LatentDistribution LatentDistribution { get; set; } = LatentDistribution.Uniform;

    /// <summary>Number of fixed latent vectors rendered after every epoch into <see cref="GanTrainingHistory"/>. Default: 16 (article).</summary>
    public int SampleCount { get; set; } = 16;

    /// <summary>
    /// Shuffle the training rows every epoch. Default: true. (The article's DataLoader does not shuffle;
    /// shuffling is the usual practice and costs nothing measurable.)
    /// </summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>
    /// Seed of every random choice in training (weights, dropout, z, shuffling). Same seed, same options and
    /// data, same fixed <see cref="Threads"/>: identical weights. Default: null, drawn from the <see cref="MLContext"/>'s seeded generator.
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Intra-op threads TorchSharp uses while training (a process-wide setting, restored afterwards). 0 chooses while
    /// training runs: every few hundred steps a short window of steps is timed at 1, 2, 4, ... threads up to the core
    /// count and at one thread with every core for MKL's matrix products (where libtorch's MKL allows it), and the
    /// fastest is kept. The best count depends on the network and on what else the machine is doing: on
    /// 2 cores the DCGAN ran 1.7x as fast on 2 threads as on 1 when the machine was quiet, and 2.2x as slow on 2 with
    /// another process busy on one core (docs/BENCHMARKS.md). The catch: some libtorch kernels split
    /// their sums differently on more threads, so with 0 the same seed gives the same weights only for networks that
    /// compute the same bits on every count (the article's MLP does, tested; a DCGAN of width 4 did not), and resuming
    /// from a checkpoint is exact only with a fixed count. Default: 1, for bit-for-bit reproducible runs.
    /// </summary>
    public int Threads { get; set; } = 1;

    /// <summary>TorchSharp device to train on, e.g. <c>cpu</c> or <c>cuda</c> (needs a CUDA backend package). Default: <c>cpu</c>.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>
    /// The value that means full intensity in the pixel column; values must lie in [0, MaxPixelValue].
    /// Default: null, meaning 1 for <c>Single</c> columns and 255 for <c>Byte</c> and image columns.
    /// </summary>
    public float? MaxPixelValue { get; set; }

    /// <summary>
    /// Measure FID and KID (MNIST feature network) of <see cref="EvaluationSampleCount"/> generated images against
    /// as many training images every this many epochs (and after the last); 0 turns it off. Needs 1 × 28 × 28
    /// images. Uses its own random generator, so training is the same with or without it. Default: 0.
    /// </summary>
    public int EvaluateEveryEpochs { get; set; }

    /// <summary>Images per in-training evaluation. Default: 2,000.</summary>
    public int EvaluationSampleCount { get; set; } = 2000;

    /// <summary>Also log (and report progress) every this many steps; 0 logs per epoch only. Default: 0.</summary>
    public int LogEveryNSteps { get; set; }

    /// <summary>
    /// Directory for TensorBoard event files (<c>tensorboard --logdir</c> reads it); null writes none. Each fit adds one
    /// <c>events.out.tfevents.*</c> file with, on one axis of discriminator steps since the start: the discriminator and
    /// generator losses averaged over every <see cref="TensorBoardLossEveryNSteps"/> steps, each epoch's mean losses and
    /// learning rates, FID, KID (and label agreement of conditional generators) from every in-training evaluation
    /// (<see cref="EvaluateEveryEpochs"/>), and the fixed-latent sample grid after every epoch. Writing it changes nothing
    /// that is trained. Default: null (off).
    /// </summary>
    public string? TensorBoardDirectory { get; set; }

    /// <summary>
    /// Steps between the loss points written to <see cref="TensorBoardDirectory"/>, each the mean over the steps since the
    /// previous point. Default: 50 — about 19 points per MNIST epoch at batch 64 (938 steps): enough to see the curve move
    /// within an epoch, smoothed over 50 batches, at the cost of one read of each loss sum (a device sync) per point rather than
    /// per step. (TensorBoard shows at most 1,000 points per curve by default and samples longer ones; the article's 100 epochs
    /// make 1,876.)
    /// </summary>
    public int TensorBoardLossEveryNSteps { get; set; } = 50;

    /// <summary>Receives training progress and summaries. Default: none.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>
    /// Called synchronously on the training thread after every epoch (and every <see cref="LogEveryNSteps"/> steps).
    /// Default: none.
    /// </summary>
    public IProgress<GanTrainingProgress>? Progress { get; set; }

    internal GanOptions Clone() => (GanOptions)MemberwiseClone();

    internal bool IsDcgan => Architecture == GanArchitecture.Dcgan;

    internal float EffectiveGeneratorLearningRate => GeneratorLearningRate ?? (IsDcgan ? 0.0002f : 0.002f);

    internal float EffectiveDiscriminatorLearningRate => DiscriminatorLearningRate ?? (IsDcgan ? 0.0002f : 0.002f);

    internal (float Beta1, float Beta2) EffectiveGeneratorBetas => GeneratorBetas ?? (IsDcgan ? (0.5f, 0.999f) : (0.9f, 0.999f));

    internal (float Beta1, float Beta2) EffectiveDiscriminatorBetas => DiscriminatorBetas ?? (IsDcgan ? (0.5f, 0.999f) : (0.9f, 0.999f));

    internal float EffectiveRealLabel => RealLabel ?? 0.9f;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    internal void Validate()
    {
        RequireColumnName(PixelsColumnName, nameof(PixelsColumnName));
        RequireColumnName(LatentColumnName, nameof(LatentColumnName));
        RequireColumnName(LabelColumnName, nameof(LabelColumnName));
        RequireColumnName(GeneratedPixelsColumnName, nameof(GeneratedPixelsColumnName));
        RequireColumnName(GeneratedImageColumnName, nameof(GeneratedImageColumnName));
        string[] outputs = [LatentColumnName, GeneratedPixelsColumnName, GeneratedImageColumnName];
        if (outputs.Distinct(StringComparer.Ordinal).Count() != outputs.Length)
        {
            throw new ArgumentException(
                $"{nameof(LatentColumnName)}, {nameof(GeneratedPixelsColumnName)} and {nameof(GeneratedImageColumnName)} must differ; got '{string.Join("', '", outputs)}'.");
        }

        RequireAtLeast(LatentDimension, 1, nameof(LatentDimension));
        RequireAtLeast(HiddenSize, 1, nameof(HiddenSize));
        RequireAtLeast(BatchSize, 1, nameof(BatchSize));
        RequireAtLeast(Epochs, 1, nameof(Epochs));
        if (MaxSteps is int maxSteps)
        {
            RequireAtLeast(maxSteps, 1, nameof(MaxSteps));
            if (_epochsSet)
            {
                throw new ArgumentException(
                    $"{nameof(GanOptions)}.{nameof(Epochs)} ({Epochs}) and {nameof(MaxSteps)} ({maxSteps}) are both set; a run is measured in one of them. Set only one.",
                    nameof(MaxSteps));
            }
        }

        if ((DiffAugment & ~DiffAugmentPolicy.All) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(DiffAugment), DiffAugment, $"{nameof(GanOptions)}.{nameof(DiffAugment)} must combine Color, Translation and Cutout.");
        }
        RequireAtLeast(SampleCount, 0, nameof(SampleCount));
        RequireAtLeast(Threads, 0, nameof(Threads));
        RequireAtLeast(LogEveryNSteps, 0, nameof(LogEveryNSteps));
        RequireAtLeast(DcganWidth, 1, nameof(DcganWidth));
        RequireAtLeast(DiscriminatorStepsPerGeneratorStep, 1, nameof(DiscriminatorStepsPerGeneratorStep));
        RequireAtLeast(CheckpointEveryEpochs, 1, nameof(CheckpointEveryEpochs));
        RequireAtLeast(EvaluateEveryEpochs, 0, nameof(EvaluateEveryEpochs));
        RequireAtLeast(EvaluationSampleCount, 2, nameof(EvaluationSampleCount));
        RequireInRange(Dropout, 0f, 1f, nameof(Dropout), upperInclusive: false);
        RequirePositive(EffectiveGeneratorLearningRate, nameof(GeneratorLearningRate));
        RequirePositive(EffectiveDiscriminatorLearningRate, nameof(DiscriminatorLearningRate));
        RequireBetas(EffectiveGeneratorBetas, nameof(GeneratorBetas));
        RequireBetas(EffectiveDiscriminatorBetas, nameof(DiscriminatorBetas));
        RequirePositive(GradientPenaltyWeight, nameof(GradientPenaltyWeight));
        if (!float.IsFinite(ModeSeekingWeight) || ModeSeekingWeight < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ModeSeekingWeight), ModeSeekingWeight, $"{nameof(GanOptions)}.{nameof(ModeSeekingWeight)} must be a finite value >= 0.");
        }
        if (RealLabel is float realLabel)
        {
            if (Loss != GanLoss.NonSaturating)
            {
                throw new ArgumentException(
                    $"{nameof(GanOptions)}.{nameof(RealLabel)} (label smoothing) applies to {nameof(GanLoss.NonSaturating)} only; {Loss} has no targets. Leave it unset.",
                    nameof(RealLabel));
            }

            RequireInRange(realLabel, 0f, 1f, nameof(RealLabel), upperInclusive: true);
        }

        if (GeneratorEmaDecay is float decay)
        {
            RequireInRange(decay, 0f, 1f, nameof(GeneratorEmaDecay), upperInclusive: false);
        }
        else if (GeneratorEmaWarmup)
        {
            throw new ArgumentException(
                $"{nameof(GanOptions)}.{nameof(GeneratorEmaWarmup)} ramps up the EMA's decay, but {nameof(GanOptions)}.{nameof(GeneratorEmaDecay)} is not set (no EMA). Set both or neither.",
                nameof(GeneratorEmaWarmup));
        }

        if (MaxGradientNorm is float norm)
        {
            RequirePositive(norm, nameof(MaxGradientNorm));
        }

        if (CheckpointEveryMinutes is double minutes && (!double.IsFinite(minutes) || minutes <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(CheckpointEveryMinutes), minutes, $"{nameof(GanOptions)}.{nameof(CheckpointEveryMinutes)} must be a finite value > 0.");
        }

        if (ClassCount is int classes)
        {
            RequireAtLeast(classes, 2, nameof(ClassCount));
        }

        RejectUnused(_hiddenSize, nameof(HiddenSize), GanArchitecture.Mlp, $"{GanArchitecture.Dcgan}'s size is {nameof(GanOptions)}.{nameof(DcganWidth)}");
        RejectUnused(_dropout, nameof(Dropout), GanArchitecture.Mlp, $"{GanArchitecture.Dcgan} has no dropout");
        RejectUnused(_dcganWidth, nameof(DcganWidth), GanArchitecture.Dcgan, $"{GanArchitecture.Mlp}'s size is {nameof(GanOptions)}.{nameof(HiddenSize)}");
        if (_gradientPenaltyWeight is float penalty && Loss != GanLoss.WassersteinGradientPenalty)
        {
            throw new ArgumentException(
                $"{nameof(GanOptions)}.{nameof(GradientPenaltyWeight)} ({penalty}) applies to the {nameof(GanLoss.WassersteinGradientPenalty)} loss only; " +
                $"{nameof(Loss)} is {Loss}, which has no gradient penalty. Leave it unset, or choose {nameof(GanLoss.WassersteinGradientPenalty)}.",
                nameof(GradientPenaltyWeight));
        }

        if (SpectralNormalization && Architecture != GanArchitecture.Dcgan)
        {
            throw new ArgumentException(
                $"{nameof(GanOptions)}.{nameof(SpectralNormalization)} applies to the {nameof(GanArchitecture.Dcgan)} discriminator; the {Architecture} discriminator has none. Leave it false.",
                nameof(SpectralNormalization));
        }

        if (AuxiliaryClassifier && !Conditional)
        {
            throw new ArgumentException($"{nameof(GanOptions)}.{nameof(AuxiliaryClassifier)} needs {nameof(Conditional)} = true (it classifies the label column).", nameof(AuxiliaryClassifier));
        }

        RequireAtLeast(TensorBoardLossEveryNSteps, 1, nameof(TensorBoardLossEveryNSteps));
        if (TensorBoardDirectory is string board && (string.IsNullOrWhiteSpace(board) || File.Exists(board)))
        {
            throw new ArgumentException(
                $"{nameof(GanOptions)}.{nameof(TensorBoardDirectory)} '{board}' " + (File.Exists(board) ? "is an existing file" : "is blank") +
                "; expected a directory for TensorBoard event files (or null for none).", nameof(TensorBoardDirectory));
        }

        if (Resume && string.IsNullOrWhiteSpace(CheckpointDirectory))
        {
            throw new ArgumentException($"{nameof(GanOptions)}.{nameof(Resume)} needs {nameof(CheckpointDirectory)}.", nameof(Resume));
        }

        if (!Enum.IsDefined(Architecture) || !Enum.IsDefined(Loss) || !Enum.IsDefined(OnDivergence))
        {
            throw new ArgumentOutOfRangeException(nameof(Architecture), $"{nameof(GanOptions)}: {Architecture}, {Loss} or {OnDivergence} is not a defined value.");
        }
        if (!float.IsFinite(LeakyReluSlope) || LeakyReluSlope < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LeakyReluSlope), LeakyReluSlope, $"{nameof(GanOptions)}.{nameof(LeakyReluSlope)} must be a finite value >= 0.");
        }

        if (MaxPixelValue is float max)
        {
            RequirePositive(max, nameof(MaxPixelValue));
        }

        if (!Enum.IsDefined(LatentDistribution))
        {
            throw new ArgumentOutOfRangeException(nameof(LatentDistribution), LatentDistribution, $"{nameof(GanOptions)}.{nameof(LatentDistribution)} must be Uniform or Normal.");
        }

        if (string.IsNullOrWhiteSpace(Device))
        {
            throw new ArgumentException($"{nameof(GanOptions)}.{nameof(Device)} must name a device such as 'cpu' or 'cuda'.", nameof(Device));
        }
    }

    /// <summary>Throws when a setting of one architecture was given for another: it would be ignored.</summary>
    private void RejectUnused<T>(T? value, string name, GanArchitecture owner, string instead)
        where T : struct
    {
        if (value is T given && Architecture != owner)
        {
            throw new ArgumentException(
                $"{nameof(GanOptions)}.{name} ({given}) applies to the {owner} architecture only; {nameof(GanOptions)}.{nameof(Architecture)} is {Architecture}, " +
                $"which would ignore it ({instead}). Leave it unset, or choose {owner}.", name);
        }
    }

    private static void RequireColumnName(string value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{nameof(GanOptions)}.{name} must name a column.", name);
        }
    }

    private static void RequireAtLeast(int value, int minimum, string name)
    {
        if (value < minimum)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{nameof(GanOptions)}.{name} must be at least {minimum}; got {value}.");
        }
    }

    private static void RequirePositive(float value, string name)
    {
        if (!float.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{nameof(GanOptions)}.{name} must be a finite value > 0; got {value}.");
        }
    }

    private static void RequireInRange(float value, float low, float high, string name, bool upperInclusive)
    {
        bool ok = float.IsFinite(value) && value >= low && (upperInclusive ? value <= high : value < high);
        if (!ok)
        {
            string range = upperInclusive ? $"[{low}, {high}]" : $"[{low}, {high})";
            throw new ArgumentOutOfRangeException(name, value, $"{nameof(GanOptions)}.{name} must lie in {range}; got {value}.");
        }
    }

    private static void RequireBetas((float Beta1, float Beta2) betas, string name)
    {
        RequireInRange(betas.Beta1, 0f, 1f, name, upperInclusive: false);
        RequireInRange(betas.Beta2, 0f, 1f, name, upperInclusive: false);
    }
}
