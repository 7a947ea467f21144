using System.IO.Compression;
using Microsoft.ML.Gan.IO;

namespace Microsoft.ML.Gan.Tests.IO;

/// <summary>A model zip is checked before it is trusted: entry sizes against zip bombs, CRC-32, and the two generator copies.</summary>
[Category(TestCategories.Fast)]
public sealed class ModelZipTrustTests : ScratchDirectoryTest
{
    private static string Saved(string path, int seed)
    {
        var ml = new MLContext(1);
        using GanTransformer gan = ml.Gan().Generator(SyntheticImages.FastOptions(seed)).Fit(SyntheticImages.Load(ml, 32));
        gan.Save(path);
        return path;
    }

    private static void Replace(string zip, string name, byte[] bytes, CompressionLevel level = CompressionLevel.Optimal)
    {
        using ZipArchive archive = ZipFile.Open(zip, ZipArchiveMode.Update);
        archive.GetEntry(name)!.Delete();
        using Stream stream = archive.CreateEntry(name, level).Open();
        stream.Write(bytes);
    }

    [Test]
    public void Crc32IsTheZipFormatsChecksum()
    {
        Assert.That(Crc32.Compute("123456789"u8), Is.EqualTo(0xCBF43926u), "the standard check value of CRC-32/ISO-HDLC");
        Assert.That(Crc32.Compute([]), Is.Zero);
    }

    [Test]
    public void AnEntryThatFailsItsCrcIsRefusedByName()
    {
        string path = Saved(Path.Combine(Scratch, "damaged.zip"), seed: 1);
        byte[] graph = TestFiles.ZipEntry(path, "Gan/generator.onnx");
        Replace(path, "Gan/generator.onnx", graph, CompressionLevel.NoCompression);
        byte[] file = File.ReadAllBytes(path);
        int at = file.AsSpan().IndexOf(graph);
        Assert.That(at, Is.GreaterThan(0), "the stored entry's bytes are in the file as they are");
        file[at + graph.Length - 100] ^= 0x40;                    // one bit of a weight, as a damaged disk or copy would
        File.WriteAllBytes(path, file);

        var error = Assert.Throws<InvalidDataException>(() => new MLContext(1).Gan().LoadGenerator(path));

        Assert.That(error!.Message, Does.Contain($"Model '{path}' has a corrupt entry 'Gan/generator.onnx': its CRC-32 is 0x"));
    }

    [Test]
    public void GeneratorCopiesThatDisagreeAreRefused()
    {
        string path = Saved(Path.Combine(Scratch, "one.zip"), seed: 1);
        string other = Saved(Path.Combine(Scratch, "other.zip"), seed: 2);
        Replace(path, "Gan/generator.onnx", TestFiles.ZipEntry(other, "Gan/generator.onnx"));    // a valid entry of another model

        var error = Assert.Throws<InvalidDataException>(() => new MLContext(1).Gan().LoadGenerator(path));

        Assert.That(error!.Message, Does.Contain($"Model '{path}' holds two generators that disagree: 'Gan/generator.onnx' and the scoring chain's 'TransformerChain/"));
        using GanTransformer loaded = new MLContext(1).Gan().LoadGenerator(other);
        Assert.That(loaded.History.Epochs, Has.Count.EqualTo(2), "the untouched zip loads");
    }

    [Test]
    public void AnEntryThatInflatesFarBeyondItsCompressedSizeIsRefusedBeforeItIsRead()
    {
        string path = Saved(Path.Combine(Scratch, "bomb.zip"), seed: 1);
        Replace(path, "Gan/history.json", new byte[64 << 20]);    // 64 MiB of zeros deflate about a thousand-fold

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidDataException>(() => new MLContext(1).Gan().LoadGenerator(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(error!.Message, Does.Contain($"Model '{path}' has an entry 'Gan/history.json' that inflates to 67,108,864 bytes from")
            .And.Contain("zip bomb"));
        Assert.That(allocated, Is.LessThan(16 << 20), "refused from the entry's header, before a buffer for it");
    }
}
