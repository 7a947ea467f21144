using Microsoft.ML.Gan.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Networks;

/// <summary>
/// A dense layer with weight normalization (Salimans and Kingma, 2016), as the Improved GAN code has it: the weight is
/// <c>v · scale / ‖v‖</c> per output unit, the scale trainable or not, and scale and bias set once from data so that the
/// first batch leaves the layer with mean 0 and standard deviation 1 per unit (<see cref="InitializeFrom"/>).
/// </summary>
internal sealed class WeightNormLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter v;
    private readonly Parameter scale;
    private readonly Parameter bias;

    public WeightNormLinear(long inputs, long outputs, bool trainScale, double initialStandardDeviation)
        : base(nameof(WeightNormLinear))
    {
        v = new Parameter(torch.empty(outputs, inputs));
        scale = new Parameter(torch.ones(outputs), requires_grad: trainScale);
        bias = new Parameter(torch.zeros(outputs));
        using (torch.no_grad())
        {
            if (initialStandardDeviation > 0)
            {
                nn.init.normal_(v, 0.0, initialStandardDeviation);
            }
            else
            {
                nn.init.xavier_uniform_(v);
            }
        }

        RegisterComponents();
    }

    /// <summary>The weight this layer applies, [outputs, inputs].</summary>
    public Tensor Weight() => v * (scale / (v * v).sum(1).sqrt()).unsqueeze(1);

    public Tensor Bias => bias;

    public override Tensor forward(Tensor input) => nn.functional.linear(input, Weight(), bias);

    /// <summary>
    /// Data-dependent initialisation: sets scale ← scale / σ and bias ← −μ / σ for the pre-activations of
    /// <paramref name="input"/>, and returns the normalised pre-activations (mean 0, standard deviation 1 per unit).
    /// </summary>
    public Tensor InitializeFrom(Tensor input)
    {
        using var noGrad = torch.no_grad();
        Tensor activation = nn.functional.linear(input, Weight());
        Tensor mean = activation.mean([0]);
        Tensor centred = activation - mean;
        Tensor deviation = (centred * centred).mean([0]).sqrt();
        scale.div_(deviation);
        bias.copy_((mean / deviation).neg());
        return centred / deviation;
    }
}

/// <summary>
/// A semi-supervised GAN's classifier-discriminator: K logits, the fake class's fixed at 0, so D(x) = Z / (Z + 1) with
/// Z = Σ exp(logit); and the features the generator's feature matching compares. Takes flat images [N, C·H·W] in [0, 1];
/// Gaussian noise on the input (and hidden layers, where the network has it) in training mode only.
/// </summary>
internal abstract class SemiSupervisedDiscriminator : nn.Module<Tensor, (Tensor Logits, Tensor Features)>
{
    /// <summary>σ 0.1 on the input, as ImprovedGAN-pytorch uses (the paper's code has 0.3): measured on the validation split (docs/SEMI-SUPERVISED.md).</summary>
    protected const double InputNoise = 0.1;

    protected SemiSupervisedDiscriminator(string name)
        : base(name)
    {
    }

    /// <summary>
    /// A new classifier of <paramref name="network"/> for <paramref name="shape"/> images and <paramref name="classCount"/>
    /// classes; a <see cref="SemiSupervisedNetwork.Cnn"/> has <paramref name="channels"/> in each convolution.
    /// </summary>
    public static SemiSupervisedDiscriminator Create(SemiSupervisedNetwork network, ImageShape shape, int classCount, int channels = CnnSemiSupervisedDiscriminator.DefaultChannels) => network switch
    {
        SemiSupervisedNetwork.Mlp => new MlpSemiSupervisedDiscriminator(shape.Size, classCount),
        SemiSupervisedNetwork.Cnn => new CnnSemiSupervisedDiscriminator(shape, classCount, channels),
        _ => throw new ArgumentOutOfRangeException(nameof(network), network, "Not a semi-supervised network."),
    };

    /// <summary>Classes the logits cover.</summary>
    public abstract int ClassCount { get; }

    /// <summary>Which <see cref="SemiSupervisedNetwork"/> this is.</summary>
    public abstract SemiSupervisedNetwork Network { get; }

    /// <summary>A data-dependent initialisation from one batch, where the network has one (noise on, as in training).</summary>
    public abstract void InitializeFrom(Tensor images);

    protected Tensor Noisy(Tensor x, double deviation) => training ? x.Plus(torch.randn_like(x).Times(deviation)) : x;
}

/// <summary>
/// The Improved GAN's MNIST classifier-discriminator (<see cref="SemiSupervisedNetwork.Mlp"/>): Gaussian noise (σ 0.1) on the
/// input and (σ 0.5) after every hidden layer, weight-normalised dense layers of 1000, 500, 250, 250 and 250 ReLU units, and K
/// logits. The features are the last hidden layer's (before its noise).
/// </summary>
internal sealed class MlpSemiSupervisedDiscriminator : SemiSupervisedDiscriminator
{
    /// <summary>Hidden layer widths, from the Improved GAN code (mnist_svhn_cifar10/train_mnist_feature_matching.py).</summary>
    public static readonly int[] HiddenSizes = [1000, 500, 250, 250, 250];

    private const double HiddenNoise = 0.5;

    private readonly ModuleList<WeightNormLinear> hidden = new();
    private readonly WeightNormLinear output;

    public MlpSemiSupervisedDiscriminator(int inputSize, int classCount)
        : base(nameof(MlpSemiSupervisedDiscriminator))
    {
        int width = inputSize;
        foreach (int size in HiddenSizes)
        {
            hidden.Add(new WeightNormLinear(width, size, trainScale: false, initialStandardDeviation: 0.1));
            width = size;
        }

        output = new WeightNormLinear(width, classCount, trainScale: true, initialStandardDeviation: 0.1);
        RegisterComponents();
    }

    public IReadOnlyList<WeightNormLinear> Layers => [.. hidden, output];

    public override int ClassCount => (int)output.Bias.shape[0];

    public override SemiSupervisedNetwork Network => SemiSupervisedNetwork.Mlp;

    public override (Tensor Logits, Tensor Features) forward(Tensor images)
    {
        Tensor x = Noisy(images, InputNoise);
        Tensor features = x;
        foreach (WeightNormLinear layer in hidden)
        {
            features = nn.functional.relu(layer.forward(x));
            x = Noisy(features, HiddenNoise);
        }

        return (output.forward(x), features);
    }

    /// <summary>The data-dependent initialisation of every layer, in order, from one batch (noise on, as in training).</summary>
    public override void InitializeFrom(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = Noisy(images, InputNoise);
        foreach (WeightNormLinear layer in hidden)
        {
            x = Noisy(nn.functional.relu(layer.InitializeFrom(x)), HiddenNoise);
        }

        output.InitializeFrom(x);
    }
}

/// <summary>
/// A small strided convolutional classifier-discriminator (<see cref="SemiSupervisedNetwork.Cnn"/>): Gaussian noise (σ 0.1)
/// on the input → Conv2d(C → n, 5 × 5, stride 2, pad 2) → LeakyReLU 0.2 → Conv2d(n → n, 3 × 3, stride 2, pad 1) →
/// LeakyReLU 0.2 → flatten → dense 256 → LeakyReLU 0.2 (the features) → dense K. Strides instead of pooling: each convolution
/// runs at a quarter of the pixels a full-resolution one would, so a step costs about what the MLP's does on this CPU while
/// the weights are shared across the image (docs/DESIGN-DECISIONS.md). PyTorch's default initialisation; no normalisation.
/// n is 32 unless the student asks for more (<see cref="SemiSupervisedGanOptions.StudentChannels"/>).
/// </summary>
internal sealed class CnnSemiSupervisedDiscriminator : SemiSupervisedDiscriminator
{
    public const int DefaultChannels = 32;
    public const int HiddenSize = 256;
    public const double Slope = 0.2;

    public CnnSemiSupervisedDiscriminator(ImageShape shape, int classCount, int channels = DefaultChannels)
        : base(nameof(CnnSemiSupervisedDiscriminator))
    {
        Shape = shape;
        Conv1 = nn.Conv2d(shape.Channels, channels, 5, stride: 2, padding: 2);
        Conv2 = nn.Conv2d(channels, channels, 3, stride: 2, padding: 1);
        Hidden = nn.Linear(channels * Halved(Halved(shape.Height)) * Halved(Halved(shape.Width)), HiddenSize);
        Output = nn.Linear(HiddenSize, classCount);
        RegisterComponents();
    }

    public Conv2d Conv1 { get; }

    public Conv2d Conv2 { get; }

    public Linear Hidden { get; }

    public Linear Output { get; }

    public ImageShape Shape { get; }

    /// <summary>Channels of each convolution.</summary>
    public int Channels => (int)Conv1.out_channels;

    public override int ClassCount => (int)Output.out_features;

    public override SemiSupervisedNetwork Network => SemiSupervisedNetwork.Cnn;

    public override (Tensor Logits, Tensor Features) forward(Tensor images)
    {
        Tensor x = Noisy(images, InputNoise).view(-1, Shape.Channels, Shape.Height, Shape.Width);
        x = Conv1.forward(x).LeakyRelu(Slope);
        x = Conv2.forward(x).LeakyRelu(Slope);
        Tensor features = Hidden.forward(x.flatten(1)).LeakyRelu(Slope);
        return (Output.forward(features), features);
    }

    public override void InitializeFrom(Tensor images)
    {
    }

    /// <summary>The size after a stride-2 convolution that pads half its kernel: ⌈n / 2⌉.</summary>
    private static int Halved(int size) => (size + 1) / 2;
}

/// <summary>
/// The Improved GAN's MNIST generator: z ~ U(0, 1)^100 → dense 500 → batch norm (a shift, no scale) → softplus → dense 500
/// → batch norm → softplus → weight-normalised dense → softplus (the paper's code ends in a sigmoid; ImprovedGAN-pytorch
/// found its gradients exploded and ends in softplus, which measured better here). Used in training mode only (it is never
/// exported: the classifier is the product), so its batch norm always uses the batch's statistics.
/// </summary>
internal sealed class FeatureMatchingGenerator : nn.Module<Tensor, Tensor>
{
    private const int Hidden = 500;

    private readonly Linear fc1;
    private readonly Parameter shift1;
    private readonly Linear fc2;
    private readonly Parameter shift2;
    private readonly WeightNormLinear output;

    public FeatureMatchingGenerator(int latentDimension, int outputSize)
        : base(nameof(FeatureMatchingGenerator))
    {
        fc1 = nn.Linear(latentDimension, Hidden, hasBias: false);
        shift1 = new Parameter(torch.zeros(Hidden));
        fc2 = nn.Linear(Hidden, Hidden, hasBias: false);
        shift2 = new Parameter(torch.zeros(Hidden));
        output = new WeightNormLinear(Hidden, outputSize, trainScale: true, initialStandardDeviation: 0);
        using (torch.no_grad())
        {
            nn.init.xavier_uniform_(fc1.weight!);
            nn.init.xavier_uniform_(fc2.weight!);
        }

        RegisterComponents();
    }

    public int LatentDimension => (int)fc1.in_features;

    public override Tensor forward(Tensor z)
    {
        Tensor x = Softplus(nn.functional.batch_norm(fc1.forward(z), null, null, null, shift1, training: true, momentum: 0.1, eps: 1e-6));
        x = Softplus(nn.functional.batch_norm(fc2.forward(x), null, null, null, shift2, training: true, momentum: 0.1, eps: 1e-6));
        return Softplus(output.forward(x));
    }

    /// <summary>log(1 + eˣ) = max(x, 0) + log(1 + e^−|x|), without TorchSharp's softplus (which converts its beta implicitly).</summary>
    internal static Tensor Softplus(Tensor x) => nn.functional.relu(x).Plus(x.abs().neg().exp().log1p());
}
