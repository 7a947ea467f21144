using System.Diagnostics;
using System.Diagnostics.Tracing;
using TorchSharp;

namespace Microsoft.ML.Gan.Tests.Torch;

/// <summary>
/// Counts the TorchSharp <see cref="Scalar"/>s that the finalizer released, from the runtime's own FinalizeObject events, between
/// its creation and <see cref="Count"/>. A Scalar the library made explicitly is disposed after its call and never finalized;
/// one made by an implicit conversion is finalized, and each such is one a garbage collection could have freed while libtorch
/// still read it. So a count of 0 over a run shows there was none, whatever the collector happened to do.
/// </summary>
internal sealed class FinalizedScalars : EventListener
{
    private static readonly IntPtr ScalarType = typeof(Scalar).TypeHandle.Value;
    private static readonly IntPtr SentinelType = typeof(Sentinel).TypeHandle.Value;

    private int _scalars;
    private int _sentinels;

    /// <summary>Starts counting once every Scalar already waiting for its finalizer has been released and reported.</summary>
    public FinalizedScalars()
    {
        Flush();
        Interlocked.Exchange(ref _scalars, 0);
    }

    /// <summary>Scalars finalized since the start, once every one that is garbage by now has been released and reported.</summary>
    public int Count()
    {
        Flush();
        return Volatile.Read(ref _scalars);
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            const EventKeywords GarbageCollection = (EventKeywords)0x1;
            EnableEvents(eventSource, EventLevel.Verbose, GarbageCollection);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName != "FinalizeObject" || eventData.Payload is not [IntPtr type, ..])
        {
            return;
        }

        if (type == ScalarType)
        {
            Interlocked.Increment(ref _scalars);
        }
        else if (type == SentinelType)
        {
            Interlocked.Increment(ref _sentinels);
        }
    }

    /// <summary>
    /// Collects, runs the finalizers, then finalizes a sentinel of its own and waits for its event: events arrive in order, so
    /// every Scalar finalized before it has been counted by then. The runtime drops events when its buffers overflow (a
    /// collector on another thread makes many), so a sentinel whose event does not come within a few seconds is followed by
    /// another.
    /// </summary>
    private void Flush()
    {
        int before = Volatile.Read(ref _sentinels);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var clock = Stopwatch.StartNew();
        for (int attempt = 1; ; attempt++)
        {
            DropSentinel();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var wait = Stopwatch.StartNew();
            while (wait.Elapsed < TimeSpan.FromSeconds(5))
            {
                if (Volatile.Read(ref _sentinels) != before)
                {
                    return;
                }

                Thread.Sleep(20);
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"The runtime's FinalizeObject events did not arrive within 60 s ({attempt} sentinels dropped for the finalizer).");
            }
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void DropSentinel() => _ = new Sentinel();

    private sealed class Sentinel
    {
        ~Sentinel()
        {
        }
    }
}
