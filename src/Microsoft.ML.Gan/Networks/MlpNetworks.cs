using Microsoft.ML.Gan.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Networks;

/// <summary>
/// The source article's generator: z → Linear(z, h) → LeakyReLU → Dropout → Linear(h, 2h) → LeakyReLU
/// → Dropout → Linear(2h, 4h) → LeakyReLU → Dropout → Linear(4h, pixels) → tanh. Conditional: the input
/// is [z; embedding(class)] with a classes × classes embedding.
/// </summary>
internal sealed class MlpGenerator : GeneratorNetwork
{
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly Linear fc3;
    private readonly Linear fc4;
    private readonly BernoulliDropout dropout;
    private readonly Embedding? label_embedding;
    private readonly double _slope;

    public MlpGenerator(int latentDimension, int hiddenSize, int outputSize, double dropoutProbability, double leakyReluSlope, int classCount = 0)
        : base(nameof(MlpGenerator), latentDimension, classCount)
    {
        fc1 = nn.Linear(latentDimension + classCount, hiddenSize);
        fc2 = nn.Linear(hiddenSize, hiddenSize * 2);
        fc3 = nn.Linear(hiddenSize * 2, hiddenSize * 4);
        fc4 = nn.Linear(hiddenSize * 4, outputSize);
        dropout = new BernoulliDropout(dropoutProbability);
        label_embedding = classCount > 0 ? nn.Embedding(classCount, classCount) : null;
        _slope = leakyReluSlope;
        RegisterComponents();
    }

    public override Tensor forward(Tensor z, Tensor? classes)
    {
        Tensor x = Condition(z, classes, label_embedding);
        x = dropout.forward(nn.functional.leaky_relu(fc1.forward(x), _slope));
        x = dropout.forward(nn.functional.leaky_relu(fc2.forward(x), _slope));
        x = dropout.forward(nn.functional.leaky_relu(fc3.forward(x), _slope));
        return torch.tanh(fc4.forward(x));
    }

    // Dropout is the identity in eval mode and is left out.
    public override string ExportOnnx(OnnxGraph graph, string latent, string? classOneHot)
    {
        string x = ExportCondition(graph, latent, classOneHot, label_embedding);
        global::Onnx.AttributeProto[] alpha = [OnnxGraph.Float("alpha", (float)_slope)];
        x = graph.Node("LeakyRelu", [graph.Linear(x, fc1, "fc1")], "fc1_act", alpha);
        x = graph.Node("LeakyRelu", [graph.Linear(x, fc2, "fc2")], "fc2_act", alpha);
        x = graph.Node("LeakyRelu", [graph.Linear(x, fc3, "fc3")], "fc3_act", alpha);
        return graph.Node("Tanh", [graph.Linear(x, fc4, "fc4")], "tanh");
    }
}

/// <summary>
/// The source article's discriminator: Linear(pixels, 4h) → LeakyReLU → Dropout → Linear(4h, 2h)
/// → LeakyReLU → Dropout → Linear(2h, h) → LeakyReLU → Dropout → Linear(h, 1), a logit.
/// </summary>
internal sealed class MlpDiscriminator : DiscriminatorNetwork
{
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly Linear fc3;
    private readonly Linear fc4;
    private readonly BernoulliDropout dropout;
    private readonly Embedding? projection;
    private readonly Linear? classifier;
    private readonly double _slope;

    public MlpDiscriminator(int inputSize, int hiddenSize, double dropoutProbability, double leakyReluSlope, int classCount = 0, bool auxiliaryClassifier = false)
        : base(nameof(MlpDiscriminator))
    {
        fc1 = nn.Linear(inputSize, hiddenSize * 4);
        fc2 = nn.Linear(hiddenSize * 4, hiddenSize * 2);
        fc3 = nn.Linear(hiddenSize * 2, hiddenSize);
        fc4 = nn.Linear(hiddenSize, 1);
        dropout = new BernoulliDropout(dropoutProbability);
        projection = classCount > 0 ? ProjectionEmbedding(classCount, hiddenSize) : null;
        classifier = auxiliaryClassifier ? nn.Linear(hiddenSize, classCount) : null;
        _slope = leakyReluSlope;
        RegisterComponents();
    }

    public override bool HasBatchStatistics => false;

    public override DiscriminatorOutput forward(Tensor images, Tensor? classes)
    {
        Tensor x = images.flatten(1);
        x = dropout.forward(nn.functional.leaky_relu(fc1.forward(x), _slope));
        x = dropout.forward(nn.functional.leaky_relu(fc2.forward(x), _slope));
        x = dropout.forward(nn.functional.leaky_relu(fc3.forward(x), _slope));
        return Heads(x, classes, fc4, projection, classifier);
    }
}
