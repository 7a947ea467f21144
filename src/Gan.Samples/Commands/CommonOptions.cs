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

    public static Option<float> LatentScale() => new("--latent-scale")
    {
        Description = "Multiply every latent vector by this factor (a sampling temperature: above 1, more variety for training data).",
        DefaultValueFactory = _ => 1f,
    };

    /// <summary>
    /// The latent distribution: optional, since a model zip records the one it was trained with. A value that disagrees
    /// with the model is an error naming both; zips saved by an earlier Microsoft.ML.Gan do not record it and need it.
    /// </summary>
    public static Option<LatentDistribution?> LatentDistribution() => new("--latent-distribution")
    {
        Description = "Distribution of z (Uniform or Normal). Taken from the model; a value that disagrees with the model is an error. " +
                      "Required only for zips saved by an earlier Microsoft.ML.Gan, which do not record it.",
    };

    public static ILoggerFactory CreateLoggerFactory(LogLevel level) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(level)
        .AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss ";
        }));

    /// <summary>
    /// Creates <paramref name="directory"/> and checks that a file can be written in it, before any work starts; the
    /// error names the option and the reason (an existing file in the way, a read-only or virtual file system).
    /// </summary>
    public static void EnsureWritableDirectory(DirectoryInfo directory, string option)
    {
        if (File.Exists(directory.FullName))
        {
            throw new IOException($"{option} '{directory.FullName}' is an existing file; expected a directory.");
        }

        string probe = Path.Combine(directory.FullName, $".write-check-{Guid.NewGuid():N}");
        try
        {
            directory.Create();
            File.WriteAllBytes(probe, []);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{option} '{directory.FullName}' is not writable: {e.Message}", e);
        }
        finally
        {
            if (File.Exists(probe))
            {
                File.Delete(probe);
            }
        }
    }

    public static MnistOptions Mnist(DirectoryInfo? directory, ILogger logger, int? maxRows = null) => new()
    {
        DataDirectory = directory?.FullName,
        MaxRows = maxRows,
        Logger = logger,
    };
}
