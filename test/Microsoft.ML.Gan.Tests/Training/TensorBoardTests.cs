using System.Buffers.Binary;
using System.Text;
using Tensorboard;

namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>
/// <see cref="GanOptions.TensorBoardDirectory"/>: the event file is read back record by record (TFRecord framing with both
/// masked CRC-32Cs, computed here independently of TorchSharp) and its tags, steps and values are checked against training.
/// </summary>
public sealed class TensorBoardTests : ScratchDirectoryTest
{
    private const int Rows = 128;
    private const int BatchSize = 16;   // 8 steps an epoch
    private const int StepsPerEpoch = Rows / BatchSize;

    [Category(TestCategories.Fast)]
    [Test]
    public void Crc32cOfTheTestReaderMatchesTheStandardCheckValue()
        => Assert.That(Crc32c(Encoding.ASCII.GetBytes("123456789")), Is.EqualTo(0xE3069283u), "RFC 3720's check value");

    [Category(TestCategories.Fast)]
    [Test]
    public void EventFileHoldsLossesLearningRatesAndSampleGridsAtTheirSteps()
    {
        var ml = new MLContext(1);
        GanOptions options = Options(Path.Combine(Scratch, "tb"));
        options.TensorBoardLossEveryNSteps = 4;
        using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml, Rows));

        List<Event> events = ReadEvents(SingleEventFile(options.TensorBoardDirectory!));
        Assert.That(events[0].FileVersion, Is.EqualTo("brain.Event:2"), "an event file starts with its version record");

        int[] epochEnds = [.. Enumerable.Range(1, options.Budget.Epochs!.Value).Select(e => e * StepsPerEpoch)];
        Assert.That(Steps(events, "loss/discriminator"), Is.EqualTo(Enumerable.Range(1, options.Budget.Epochs!.Value * StepsPerEpoch / 4).Select(i => i * 4)));
        Assert.That(Steps(events, "loss/generator"), Is.EqualTo(Steps(events, "loss/discriminator")));
        Assert.That(Steps(events, "epoch/discriminator_loss"), Is.EqualTo(epochEnds));
        Assert.That(Values(events, "epoch/discriminator_loss"), Is.EqualTo(gan.History.Epochs.Select(e => (float)e.DiscriminatorLoss)));
        Assert.That(Values(events, "epoch/generator_loss"), Is.EqualTo(gan.History.Epochs.Select(e => (float)e.GeneratorLoss)));
        Assert.That(Values(events, "learning_rate/generator"), Is.All.EqualTo(0.002f), "the article's rate, Mlp's default");
        Assert.That(Values(events, "learning_rate/discriminator"), Is.All.EqualTo(0.001f));
        Assert.That(Steps(events, "learning_rate/discriminator"), Is.EqualTo(epochEnds));
        Assert.That(events.SelectMany(e => e.Summary?.Value ?? []).Any(v => v.Tag.StartsWith("evaluation/", StringComparison.Ordinal)), Is.False, "no evaluation, no metrics");

        // Points every 4 steps of an 8-step epoch average steps 1-4 and 5-8: together, the epoch's mean.
        float[] windows = Values(events, "loss/discriminator");
        for (int epoch = 0; epoch < options.Budget.Epochs; epoch++)
        {
            Assert.That((windows[2 * epoch] + windows[(2 * epoch) + 1]) / 2, Is.EqualTo(gan.History.Epochs[epoch].DiscriminatorLoss).Within(1e-5), $"epoch {epoch + 1}");
        }

        Summary.Types.Value[] grids = [.. events.Where(e => e.Summary?.Value.Any(v => v.Tag == "samples") == true).Select(e => e.Summary.Value.Single())];
        Assert.That(events.Where(e => e.Summary?.Value.Any(v => v.Tag == "samples") == true).Select(e => e.Step), Is.EqualTo(epochEnds.Select(s => (long)s)));
        foreach (Summary.Types.Value grid in grids)
        {
            // 4 samples of 8 x 8 in 2 columns with 2-pixel borders: 22 x 22.
            Assert.That((grid.Image.Width, grid.Image.Height), Is.EqualTo((22, 22)));
            Assert.That(grid.Image.EncodedImageString.Span[..8].ToArray(), Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }));
        }
    }

    [Category(TestCategories.Slow)]
    [Test]
    public void EvaluationsAreWrittenWithLabelAgreementForConditionalMnist()
    {
        var ml = new MLContext(1);
        var options = new GanOptions
        {
            Budget = TrainingBudget.OfEpochs(2),
            Seed = 3,
            Network = new MlpNetworkOptions { HiddenSize = 16 },
            LatentDimension = 16,
            Conditional = true,
            EvaluateEveryEpochs = 1,
            EvaluationSampleCount = 300,
            TensorBoardDirectory = Scratch,
        };
        using GanTransformer gan = ml.Gan().Generator(options).Fit(RealMnist.Load(ml, MnistSplit.Train, 640));

        List<Event> events = ReadEvents(SingleEventFile(Scratch));
        long[] epochEnds = [10, 20];   // 640 rows in batches of 64
        Assert.That(Steps(events, "evaluation/fid"), Is.EqualTo(epochEnds));
        Assert.That(Values(events, "evaluation/fid"), Is.EqualTo(gan.History.Epochs.Select(e => (float)e.Fid!.Value)));
        Assert.That(Values(events, "evaluation/kid"), Is.EqualTo(gan.History.Epochs.Select(e => (float)e.Kid!.Value)));
        Assert.That(Steps(events, "evaluation/label_agreement"), Is.EqualTo(epochEnds));
        Assert.That(Values(events, "evaluation/label_agreement"), Is.All.InRange(0f, 1f));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void TrainingIsTheSameWithAndWithoutTensorBoard()
    {
        var ml = new MLContext(1);
        IDataView data = SyntheticImages.Load(ml, Rows);
        using GanTransformer with = ml.Gan().Generator(Options(Scratch)).Fit(data);
        using GanTransformer without = ml.Gan().Generator(Options(null)).Fit(data);

        Assert.That(Directory.GetFiles(Scratch, "events.out.tfevents.*"), Has.Length.EqualTo(1));
        IDataView latent = ml.Gan().Data.SampleLatent(with, 20, seed: 1);
        Assert.That(with.Transform(latent).GetColumn<float[]>("GeneratedPixels").ToArray(),
            Is.EqualTo(without.Transform(latent).GetColumn<float[]>("GeneratedPixels").ToArray()));
        Assert.That(with.History.Epochs.Select(e => e.DiscriminatorLoss), Is.EqualTo(without.History.Epochs.Select(e => e.DiscriminatorLoss)));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void AFileInPlaceOfTheDirectoryIsAnErrorNamingTheOption()
    {
        string file = Path.Combine(Scratch, "not-a-directory");
        File.WriteAllText(file, "");
        var error = Assert.Throws<ArgumentException>(() => new MLContext(1).Gan().Generator(Options(file)));
        Assert.That(error!.Message, Does.Contain("TensorBoardDirectory").And.Contain(file).And.Contain("existing file"));
    }

    private static GanOptions Options(string? directory)
    {
        GanOptions options = SyntheticImages.FastOptions();
        options.BatchSize = BatchSize;
        options.Budget = TrainingBudget.OfEpochs(3);
        options.DiscriminatorLearningRate = 0.001f;   // differs from the generator's, so the tags cannot be swapped unnoticed
        options.TensorBoardDirectory = directory;
        return options;
    }

    private static string SingleEventFile(string directory)
    {
        string[] files = Directory.GetFiles(directory, "events.out.tfevents.*");
        Assert.That(files, Has.Length.EqualTo(1));
        return files[0];
    }

    private static long[] Steps(List<Event> events, string tag)
        => [.. events.Where(e => e.Summary?.Value.Any(v => v.Tag == tag) == true).Select(e => e.Step)];

    private static float[] Values(List<Event> events, string tag)
        => [.. events.SelectMany(e => e.Summary?.Value.Where(v => v.Tag == tag) ?? []).Select(v => v.SimpleValue)];

    /// <summary>
    /// Every record of a TFRecord file: uint64 length (little-endian), masked CRC-32C of those 8 bytes, the data, masked
    /// CRC-32C of the data. Fails on a bad CRC or a truncated record.
    /// </summary>
    private static List<Event> ReadEvents(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        var events = new List<Event>();
        int offset = 0;
        while (offset < file.Length)
        {
            Assert.That(file.Length - offset, Is.GreaterThanOrEqualTo(12), $"record header at byte {offset}");
            ReadOnlySpan<byte> header = file.AsSpan(offset, 8);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 8, 4)), Is.EqualTo(MaskedCrc(header)), $"length CRC of the record at byte {offset}");
            Assert.That((ulong)(file.Length - offset - 16), Is.GreaterThanOrEqualTo(length), $"record at byte {offset} is complete");
            ReadOnlySpan<byte> data = file.AsSpan(offset + 12, (int)length);
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 12 + (int)length, 4)), Is.EqualTo(MaskedCrc(data)), $"data CRC of the record at byte {offset}");
            events.Add(Event.Parser.ParseFrom(data.ToArray()));   // TorchSharp's generated classes predate span parsing
            offset += 16 + (int)length;
        }

        return events;
    }

    private static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32c(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit.</summary>
    private static uint Crc32c(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }
}
