using Microsoft.ML.Gan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Networks;

/// <summary>
/// LeakyReLU as a generator layer, computing what TorchSharp's <c>nn.LeakyReLU</c> computes. That module passes its slope to
/// libtorch as an implicit Scalar, which a garbage collection may free during the call (<see cref="ScalarArithmetic"/>); this
/// one passes a Scalar that lives as long as the process.
/// </summary>
internal sealed class LeakyReLULayer(double negativeSlope) : nn.Module<Tensor, Tensor>(nameof(LeakyReLULayer))
{
    /// <summary>The slope for negative inputs (PyTorch's <c>negative_slope</c>).</summary>
    public double NegativeSlope { get; } = negativeSlope;

    public override Tensor forward(Tensor input) => input.leaky_relu(ScalarArithmetic.Constant(NegativeSlope));
}
