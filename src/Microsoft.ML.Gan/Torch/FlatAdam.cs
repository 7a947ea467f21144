using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Torch;

/// <summary>
/// Adam over one contiguous buffer per network. Every parameter of the network becomes a view into one flat
/// tensor, its gradient a view into a second and its two moment estimates views into a third and fourth, so a
/// step is a few passes over four buffers for the whole network instead of about ten libtorch calls per parameter
/// (TorchSharp's <see cref="Adam"/> loops over parameters). On the CPU the passes are <see cref="AdamKernel"/>'s
/// (two vectorised loops around libtorch's square root) where that kernel gives libtorch's bits, else six libtorch operations.
/// </summary>
/// <remarks>
/// The update is TorchSharp's Adam, operation for operation (m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
/// p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)), applied to all elements at once, with the same roundings. The wrapped
/// <see cref="Adam"/> keeps the learning rate, the step count and the moment tensors (as views), so
/// checkpoints keep TorchSharp's optimizer format and resume exactly. Gradients are zeroed in place, never
/// released: autograd then accumulates into the flat buffer.
/// </remarks>
internal sealed class FlatAdam : IDisposable
{
    private readonly Adam _adam;
    private readonly IReadOnlyList<Adam.State> _states;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _epsilon;
    private readonly Tensor _parameters;
    private readonly Tensor _gradients;
    private readonly Tensor _average;
    private readonly Tensor _averageSquare;
    // Scratch for AdamKernel's square root; null when the steps run as libtorch operations.
    private readonly Tensor? _root;

    public FlatAdam(IReadOnlyList<Parameter> parameters, double learningRate, double beta1, double beta2, double epsilon = 1e-8, bool fused = true)
    {
        if (parameters.Count == 0)
        {
            throw new ArgumentException("Adam needs at least one parameter.", nameof(parameters));
        }

        _adam = optim.Adam(parameters, learningRate, beta1, beta2, epsilon);
        _states = _adam.state_dict().State.Cast<Adam.State>().ToList();
        (_beta1, _beta2, _epsilon) = (beta1, beta2, epsilon);
        long total = parameters.Sum(p => p.numel());
        Tensor first = parameters[0];
        _parameters = torch.empty(total, dtype: first.dtype, device: first.device);
        _gradients = torch.zeros(total, dtype: first.dtype, device: first.device);
        _average = torch.zeros(total, dtype: first.dtype, device: first.device);
        _averageSquare = torch.zeros(total, dtype: first.dtype, device: first.device);
        _root = fused && first.dtype == ScalarType.Float32 && first.device_type == DeviceType.CPU && AdamKernel.Available
            ? torch.empty(total, dtype: first.dtype, device: first.device)
            : null;
        using var noGrad = torch.no_grad();
        long offset = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            Parameter parameter = parameters[i];
            long count = parameter.numel();
            using (Tensor slot = Slot(_parameters, offset, count, parameter.shape))
            {
                slot.copy_(parameter);
                parameter.set_(slot);
            }

            using (Tensor gradient = Slot(_gradients, offset, count, parameter.shape))
            {
                parameter.grad = gradient;
            }

            Adam.State state = _states[i];
            state.exp_avg.Dispose();
            state.exp_avg_sq.Dispose();
            state.exp_avg = Slot(_average, offset, count, parameter.shape);
            state.exp_avg_sq = Slot(_averageSquare, offset, count, parameter.shape);
            offset += count;
        }
    }

    /// <summary>True when steps run in <see cref="AdamKernel"/>'s vectorised passes rather than as libtorch operations.</summary>
    public bool Fused => _root is not null;

    /// <summary>The wrapped optimizer: learning rates, and the state a checkpoint saves and loads.</summary>
    public Adam Inner => _adam;

    /// <summary>The learning rate of every parameter (of the wrapped optimizer's groups), for a schedule to change between steps.</summary>
    public double LearningRate
    {
        get => _adam.ParamGroups.First().LearningRate;
        set
        {
            foreach (var group in _adam.ParamGroups)
            {
                group.LearningRate = value;
            }
        }
    }

    /// <summary>Zeroes every gradient with one operation.</summary>
    public void zero_grad() => _gradients.zero_();

    /// <summary>One Adam step of every parameter: in <see cref="AdamKernel"/>'s passes where they give libtorch's bits, else with libtorch's operations.</summary>
    public void step()
    {
        long step = _states[0].step + 1;
        foreach (Adam.State state in _states)
        {
            state.step = step;
        }

        double learningRate = _adam.ParamGroups.First().LearningRate;
        if (_root is not null)
        {
            AdamKernel.Step(_parameters, _gradients, _average, _averageSquare, _root, AdamCoefficients.For(_beta1, _beta2, _epsilon, learningRate, step));
        }
        else
        {
            AdamKernel.StepWithLibTorch(_parameters, _gradients, _average, _averageSquare, _beta1, _beta2, _epsilon, learningRate, step);
        }
    }

    public void Dispose()
    {
        _adam.Dispose();
        _parameters.Dispose();
        _gradients.Dispose();
        _average.Dispose();
        _averageSquare.Dispose();
        _root?.Dispose();
    }

    /// <summary>
    /// A view of <paramref name="count"/> elements of <paramref name="flat"/> from <paramref name="offset"/>, shaped
    /// <paramref name="shape"/>. The narrowed tensor is held (and disposed) here: as a bare temporary of
    /// <c>narrow(...).view(...)</c>, outside any dispose scope, a collection on another thread could finalize it while
    /// libtorch's <c>view</c> reads it ("tensor does not have a device", seen once in the GC-stress test in CI).
    /// </summary>
    private static Tensor Slot(Tensor flat, long offset, long count, long[] shape)
    {
        using Tensor part = flat.narrow(0, offset, count);
        return part.view(shape);
    }
}
