using System.Runtime.InteropServices;
using TorchSharp;

namespace Microsoft.ML.Gan.Torch;

/// <summary>
/// Functions that the libtorch of this process exports beyond TorchSharp's bindings: libtorch's CPU build for x64
/// carries Intel MKL and exports its service functions (thread counts, the processor check).
/// </summary>
internal static class LibTorchExports
{
    private static readonly string[] CpuLibraryNames = ["libtorch_cpu.so", "libtorch_cpu.dylib", "torch_cpu.dll"];

    /// <summary>The address of <paramref name="function"/> in the libtorch CPU library in use; null when it has none.</summary>
    public static IntPtr? Find(string function)
    {
        torch.InitializeDeviceType(DeviceType.CPU);   // loads libtorch, so the names below find the copy in use
        foreach (string name in CpuLibraryNames)
        {
            if (NativeLibrary.TryLoad(name, typeof(torch).Assembly, null, out IntPtr library)
                && NativeLibrary.TryGetExport(library, function, out IntPtr address))
            {
                return address;
            }
        }

        return null;
    }
}
