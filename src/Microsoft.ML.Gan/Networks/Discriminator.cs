using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Networks;

/// <summary>
/// The article's discriminator: flatten → Linear(pixels, 4h) → LeakyReLU → Dropout → Linear(4h, 2h)
/// → LeakyReLU → Dropout → Linear(2h, h) → LeakyReLU → Dropout → Linear(h, 1). Returns a logit.
/// </summary>
internal sealed class Discriminator : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly Linear fc3;
    private readonly Linear fc4;
    private readonly Dropout dropout;
    private readonly double _slope;

    public Discriminator(int inputSize, int hiddenSize, double dropoutProbability, double leakyReluSlope)
        : base(nameof(Discriminator))
    {
        fc1 = nn.Linear(inputSize, hiddenSize * 4);
        fc2 = nn.Linear(hiddenSize * 4, hiddenSize * 2);
        fc3 = nn.Linear(hiddenSize * 2, hiddenSize);
        fc4 = nn.Linear(hiddenSize, 1);
        dropout = nn.Dropout(dropoutProbability);
        _slope = leakyReluSlope;
        RegisterComponents();
    }

    public override Tensor forward(Tensor images)
    {
        Tensor x = images.flatten(1);
        x = dropout.forward(nn.functional.leaky_relu(fc1.forward(x), _slope));
        x = dropout.forward(nn.functional.leaky_relu(fc2.forward(x), _slope));
        x = dropout.forward(nn.functional.leaky_relu(fc3.forward(x), _slope));
        return fc4.forward(x);
    }
}
