using Microsoft.ML.Runtime;

namespace Microsoft.ML.Gan.IO;

/// <summary>
/// A fit's cancellation: the caller's token, or <c>mlContext.CancelExecution()</c>. ML.NET keeps that flag on its
/// internal <c>ICancelable</c> interface (friend access only), so it is read by reflection (<see cref="MlNetInternals"/>)
/// from a host registered for the fit, which ML.NET cancels along with its context, every 100 ms.
/// </summary>
internal sealed class MlContextCancellation : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private readonly CancellationTokenSource _source;
    private readonly Timer _timer;

    public MlContextCancellation(MLContext context, CancellationToken token)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(token);
        IHost host = ((IHostEnvironment)context).Register("Microsoft.ML.Gan");
        _timer = new Timer(_ =>
        {
            try
            {
                if (MlNetInternals.IsCanceled(host))
                {
                    _source.Cancel();
                }
            }
            catch (ObjectDisposedException)
            {
                // The fit ended while this tick was on its way.
            }
        }, null, PollInterval, PollInterval);
    }

    /// <summary>Cancelled when the caller's token is, or when the context's execution is cancelled.</summary>
    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        _timer.Dispose();
        _source.Dispose();
    }
}
