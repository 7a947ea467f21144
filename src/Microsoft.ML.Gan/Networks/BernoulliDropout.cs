using Microsoft.ML.Gan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Networks;

/// <summary>
/// <c>nn.Dropout</c> as libtorch computes it on the CPU (noise = empty_like(x).bernoulli_(1 − p); noise /= 1 − p;
/// x · noise), with the masks drawn by <see cref="LibTorchBernoulli"/> and the kept elements written as libtorch's
/// 1 / (1 − p) directly: the same numbers and the same generator state afterwards, several times faster. Anything
/// else (another device or type, p of 1, a libtorch whose generator does not match) goes to <c>nn.functional.dropout</c>.
/// </summary>
internal sealed class BernoulliDropout : nn.Module<Tensor, Tensor>
{
    private readonly double _probability;
    private float? _scale;

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
        LibTorchBernoulli.Fill(noise, keep, _scale ??= Scale(keep));
        return input * noise;
    }

    /// <summary>What libtorch's <c>noise.div_(keep)</c> makes of a kept element (1 / keep in float32), asked of libtorch itself.</summary>
    private static float Scale(double keep)
    {
        using Tensor one = torch.ones(1);
        return one.DividedByInPlace(keep).item<float>();
    }
}
