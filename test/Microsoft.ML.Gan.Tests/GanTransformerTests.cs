using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Gan.Tests;

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

    private static MLContext Ml => TrainedMnistGan.Context;

    private static GanTransformer Gan => TrainedMnistGan.Gan;

    [Test]
    public void OutputsPixelsShapedLikeTheTrainingColumnAndAnImage()
    {
        IDataView output = Gan.Transform(Ml.Gan().SampleLatent(Gan, 5, seed: 1));

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
        IDataView output = Gan.Transform(Ml.Gan().SampleLatent(Gan, 3, seed: 2));
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
        IDataView latent = Ml.Gan().SampleLatent(Gan, 3, seed: 4);
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
    public void BulkGenerationEqualsTransformOverTheSameLatentRows()
    {
        const int count = 2500;
        IDataView bulk = Gan.Generate(count, seed: 9);
        IDataView viaTransform = Gan.Transform(Ml.Gan().SampleLatent(Gan, count, seed: 9));

        float[][] bulkPixels = bulk.GetColumn<float[]>("GeneratedPixels").ToArray();
        float[][] transformPixels = viaTransform.GetColumn<float[]>("GeneratedPixels").ToArray();

        Assert.That(bulk.GetColumn<float[]>("Latent").ToArray(), Is.EqualTo(viaTransform.GetColumn<float[]>("Latent").ToArray()));
        Assert.That(bulkPixels, Has.Length.EqualTo(count));
        double worst = bulkPixels.Zip(transformPixels).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));
        Assert.That(worst, Is.LessThanOrEqualTo(1e-5), "one ONNX graph, batched vs one row at a time");
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
        float[][] a = Ml.Gan().SampleLatent(1000, seed: 3).GetColumn<float[]>("Latent").ToArray();
        float[][] b = Ml.Gan().SampleLatent(1000, seed: 3).GetColumn<float[]>("Latent").ToArray();
        float[][] c = Ml.Gan().SampleLatent(1000, seed: 4).GetColumn<float[]>("Latent").ToArray();
        float[] normal = Ml.Gan().SampleLatent(1000, seed: 3, distribution: LatentDistribution.Normal).GetColumn<float[]>("Latent").SelectMany(v => v).ToArray();
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

    private sealed class SequenceComparer : IEqualityComparer<float[]>
    {
        public bool Equals(float[]? x, float[]? y) => x!.SequenceEqual(y!);

        public int GetHashCode(float[] obj) => obj.Aggregate(17, (h, v) => (h * 31) + v.GetHashCode());
    }

    [Test]
    public void ADisposedTransformerSaysSo()
    {
        var ml = new MLContext(1);
        GanTransformer gan = ml.Gan().Train(SyntheticImages.FastOptions()).Fit(SyntheticImages.Load(ml, 32));
        IDataView latent = ml.Gan().SampleLatent(gan, 4, seed: 1);
        gan.Dispose();
        gan.Dispose();   // twice is harmless

        Assert.Throws<ObjectDisposedException>(() => gan.Transform(latent));
        Assert.Throws<ObjectDisposedException>(() => gan.Generate(4, seed: 1));
        Assert.Throws<ObjectDisposedException>(() => gan.Save(Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.zip")));
        Assert.Throws<ObjectDisposedException>(() => gan.GetOutputSchema(latent.Schema));
    }
}
