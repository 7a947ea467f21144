using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Evaluation;

/// <summary>
/// The feature network for 28 × 28 digits, LeNet-style (LeCun et al., 1998): Conv2d(1→16, 5, pad 2) → ReLU
/// → MaxPool(2) → Conv2d(16→32, 5, pad 2) → ReLU → MaxPool(2) → Linear(32·7·7 → 128) → ReLU [the 128
/// penultimate features FID and KID use] → Dropout(0.5) → Linear(128 → 10) [class logits].
/// The same layers serve <see cref="LeNetClassifier"/> for other image shapes (C channels, H × W, ⌊H/4⌋·⌊W/4⌋ after pooling) and class counts.
/// </summary>
internal sealed class LeNet : nn.Module<Tensor, (Tensor Features, Tensor Logits)>
{
    public const int FeatureSize = 128;
    public const int ClassCount = 10;
    public const int Side = 28;

    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Linear fc1;
    private readonly Dropout dropout;
    private readonly Linear fc2;
    private readonly ImageShape _shape;

    /// <summary>The MNIST network: 1 × 28 × 28 images, 10 classes.</summary>
    public LeNet()
        : this(new ImageShape(1, Side, Side), ClassCount)
    {
    }

    /// <param name="shape">Image shape.</param>
    /// <param name="classCount">Classes (outputs).</param>
    /// <param name="channels">Channels of the first convolution; the second has twice as many.</param>
    public LeNet(ImageShape shape, int classCount, int channels = 16)
        : base(nameof(LeNet))
    {
        _shape = shape;
        conv1 = nn.Conv2d(shape.Channels, channels, 5, padding: 2);
        conv2 = nn.Conv2d(channels, 2 * channels, 5, padding: 2);
        fc1 = nn.Linear(2 * channels * (shape.Height / 4) * (shape.Width / 4), FeatureSize);
        dropout = nn.Dropout(0.5);
        fc2 = nn.Linear(FeatureSize, classCount);
        RegisterComponents();
    }

    /// <summary>Images [N, C·H·W] (or [N, C, H, W]) in [0, 1] → (features [N, 128], logits [N, classes]).</summary>
    public override (Tensor Features, Tensor Logits) forward(Tensor images)
    {
        Tensor x = images.view(-1, _shape.Channels, _shape.Height, _shape.Width);
        x = nn.functional.max_pool2d(nn.functional.relu(conv1.forward(x)), 2);
        x = nn.functional.max_pool2d(nn.functional.relu(conv2.forward(x)), 2);
        Tensor features = nn.functional.relu(fc1.forward(x.flatten(1)));
        return (features, fc2.forward(dropout.forward(features)));
    }
}
