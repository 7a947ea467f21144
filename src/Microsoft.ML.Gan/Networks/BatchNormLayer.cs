using Microsoft.ML.Gan.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Networks;

/// <summary>
/// Batch normalization with PyTorch's defaults (eps 1e-5, momentum 0.1, affine, running statistics): TorchSharp's
/// <c>BatchNorm1d</c>/<c>BatchNorm2d</c>, state and parameter names included, except that counting batches in training adds a
/// Scalar that stays alive through the call (TorchSharp's <c>num_batches_tracked.add_(1)</c> converts 1 implicitly; see
/// <see cref="ScalarArithmetic"/>). The forward pass is otherwise TorchSharp's <c>BatchNorm.forward</c>, line for line.
/// </summary>
internal abstract class BatchNormLayer(long features, string name)
    : BatchNorm(features, eps: 1e-5, momentum: 0.1, affine: true, track_running_stats: true, device: null, dtype: null, name)
{
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        double averagingFactor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            num_batches_tracked.PlusInPlace(1L);
            averagingFactor = momentum ?? (1.0 / (double)num_batches_tracked);
        }

        bool batchStatistics = training || (running_mean is null && running_var is null);
        bool useRunning = !training || track_running_stats;
        return nn.functional.batch_norm(input, useRunning ? running_mean : null, useRunning ? running_var : null, weight, bias, batchStatistics, averagingFactor, eps);
    }

    /// <summary>How many dimensions an input has: 4 for [N, C, H, W], 2 for [N, C].</summary>
    protected abstract int Dimensions { get; }

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != Dimensions)
        {
            throw new ArgumentException($"expected {Dimensions}D input, but got {input.ndim}D input.", nameof(input));
        }
    }
}

/// <summary>Batch normalization of [N, C, H, W] batches (<see cref="BatchNormLayer"/>).</summary>
internal sealed class BatchNorm2dLayer(long features) : BatchNormLayer(features, nameof(BatchNorm2dLayer))
{
    protected override int Dimensions => 4;
}

/// <summary>Batch normalization of [N, C] batches (<see cref="BatchNormLayer"/>).</summary>
internal sealed class BatchNorm1dLayer(long features) : BatchNormLayer(features, nameof(BatchNorm1dLayer))
{
    protected override int Dimensions => 2;
}
