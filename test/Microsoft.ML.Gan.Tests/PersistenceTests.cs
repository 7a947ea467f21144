namespace Microsoft.ML.Gan.Tests;

/// <summary>mlContext.Model.Save / Load round trips, in this process and in a fresh one.</summary>
[Category(TestCategories.Slow)]
public sealed class PersistenceTests : ScratchDirectoryTest
{
    private static MLContext Ml => TrainedMnistGan.Context;

    private static GanTransformer Gan => TrainedMnistGan.Gan;

    [Test]
    public void SaveThenLoadGivesIdenticalOutputs()
    {
        IDataView latent = Ml.Gan().Data.SampleLatent(Gan, 100, seed: 21);
        string path = Path.Combine(Scratch, "mnist-gan.zip");

        Ml.Model.Save(Gan, latent.Schema, path);
        var fresh = new MLContext(seed: 99);
        ITransformer loaded = fresh.LoadModel(path, out DataViewSchema inputSchema);

        Assert.That(inputSchema["Latent"].Type.ToString(), Is.EqualTo("Vector<Single, 100>"));
        IDataView expected = Gan.Transform(latent);
        IDataView actual = loaded.Transform(latent);
        Assert.That(actual.Schema.Where(c => !c.IsHidden).Select(c => $"{c.Name}: {c.Type}"),
            Is.EqualTo(expected.Schema.Where(c => !c.IsHidden).Select(c => $"{c.Name}: {c.Type}")));
        Assert.That(actual.GetColumn<float[]>("GeneratedPixels").ToArray(), Is.EqualTo(expected.GetColumn<float[]>("GeneratedPixels").ToArray()));
        byte[][] expectedImages = expected.GetColumn<MLImage>("GeneratedImage").Select(i => i.Pixels.ToArray()).ToArray();
        byte[][] actualImages = actual.GetColumn<MLImage>("GeneratedImage").Select(i => i.Pixels.ToArray()).ToArray();
        Assert.That(actualImages, Is.EqualTo(expectedImages));
    }

    [Test]
    public void AtomicSaveWritesTheSameLoadableModel()
    {
        string path = Path.Combine(Scratch, "model.zip");
        Gan.Save(path);
        IDataView latent = Ml.Gan().Data.SampleLatent(Gan, 10, seed: 1);

        ITransformer loaded = Ml.LoadModel(path, out _);

        Assert.That(loaded.Transform(latent).GetColumn<float[]>("GeneratedPixels").ToArray(),
            Is.EqualTo(Gan.Transform(latent).GetColumn<float[]>("GeneratedPixels").ToArray()));
        Assert.That(Directory.GetFiles(Scratch).Select(Path.GetFileName), Is.EqualTo(new[] { "model.zip" }));
    }

    [Test]
    public void AFreshProcessLoadsTheZipAndGeneratesTheSameImages()
    {
        const int count = 50;
        const int seed = 3;
        string model = Path.Combine(Scratch, "mnist-gan.zip");
        Gan.Save(model);
        string expected = Path.Combine(Scratch, "expected-idx3-ubyte");
        Ml.Gan().Data.SaveAsIdx(Gan.Transform(Ml.Gan().Data.SampleLatent(Gan, count, seed)), expected, "GeneratedPixels");

        string output = Path.Combine(Scratch, "generated");
        (int exitCode, string log) = SamplesApp.Run("generate", "--model", model, "--count", $"{count}", "--seed", $"{seed}", "--output", output);

        Assert.That(exitCode, Is.Zero, log);
        Assert.That(File.ReadAllBytes(Path.Combine(output, "generated-images-idx3-ubyte")), Is.EqualTo(File.ReadAllBytes(expected)));
        using MLImage grid = MLImage.CreateFromFile(Path.Combine(output, "generated.png"));
        Assert.That((grid.Width, grid.Height), Is.EqualTo((4 * (8 * 28 + 9 * 2), 4 * (7 * 28 + 8 * 2))), "50 images, 8 per row, 2-pixel padding, enlarged 4 times by default");
        IDataView reread = Ml.Gan().Data.LoadIdx(Path.Combine(output, "generated-images-idx3-ubyte"));
        Assert.That(reread.GetRowCount(), Is.EqualTo(count));
    }

    [Test]
    public void GenerateTakesTheLatentDistributionFromTheModelAndAnEarlierZipFromTheOption()
    {
        var ml = new MLContext(1);
        GanOptions options = SyntheticImages.FastOptions();
        options.LatentDistribution = LatentDistribution.Normal;
        using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml, 32));
        string model = Path.Combine(Scratch, "normal.zip");
        gan.Save(model);
        string expected = Path.Combine(Scratch, "expected-idx3-ubyte");
        ml.Gan().Data.SaveAsIdx(gan.Transform(ml.Gan().Data.SampleLatent(gan, 20, seed: 3)), expected, "GeneratedPixels");
        string uniform = Path.Combine(Scratch, "uniform-idx3-ubyte");
        ml.Gan().Data.SaveAsIdx(gan.Transform(ml.Gan().Data.SampleLatent(20, seed: 3, dimension: gan.LatentDimension)), uniform, "GeneratedPixels");

        (int bareExit, string bareLog) = SamplesApp.Run("generate", "--model", model, "--count", "20", "--seed", "3", "--output", Path.Combine(Scratch, "bare"));
        using (var zip = System.IO.Compression.ZipFile.Open(model, System.IO.Compression.ZipArchiveMode.Update))
        {
            zip.GetEntry("Gan/generator.onnx")!.Delete();
            zip.GetEntry("Gan/history.json")!.Delete();
        }

        (int earlierExit, string earlierLog) = SamplesApp.Run("generate", "--model", model, "--count", "20", "--seed", "3", "--latent-distribution", "Normal",
            "--output", Path.Combine(Scratch, "earlier"));

        Assert.That(bareExit, Is.Zero, bareLog);
        Assert.That(bareLog, Does.Contain("Normal latent vectors as the model records"));
        Assert.That(File.ReadAllBytes(Path.Combine(Scratch, "bare", "generated-images-idx3-ubyte")), Is.EqualTo(File.ReadAllBytes(expected)));
        Assert.That(File.ReadAllBytes(expected), Is.Not.EqualTo(File.ReadAllBytes(uniform)), "the distribution matters");
        Assert.That(earlierExit, Is.Zero, earlierLog);
        Assert.That(File.ReadAllBytes(Path.Combine(Scratch, "earlier", "generated-images-idx3-ubyte")), Is.EqualTo(File.ReadAllBytes(expected)));
    }

    [Test]
    public void ModelWithAnotherLatentColumnNameLoadsWithIt()
    {
        var ml = new MLContext(1);
        GanOptions options = SyntheticImages.FastOptions();
        options.LatentColumnName = "Z";
        options.GeneratedPixelsColumnName = "Fake";
        using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml, 32));
        string path = Path.Combine(Scratch, "z.zip");
        gan.Save(path);

        ITransformer loaded = ml.LoadModel(path, out DataViewSchema input);
        IDataView latent = ml.Gan().Data.SampleLatent(gan, 5, seed: 2);

        Assert.That(input.Single().Name, Is.EqualTo("Z"));
        Assert.That(loaded.Transform(latent).GetColumn<float[]>("Fake").ToArray(), Is.EqualTo(gan.Transform(latent).GetColumn<float[]>("Fake").ToArray()));
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => loaded.Transform(ml.Gan().Data.SampleLatent(5, seed: 1, dimension: 8)));
        Assert.That(missing!.Message, Does.Contain("Z"), "a loaded model requires its latent column; it does not draw twins");
    }
}
