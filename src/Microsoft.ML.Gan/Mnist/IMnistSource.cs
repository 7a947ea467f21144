using Microsoft.Extensions.Logging;

namespace Microsoft.ML.Gan.Mnist;

/// <summary>A place MNIST can be downloaded from.</summary>
internal interface IMnistSource
{
    /// <summary>Human-readable name used in logs and in the "every source failed" error.</summary>
    string Description { get; }

    /// <summary>
    /// Writes the uncompressed <paramref name="files"/> into <paramref name="directory"/> (an empty
    /// scratch directory) or throws. Checksums are verified by the caller.
    /// </summary>
    void Fetch(string directory, IReadOnlyList<MnistFile> files, ILogger logger, CancellationToken cancellationToken);
}
