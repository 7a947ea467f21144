using System.Runtime.InteropServices;

namespace Gan.Samples;

/// <summary>
/// glibc's malloc gives the top of its heap back to the kernel whenever more than 128 KiB lie free there, so the
/// megabytes of activations every DCGAN step allocates and frees are mapped, page-faulted and zeroed again at the next
/// step (most of a one-thread DCGAN step's system time; docs/BENCHMARKS.md has the training rates with this setting). This
/// app keeps freed memory instead, as <c>MALLOC_TRIM_THRESHOLD_=2147483647 MALLOC_TOP_PAD_=268435456</c> would; the numbers
/// it computes are the same bits (bench/outputs.sh). The library does not change the process's allocator; an app of one's
/// own can set those two environment variables (see README, Troubleshooting).
/// </summary>
internal static class NativeHeap
{
    private const int TrimThreshold = -1;   // M_TRIM_THRESHOLD
    private const int TopPad = -2;          // M_TOP_PAD

    // DllImport rather than LibraryImport: two int arguments need no marshalling, and this app compiles no unsafe code.
    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);

    /// <summary>On Linux with glibc, unless the user tuned malloc through the environment already.</summary>
    public static void KeepFreedMemory()
    {
        bool tunedByUser = Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is not null
            || Environment.GetEnvironmentVariables().Keys.OfType<string>().Any(k => k.StartsWith("MALLOC_", StringComparison.Ordinal));
        if (!OperatingSystem.IsLinux() || tunedByUser)
        {
            return;
        }

        try
        {
            MallOpt(TrimThreshold, int.MaxValue);
            MallOpt(TopPad, 256 << 20);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl has no mallopt): its allocator keeps its own defaults.
        }
    }
}
