using System.Runtime.InteropServices;

namespace Gan.Samples.Augmentation;

/// <summary>
/// Hands memory that native libraries have freed back to the operating system. LightGbm, ONNX Runtime and libtorch
/// allocate with glibc's malloc from several threads; glibc keeps what they free in per-thread arenas, so a
/// process that fits many large models in turn keeps the peak of every arena resident. <c>malloc_trim</c> returns
/// the free pages. Elsewhere (Windows, macOS, musl) this does nothing.
/// </summary>
internal static class NativeHeap
{
    private static bool _unavailable = !OperatingSystem.IsLinux();

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
