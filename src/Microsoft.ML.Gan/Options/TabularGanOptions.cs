using Microsoft.Extensions.Logging;

namespace Microsoft.ML.Gan;

/// <summary>
/// Options of <see cref="TabularGanEstimator"/>: a CTGAN-class generator of table rows (Xu et al. 2019, "Modeling Tabular
/// Data using Conditional GAN"). Every default is sdv-dev/CTGAN's: mode-specific normalisation of numbers, a conditional
/// vector with training-by-sampling, a residual generator (256, 256), a PacGAN critic (256, 256; packs of 10) trained with
/// WGAN-GP (λ 10), Adam 2e-4 with β (0.5, 0.9), batches of 500, 300 epochs. (CTGAN's Adam also has a weight decay of 1e-6;
/// this one has none.)
/// </summary>
public sealed class TabularGanOptions
{
    /// <summary>Columns of the input to leave out: neither learned nor generated. Default: none (every column is learned).</summary>
    public IReadOnlyList<string> ExcludedColumnNames { get; set; } = [];

    /// <summary>
    /// The label column, when the table has one: it must be a discrete column (text, Boolean, key, or an integer with few
    /// values), so that rows of one label value can be generated (<see cref="TabularGanTransformer.Generate(long, int, string)"/>)
    /// and, when this transformer runs over rows without a latent column, each row's synthetic twin has its label. Default: null.
    /// </summary>
    public string? LabelColumnName { get; set; }

    /// <summary>
    /// Train TVAE, a variational autoencoder, instead of CTGAN's GAN: the same encoding of columns, conditional vector,
    /// generation and saved model, with the settings these options hold (<see cref="TvaeOptions"/> says which of the others
    /// apply). In the paper that gives both, TVAE's rows taught classifiers more than CTGAN's on Adult. Default: null (CTGAN).
    /// </summary>
    public TvaeOptions? Tvae { get; set; }

    /// <summary>How long to train. An epoch is ⌊rows / <see cref="BatchSize"/>⌋ steps. Default: 300 epochs (CTGAN's).</summary>
    public TrainingBudget Budget { get; set; } = TrainingBudget.OfEpochs(300);

    /// <summary>Rows per step, real and generated each; a multiple of <see cref="PackSize"/>. Default: 500 (CTGAN's).</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Rows the critic judges together (PacGAN), which makes a generator that repeats itself easy to catch. Default: 10.</summary>
    public int PackSize { get; set; } = 10;

    /// <summary>Size of the latent vector z ~ N(0, 1). Default: 128 (CTGAN's embedding_dim).</summary>
    public int LatentDimension { get; set; } = 128;

    /// <summary>Width of each residual block of the generator. Default: 256.</summary>
    public int GeneratorWidth { get; set; } = 256;

    /// <summary>Residual blocks of the generator. Default: 2.</summary>
    public int GeneratorLayers { get; set; } = 2;

    /// <summary>Width of each hidden layer of the critic. Default: 256.</summary>
    public int CriticWidth { get; set; } = 256;

    /// <summary>Hidden layers of the critic. Default: 2.</summary>
    public int CriticLayers { get; set; } = 2;

    /// <summary>Dropout after each hidden layer of the critic. Default: 0.5.</summary>
    public float CriticDropout { get; set; } = 0.5f;

    /// <summary>Adam learning rate of the generator. Default: 2e-4.</summary>
    public float GeneratorLearningRate { get; set; } = 2e-4f;

    /// <summary>Adam learning rate of the critic. Default: 2e-4.</summary>
    public float CriticLearningRate { get; set; } = 2e-4f;

    /// <summary>Adam β1 and β2 of both networks. Default: (0.5, 0.9).</summary>
    public (float Beta1, float Beta2) Betas { get; set; } = (0.5f, 0.9f);

    /// <summary>Weight λ of the critic's gradient penalty. Default: 10.</summary>
    public float GradientPenaltyWeight { get; set; } = 10f;

    /// <summary>Critic steps per generator step. Default: 1 (CTGAN's discriminator_steps).</summary>
    public int CriticStepsPerGeneratorStep { get; set; } = 1;

    /// <summary>
    /// Decay of an exponential moving average of the generator's weights, updated after every generator step; when set, the
    /// average is what generates (its batch-norm statistics recomputed from its own rows, as <see cref="GanOptions.GeneratorEmaDecay"/>
    /// does for images). Not CTGAN's; it smooths out the step-to-step wander of the last epochs. Default: null (off).
    /// </summary>
    public float? GeneratorEmaDecay { get; set; }

    /// <summary>
    /// Ramps the EMA's decay up: the t-th update uses min(decay, (1 + t) / (10 + t)) (see <see cref="GanOptions.GeneratorEmaWarmup"/>).
    /// Needs <see cref="GeneratorEmaDecay"/>. Default: false.
    /// </summary>
    public bool GeneratorEmaWarmup { get; set; }

    /// <summary>Seed of every random choice (encoders, weights, conditions, rows, noise). Default: null, drawn from the MLContext's seeded generator.</summary>
    public int? Seed { get; set; }

    /// <summary>TorchSharp intra-op threads while training (see <see cref="GanOptions.Threads"/>; 0 chooses while training runs). Default: 1.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>TorchSharp device; null follows the MLContext (see <see cref="GanOptions.Device"/>). Default: null.</summary>
    public string? Device { get; set; }

    /// <summary>Where checkpoints go (see <see cref="GanOptions.CheckpointDirectory"/>); null writes none. Default: null.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Write a checkpoint every this many epochs (and after the last). Default: 10.</summary>
    public int CheckpointEveryEpochs { get; set; } = 10;

    /// <summary>Continue the run whose checkpoints are in <see cref="CheckpointDirectory"/>. Default: false.</summary>
    public bool Resume { get; set; }

    /// <summary>Replace checkpoints of another run in <see cref="CheckpointDirectory"/> instead of refusing to. Default: false.</summary>
    public bool OverwriteCheckpoints { get; set; }

    /// <summary>Also log the running losses every this many steps; 0 logs epochs only. Default: 0.</summary>
    public int LogEveryNSteps { get; set; }

    /// <summary>Receives training progress and summaries. Default: null, which writes them to the context's log (<c>mlContext.Log</c>).</summary>
    public ILogger? Logger { get; set; }

    /// <summary>Called on the training thread after every epoch (and every <see cref="LogEveryNSteps"/> steps). Default: none.</summary>
    public IProgress<GanTrainingProgress>? Progress { get; set; }

    /// <summary>The input column of the transformer: one latent row per generated row (see <see cref="TabularGanTransformer"/>). Default: <c>Latent</c>.</summary>
    public string LatentColumnName { get; set; } = "Latent";

    internal TabularGanOptions Clone()
    {
        var clone = (TabularGanOptions)MemberwiseClone();
        clone.ExcludedColumnNames = [.. ExcludedColumnNames];
        clone.Tvae = Tvae?.Clone();
        return clone;
    }

    /// <summary>
    /// Throws when a setting of CTGAN's networks, loss or optimizer differs from its default while <see cref="Tvae"/> is set:
    /// TVAE would ignore it, and a setting that silently does nothing is a bug waiting in the user's code.
    /// </summary>
    private void RefuseGanSettingsWithTvae(string owner)
    {
        var defaults = new TabularGanOptions();
        (string Name, bool Changed, string? Instead)[] ganOnly =
        [
            (nameof(PackSize), PackSize != defaults.PackSize, null),
            (nameof(GeneratorWidth), GeneratorWidth != defaults.GeneratorWidth, nameof(TvaeOptions.DecoderWidth)),
            (nameof(GeneratorLayers), GeneratorLayers != defaults.GeneratorLayers, nameof(TvaeOptions.DecoderLayers)),
            (nameof(CriticWidth), CriticWidth != defaults.CriticWidth, nameof(TvaeOptions.EncoderWidth)),
            (nameof(CriticLayers), CriticLayers != defaults.CriticLayers, nameof(TvaeOptions.EncoderLayers)),
            (nameof(CriticDropout), CriticDropout != defaults.CriticDropout, null),
            (nameof(GeneratorLearningRate), GeneratorLearningRate != defaults.GeneratorLearningRate, nameof(TvaeOptions.LearningRate)),
            (nameof(CriticLearningRate), CriticLearningRate != defaults.CriticLearningRate, nameof(TvaeOptions.LearningRate)),
            (nameof(Betas), Betas != defaults.Betas, nameof(TvaeOptions.Betas)),
            (nameof(GradientPenaltyWeight), GradientPenaltyWeight != defaults.GradientPenaltyWeight, null),
            (nameof(CriticStepsPerGeneratorStep), CriticStepsPerGeneratorStep != defaults.CriticStepsPerGeneratorStep, null),
        ];
        foreach ((string name, bool changed, string? instead) in ganOnly)
        {
            if (changed)
            {
                string hint = instead is null ? "TVAE has no such setting" : $"TVAE's is {nameof(TvaeOptions)}.{instead}";
                throw new ArgumentException(
                    $"{owner}.{name} is a setting of CTGAN's GAN; with {owner}.{nameof(Tvae)} set it would be ignored ({hint}). Leave it at its default or set {nameof(Tvae)} to null.",
                    name);
            }
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    internal void Validate()
    {
        const string Owner = nameof(TabularGanOptions);
        OptionChecks.NotNull(ExcludedColumnNames, Owner, nameof(ExcludedColumnNames));
        if (LabelColumnName is not null)
        {
            OptionChecks.ColumnName(LabelColumnName, Owner, nameof(LabelColumnName));
            if (ExcludedColumnNames.Contains(LabelColumnName))
            {
                throw new ArgumentException($"{Owner}.{nameof(LabelColumnName)} '{LabelColumnName}' is also in {nameof(ExcludedColumnNames)}; a label column is learned.", nameof(LabelColumnName));
            }
        }

        OptionChecks.ColumnName(LatentColumnName, Owner, nameof(LatentColumnName));
        OptionChecks.NotNull(Budget, Owner, nameof(Budget));
        OptionChecks.AtLeast(PackSize, 1, Owner, nameof(PackSize));
        OptionChecks.AtLeast(BatchSize, Tvae is null ? PackSize : 1, Owner, nameof(BatchSize));
        if (Tvae is null && BatchSize % PackSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize,
                $"{Owner}.{nameof(BatchSize)} must be a multiple of {nameof(PackSize)} ({PackSize}): the critic judges whole packs; got {BatchSize}.");
        }

        OptionChecks.AtLeast(LatentDimension, 1, Owner, nameof(LatentDimension));
        OptionChecks.AtLeast(GeneratorWidth, 1, Owner, nameof(GeneratorWidth));
        OptionChecks.AtLeast(GeneratorLayers, 0, Owner, nameof(GeneratorLayers));
        OptionChecks.AtLeast(CriticWidth, 1, Owner, nameof(CriticWidth));
        OptionChecks.AtLeast(CriticLayers, 0, Owner, nameof(CriticLayers));
        OptionChecks.InRange(CriticDropout, 0f, 1f, Owner, nameof(CriticDropout), upperInclusive: false);
        OptionChecks.Positive(GeneratorLearningRate, Owner, nameof(GeneratorLearningRate));
        OptionChecks.Positive(CriticLearningRate, Owner, nameof(CriticLearningRate));
        OptionChecks.Betas(Betas, Owner, nameof(Betas));
        OptionChecks.NonNegative(GradientPenaltyWeight, Owner, nameof(GradientPenaltyWeight));
        OptionChecks.AtLeast(CriticStepsPerGeneratorStep, 1, Owner, nameof(CriticStepsPerGeneratorStep));
        OptionChecks.Ema(GeneratorEmaDecay, GeneratorEmaWarmup, Owner, nameof(GeneratorEmaDecay), nameof(GeneratorEmaWarmup));
        if (Tvae is not null)
        {
            Tvae.Validate();
            if (GeneratorEmaDecay is not null)
            {
                // The EMA recomputes the average's batch-norm statistics from rows drawn from the prior; a VAE's residual decoder
                // learned its statistics from the encoder's posterior, so that would change what it computes.
                throw new ArgumentException($"{Owner}.{nameof(GeneratorEmaDecay)} averages a GAN's generator; it does not apply with {Owner}.{nameof(Tvae)}. Set one of them.", nameof(GeneratorEmaDecay));
            }

            RefuseGanSettingsWithTvae(Owner);
        }

        OptionChecks.AtLeast(Threads, 0, Owner, nameof(Threads));
        OptionChecks.AtLeast(CheckpointEveryEpochs, 1, Owner, nameof(CheckpointEveryEpochs));
        OptionChecks.AtLeast(LogEveryNSteps, 0, Owner, nameof(LogEveryNSteps));
        if (Device is not null && string.IsNullOrWhiteSpace(Device))
        {
            throw new ArgumentException($"{Owner}.{nameof(Device)} must name a device such as 'cpu' or 'cuda', or be null to follow the MLContext.", nameof(Device));
        }
    }
}
