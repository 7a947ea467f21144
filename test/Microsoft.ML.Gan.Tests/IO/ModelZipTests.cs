using System.Globalization;
using System.IO.Compression;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.Gan.Tests.IO;

/// <summary>The self-describing model zip: LoadGenerator's round trip, what stock ML.NET still reads, and files it cannot read.</summary>
public sealed class ModelZipTests : ScratchDirectoryTest
{
    private sealed class NamedLabelRow
    {
        public string Label { get; set; } = "";

        [VectorType(SyntheticImages.Side, SyntheticImages.Side)]
        public float[] Pixels { get; set; } = [];
    }

    private static readonly string[] ClassNames = ["north", "east", "south", "west"];

    /// <summary>The synthetic squares with key labels that carry key names (MapValueToKey of strings).</summary>
    private static IDataView NamedSquares(MLContext ml, int count)
    {
        IDataView rows = ml.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i => new NamedLabelRow { Label = ClassNames[i % 4], Pixels = SyntheticImages.Square(i % 4) }));
        return ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(rows).Transform(rows);
    }

    private static float[][] Pixels(IDataView data, string column = "GeneratedPixels") => data.GetColumn<float[]>(column).ToArray();

    private static void AssertSameHistory(GanTrainingHistory actual, GanTrainingHistory expected)
    {
        Assert.That(actual.Seed, Is.EqualTo(expected.Seed));
        Assert.That(actual.ImageShape, Is.EqualTo(expected.ImageShape));
        Assert.That(actual.Epochs, Has.Count.EqualTo(expected.Epochs.Count));
        for (int i = 0; i < expected.Epochs.Count; i++)
        {
            GanEpochSummary a = actual.Epochs[i], e = expected.Epochs[i];
            Assert.That((a.Epoch, a.DiscriminatorLoss, a.GeneratorLoss, a.Duration, a.Fid, a.Kid), Is.EqualTo((e.Epoch, e.DiscriminatorLoss, e.GeneratorLoss, e.Duration, e.Fid, e.Kid)), $"epoch {e.Epoch}");
            Assert.That(a.Samples, Is.EqualTo(e.Samples), $"samples of epoch {e.Epoch}");
        }
    }

    [Category(TestCategories.Slow)]
    [Test]
    public void LoadGeneratorRestoresTheSavedModel()
    {
        MLContext ml = TrainedMnistGan.Context;
        GanTransformer gan = TrainedMnistGan.Gan;
        string path = Path.Combine(Scratch, "mnist-gan.zip");
        gan.Save(path);

        using GanTransformer loaded = new MLContext(seed: 99).Gan().LoadGenerator(path);

        Assert.That((loaded.LatentColumnName, loaded.LatentDimension, loaded.LatentDistribution, loaded.ImageShape, loaded.BatchSize),
            Is.EqualTo((gan.LatentColumnName, gan.LatentDimension, gan.LatentDistribution, gan.ImageShape, gan.BatchSize)));
        Assert.That((loaded.GeneratedPixelsColumnName, loaded.GeneratedImageColumnName, loaded.IsConditional, loaded.ClassCount, loaded.LabelColumnName),
            Is.EqualTo(("GeneratedPixels", "GeneratedImage", false, 0, (string?)null)));
        Assert.That(loaded.GetOnnxModel(), Is.EqualTo(gan.GetOnnxModel()));
        AssertSameHistory(loaded.History, gan.History);

        IDataView latent = ml.Gan().Data.SampleLatent(gan, 1200, seed: 8);
        Assert.That(ml.Gan().Data.SampleLatent(loaded, 1200, seed: 8).GetColumn<float[]>("Latent"), Is.EqualTo(latent.GetColumn<float[]>("Latent")), "SampleLatent defaults");
        Assert.That(Pixels(loaded.Transform(latent)), Is.EqualTo(Pixels(gan.Transform(latent))));
        Assert.That(Pixels(loaded.Generate(1200, seed: 8)), Is.EqualTo(Pixels(gan.Generate(1200, seed: 8))));
        IDataView real = RealMnist.Load(ml, MnistSplit.Test, maxRows: 30);
        Assert.That(Pixels(loaded.Transform(real)), Is.EqualTo(Pixels(gan.Transform(real))), "rows without a latent column get the same twins (the training seed)");
        IDataView few = ml.Gan().Data.SampleLatent(gan, 5, seed: 1);
        Assert.That(loaded.Transform(few).GetColumn<MLImage>("GeneratedImage").Select(i => i.Pixels.ToArray()),
            Is.EqualTo(gan.Transform(few).GetColumn<MLImage>("GeneratedImage").Select(i => i.Pixels.ToArray())));

        string again = Path.Combine(Scratch, "saved-again.zip");
        loaded.Save(again);
        Assert.That(TestFiles.ZipEntry(again, "Gan/generator.onnx"), Is.EqualTo(TestFiles.ZipEntry(path, "Gan/generator.onnx")));
        Assert.That(TestFiles.ZipEntry(again, "Gan/history.json"), Is.EqualTo(TestFiles.ZipEntry(path, "Gan/history.json")));
    }

    [Category(TestCategories.Slow)]
    [Test]
    public void StockMlNetLoadsTheZipWithTheExtraEntriesAndModelSaveWritesThemToo()
    {
        MLContext ml = TrainedMnistGan.Context;
        GanTransformer gan = TrainedMnistGan.Gan;
        IDataView latent = ml.Gan().Data.SampleLatent(gan, 20, seed: 4);
        string path = Path.Combine(Scratch, "model-save.zip");
        ml.Model.Save(gan, latent.Schema, path);   // ICanSaveModel, not GanTransformer.Save

        using (ZipArchive zip = ZipFile.OpenRead(path))
        {
            Assert.That(zip.Entries.Select(e => e.FullName), Does.Contain("Gan/generator.onnx").And.Contain("Gan/history.json"));
        }

        ITransformer stock = new MLContext(seed: 5).LoadModel(path, out DataViewSchema input);
        Assert.That(input.Select(c => c.Name), Is.EqualTo(new[] { "Latent" }));
        Assert.That(stock, Is.InstanceOf<TransformerChain<ITransformer>>());
        Assert.That(((TransformerChain<ITransformer>)stock).Select(t => t.GetType().Assembly.GetName().Name),
            Is.All.AnyOf("Microsoft.ML.Data", "Microsoft.ML.Transforms", "Microsoft.ML.OnnxTransformer", "Microsoft.ML.ImageAnalytics"),
            "only ML.NET's own transformers: an app with Microsoft.ML, OnnxTransformer and ImageAnalytics loads it");
        Assert.That(Pixels(stock.Transform(latent)), Is.EqualTo(Pixels(gan.Transform(latent))));
        using GanTransformer loaded = ml.Gan().LoadGenerator(path);
        Assert.That(Pixels(loaded.Transform(latent)), Is.EqualTo(Pixels(gan.Transform(latent))));
    }

    [Category(TestCategories.Slow)]
    [Test]
    public void TheGraphsMetadataDescribesTheGenerator()
    {
        GanTransformer gan = TrainedMnistGan.Gan;
        using var session = new InferenceSession(gan.GetOnnxModel());
        Dictionary<string, string> metadata = session.ModelMetadata.CustomMetadataMap;
        GanEpochSummary last = gan.History.Epochs[^1];

        var expected = new Dictionary<string, string>
        {
            ["gan.kind"] = "generator",
            ["gan.format_version"] = "3",
            ["gan.minimum_reader_version"] = "1",
            ["gan.data.kind"] = "images",
            ["gan.latent.column"] = "Latent",
            ["gan.latent.dimension"] = "100",
            ["gan.latent.distribution"] = "Uniform",
            ["gan.image.shape"] = "1 x 28 x 28",
            ["gan.pixels.column"] = "Pixels",
            ["gan.pixels.storage"] = "Single",
            ["gan.pixels.dimensions"] = "28 x 28",
            ["gan.pixels.max_value"] = "1",
            ["gan.output.pixels_column"] = "GeneratedPixels",
            ["gan.output.image_column"] = "GeneratedImage",
            ["gan.scoring.threads"] = "1",
            ["gan.label.class_count"] = "0",
            ["gan.training.architecture"] = "Mlp",
            ["gan.training.loss"] = "NonSaturating",
            ["gan.training.epochs"] = "2",
            ["gan.training.seed"] = "1",
            ["gan.training.discriminator_loss"] = last.DiscriminatorLoss.ToString("R", CultureInfo.InvariantCulture),
            ["gan.training.generator_loss"] = last.GeneratorLoss.ToString("R", CultureInfo.InvariantCulture),
        };
        Assert.That(metadata.Where(p => p.Key != "gan.library_version"), Is.EquivalentTo(expected));
        Assert.That(metadata["gan.library_version"], Is.Not.Empty);
    }

    [Category(TestCategories.Fast)]
    [TestCase(GanArchitecture.Mlp, true)]
    [TestCase(GanArchitecture.Dcgan, true)]
    [TestCase(GanArchitecture.Dcgan, false)]
    public void ConditionalModelsRoundTripWithTheirLabelColumn(GanArchitecture architecture, bool keyLabels)
    {
        var ml = new MLContext(1);
        IDataView data = keyLabels ? NamedSquares(ml, 64) : SyntheticImages.LoadIntegerLabelled(ml, 64);
        GanOptions options = SyntheticImages.FastOptions(architecture: architecture);
        options.Conditional = true;
        options.LatentDistribution = LatentDistribution.Normal;
        using GanTransformer gan = ml.Gan().Generator(options).Fit(data);
        string path = Path.Combine(Scratch, "conditional.zip");
        gan.Save(path);

        using GanTransformer loaded = new MLContext(seed: 2).Gan().LoadGenerator(path);

        Assert.That((loaded.LatentDistribution, loaded.ClassCount, loaded.LabelColumnName, loaded.BatchSize), Is.EqualTo((LatentDistribution.Normal, 4, "Label", architecture == GanArchitecture.Dcgan ? 16 : 1000)));
        Assert.That(loaded.LabelColumnType, Is.EqualTo(data.Schema["Label"].Type));
        IDataView synthetic = loaded.GenerateTrainingRows(12, seed: 3);
        Assert.That(synthetic.Schema.Select(c => $"{c.Name}: {c.Type}"), Is.EqualTo(data.Schema.Where(c => !c.IsHidden).Select(c => $"{c.Name}: {c.Type}")));
        if (keyLabels)
        {
            VBuffer<ReadOnlyMemory<char>> names = default;
            synthetic.Schema["Label"].GetKeyValues(ref names);
            Assert.That(names.DenseValues().Select(n => n.ToString()), Is.EqualTo(ClassNames.Order()), "key names");
        }

        // 40 rows: batches of 16 (DCGAN) and a partial one, against the one-row stock chain of the same zip.
        IDataView latent = ml.Gan().Data.SampleLatent(loaded, 40, seed: 5);
        float[][] expected = Pixels(gan.Transform(latent));
        Assert.That(Pixels(loaded.Transform(latent)), Is.EqualTo(expected));
        Assert.That(Pixels(ml.LoadModel(path, out _).Transform(latent)), Is.EqualTo(expected), "batched = one row at a time, bit for bit");
        Assert.That(Pixels(loaded.Generate(40, seed: 5)), Is.EqualTo(expected));
        Assert.That(Pixels(loaded.GenerateTrainingRows(40, seed: 6), "Pixels"), Is.EqualTo(Pixels(gan.GenerateTrainingRows(40, seed: 6), "Pixels")));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void ALoadedModelCanScoreWithOtherThreadSettings()
    {
        var ml = new MLContext(1);
        GanOptions options = SyntheticImages.FastOptions(architecture: GanArchitecture.Dcgan);
        using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml, 32));
        string path = Path.Combine(Scratch, "threads.zip");
        gan.Save(path);

        using GanTransformer same = ml.Gan().LoadGenerator(path);
        using GanTransformer two = ml.Gan().LoadGenerator(path, threads: 2);

        Assert.That((gan.ScoringThreads, same.ScoringThreads, two.ScoringThreads), Is.EqualTo((1, 1, 2)));
        Assert.That(Pixels(two.Generate(50, seed: 1)), Is.EqualTo(Pixels(gan.Generate(50, seed: 1))));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Gan().LoadGenerator(path, threads: 0));
        Assert.That(error!.ParamName, Is.EqualTo("threads"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void AZipOfTheEarlierFormatIsNamedWithWhatIsMissing()
    {
        var ml = new MLContext(1);
        using GanTransformer gan = ml.Gan().Generator(SyntheticImages.FastOptions()).Fit(SyntheticImages.Load(ml, 32));
        string path = Path.Combine(Scratch, "earlier.zip");
        gan.Save(path);
        using (ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            zip.GetEntry("Gan/generator.onnx")!.Delete();
            zip.GetEntry("Gan/history.json")!.Delete();
        }

        var error = Assert.Throws<InvalidDataException>(() => ml.Gan().LoadGenerator(path));

        Assert.That(error!.Message, Does.Contain($"Model '{path}'").And.Contain("'Gan/generator.onnx'").And.Contain("earlier Microsoft.ML.Gan")
            .And.Contain("latent distribution").And.Contain("mlContext.Model.Load still reads it"));
        IDataView latent = ml.Gan().Data.SampleLatent(gan, 5, seed: 1);
        Assert.That(Pixels(ml.LoadModel(path, out _).Transform(latent)), Is.EqualTo(Pixels(gan.Transform(latent))), "as it says");
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void FilesThatAreNotModelZipsAreNamed()
    {
        var ml = new MLContext(1);
        string empty = Path.Combine(Scratch, "empty.zip");
        File.WriteAllBytes(empty, []);
        string random = Path.Combine(Scratch, "random.zip");
        File.WriteAllBytes(random, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray());
        using GanTransformer gan = ml.Gan().Generator(SyntheticImages.FastOptions()).Fit(SyntheticImages.Load(ml, 32));
        string good = Path.Combine(Scratch, "good.zip");
        gan.Save(good);
        string truncated = Path.Combine(Scratch, "truncated.zip");
        File.WriteAllBytes(truncated, File.ReadAllBytes(good)[..(int)(new FileInfo(good).Length / 2)]);
        foreach (string path in new[] { empty, random, truncated })
        {
            var error = Assert.Throws<InvalidDataException>(() => ml.Gan().LoadGenerator(path), path);
            Assert.That(error!.Message, Does.Contain($"Model '{path}' is not a model zip"));
        }

        string otherZip = Path.Combine(Scratch, "other.zip");
        using (ZipArchive zip = ZipFile.Open(otherZip, ZipArchiveMode.Create))
        {
            zip.CreateEntry("notes.txt");
        }

        Assert.That(Assert.Throws<InvalidDataException>(() => ml.Gan().LoadGenerator(otherZip))!.Message,
            Does.Contain($"Model '{otherZip}' is a zip but not an ML.NET model saved by Microsoft.ML.Gan"));

        foreach (string entry in new[] { "Gan/generator.onnx", "Gan/history.json" })
        {
            string corrupt = Path.Combine(Scratch, $"corrupt-{Path.GetFileNameWithoutExtension(entry)}.zip");
            File.Copy(good, corrupt);
            using (ZipArchive zip = ZipFile.Open(corrupt, ZipArchiveMode.Update))
            {
                zip.GetEntry(entry)!.Delete();
                using Stream stream = zip.CreateEntry(entry).Open();
                stream.Write(Enumerable.Range(0, 300).Select(i => (byte)(i * 31 % 256)).ToArray());
            }

            Assert.That(Assert.Throws<InvalidDataException>(() => ml.Gan().LoadGenerator(corrupt))!.Message, Does.Contain($"Model '{corrupt}' (entry '{entry}')"));
        }

        string missing = Path.Combine(Scratch, "missing.zip");
        Assert.That(Assert.Throws<FileNotFoundException>(() => ml.Gan().LoadGenerator(missing))!.Message, Does.Contain(missing));
    }
}
