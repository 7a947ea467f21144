using System.Globalization;
using TorchSharp;

namespace Microsoft.ML.Gan.Training;

/// <summary>
/// The device training runs on. <see cref="GanOptions.Device"/> when set; otherwise the <see cref="MLContext"/>'s choice, made
/// as ML.NET's TorchSharp trainers make it: CUDA device <see cref="MLContext.GpuDeviceId"/> when it is set and present, the CPU
/// instead only when <see cref="MLContext.FallbackToCpu"/> allows it, and the CPU when no GPU is asked for.
/// </summary>
internal static class TrainingDevice
{
    /// <summary>The CUDA devices TorchSharp finds (0 with the CPU-only backend).</summary>
    public static int CudaDevices() => torch.cuda.is_available() ? torch.cuda.device_count() : 0;

    /// <summary>Resolves the device name; <paramref name="cudaDevices"/> is how many CUDA devices this process has.</summary>
    /// <exception cref="ArgumentException">The option names no TorchSharp device, or CUDA is asked for and absent.</exception>
    /// <exception cref="InvalidOperationException">The context asks for a GPU that is absent and does not allow falling back to the CPU.</exception>
    public static string Resolve(string? option, int? gpuDeviceId, bool fallbackToCpu, int cudaDevices)
    {
        if (option is not null)
        {
            return Checked(option.Trim().ToLowerInvariant(), cudaDevices);
        }

        if (gpuDeviceId is not int gpu)
        {
            return "cpu";
        }

        if (gpu >= 0 && gpu < cudaDevices)
        {
            return string.Create(CultureInfo.InvariantCulture, $"cuda:{gpu}");
        }

        if (fallbackToCpu)
        {
            return "cpu";
        }

        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"{nameof(MLContext)}.{nameof(MLContext.GpuDeviceId)} is {gpu}, but TorchSharp finds {(cudaDevices == 0 ? "no CUDA device" : $"{cudaDevices} CUDA device(s), numbered from 0")}, " +
            $"and {nameof(MLContext)}.{nameof(MLContext.FallbackToCpu)} is false. Set {nameof(MLContext.FallbackToCpu)} = true to train on the CPU instead, " +
            $"set {nameof(GanOptions)}.{nameof(GanOptions.Device)} = \"cpu\", or reference a TorchSharp CUDA backend package on a machine with an NVIDIA GPU."));
    }

    /// <summary>Checks a device name without asking TorchSharp, which throws when it has no backend for the device type.</summary>
    private static string Checked(string name, int cudaDevices)
    {
        int? cuda = name switch
        {
            "cpu" => null,
            "cuda" => 0,
            _ when name.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(name.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index) => index,
            _ => throw new ArgumentException(
                $"{nameof(GanOptions)}.{nameof(GanOptions.Device)} '{name}' is not a TorchSharp device this library trains on; expected 'cpu', 'cuda' or 'cuda:N'.",
                nameof(GanOptions.Device)),
        };
        if (cuda is int device && device >= cudaDevices)
        {
            throw new ArgumentException(cudaDevices == 0
                    ? $"{nameof(GanOptions)}.{nameof(GanOptions.Device)} is '{name}' but CUDA is not available; reference a TorchSharp CUDA backend package or use 'cpu'."
                    : string.Create(CultureInfo.InvariantCulture, $"{nameof(GanOptions)}.{nameof(GanOptions.Device)} is '{name}' but TorchSharp finds {cudaDevices} CUDA device(s), numbered from 0."),
                nameof(GanOptions.Device));
        }

        return name;
    }
}
