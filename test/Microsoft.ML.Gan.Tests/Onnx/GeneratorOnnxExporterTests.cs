using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Training;
using TorchSharp;

namespace Microsoft.ML.Gan.Tests.Onnx;

/// <summary>The exported ONNX graph (what every transformer scores with) against the TorchSharp generator.</summary>
public sealed class GeneratorOnnxExporterTests
{
    private static float[][] TorchPixels(GanTransformer gan, GeneratorNetwork generator, float[][] latents)
    {
        using var scope = torch.NewDisposeScope();
        using torch.Tensor z = torch.tensor(latents.SelectMany(v => v).ToArray(), [latents.Length, gan.LatentDimension]);
        return GanTrainer.Render(generator, z, null, gan.ImageShape.Size).ToArray();
    }

    private static double MaxDifference(float[][] a, float[][] b)
        => a.Zip(b).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));

    [Category(TestCategories.Slow)]
    [Test]
    public void TrainedGeneratorMatchesTorchWithin1e4()
    {
        GanTransformer gan = TrainedMnistGan.Gan;
        IDataView latent = TrainedMnistGan.Context.Gan().SampleLatent(gan, 200, seed: 12);
        float[][] vectors = latent.GetColumn<float[]>("Latent").ToArray();

        float[][] onnx = gan.Transform(latent).GetColumn<float[]>("GeneratedPixels").ToArray();
        float[][] bulk = gan.Generate(200, seed: 12).GetColumn<float[]>("GeneratedPixels").ToArray();
        float[][] reference = TorchPixels(gan, TrainedMnistGan.Generator, vectors);

        Assert.That(MaxDifference(onnx, reference), Is.LessThanOrEqualTo(1e-4));
        Assert.That(MaxDifference(bulk, reference), Is.LessThanOrEqualTo(1e-4));
    }

    [Category(TestCategories.Fast)]
    [TestCase(LatentDistribution.Uniform)]
    [TestCase(LatentDistribution.Normal)]
    public void OtherWidthsAndShapesMatchToo(LatentDistribution distribution)
    {
        var ml = new MLContext(1);
        GanOptions options = SyntheticImages.FastOptions();
        options.HiddenSize = 5;
        options.LatentDimension = 3;
        options.LeakyReluSlope = 0.05f;
        options.LatentDistribution = distribution;
        (GanTransformer gan, GeneratorNetwork generator) = ml.Gan().Train(options).FitKeepingGenerator(SyntheticImages.Load(ml, 40));
        using GanTransformer disposeGan = gan;
        using GeneratorNetwork disposeGenerator = generator;
        IDataView latent = ml.Gan().SampleLatent(gan, 50, seed: 1);

        float[][] onnx = gan.Transform(latent).GetColumn<float[]>("GeneratedPixels").ToArray();
        float[][] reference = TorchPixels(gan, generator, latent.GetColumn<float[]>("Latent").ToArray());

        Assert.That(MaxDifference(onnx, reference), Is.LessThanOrEqualTo(1e-4));
    }

    [Category(TestCategories.Slow)]
    [Test]
    public void OnnxModelIsAvailableForOtherRuntimes()
    {
        byte[] model = TrainedMnistGan.Gan.GetOnnxModel();
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(model);
        Assert.That(session.InputMetadata.Keys, Is.EqualTo(new[] { "Latent" }));
        Assert.That(session.InputMetadata["Latent"].Dimensions, Is.EqualTo(new[] { -1, 100 }));
        Assert.That(session.OutputMetadata["GeneratedPixels"].Dimensions, Is.EqualTo(new[] { -1, 28, 28 }));
    }
}
