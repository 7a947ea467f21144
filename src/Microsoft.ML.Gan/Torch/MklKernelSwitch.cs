namespace Microsoft.ML.Gan;

// Public (GanRuntime.UseMklIntelKernels returns it), kept beside the switch it reports on: Torch/ sits below the folders that use it.
/// <summary>What <see cref="GanRuntime.UseMklIntelKernels"/> did.</summary>
public enum MklKernelSwitch
{
    /// <summary>MKL runs its Intel kernels (AVX2 at most, unless <c>MKL_ENABLE_INSTRUCTIONS</c> says otherwise) on this processor from now on.</summary>
    Applied,

    /// <summary>An Intel processor: MKL runs those kernels already; nothing changed.</summary>
    IntelProcessor,

    /// <summary>MKL has already looked at the processor (a TorchSharp operation ran first); nothing changed. Call it at the start of the process.</summary>
    TooLate,

    /// <summary>The libtorch in use has no MKL this switch knows (another processor architecture, another build); nothing changed.</summary>
    NotAvailable,
}
