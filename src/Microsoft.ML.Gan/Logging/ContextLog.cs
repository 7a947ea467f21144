using Microsoft.Extensions.Logging;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Gan.Logging;

/// <summary>
/// Where a component's messages go while it works: the <see cref="ILogger"/> its options name, or else the context's own
/// log, so that a user who subscribes to <c>mlContext.Log</c> sees them as they see ML.NET's trainers. Dispose it when the
/// work ends (it closes the channel).
/// </summary>
internal sealed class ContextLog : IDisposable
{
    private readonly IChannel? _channel;

    private ContextLog(ILogger logger, IChannel? channel)
    {
        Logger = logger;
        _channel = channel;
    }

    /// <summary>The logger to write to.</summary>
    public ILogger Logger { get; }

    /// <summary>
    /// <paramref name="given"/> when there is one; otherwise a channel of <paramref name="environment"/> (an
    /// <see cref="MLContext"/>) registered as <paramref name="component"/>, through ML.NET's public
    /// <see cref="IHostEnvironment"/> route, as ML.NET's own components write to <c>mlContext.Log</c>.
    /// </summary>
    public static ContextLog Open(IHostEnvironment environment, ILogger? given, string component, string work)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (given is not null)
        {
            return new ContextLog(given, null);
        }

        IChannel channel = environment.Register(component).Start(work);
        return new ContextLog(new ChannelLogger(channel), channel);
    }

    public void Dispose() => _channel?.Dispose();

    /// <summary>
    /// An <see cref="ILogger"/> over an ML.NET <see cref="IChannel"/>: Trace and Debug become ML.NET's Trace, Information
    /// its Info, Warning its Warning, Error and Critical its Error. The message is formatted here (ML.NET would read braces
    /// as a format string only when given arguments); an exception's type and message follow it.
    /// </summary>
    private sealed class ChannelLogger(IChannel channel) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (!IsEnabled(logLevel))
            {
                return;
            }

            string message = formatter(state, exception);
            if (exception is not null)
            {
                message = $"{message} ({exception.GetType().Name}: {exception.Message})";
            }

            switch (logLevel)
            {
                case LogLevel.Trace or LogLevel.Debug:
                    channel.Trace(MessageSensitivity.None, message);
                    break;
                case LogLevel.Information:
                    channel.Info(MessageSensitivity.None, message);
                    break;
                case LogLevel.Warning:
                    channel.Warning(MessageSensitivity.None, message);
                    break;
                default:
                    channel.Error(MessageSensitivity.None, message);
                    break;
            }
        }
    }
}
