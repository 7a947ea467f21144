using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Networks;

/// <summary>
/// <c>nn.Dropout</c>, step for step as libtorch computes it on the CPU (noise = empty_like(x).bernoulli_(1 − p);
/// noise /= 1 − p; x · noise), with the Bernoulli masks drawn by <see cref="LibTorchBernoulli"/>: the same numbers
/// and the same generator state afterwards, several times faster. Anything else (another device or type, p of 0
/// or 1, a libtorch whose generator does not match) goes to <c>nn.functional.dropout</c>.
/// </summary>
internal sealed class BernoulliDropout : nn.Module<Tensor, Tensor>
{
    private readonly double _probability;

    public BernoulliDropout(double probability)
        : base("Dropout")
    {
        if (probability is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "A dropout probability is between 0 and 1.");
        }

        _probability = probability;
    }

    public override Tensor forward(Tensor input)
    {
        if (!training || _probability == 0)
        {
            return input;
        }

        if (_probability == 1 || input.device_type != DeviceType.CPU || input.dtype != ScalarType.Float32 || !LibTorchBernoulli.IsExact)
        {
            return nn.functional.dropout(input, _probability, training);
        }

        double keep = 1 - _probability;
        using Tensor noise = torch.empty_like(input);
        LibTorchBernoulli.Fill(noise, keep);
        noise.div_(keep);
        return input * noise;
    }
}
