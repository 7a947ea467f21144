using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Gan.Tests;

[Category(TestCategories.Slow)]
public sealed class GanTransformerTests
{
    private sealed class LatentRow
    {
        [VectorType(100)]
        public float[] Latent { get; set; } = [];
    }

    private sealed class GeneratedRow
    {
        [VectorType(28, 28)]
        public float[] GeneratedPixels { get; set; } = [];
    }

    private sealed class WrongLatentRow
    {
        [VectorType(50)]
        public float[] Latent { get; set; } = [];
    }

    private sealed class LatentWithOtherColumns
    {
        public string Name { get; set; } = "";

        [VectorType(100)]
        public float[] Latent { get; set; } = [];

        [VectorType(3)]
        public float[] Scores { get; set; } = [];

        public double Weight { get; set; }
    }

    /// <summary>The stock ML.NET chain this transformer saves, loaded back as any ML.NET app would: the one-row reference.</summary>
    private static ITransformer StockChain(GanTransformer gan, DataViewSchema inputSchema)
    {
        using var zip = new MemoryStream();
        Ml.Model.Save(gan, inputSchema, zip);
        zip.Position = 0;
        return Ml.LoadModel(zip, out _);
    }

    private static byte[][] ImageBytes(IDataView data, string column)
        => data.GetColumn<MLImage>(column).Select(image =>
        {
            using (image)
            {
                return image.Pixels.ToArray();
            }
        }).ToArray();

    private static MLContext Ml => TrainedMnistGan.Context;

    private static GanTransformer Gan => TrainedMnistGan.Gan;

    [Test]
    public void OutputsPixelsShapedLikeTheTrainingColumnAndAnImage()
    {
        IDataView output = Gan.Transform(Ml.Gan().Data.SampleLatent(Gan, 5, seed: 1));

        Assert.That(output.Schema["GeneratedPixels"].Type.ToString(), Is.EqualTo("Vector<Single, 28, 28>"));
        Assert.That(output.Schema["GeneratedImage"].Type, Is.EqualTo(new ImageDataViewType(28, 28)));
        Assert.That(output.Schema["Latent"].Type.ToString(), Is.EqualTo("Vector<Single, 100>"));
        Assert.That(output.Schema.Where(c => !c.IsHidden).Select(c => c.Name), Is.EqualTo(new[] { "Latent", "GeneratedPixels", "GeneratedImage" }));
        float[][] pixels = output.GetColumn<float[]>("GeneratedPixels").ToArray();
        Assert.That(pixels, Has.Length.EqualTo(5));
        Assert.That(pixels.SelectMany(p => p).All(v => v is >= 0 and <= 1));
    }

    [Test]
    public void ImageColumnIsOpaqueWhiteOnBlackAndSavesAsPngThatDecodesToThePixels()
    {
        IDataView output = Gan.Transform(Ml.Gan().Data.SampleLatent(Gan, 3, seed: 2));
        float[][] pixels = output.GetColumn<float[]>("GeneratedPixels").ToArray();
        MLImage[] images = output.GetColumn<MLImage>("GeneratedImage").ToArray();
        string directory = TestFiles.NewDirectory();
        try
        {
            for (int n = 0; n < images.Length; n++)
            {
                string path = Path.Combine(directory, $"digit-{n}.png");
                GanImages.SavePng(images[n], path);
                using MLImage decoded = MLImage.CreateFromFile(path);
                byte[] bgra = decoded.Pixels.ToArray();
                for (int i = 0; i < 784; i++)
                {
                    byte expected = (byte)MathF.Round(pixels[n][i] * 255f);
                    Assert.That(bgra[(4 * i) + 0], Is.EqualTo(expected), $"image {n} pixel {i} blue");
                    Assert.That(bgra[(4 * i) + 1], Is.EqualTo(expected), $"image {n} pixel {i} green");
                    Assert.That(bgra[(4 * i) + 2], Is.EqualTo(expected), $"image {n} pixel {i} red");
                    Assert.That(bgra[(4 * i) + 3], Is.EqualTo(255), $"image {n} pixel {i} alpha");
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
            foreach (MLImage image in images)
            {
                image.Dispose();
            }
        }
    }

    [Test]
    public void PredictionEngineGivesTheSameAsTransform()
    {
        IDataView latent = Ml.Gan().Data.SampleLatent(Gan, 3, seed: 4);
        float[][] expected = Gan.Transform(latent).GetColumn<float[]>("GeneratedPixels").ToArray();
        float[][] vectors = latent.GetColumn<float[]>("Latent").ToArray();

        var engine = Ml.Model.CreatePredictionEngine<LatentRow, GeneratedRow>(Gan);
        float[][] predicted = vectors.Select(v => engine.Predict(new LatentRow { Latent = v }).GeneratedPixels).ToArray();

        Assert.That(predicted, Is.EqualTo(expected));
    }

    [Test]
    public void MistypedLatentColumnIsNamed()
    {
        IDataView wrong = Ml.Data.LoadFromEnumerable([new WrongLatentRow { Latent = new float[50] }]);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Gan.Transform(wrong));
        Assert.That(error!.Message, Does.Contain("latent column 'Latent'").And.Contain("expected Vector<Single, 100>").And.Contain("Vector<Single, 50>"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gan.GetOutputSchema(wrong.Schema));
    }

    [Test]
    public void RowsWithoutLatentGetASeededTwinEach()
    {
        IDataView real = RealMnist.Load(Ml, MnistSplit.Test, maxRows: 20);

        IDataView twins = Gan.Transform(real);
        IDataView again = Gan.Transform(real);

        Assert.That(twins.Schema.Where(c => !c.IsHidden).Select(c => c.Name), Is.EqualTo(new[] { "Label", "Pixels", "Latent", "GeneratedPixels", "GeneratedImage" }));
        Assert.That(Gan.GetOutputSchema(real.Schema).Select(c => c.Name), Is.EqualTo(twins.Schema.Select(c => c.Name)));
        float[][] latents = twins.GetColumn<float[]>("Latent").ToArray();
        Assert.That(latents.Distinct(new SequenceComparer()).Count(), Is.EqualTo(20), "one different latent vector per row");
        Assert.That(again.GetColumn<float[]>("GeneratedPixels").ToArray(), Is.EqualTo(twins.GetColumn<float[]>("GeneratedPixels").ToArray()));
        Assert.That(twins.GetColumn<uint>("Label").ToArray(), Is.EqualTo(real.GetColumn<uint>("Label").ToArray()), "input columns pass through");
        Assert.Throws<ArgumentOutOfRangeException>(() => Gan.GetRowToRowMapper(real.Schema));
    }

    [Test]
    public void TransformInBatchesEqualsTheOneRowStockChainBitForBit()
    {
        // Two full batches of 1,000 rows and a partial one; the stock chain runs the same graph one row per call.
        IDataView latent = Ml.Gan().Data.SampleLatent(Gan, 2500, seed: 31);
        IDataView stock = StockChain(Gan, latent.Schema).Transform(latent);
        IDataView fast = Gan.Transform(latent);

        Assert.That(Gan.BatchSize, Is.EqualTo(1000));
        Assert.That(fast.GetColumn<float[]>("GeneratedPixels").ToArray(), Is.EqualTo(stock.GetColumn<float[]>("GeneratedPixels").ToArray()));
        IDataView around = Ml.Data.SkipRows(Ml.Data.TakeRows(latent, 1010), 990);   // across the first batch boundary
        Assert.That(ImageBytes(Gan.Transform(around), "GeneratedImage"), Is.EqualTo(ImageBytes(StockChain(Gan, latent.Schema).Transform(around), "GeneratedImage")));
    }

    [Test]
    public void EveryInputColumnPassesThroughUnchanged()
    {
        float[][] vectors = Ml.Gan().Data.SampleLatent(Gan, 1500, seed: 5).GetColumn<float[]>("Latent").ToArray();
        LatentWithOtherColumns[] rows = vectors.Select((v, i) => new LatentWithOtherColumns { Name = $"row {i}", Latent = v, Scores = [i, -i, 0.5f * i], Weight = i / 7.0 }).ToArray();
        // A hidden column too: the double Weight is hidden by its Single conversion.
        IDataView input = Ml.Transforms.Conversion.ConvertType("Weight", outputKind: DataKind.Single).Fit(Ml.Data.LoadFromEnumerable(rows)).Transform(Ml.Data.LoadFromEnumerable(rows));

        IDataView output = Gan.Transform(input);
        IDataView stock = StockChain(Gan, input.Schema).Transform(input);

        Assert.That(output.Schema.Where(c => !c.IsHidden).Select(c => $"{c.Name}: {c.Type}"), Is.EqualTo(stock.Schema.Where(c => !c.IsHidden).Select(c => $"{c.Name}: {c.Type}")));
        Assert.That(output.Schema.Take(input.Schema.Count).Select(c => $"{c.Name}: {c.Type}: {c.IsHidden}"), Is.EqualTo(input.Schema.Select(c => $"{c.Name}: {c.Type}: {c.IsHidden}")));
        Assert.That(output.GetColumn<string>("Name"), Is.EqualTo(rows.Select(r => r.Name)));
        Assert.That(output.GetColumn<float[]>("Latent"), Is.EqualTo(vectors));
        Assert.That(output.GetColumn<float[]>("Scores"), Is.EqualTo(rows.Select(r => r.Scores)));
        Assert.That(output.GetColumn<float>("Weight"), Is.EqualTo(rows.Select(r => (float)r.Weight)));
        Assert.That(output.GetColumn<float[]>("GeneratedPixels").ToArray(), Is.EqualTo(stock.GetColumn<float[]>("GeneratedPixels").ToArray()));
    }

    [Test]
    public void ImagePlanesAreReadOnlyWhenTheImageColumnIs()
    {
        IDataView latent = Ml.Gan().Data.SampleLatent(Gan, 10, seed: 1);
        var requests = new List<string[]>();
        IDataView output = Gan.TransformObserved(latent, generated => new RequestRecorder(generated, requests));

        _ = output.GetColumn<float[]>("GeneratedPixels").ToArray();
        _ = ImageBytes(output, "GeneratedImage");

        Assert.That(requests, Has.Count.EqualTo(2));
        Assert.That(requests[0], Does.Contain("GeneratedPixels").And.Not.Contain("GanImagePlanes"));
        Assert.That(requests[1], Does.Contain("GanImagePlanes"));
        Assert.That(output.Schema.Select(c => c.Name), Does.Not.Contain("GanImagePlanes"), "the planes are dropped after ConvertToImage");
    }

    [Test]
    public void AnInputWhoseCursorsDisagreeIsAnErrorNotAWrongPairing()
    {
        IDataView latent = Ml.Gan().Data.SampleLatent(Gan, 3000, seed: 2);
        var error = Assert.Throws<InvalidOperationException>(() => Gan.Transform(new DifferentOrderEveryCursor(latent)).GetColumn<float[]>("GeneratedPixels").ToArray());
        Assert.That(error!.Message, Does.Contain("same rows in the same order"));
    }

    [Test]
    public void BulkGenerationEqualsTransformOverTheSameLatentRows()
    {
        const int count = 2500;
        IDataView bulk = Gan.Generate(count, seed: 9);
        IDataView viaTransform = Gan.Transform(Ml.Gan().Data.SampleLatent(Gan, count, seed: 9));

        float[][] bulkPixels = bulk.GetColumn<float[]>("GeneratedPixels").ToArray();
        float[][] transformPixels = viaTransform.GetColumn<float[]>("GeneratedPixels").ToArray();

        Assert.That(bulk.GetColumn<float[]>("Latent").ToArray(), Is.EqualTo(viaTransform.GetColumn<float[]>("Latent").ToArray()));
        Assert.That(bulkPixels, Has.Length.EqualTo(count));
        Assert.That(bulkPixels, Is.EqualTo(transformPixels), "one ONNX graph, the same batches");
    }

    [Test]
    public void SaveToMissingDirectoryFailsAndLeavesNothing()
    {
        string directory = TestFiles.NewDirectory();
        try
        {
            string path = Path.Combine(directory, "missing", "model.zip");
            var error = Assert.Throws<DirectoryNotFoundException>(() => Gan.Save(path));
            Assert.That(error!.Message, Does.Contain(path));
            Assert.That(Directory.EnumerateFileSystemEntries(directory), Is.Empty);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void SampleLatentIsAFunctionOfSeedAndRow()
    {
        float[][] a = Ml.Gan().Data.SampleLatent(1000, seed: 3).GetColumn<float[]>("Latent").ToArray();
        float[][] b = Ml.Gan().Data.SampleLatent(1000, seed: 3).GetColumn<float[]>("Latent").ToArray();
        float[][] c = Ml.Gan().Data.SampleLatent(1000, seed: 4).GetColumn<float[]>("Latent").ToArray();
        float[] normal = Ml.Gan().Data.SampleLatent(1000, seed: 3, distribution: LatentDistribution.Normal).GetColumn<float[]>("Latent").SelectMany(v => v).ToArray();
        float[] uniform = a.SelectMany(v => v).ToArray();

        Assert.That(b, Is.EqualTo(a));
        Assert.That(c[0], Is.Not.EqualTo(a[0]));
        Assert.That(uniform.Min(), Is.GreaterThanOrEqualTo(-1f));
        Assert.That(uniform.Max(), Is.LessThan(1f));
        Assert.That(uniform.Average(), Is.EqualTo(0).Within(0.01));
        Assert.That(uniform.Average(v => v * v), Is.EqualTo(1.0 / 3).Within(0.01), "variance of U(-1, 1)");
        Assert.That(normal.Average(), Is.EqualTo(0).Within(0.01));
        Assert.That(normal.Average(v => v * v), Is.EqualTo(1).Within(0.02));
    }

    /// <summary>Records the columns every cursor over <paramref name="inner"/> is asked for.</summary>
    private sealed class RequestRecorder(IDataView inner, List<string[]> requests) : IDataView
    {
        public bool CanShuffle => inner.CanShuffle;

        public DataViewSchema Schema => inner.Schema;

        public long? GetRowCount() => inner.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            DataViewSchema.Column[] columns = columnsNeeded.ToArray();
            requests.Add(columns.Select(c => c.Name).ToArray());
            return inner.GetRowCursor(columns, rand);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => [GetRowCursor(columnsNeeded, rand)];
    }

    /// <summary>Each cursor sees the rows in another order: what the batched Transform relies on not happening.</summary>
    private sealed class DifferentOrderEveryCursor(IDataView inner) : IDataView
    {
        private int _cursors;

        public bool CanShuffle => false;

        public DataViewSchema Schema => inner.Schema;

        public long? GetRowCount() => inner.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            IDataView shuffled = Ml.Data.ShuffleRows(inner, seed: ++_cursors);
            return shuffled.GetRowCursor(columnsNeeded.Select(c => shuffled.Schema[c.Index]));
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => [GetRowCursor(columnsNeeded, rand)];
    }

    private sealed class SequenceComparer : IEqualityComparer<float[]>
    {
        public bool Equals(float[]? x, float[]? y) => x!.SequenceEqual(y!);

        public int GetHashCode(float[] obj) => obj.Aggregate(17, (h, v) => (h * 31) + v.GetHashCode());
    }

    [Test]
    public void ADisposedTransformerSaysSo()
    {
        var ml = new MLContext(1);
        GanTransformer gan = ml.Gan().Generator(SyntheticImages.FastOptions()).Fit(SyntheticImages.Load(ml, 32));
        IDataView latent = ml.Gan().Data.SampleLatent(gan, 4, seed: 1);
        gan.Dispose();
        gan.Dispose();   // twice is harmless

        Assert.Throws<ObjectDisposedException>(() => gan.Transform(latent));
        Assert.Throws<ObjectDisposedException>(() => gan.Generate(4, seed: 1));
        Assert.Throws<ObjectDisposedException>(() => gan.Save(Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.zip")));
        Assert.Throws<ObjectDisposedException>(() => gan.GetOutputSchema(latent.Schema));
    }
}
