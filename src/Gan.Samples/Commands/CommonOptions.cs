using System.CommandLine;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Gan;

namespace Gan.Samples.Commands;

/// <summary>Options and helpers several commands share.</summary>
internal static class CommonOptions
{
    public static Option<DirectoryInfo?> MnistDirectory() => new("--mnist-dir")
    {
        Description = $"Directory holding the uncompressed MNIST IDX files (default: ${Microsoft.ML.Gan.MnistOptions.DirectoryEnvironmentVariable}, then the per-user cache, downloading if needed).",
    };

    public static Option<DirectoryInfo> Output(string defaultDirectory) => new("--output", "-o")
    {
        Description = "Directory for the files this command writes.",
        DefaultValueFactory = _ => new DirectoryInfo(defaultDirectory),
    };

    public static Option<LogLevel> Verbosity() => new("--log-level")
    {
        Description = "Minimum level of library log messages shown.",
        DefaultValueFactory = _ => LogLevel.Information,
    };

    public static ILoggerFactory CreateLoggerFactory(LogLevel level) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(level)
        .AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss ";
        }));

    public static MnistOptions Mnist(DirectoryInfo? directory, ILogger logger, int? maxRows = null) => new()
    {
        DataDirectory = directory?.FullName,
        MaxRows = maxRows,
        Logger = logger,
    };
}
