namespace Microsoft.ML.Gan;

/// <summary>The network of <see cref="SemiSupervisedGanOptions"/>' classifier-discriminator.</summary>
public enum SemiSupervisedNetwork
{
    /// <summary>
    /// The Improved GAN's MNIST classifier (Salimans et al., 2016): weight-normalised dense layers of 1000, 500, 250, 250 and
    /// 250 ReLU units with Gaussian noise before each, about 1.5 million weights.
    /// </summary>
    Mlp,

    /// <summary>
    /// A small convolutional classifier: two strided convolutions (32 channels, 5 × 5 then 3 × 3, stride 2), a dense layer of
    /// 256 units, LeakyReLU 0.2, about 0.4 million weights on 28 × 28 images. Its weights are shared across the image, so
    /// what it learns at one place holds at another; it learns faster in the first epochs and ends level with the MLP.
    /// </summary>
    Cnn,
}
