using Microsoft.Extensions.Logging;
using Microsoft.ML.Gan.Logging;
using Microsoft.ML.Gan.Torch;

namespace Microsoft.ML.Gan;

/// <summary>Process-wide settings of the native libraries that train the networks: libtorch and the Intel MKL inside it.</summary>
public static class GanRuntime
{
    /// <summary>
    /// Makes the Intel MKL inside libtorch, which does TorchSharp's matrix products on x64, run its Intel kernels on a
    /// processor of another vendor. On this repository's AMD EPYC the matrix products of a semi-supervised GAN step then
    /// take a third less time (docs/DESIGN-DECISIONS.md). Off unless called: the kernels round differently, so a seeded
    /// run gives other numbers than without the switch, and every number in this repository's docs was
    /// measured without it unless it says so.
    /// </summary>
    /// <remarks>
    /// Call it once, at the start of the process, before any TorchSharp operation: MKL picks its kernels at its first
    /// routine and keeps them (<see cref="MklKernelSwitch.TooLate"/> otherwise). It changes one variable of MKL's, the
    /// answer to "is this an Intel processor?", and only where the code that keeps that answer is the one this library
    /// knows (libtorch 2.10's, TorchSharp 0.107). It also holds MKL to AVX2, as the library holds oneDNN, unless the process
    /// set <c>MKL_ENABLE_INSTRUCTIONS</c>. It affects the whole process, every thread and every later training.
    /// </remarks>
    /// <param name="logger">Where to say what was done; optional.</param>
    public static MklKernelSwitch UseMklIntelKernels(ILogger? logger = null)
    {
        MklKernelSwitch outcome = MklVendorCheck.Apply();
        if (logger is not null)
        {
            GanLog.MklKernels(logger, outcome.ToString());
        }

        return outcome;
    }
}
