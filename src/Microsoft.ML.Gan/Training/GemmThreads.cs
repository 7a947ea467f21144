using System.Runtime.InteropServices;
using Microsoft.ML.Gan.Torch;

namespace Microsoft.ML.Gan.Training;

/// <summary>
/// MKL's thread count for the calling thread's matrix products, apart from libtorch's intra-op count. libtorch's CPU
/// build for x64 carries MKL and exports its service functions, among them <c>MKL_Set_Num_Threads_Local</c>. One libtorch
/// thread with two MKL threads runs the seed MLP's matrix products on both cores without the hand-offs two libtorch
/// threads make at every element-wise operation (docs/BENCHMARKS.md). Where the export is missing (a libtorch built
/// without MKL), <see cref="Available"/> is false and nothing is changed.
/// </summary>
internal static class GemmThreads
{
    private static readonly Lazy<SetLocal?> Setter = new(Find, LazyThreadSafetyMode.ExecutionAndPublication);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SetLocal(int count);

    /// <summary>True when libtorch's MKL can be told a thread count of its own.</summary>
    public static bool Available => Setter.Value is not null;

    /// <summary>
    /// Sets MKL's thread count for the calling thread; 0 returns it to the process-wide count, which follows libtorch's
    /// <c>set_num_threads</c>. Returns the previous thread-local count (0 when there was none or MKL is not available).
    /// </summary>
    public static int Set(int count) => Setter.Value?.Invoke(count) ?? 0;

    private static SetLocal? Find() =>
        LibTorchExports.Find("MKL_Set_Num_Threads_Local") is IntPtr function ? Marshal.GetDelegateForFunctionPointer<SetLocal>(function) : null;
}
