using Microsoft.ML.Gan.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Networks;

/// <summary>
/// DCGAN generator (Radford et al., 2016) for H × W images with H and W divisible by 4, e.g. 28 × 28:
/// z → Linear(z, 2w·H/4·W/4) → view 2w × H/4 × W/4 → BatchNorm → ReLU → ConvTranspose2d(2w → w, 4, 2, 1)
/// → BatchNorm → ReLU → ConvTranspose2d(w → C, 4, 2, 1) → tanh. w = 64 gives the usual 128 × 7 × 7 start.
/// </summary>
internal sealed class DcganGenerator : GeneratorNetwork
{
    public DcganGenerator(int latentDimension, ImageShape shape, int width, int classCount = 0)
        : base(nameof(DcganGenerator), latentDimension, classCount)
    {
        long[] start = [2 * width, shape.Height / 4, shape.Width / 4];
        Build(
        [
            ("fc", nn.Linear(latentDimension + classCount, start[0] * start[1] * start[2])),
            ("fc_view", nn.Unflatten(1, start)),
            ("bn0", new BatchNorm2dLayer(2 * width)),
            ("relu0", nn.ReLU()),
            ("deconv1", nn.ConvTranspose2d(2 * width, width, 4, stride: 2, padding: 1, bias: false)),
            ("bn1", new BatchNorm2dLayer(width)),
            ("relu1", nn.ReLU()),
            ("deconv2", nn.ConvTranspose2d(width, shape.Channels, 4, stride: 2, padding: 1)),
            ("tanh", nn.Tanh()),
            ("flat", nn.Flatten()),
        ], classCount > 0 ? nn.Embedding(classCount, classCount) : null);
        DcganInit.Apply(this);
    }
}

/// <summary>
/// DCGAN discriminator: Conv2d(C → w, 4, 2, 1) → LeakyReLU(s) → Conv2d(w → 2w, 4, 2, 1) → BatchNorm
/// → LeakyReLU(s) → flatten → Linear(·, 1), a logit (s = GanOptions.LeakyReluSlope, 0.2 as published). With spectral normalization (Miyato et al., 2018) every
/// layer's weight, the projection embedding's included, is spectrally normalized and there is no batch norm, so
/// real and fake images are scored in one pass and no batch's statistics hide what sets it apart.
/// </summary>
internal sealed class DcganDiscriminator : DiscriminatorNetwork
{
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> conv2;
    private readonly BatchNorm2dLayer? bn2;
    private readonly nn.Module<Tensor, Tensor> fc;
    private readonly nn.Module<Tensor, Tensor>? projection;
    private readonly Linear? classifier;
    private readonly ImageShape _shape;
    private readonly double _slope;

    public DcganDiscriminator(ImageShape shape, int width, int classCount = 0, bool auxiliaryClassifier = false, bool spectralNorm = false, double leakyReluSlope = 0.2)
        : base(nameof(DcganDiscriminator))
    {
        _shape = shape;
        _slope = leakyReluSlope;
        int features = 2 * width * (shape.Height / 4) * (shape.Width / 4);
        if (spectralNorm)
        {
            conv1 = new SNConv2d(shape.Channels, width, 4, stride: 2, padding: 1);
            conv2 = new SNConv2d(width, 2 * width, 4, stride: 2, padding: 1);
            fc = new SNLinear(features, 1);
            projection = classCount > 0 ? new SNEmbedding(classCount, features) : null;
        }
        else
        {
            conv1 = nn.Conv2d(shape.Channels, width, 4, stride: 2, padding: 1);
            conv2 = nn.Conv2d(width, 2 * width, 4, stride: 2, padding: 1, bias: false);
            bn2 = new BatchNorm2dLayer(2 * width);
            fc = nn.Linear(features, 1);
            projection = classCount > 0 ? ProjectionEmbedding(classCount, features) : null;
        }

        classifier = auxiliaryClassifier ? nn.Linear(features, classCount) : null;
        RegisterComponents();
        DcganInit.Apply(this);
    }

    public override bool HasBatchStatistics => bn2 is not null;

    public override DiscriminatorOutput forward(Tensor images, Tensor? classes)
    {
        Tensor x = images.view(-1, _shape.Channels, _shape.Height, _shape.Width);
        x = conv1.forward(x).LeakyRelu(_slope);
        x = conv2.forward(x);
        x = (bn2 is null ? x : bn2.forward(x)).LeakyRelu(_slope);
        return Heads(x.flatten(1), classes, fc, projection, classifier);
    }
}

/// <summary>DCGAN's initialisation: convolution and linear weights N(0, 0.02); batch-norm scale N(1, 0.02), shift 0.</summary>
internal static class DcganInit
{
    public static void Apply(nn.Module module)
    {
        using var noGrad = torch.no_grad();
        foreach (nn.Module child in module.modules())
        {
            switch (child)
            {
                case Conv2d or ConvTranspose2d or Linear:
                    foreach ((string name, Parameter parameter) in child.named_parameters(recurse: false))
                    {
                        if (name == "weight")
                        {
                            nn.init.normal_(parameter, 0.0, 0.02);
                        }
                    }

                    break;
                case BatchNorm norm:
                    nn.init.normal_(norm.weight!, 1.0, 0.02);
                    nn.init.zeros_(norm.bias!);
                    break;
            }
        }
    }
}
