namespace Microsoft.ML.Gan;

/// <summary>
/// Settings of the table generator's variational autoencoder (<see cref="TabularGanOptions.Tvae"/>): TVAE (Xu et al. 2019, the
/// paper that gives CTGAN, and sdv-dev/CTGAN's <c>TVAE</c>), conditioned as CTGAN is, so that rows of one value can be asked
/// for. The encoder reads a row with its conditional vector and gives a Gaussian posterior over the latent vector; the decoder
/// (TVAE's Linear → ReLU layers, in the place of CTGAN's generator, so generation and the saved model are the GAN's) reads the
/// latent vector with the conditional vector; the loss is <see cref="LossFactor"/> × the reconstruction (a Gaussian
/// likelihood with a learned standard deviation for each number's α, cross-entropy for each one-hot group) plus the KL
/// divergence to N(0, I). Every default is TVAE's
/// (TVAE's Adam also has a weight decay of 1e-5; this one has none). The table generator's
/// <see cref="TabularGanOptions.Budget"/>, <see cref="TabularGanOptions.BatchSize"/>, <see cref="TabularGanOptions.LatentDimension"/>,
/// seed, threads, device, label and checkpoints apply; its generator, critic and GAN optimizer settings do not, and setting
/// one of them away from its default with TVAE is refused (it would do nothing).
/// </summary>
public sealed class TvaeOptions
{
    /// <summary>Adam learning rate of the encoder and the decoder. Default: 1e-3 (TVAE's).</summary>
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Adam β1 and β2 of both networks. Default: (0.9, 0.999) (TVAE's, PyTorch's defaults).</summary>
    public (float Beta1, float Beta2) Betas { get; set; } = (0.9f, 0.999f);

    /// <summary>Width of each hidden layer of the encoder (Linear → ReLU). Default: 128 (TVAE's compress_dims).</summary>
    public int EncoderWidth { get; set; } = 128;

    /// <summary>Hidden layers of the encoder. Default: 2.</summary>
    public int EncoderLayers { get; set; } = 2;

    /// <summary>Width of each hidden layer of the decoder. Default: 128 (TVAE's decompress_dims).</summary>
    public int DecoderWidth { get; set; } = 128;

    /// <summary>Hidden layers of the decoder. Default: 2.</summary>
    public int DecoderLayers { get; set; } = 2;

    /// <summary>
    /// CTGAN's residual blocks (Linear → batch norm → ReLU, each passing its input on) as the decoder's hidden layers instead of
    /// TVAE's Linear → ReLU. Default: false: TVAE's own decoder, whose rows taught classifiers more on every seed of a
    /// validation split of Adult (docs/TABULAR-VALIDATION.md); the residual decoder was this option's first design.
    /// </summary>
    public bool ResidualDecoder { get; set; }

    /// <summary>Weight of the reconstruction against the KL divergence. Default: 2 (TVAE's loss_factor).</summary>
    public float LossFactor { get; set; } = 2f;

    internal TvaeOptions Clone() => (TvaeOptions)MemberwiseClone();

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    internal void Validate()
    {
        const string Owner = nameof(TvaeOptions);
        OptionChecks.Positive(LearningRate, Owner, nameof(LearningRate));
        OptionChecks.Betas(Betas, Owner, nameof(Betas));
        OptionChecks.AtLeast(EncoderWidth, 1, Owner, nameof(EncoderWidth));
        OptionChecks.AtLeast(EncoderLayers, 0, Owner, nameof(EncoderLayers));
        OptionChecks.AtLeast(DecoderWidth, 1, Owner, nameof(DecoderWidth));
        OptionChecks.AtLeast(DecoderLayers, 0, Owner, nameof(DecoderLayers));
        OptionChecks.Positive(LossFactor, Owner, nameof(LossFactor));
    }
}
