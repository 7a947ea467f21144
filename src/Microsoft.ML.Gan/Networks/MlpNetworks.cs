using Microsoft.ML.Gan.Torch;
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
    // Construction order is the article's (fc1 … fc4, then the embedding): it fixes which random numbers initialise what.
    public MlpGenerator(int latentDimension, int hiddenSize, int outputSize, double dropoutProbability, double leakyReluSlope, int classCount = 0)
        : base(nameof(MlpGenerator), latentDimension, classCount)
    {
        Build(
        [
            ("fc1", nn.Linear(latentDimension + classCount, hiddenSize)),
            ("act1", new LeakyReLULayer(leakyReluSlope)),
            ("drop1", new BernoulliDropout(dropoutProbability)),
            ("fc2", nn.Linear(hiddenSize, hiddenSize * 2)),
            ("act2", new LeakyReLULayer(leakyReluSlope)),
            ("drop2", new BernoulliDropout(dropoutProbability)),
            ("fc3", nn.Linear(hiddenSize * 2, hiddenSize * 4)),
            ("act3", new LeakyReLULayer(leakyReluSlope)),
            ("drop3", new BernoulliDropout(dropoutProbability)),
            ("fc4", nn.Linear(hiddenSize * 4, outputSize)),
            ("tanh", nn.Tanh()),
        ], classCount > 0 ? nn.Embedding(classCount, classCount) : null);
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
        x = dropout.forward(fc1.forward(x).LeakyRelu(_slope));
        x = dropout.forward(fc2.forward(x).LeakyRelu(_slope));
        x = dropout.forward(fc3.forward(x).LeakyRelu(_slope));
        return Heads(x, classes, fc4, projection, classifier);
    }
}
