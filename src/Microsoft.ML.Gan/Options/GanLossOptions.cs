namespace Microsoft.ML.Gan;

/// <summary>
/// The adversarial loss and its settings: <see cref="NonSaturatingLossOptions"/> (the source article's),
/// <see cref="HingeLossOptions"/> or <see cref="WassersteinGradientPenaltyLossOptions"/>. A setting of one loss exists only on
/// its own options.
/// </summary>
public abstract record GanLossOptions
{
    private protected GanLossOptions()
    {
    }

    /// <summary>Which loss this is.</summary>
    public abstract GanLoss Kind { get; }

    /// <summary>The default settings of <paramref name="loss"/>.</summary>
    public static GanLossOptions For(GanLoss loss) => loss switch
    {
        GanLoss.NonSaturating => new NonSaturatingLossOptions(),
        GanLoss.Hinge => new HingeLossOptions(),
        GanLoss.WassersteinGradientPenalty => new WassersteinGradientPenaltyLossOptions(),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, $"{nameof(GanLoss)} must be one of {string.Join(", ", Enum.GetNames<GanLoss>())}."),
    };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    internal virtual void Validate()
    {
    }
}

/// <summary>
/// Binary cross-entropy on the discriminator's logits, with the generator's targets flipped to "real" (Goodfellow et al., 2014,
/// the non-saturating form; the source article's).
/// </summary>
public sealed record NonSaturatingLossOptions : GanLossOptions
{
    /// <summary>Target for real images (one-sided label smoothing; 1 disables it). Default: 0.9 (article).</summary>
    public float RealLabel { get; set; } = 0.9f;

    /// <inheritdoc />
    public override GanLoss Kind => GanLoss.NonSaturating;

    internal override void Validate() => OptionChecks.InRange(RealLabel, 0f, 1f, nameof(NonSaturatingLossOptions), nameof(RealLabel), upperInclusive: true);
}

/// <summary>The hinge loss (Lim and Ye, 2017; Miyato et al., 2018): max(0, 1 − D(x)) + max(0, 1 + D(G(z))) for the discriminator.</summary>
public sealed record HingeLossOptions : GanLossOptions
{
    /// <inheritdoc />
    public override GanLoss Kind => GanLoss.Hinge;
}

/// <summary>
/// The Wasserstein loss with a gradient penalty (Gulrajani et al., 2017): the critic's mean score on fakes minus that on real
/// images, plus λ (‖∇D(x̂)‖₂ − 1)² at random interpolates. Usually trained with several critic steps per generator step
/// (<see cref="GanOptions.DiscriminatorStepsPerGeneratorStep"/>; the paper uses 5).
/// </summary>
public sealed record WassersteinGradientPenaltyLossOptions : GanLossOptions
{
    /// <summary>λ of the gradient penalty. Default: 10 (Gulrajani et al., 2017).</summary>
    public float GradientPenaltyWeight { get; set; } = 10f;

    /// <inheritdoc />
    public override GanLoss Kind => GanLoss.WassersteinGradientPenalty;

    internal override void Validate() => OptionChecks.Positive(GradientPenaltyWeight, nameof(WassersteinGradientPenaltyLossOptions), nameof(GradientPenaltyWeight));
}
