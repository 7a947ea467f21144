using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Networks;

/// <summary>
/// The article's generator: z → Linear(z, h) → LeakyReLU → Dropout → Linear(h, 2h) → LeakyReLU → Dropout
/// → Linear(2h, 4h) → LeakyReLU → Dropout → Linear(4h, pixels) → tanh. Output in [-1, 1], flat.
/// </summary>
internal sealed class Generator : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly Linear fc3;
    private readonly Linear fc4;
    private readonly Dropout dropout;
    private readonly double _slope;

    public Generator(int latentDimension, int hiddenSize, int outputSize, double dropoutProbability, double leakyReluSlope)
        : base(nameof(Generator))
    {
        fc1 = nn.Linear(latentDimension, hiddenSize);
        fc2 = nn.Linear(hiddenSize, hiddenSize * 2);
        fc3 = nn.Linear(hiddenSize * 2, hiddenSize * 4);
        fc4 = nn.Linear(hiddenSize * 4, outputSize);
        dropout = nn.Dropout(dropoutProbability);
        _slope = leakyReluSlope;
        LatentDimension = latentDimension;
        RegisterComponents();
    }

    public int LatentDimension { get; }

    public double LeakyReluSlope => _slope;

    /// <summary>The linear layers in order; hidden ones are followed by LeakyReLU (+ dropout), the last by tanh.</summary>
    public IReadOnlyList<Linear> Layers => [fc1, fc2, fc3, fc4];

    public override Tensor forward(Tensor z)
    {
        Tensor x = dropout.forward(nn.functional.leaky_relu(fc1.forward(z), _slope));
        x = dropout.forward(nn.functional.leaky_relu(fc2.forward(x), _slope));
        x = dropout.forward(nn.functional.leaky_relu(fc3.forward(x), _slope));
        return torch.tanh(fc4.forward(x));
    }
}
