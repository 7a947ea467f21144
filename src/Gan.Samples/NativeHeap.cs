using System.Runtime.InteropServices;

namespace Gan.Samples;

/// <summary>
/// The app's dealings with glibc's native heap, which libtorch, ONNX Runtime and LightGbm allocate from. Two jobs:
/// <list type="bullet">
/// <item><see cref="KeepFreedMemory"/>, at start-up: glibc's malloc gives the top of its heap back to the kernel whenever
/// more than 128 KiB lie free there, so the megabytes of activations every DCGAN step allocates and frees are mapped,
/// page-faulted and zeroed again at the next step (most of a one-thread DCGAN step's system time; docs/BENCHMARKS.md has the
/// training rates with this setting). This app keeps freed memory instead, as
/// <c>MALLOC_TRIM_THRESHOLD_=2147483647 MALLOC_TOP_PAD_=268435456</c> would; the numbers it computes are the same bits
/// (bench/outputs.sh). The library does not change the process's allocator; an app of one's own can set those two
/// environment variables (see README, Troubleshooting).</item>
/// <item><see cref="Release"/>, between the augmentation study's runs: glibc keeps what several threads free in per-thread
/// arenas, so a process that fits many large models in turn would keep the peak of every arena resident;
/// <c>malloc_trim</c> returns the free pages.</item>
/// </list>
/// Elsewhere (Windows, macOS, musl) both do nothing.
/// </summary>
internal static class NativeHeap
{
    private const int TrimThreshold = -1;   // M_TRIM_THRESHOLD
    private const int TopPad = -2;          // M_TOP_PAD

    /// <summary>Set once malloc_trim is found missing (not glibc), so it is not looked up again.</summary>
    private static bool _unavailable = !OperatingSystem.IsLinux();

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

    /// <summary>Collects managed garbage (whose finalizers free native buffers), then trims the native heap.</summary>
    public static void Release()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        if (_unavailable)
        {
            return;
        }

        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
        }
    }

    /// <summary>Resets the process's peak resident set (Linux: <c>/proc/self/clear_refs</c>); false where that is not possible.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The peak resident set since the last <see cref="ResetPeak"/> in MB (Linux: VmHWM), or null.</summary>
    public static long? PeakMegabytes()
    {
        try
        {
            string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
