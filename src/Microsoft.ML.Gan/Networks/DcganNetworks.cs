using Microsoft.ML.Gan.Onnx;
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
    private readonly Linear fc;
    private readonly BatchNorm2d bn0;
    private readonly ConvTranspose2d deconv1;
    private readonly BatchNorm2d bn1;
    private readonly ConvTranspose2d deconv2;
    private readonly Embedding? label_embedding;
    private readonly long[] _start;

    public DcganGenerator(int latentDimension, ImageShape shape, int width, int classCount = 0)
        : base(nameof(DcganGenerator), latentDimension, classCount)
    {
        _start = [2 * width, shape.Height / 4, shape.Width / 4];
        fc = nn.Linear(latentDimension + classCount, _start[0] * _start[1] * _start[2]);
        bn0 = nn.BatchNorm2d(2 * width);
        deconv1 = nn.ConvTranspose2d(2 * width, width, 4, stride: 2, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(width);
        deconv2 = nn.ConvTranspose2d(width, shape.Channels, 4, stride: 2, padding: 1);
        label_embedding = classCount > 0 ? nn.Embedding(classCount, classCount) : null;
        RegisterComponents();
        DcganInit.Apply(this);
    }

    public override Tensor forward(Tensor z, Tensor? classes)
    {
        Tensor x = fc.forward(Condition(z, classes, label_embedding)).view(-1, _start[0], _start[1], _start[2]);
        x = nn.functional.relu(bn0.forward(x));
        x = nn.functional.relu(bn1.forward(deconv1.forward(x)));
        return torch.tanh(deconv2.forward(x)).flatten(1);
    }

    public override string ExportOnnx(OnnxGraph graph, string latent, string? classOneHot)
    {
        string x = graph.Linear(ExportCondition(graph, latent, classOneHot, label_embedding), fc, "fc");
        x = graph.Reshape(x, "fc_view", -1, _start[0], _start[1], _start[2]);
        x = graph.Node("Relu", [graph.BatchNorm(x, bn0, "bn0")], "relu0");
        x = graph.Node("Relu", [graph.BatchNorm(graph.ConvTranspose(x, deconv1, 4, 2, 1, "deconv1"), bn1, "bn1")], "relu1");
        x = graph.Node("Tanh", [graph.ConvTranspose(x, deconv2, 4, 2, 1, "deconv2")], "tanh");
        return graph.Node("Flatten", [x], "flat", [OnnxGraph.Int("axis", 1)]);
    }
}

/// <summary>
/// DCGAN discriminator: Conv2d(C → w, 4, 2, 1) → LeakyReLU(0.2) → Conv2d(w → 2w, 4, 2, 1) → BatchNorm
/// → LeakyReLU(0.2) → flatten → Linear(·, 1), a logit. With spectral normalization (Miyato et al., 2018) every
/// layer's weight, the projection embedding's included, is spectrally normalized and there is no batch norm, so
/// real and fake images are scored in one pass and no batch's statistics hide what sets it apart.
/// </summary>
internal sealed class DcganDiscriminator : DiscriminatorNetwork
{
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> conv2;
    private readonly BatchNorm2d? bn2;
    private readonly nn.Module<Tensor, Tensor> fc;
    private readonly nn.Module<Tensor, Tensor>? projection;
    private readonly Linear? classifier;
    private readonly ImageShape _shape;
    private const double Slope = 0.2;

    public DcganDiscriminator(ImageShape shape, int width, int classCount = 0, bool auxiliaryClassifier = false, bool spectralNorm = false)
        : base(nameof(DcganDiscriminator))
    {
        _shape = shape;
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
            bn2 = nn.BatchNorm2d(2 * width);
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
        x = nn.functional.leaky_relu(conv1.forward(x), Slope);
        x = conv2.forward(x);
        x = nn.functional.leaky_relu(bn2 is null ? x : bn2.forward(x), Slope);
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
                case BatchNorm2d norm:
                    nn.init.normal_(norm.weight!, 1.0, 0.02);
                    nn.init.zeros_(norm.bias!);
                    break;
            }
        }
    }
}
