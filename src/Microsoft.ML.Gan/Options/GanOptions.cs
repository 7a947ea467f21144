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
    /// Every property can still be changed, the <see cref="Budget"/> included (a step budget replaces the recipe's epochs).
    /// On a few hundred or thousand images use a step budget with <see cref="DiffAugment"/> and turn mode
    /// seeking off (<see cref="ModeSeekingWeight"/> = 0): with 1,000 MNIST images it traded class fidelity for variety,
    /// and most rows no longer showed their label (<c>gan-samples augment --regimes 1000 --mode-seeking 1</c> reports the
    /// label agreement).
    /// </summary>
    public static GanOptions SyntheticDataRecipe() => new()
    {
        Network = new DcganNetworkOptions { Width = 32 },
        Conditional = true,
        GeneratorEmaDecay = 0.999f,
        ModeSeekingWeight = 1f,
        Budget = TrainingBudget.OfEpochs(SyntheticDataEpochs),
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

    /// <summary>
    /// The networks and the settings of their architecture: <see cref="MlpNetworkOptions"/> or <see cref="DcganNetworkOptions"/>.
    /// Default: <c>new MlpNetworkOptions()</c> (the article's h = 32, dropout 0.3, LeakyReLU 0.2).
    /// </summary>
    public GanNetworkOptions Network { get; set; } = new MlpNetworkOptions();

    /// <summary>
    /// The adversarial loss and its settings: <see cref="NonSaturatingLossOptions"/>, <see cref="HingeLossOptions"/> or
    /// <see cref="WassersteinGradientPenaltyLossOptions"/>. Default: <c>new NonSaturatingLossOptions()</c> (the article's, real label 0.9).
    /// </summary>
    public GanLossOptions AdversarialLoss { get; set; } = new NonSaturatingLossOptions();

    /// <summary>How long to train: <see cref="TrainingBudget.OfEpochs"/> or <see cref="TrainingBudget.OfSteps"/>. Default: 100 epochs (article).</summary>
    public TrainingBudget Budget { get; set; } = TrainingBudget.OfEpochs(100);

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

    /// <summary>Adam learning rate of the generator. Default: null — the network's <see cref="GanNetworkOptions.DefaultLearningRate"/> (0.002 for Mlp, the article's; 0.0002 for Dcgan).</summary>
    public float? GeneratorLearningRate { get; set; }

    /// <summary>Adam learning rate of the discriminator. Default: null — the network's <see cref="GanNetworkOptions.DefaultLearningRate"/>.</summary>
    public float? DiscriminatorLearningRate { get; set; }

    /// <summary>Adam (beta1, beta2) of the generator. Default: null — the network's <see cref="GanNetworkOptions.DefaultBetas"/> ((0.9, 0.999) for Mlp, PyTorch's as in the article; (0.5, 0.999) for Dcgan).</summary>
    public (float Beta1, float Beta2)? GeneratorBetas { get; set; }

    /// <summary>Adam (beta1, beta2) of the discriminator. Default: null — the network's <see cref="GanNetworkOptions.DefaultBetas"/>.</summary>
    public (float Beta1, float Beta2)? DiscriminatorBetas { get; set; }

    /// <summary>Images per training step. Default: 64 (article).</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>
    /// Differentiable augmentation of every image the discriminator sees, real and generated (DiffAugment, Zhao et
    /// al. 2020): the lever for training on few images. <c>Translation | Cutout</c> (or <see cref="DiffAugmentPolicy.All"/>
    /// for colour images) is the paper's recommendation for limited data. Default: <see cref="DiffAugmentPolicy.None"/> (article).
    /// </summary>
    public DiffAugmentPolicy DiffAugment { get; set; }

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

    /// <summary>
    /// TorchSharp device to train on, e.g. <c>cpu</c>, <c>cuda</c> or <c>cuda:1</c> (CUDA needs a TorchSharp CUDA backend package).
    /// Default: null — the <see cref="MLContext"/>'s choice, as ML.NET's TorchSharp trainers make it: CUDA device
    /// <see cref="MLContext.GpuDeviceId"/> when it is set, falling back to the CPU when CUDA is unavailable only if
    /// <see cref="MLContext.FallbackToCpu"/> is; otherwise the CPU.
    /// </summary>
    public string? Device { get; set; }

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

    /// <summary>Receives training progress and summaries. Default: null, which writes them to the context's log (<c>mlContext.Log</c>).</summary>
    public ILogger? Logger { get; set; }

    /// <summary>
    /// Called synchronously on the training thread after every epoch (and every <see cref="LogEveryNSteps"/> steps).
    /// Default: none.
    /// </summary>
    public IProgress<GanTrainingProgress>? Progress { get; set; }

    /// <summary>A copy whose nested options are copies too: an estimator keeps the settings it was created with.</summary>
    internal GanOptions Clone()
    {
        var copy = (GanOptions)MemberwiseClone();
        copy.Network = Network with { };
        copy.AdversarialLoss = AdversarialLoss with { };
        return copy;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    internal void Validate()
    {
        const string Owner = nameof(GanOptions);
        OptionChecks.ColumnName(PixelsColumnName, Owner, nameof(PixelsColumnName));
        OptionChecks.ColumnName(LatentColumnName, Owner, nameof(LatentColumnName));
        OptionChecks.ColumnName(LabelColumnName, Owner, nameof(LabelColumnName));
        OptionChecks.ColumnName(GeneratedPixelsColumnName, Owner, nameof(GeneratedPixelsColumnName));
        OptionChecks.ColumnName(GeneratedImageColumnName, Owner, nameof(GeneratedImageColumnName));
        string[] outputs = [LatentColumnName, GeneratedPixelsColumnName, GeneratedImageColumnName];
        if (outputs.Distinct(StringComparer.Ordinal).Count() != outputs.Length)
        {
            throw new ArgumentException(
                $"{nameof(LatentColumnName)}, {nameof(GeneratedPixelsColumnName)} and {nameof(GeneratedImageColumnName)} must differ; got '{string.Join("', '", outputs)}'.");
        }

        OptionChecks.NotNull(Network, Owner, nameof(Network)).Validate();
        OptionChecks.NotNull(AdversarialLoss, Owner, nameof(AdversarialLoss)).Validate();
        OptionChecks.NotNull(Budget, Owner, nameof(Budget));
        OptionChecks.AtLeast(LatentDimension, 1, Owner, nameof(LatentDimension));
        OptionChecks.AtLeast(BatchSize, 1, Owner, nameof(BatchSize));
        OptionChecks.AtLeast(DiscriminatorStepsPerGeneratorStep, 1, Owner, nameof(DiscriminatorStepsPerGeneratorStep));
        OptionChecks.AtLeast(SampleCount, 0, Owner, nameof(SampleCount));
        OptionChecks.AtLeast(Threads, 0, Owner, nameof(Threads));
        OptionChecks.AtLeast(LogEveryNSteps, 0, Owner, nameof(LogEveryNSteps));
        OptionChecks.AtLeast(CheckpointEveryEpochs, 1, Owner, nameof(CheckpointEveryEpochs));
        OptionChecks.AtLeast(EvaluateEveryEpochs, 0, Owner, nameof(EvaluateEveryEpochs));
        OptionChecks.AtLeast(EvaluationSampleCount, 2, Owner, nameof(EvaluationSampleCount));
        OptionChecks.AtLeast(TensorBoardLossEveryNSteps, 1, Owner, nameof(TensorBoardLossEveryNSteps));
        if ((DiffAugment & ~DiffAugmentPolicy.All) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(DiffAugment), DiffAugment, $"{Owner}.{nameof(DiffAugment)} must combine Color, Translation and Cutout.");
        }

        if (GeneratorLearningRate is float generatorRate)
        {
            OptionChecks.Positive(generatorRate, Owner, nameof(GeneratorLearningRate));
        }

        if (DiscriminatorLearningRate is float discriminatorRate)
        {
            OptionChecks.Positive(discriminatorRate, Owner, nameof(DiscriminatorLearningRate));
        }

        if (GeneratorBetas is { } generatorBetas)
        {
            OptionChecks.Betas(generatorBetas, Owner, nameof(GeneratorBetas));
        }

        if (DiscriminatorBetas is { } discriminatorBetas)
        {
            OptionChecks.Betas(discriminatorBetas, Owner, nameof(DiscriminatorBetas));
        }

        OptionChecks.NonNegative(ModeSeekingWeight, Owner, nameof(ModeSeekingWeight));
        OptionChecks.Ema(GeneratorEmaDecay, GeneratorEmaWarmup, Owner, nameof(GeneratorEmaDecay), nameof(GeneratorEmaWarmup));

        if (MaxGradientNorm is float norm)
        {
            OptionChecks.Positive(norm, Owner, nameof(MaxGradientNorm));
        }

        if (CheckpointEveryMinutes is double minutes && (!double.IsFinite(minutes) || minutes <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(CheckpointEveryMinutes), minutes, $"{Owner}.{nameof(CheckpointEveryMinutes)} must be a finite value > 0.");
        }

        if (ClassCount is int classes)
        {
            OptionChecks.AtLeast(classes, 2, Owner, nameof(ClassCount));
        }

        if (AuxiliaryClassifier && !Conditional)
        {
            throw new ArgumentException($"{Owner}.{nameof(AuxiliaryClassifier)} needs {nameof(Conditional)} = true (it classifies the label column).", nameof(AuxiliaryClassifier));
        }

        if (TensorBoardDirectory is string board && (string.IsNullOrWhiteSpace(board) || File.Exists(board)))
        {
            throw new ArgumentException(
                $"{Owner}.{nameof(TensorBoardDirectory)} '{board}' " + (File.Exists(board) ? "is an existing file" : "is blank") +
                "; expected a directory for TensorBoard event files (or null for none).", nameof(TensorBoardDirectory));
        }

        if (Resume && string.IsNullOrWhiteSpace(CheckpointDirectory))
        {
            throw new ArgumentException($"{Owner}.{nameof(Resume)} needs {nameof(CheckpointDirectory)}.", nameof(Resume));
        }

        OptionChecks.Defined(OnDivergence, Owner, nameof(OnDivergence));
        OptionChecks.Defined(LatentDistribution, Owner, nameof(LatentDistribution));
        if (MaxPixelValue is float max)
        {
            OptionChecks.Positive(max, Owner, nameof(MaxPixelValue));
        }

        if (Device is not null && string.IsNullOrWhiteSpace(Device))
        {
            throw new ArgumentException($"{Owner}.{nameof(Device)} must name a device such as 'cpu' or 'cuda', or be null to follow the MLContext.", nameof(Device));
        }
    }

    // The flat names of settings that now live on Network, AdversarialLoss and Budget. Kept for one release; each reads and
    // writes the grouped option, and one that the current network or loss does not have is an error, not a silent no-op.

    /// <summary>The architecture of <see cref="Network"/>. Setting another one replaces <see cref="Network"/> with its defaults.</summary>
    [Obsolete("Set Network = new MlpNetworkOptions { ... } or new DcganNetworkOptions { ... }; Network.Architecture reads it.")]
    public GanArchitecture Architecture
    {
        get => Network.Architecture;
        set
        {
            if (value != Network.Architecture)
            {
                Network = Replaced(Network, GanNetworkOptions.For(value), nameof(Network));
            }
        }
    }

    /// <summary>The Mlp's h; see <see cref="MlpNetworkOptions.HiddenSize"/>.</summary>
    [Obsolete("Set Network = new MlpNetworkOptions { HiddenSize = ... }.")]
    public int HiddenSize { get => NetworkAs<MlpNetworkOptions>().HiddenSize; set => NetworkAs<MlpNetworkOptions>().HiddenSize = value; }

    /// <summary>The Mlp's dropout; see <see cref="MlpNetworkOptions.Dropout"/>.</summary>
    [Obsolete("Set Network = new MlpNetworkOptions { Dropout = ... }.")]
    public float Dropout { get => NetworkAs<MlpNetworkOptions>().Dropout; set => NetworkAs<MlpNetworkOptions>().Dropout = value; }

    /// <summary>The Dcgan's width; see <see cref="DcganNetworkOptions.Width"/>.</summary>
    [Obsolete("Set Network = new DcganNetworkOptions { Width = ... }.")]
    public int DcganWidth { get => NetworkAs<DcganNetworkOptions>().Width; set => NetworkAs<DcganNetworkOptions>().Width = value; }

    /// <summary>The Dcgan discriminator's spectral normalization; see <see cref="DcganNetworkOptions.SpectralNormalization"/>.</summary>
    [Obsolete("Set Network = new DcganNetworkOptions { SpectralNormalization = true }.")]
    public bool SpectralNormalization
    {
        get => Network is DcganNetworkOptions { SpectralNormalization: true };
        set => NetworkAs<DcganNetworkOptions>().SpectralNormalization = value;
    }

    /// <summary>The LeakyReLU slope of <see cref="Network"/>.</summary>
    [Obsolete("Set LeakyReluSlope on Network (MlpNetworkOptions or DcganNetworkOptions).")]
    public float LeakyReluSlope
    {
        get => Network switch { MlpNetworkOptions mlp => mlp.LeakyReluSlope, DcganNetworkOptions dcgan => dcgan.LeakyReluSlope, _ => 0.2f };
        set
        {
            switch (Network)
            {
                case MlpNetworkOptions mlp:
                    mlp.LeakyReluSlope = value;
                    break;
                case DcganNetworkOptions dcgan:
                    dcgan.LeakyReluSlope = value;
                    break;
            }
        }
    }

    /// <summary>The kind of <see cref="AdversarialLoss"/>. Setting another one replaces <see cref="AdversarialLoss"/> with its defaults.</summary>
    [Obsolete("Set AdversarialLoss = new NonSaturatingLossOptions(), new HingeLossOptions() or new WassersteinGradientPenaltyLossOptions { ... }.")]
    public GanLoss Loss
    {
        get => AdversarialLoss.Kind;
        set
        {
            if (value != AdversarialLoss.Kind)
            {
                AdversarialLoss = Replaced(AdversarialLoss, GanLossOptions.For(value), nameof(AdversarialLoss));
            }
        }
    }

    /// <summary>The non-saturating loss's real target; see <see cref="NonSaturatingLossOptions.RealLabel"/>.</summary>
    [Obsolete("Set AdversarialLoss = new NonSaturatingLossOptions { RealLabel = ... }.")]
    public float? RealLabel
    {
        get => (AdversarialLoss as NonSaturatingLossOptions)?.RealLabel;
        set => LossAs<NonSaturatingLossOptions>().RealLabel = value ?? new NonSaturatingLossOptions().RealLabel;
    }

    /// <summary>The gradient penalty's λ; see <see cref="WassersteinGradientPenaltyLossOptions.GradientPenaltyWeight"/>.</summary>
    [Obsolete("Set AdversarialLoss = new WassersteinGradientPenaltyLossOptions { GradientPenaltyWeight = ... }.")]
    public float GradientPenaltyWeight
    {
        get => LossAs<WassersteinGradientPenaltyLossOptions>().GradientPenaltyWeight;
        set => LossAs<WassersteinGradientPenaltyLossOptions>().GradientPenaltyWeight = value;
    }

    /// <summary>An epoch budget; see <see cref="Budget"/>.</summary>
    [Obsolete("Set Budget = TrainingBudget.OfEpochs(...).")]
    public int Epochs
    {
        get => Budget.Epochs ?? throw new InvalidOperationException($"{nameof(GanOptions)}.{nameof(Budget)} is {Budget}, not epochs.");
        set => Budget = TrainingBudget.OfEpochs(value);
    }

    /// <summary>A step budget; see <see cref="Budget"/>.</summary>
    [Obsolete("Set Budget = TrainingBudget.OfSteps(...).")]
    public int? MaxSteps
    {
        get => Budget.Steps;
        set => Budget = value is int steps ? TrainingBudget.OfSteps(steps) : Budget.Steps is null ? Budget : TrainingBudget.OfEpochs(100);
    }

    private T NetworkAs<T>()
        where T : GanNetworkOptions
        => Network as T ?? throw new ArgumentException(
            $"That setting belongs to {typeof(T).Name}, but {nameof(GanOptions)}.{nameof(Network)} is {Network.GetType().Name} ({Network.Architecture}), " +
            $"which does not have it. Set {nameof(Network)} = new {typeof(T).Name} {{ ... }} first.", nameof(Network));

    private T LossAs<T>()
        where T : GanLossOptions
        => AdversarialLoss as T ?? throw new ArgumentException(
            $"That setting belongs to {typeof(T).Name}, but {nameof(GanOptions)}.{nameof(AdversarialLoss)} is {AdversarialLoss.GetType().Name}, " +
            $"which does not have it. Set {nameof(AdversarialLoss)} = new {typeof(T).Name} {{ ... }} first.", nameof(AdversarialLoss));

    /// <summary>Another kind's defaults in place of <paramref name="current"/>, unless that would drop settings given to it.</summary>
    private static T Replaced<T>(T current, T replacement, string property)
        where T : class
    {
        T untouched = current switch
        {
            GanNetworkOptions network => (T)(object)GanNetworkOptions.For(network.Architecture),
            GanLossOptions loss => (T)(object)GanLossOptions.For(loss.Kind),
            _ => current,
        };
        if (!Equals(current, untouched))
        {
            throw new ArgumentException(
                $"{nameof(GanOptions)}.{property} is {current}, with settings given; changing its kind would drop them. Set {property} to the options of the kind you want instead.",
                property);
        }

        return replacement;
    }
}
