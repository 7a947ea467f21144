using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Gan.Tests;

/// <summary>The GAN inside ML.NET pipelines: ImageAnalytics before it, other transforms after it.</summary>
[Category(TestCategories.Slow)]
public sealed class CompositionTests : ScratchDirectoryTest
{
    private sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";
    }

    /// <summary>Real MNIST digits written as PNG files, the way a user's image folder looks.</summary>
    private IDataView DigitFolder(MLContext ml, int count)
    {
        IDataView digits = RealMnist.Load(ml, MnistSplit.Test, count);
        var rows = new List<ImageRow>();
        int n = 0;
        foreach (float[] pixels in digits.GetColumn<float[]>("Pixels"))
        {
            string path = Path.Combine(Scratch, $"digit-{n++}.png");
            using MLImage image = GanImages.FromGrayscale(pixels, 28, 28);
            GanImages.SavePng(image, path);
            rows.Add(new ImageRow { ImagePath = path });
        }

        return ml.Data.LoadFromEnumerable(rows);
    }

    private static GanOptions Options() => new() { Budget = TrainingBudget.OfEpochs(1), Seed = 3, LatentDimension = 16, Network = new MlpNetworkOptions { HiddenSize = 16 } };

    [Test]
    public void ImageAnalyticsBeforeTheGanFitsAndTheChainSavesAndLoads()
    {
        var ml = new MLContext(seed: 1);
        IDataView folder = DigitFolder(ml, 64);
        var pipeline = ml.Transforms.LoadImages("Image", Scratch, "ImagePath")
            .Append(ml.Transforms.ResizeImages("Image", 28, 28))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image", ImagePixelExtractingEstimator.ColorBits.Red, scaleImage: 1f / 255))
            .Append(ml.Gan().Generator(Options()));

        TransformerChain<GanTransformer> model = pipeline.Fit(folder);

        IDataView twins = model.Transform(folder);
        Assert.That(twins.Schema["Pixels"].Type.ToString(), Is.EqualTo("Vector<Single, 1, 28, 28>"), "what ExtractPixels gives");
        Assert.That(twins.Schema["GeneratedPixels"].Type.ToString(), Is.EqualTo("Vector<Single, 1, 28, 28>"), "shaped like the training column");
        Assert.That(twins.GetColumn<MLImage>("GeneratedImage").Count(), Is.EqualTo(64), "one synthetic twin per row");

        // Saved and loaded, the chain needs a latent column next to the image paths.
        IDataView withLatent = model.LastTransformer.Transform(folder);
        string path = Path.Combine(Scratch, "chain.zip");
        ml.Model.Save(model, withLatent.Schema, path);
        ITransformer loaded = ml.LoadModel(path, out _);
        Assert.That(loaded.Transform(withLatent).GetColumn<float[]>("GeneratedPixels").ToArray(),
            Is.EqualTo(model.Transform(withLatent).GetColumn<float[]>("GeneratedPixels").ToArray()));
    }

    [Test]
    public void AnImageColumnTrainsDirectly()
    {
        var ml = new MLContext(seed: 1);
        IDataView folder = DigitFolder(ml, 32);
        var options = Options();
        options.PixelsColumnName = "Image";
        var pipeline = ml.Transforms.LoadImages("Image", Scratch, "ImagePath")
            .Append(ml.Transforms.ResizeImages("Image", 28, 28))
            .Append(ml.Gan().Generator(options));

        using GanTransformer gan = pipeline.Fit(folder).LastTransformer;

        Assert.That(gan.ImageShape, Is.EqualTo(new ImageShape(1, 28, 28)));
        float[][] generated = gan.Transform(ml.Gan().Data.SampleLatent(gan, 3, 1)).GetColumn<float[]>("GeneratedPixels").ToArray();
        Assert.That(generated, Has.Length.EqualTo(3));
        Assert.That(generated.All(p => p.Length == 784));
    }

    [Test]
    public void UnresizedImagesAreRejectedWithAHint()
    {
        var ml = new MLContext(seed: 1);
        IDataView folder = DigitFolder(ml, 4);
        var options = Options();
        options.PixelsColumnName = "Image";
        var pipeline = ml.Transforms.LoadImages("Image", Scratch, "ImagePath").Append(ml.Gan().Generator(options));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.Fit(folder));

        Assert.That(error!.Message, Does.Contain("'Image'").And.Contain("ResizeImages"));
    }

    [Test]
    public void TransformsAfterTheGanWorkAndTheChainSavesAndLoads()
    {
        MLContext ml = TrainedMnistGan.Context;
        GanTransformer gan = TrainedMnistGan.Gan;
        IDataView latent = ml.Gan().Data.SampleLatent(gan, 20, seed: 8);
        var after = ml.Transforms.ResizeImages("Small", 14, 14, "GeneratedImage")
            .Append(ml.Transforms.ExtractPixels("SmallPixels", "Small", ImagePixelExtractingEstimator.ColorBits.Red, scaleImage: 1f / 255))
            .Append(ml.Transforms.NormalizeMeanVariance("Normalized", "GeneratedPixels"));
        var chain = new TransformerChain<ITransformer>(gan).Append(after.Fit(gan.Transform(latent)));

        IDataView output = chain.Transform(latent);
        float[][] small = output.GetColumn<float[]>("SmallPixels").ToArray();
        Assert.That(small.All(p => p.Length == 196 && p.All(v => v is >= 0 and <= 1)));

        string path = Path.Combine(Scratch, "after.zip");
        ml.Model.Save(chain, latent.Schema, path);
        IDataView reloaded = ml.LoadModel(path, out _).Transform(latent);
        Assert.That(reloaded.GetColumn<float[]>("SmallPixels").ToArray(), Is.EqualTo(small));
        Assert.That(reloaded.GetColumn<float[]>("Normalized").ToArray(), Is.EqualTo(output.GetColumn<float[]>("Normalized").ToArray()));
    }
}
