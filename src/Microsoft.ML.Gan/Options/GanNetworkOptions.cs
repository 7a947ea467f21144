namespace Microsoft.ML.Gan;

/// <summary>
/// The generator and discriminator of a GAN and the settings of their architecture: <see cref="MlpNetworkOptions"/> (the
/// source article's) or <see cref="DcganNetworkOptions"/>. A setting of one architecture exists only on its own options, so
/// none can be given to an architecture that would ignore it.
/// </summary>
public abstract record GanNetworkOptions
{
    private protected GanNetworkOptions()
    {
    }

    /// <summary>Which networks these are.</summary>
    public abstract GanArchitecture Architecture { get; }

    /// <summary>Adam learning rate of both networks unless <see cref="GanOptions.GeneratorLearningRate"/> or <see cref="GanOptions.DiscriminatorLearningRate"/> is set.</summary>
    public abstract float DefaultLearningRate { get; }

    /// <summary>Adam (beta1, beta2) of both networks unless <see cref="GanOptions.GeneratorBetas"/> or <see cref="GanOptions.DiscriminatorBetas"/> is set.</summary>
    public abstract (float Beta1, float Beta2) DefaultBetas { get; }

    /// <summary>The default settings of <paramref name="architecture"/>.</summary>
    public static GanNetworkOptions For(GanArchitecture architecture) => architecture switch
    {
        GanArchitecture.Mlp => new MlpNetworkOptions(),
        GanArchitecture.Dcgan => new DcganNetworkOptions(),
        _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, $"{nameof(GanArchitecture)} must be one of {string.Join(", ", Enum.GetNames<GanArchitecture>())}."),
    };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    internal abstract void Validate();
}

/// <summary>
/// The source article's multilayer perceptrons: generator z → h → 2h → 4h → pixels (tanh), discriminator pixels → 4h → 2h → h → 1,
/// LeakyReLU and dropout after every hidden layer. Adam at 0.002 with PyTorch's betas (0.9, 0.999) unless set.
/// </summary>
public sealed record MlpNetworkOptions : GanNetworkOptions
{
    /// <summary>The article's h: the layers are h, 2h and 4h wide. Default: 32 (article).</summary>
    public int HiddenSize { get; set; } = 32;

    /// <summary>Dropout probability after every hidden layer of both networks. Default: 0.3 (article).</summary>
    public float Dropout { get; set; } = 0.3f;

    /// <summary>Negative slope of the LeakyReLU after every hidden layer of both networks. Default: 0.2 (article).</summary>
    public float LeakyReluSlope { get; set; } = 0.2f;

    /// <inheritdoc />
    public override GanArchitecture Architecture => GanArchitecture.Mlp;

    /// <inheritdoc />
    public override float DefaultLearningRate => 0.002f;

    /// <inheritdoc />
    public override (float Beta1, float Beta2) DefaultBetas => (0.9f, 0.999f);

    internal override void Validate()
    {
        OptionChecks.AtLeast(HiddenSize, 1, nameof(MlpNetworkOptions), nameof(HiddenSize));
        OptionChecks.InRange(Dropout, 0f, 1f, nameof(MlpNetworkOptions), nameof(Dropout), upperInclusive: false);
        OptionChecks.NonNegative(LeakyReluSlope, nameof(MlpNetworkOptions), nameof(LeakyReluSlope));
    }
}

/// <summary>
/// DCGAN (Radford et al., 2016) for images whose height and width are divisible by 4: a generator of transposed convolutions
/// with batch norm and ReLU from 2w × H/4 × W/4, a discriminator of two strided convolutions (w, 2w channels) with LeakyReLU.
/// Adam at 0.0002 with betas (0.5, 0.999) unless set, as published.
/// </summary>
public sealed record DcganNetworkOptions : GanNetworkOptions
{
    /// <summary>
    /// Base width w (channels w and 2w). At most 8 or a multiple of 8: libtorch's CPU convolution is wrong for other widths
    /// above 8 (docs/DESIGN-DECISIONS.md). Default: 64 (the usual 128 × 7 × 7 start for MNIST).
    /// </summary>
    public int Width { get; set; } = 64;

    /// <summary>
    /// Spectral normalization of every discriminator layer (Miyato et al., ICLR 2018) instead of its batch normalization. Batch
    /// norm normalises the real and the fake batch each by its own statistics, which hides exactly what sets a fake batch apart
    /// (too little variety); spectral normalization bounds the discriminator without that. Default: false (DCGAN as published).
    /// </summary>
    public bool SpectralNormalization { get; set; }

    /// <summary>Negative slope of the discriminator's LeakyReLU (the generator uses ReLU, as published). Default: 0.2.</summary>
    public float LeakyReluSlope { get; set; } = 0.2f;

    /// <inheritdoc />
    public override GanArchitecture Architecture => GanArchitecture.Dcgan;

    /// <inheritdoc />
    public override float DefaultLearningRate => 0.0002f;

    /// <inheritdoc />
    public override (float Beta1, float Beta2) DefaultBetas => (0.5f, 0.999f);

    internal override void Validate()
    {
        OptionChecks.ConvolutionChannels(Width, nameof(DcganNetworkOptions), nameof(Width), strideTwoOnly: true);
        OptionChecks.NonNegative(LeakyReluSlope, nameof(DcganNetworkOptions), nameof(LeakyReluSlope));
    }
}
