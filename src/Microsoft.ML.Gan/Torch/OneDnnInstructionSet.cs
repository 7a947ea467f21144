using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Gan.Torch;

/// <summary>
/// Caps the instruction set of oneDNN, libtorch's convolution and batch-norm library, at AVX2 unless the process already chose
/// one (<c>ONEDNN_MAX_CPU_ISA</c>). Runs when this assembly loads, before libtorch creates its first oneDNN primitive, which
/// is when oneDNN reads the setting.
/// </summary>
/// <remarks>
/// Why: on a CPU with AVX-512 (an AMD EPYC of family 26 here), oneDNN 3.7.1 in libtorch 2.10 runs small convolutions with
/// AVX-512 kernels that (a) give other numbers than on AVX2 machines, so the same seed trained another DCGAN on each, and
/// (b) now and then produced NaN losses in a DCGAN of width 4 on 8 × 8 images (1 run in 3, different epochs each time, on one
/// thread), which the AVX2 kernels never did in the same runs. With the cap, a seeded run computes the same bits on AVX2 and
/// AVX-512 machines: <c>bench/outputs.sh</c> prints the hashes recorded on an AVX2 machine. Set <c>ONEDNN_MAX_CPU_ISA</c>
/// (e.g. to <c>ALL</c>) in the environment before the process starts to choose otherwise.
/// </remarks>
internal static class OneDnnInstructionSet
{
    public const string Variable = "ONEDNN_MAX_CPU_ISA";

    public const string Default = "AVX2";

#pragma warning disable CA2255 // A library's module initializer: the setting must precede libtorch's first convolution, wherever that happens.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void CapUnlessChosen()
    {
        if (Environment.GetEnvironmentVariable(Variable) is not null)
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            // oneDNN reads the process environment block there, which this call sets.
            Environment.SetEnvironmentVariable(Variable, Default);
            return;
        }

        // On Linux and macOS .NET keeps its own copy of the environment; oneDNN's getenv reads the C library's.
        _ = SetEnvironmentVariable(Variable, Default, overwrite: 0);
        Environment.SetEnvironmentVariable(Variable, Default);
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnvironmentVariable(string name, string value, int overwrite);
}
