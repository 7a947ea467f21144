namespace Microsoft.ML.Gan;

/// <summary>
/// Differentiable augmentations applied to every image the discriminator sees, real and generated, in both
/// the discriminator and the generator steps (DiffAugment: Zhao et al., NeurIPS 2020, "Differentiable
/// Augmentation for Data-Efficient GAN Training"). They keep a discriminator from memorising a small training
/// set; gradients flow through them to the generator, and generation never applies them. Flags combine:
/// <c>Translation | Cutout</c>, or <see cref="All"/>.
/// </summary>
[Flags]
public enum DiffAugmentPolicy
{
    /// <summary>No augmentation (the article's training).</summary>
    None = 0,

    /// <summary>
    /// Per image: brightness (add U(−0.5, 0.5) in the [−1, 1] training range), saturation (scale the distance from the
    /// channel mean by U(0, 2); no effect on one-channel images) and contrast (scale the distance from the image mean
    /// by U(0.5, 1.5)), as in the paper's code.
    /// </summary>
    Color = 1,

    /// <summary>Shift each image by up to ⌊size/8 + 0.5⌋ pixels in each direction (4 for 28 pixels), filling with black.</summary>
    Translation = 2,

    /// <summary>Black out one square of half the image size per image, at a random centre (it may reach past the border).</summary>
    Cutout = 4,

    /// <summary>Color, translation and cutout: the paper's choice for limited data.</summary>
    All = Color | Translation | Cutout,
}
