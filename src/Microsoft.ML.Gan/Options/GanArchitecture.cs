namespace Microsoft.ML.Gan;

/// <summary>The generator and discriminator networks.</summary>
public enum GanArchitecture
{
    /// <summary>The source article's multilayer perceptrons (hidden sizes h, 2h, 4h; LeakyReLU; dropout).</summary>
    Mlp,

    /// <summary>
    /// DCGAN (Radford et al., 2016): transposed convolutions with batch normalization in the generator,
    /// strided convolutions in the discriminator; images with height and width divisible by 4.
    /// </summary>
    Dcgan,
}

/// <summary>The adversarial objective.</summary>
public enum GanLoss
{
    /// <summary>
    /// Binary cross-entropy on logits with the non-saturating generator loss (flipped labels), as in the
    /// article; real targets are <see cref="GanOptions.RealLabel"/> (one-sided label smoothing).
    /// </summary>
    NonSaturating,

    /// <summary>Hinge loss (Lim and Ye, 2017): critic max(0, 1 − D(x)) + max(0, 1 + D(G(z))); generator −D(G(z)).</summary>
    Hinge,

    /// <summary>
    /// Wasserstein loss with gradient penalty (Gulrajani et al., 2017): critic D(G(z)) − D(x) + λ (‖∇D(x̂)‖ − 1)²
    /// on x̂ = αx + (1 − α)G(z), α ~ U(0, 1); generator −D(G(z)). Usually with several critic steps per generator step.
    /// </summary>
    WassersteinGradientPenalty,
}

/// <summary>What training does when a loss becomes NaN or infinite.</summary>
public enum DivergenceAction
{
    /// <summary>Stop with an <see cref="InvalidOperationException"/> naming the epoch.</summary>
    Throw,

    /// <summary>
    /// Restore the networks and optimizers saved at the start of the epoch, halve both learning rates and
    /// run the epoch again; after three roll-backs in a row, throw.
    /// </summary>
    RollBack,
}
