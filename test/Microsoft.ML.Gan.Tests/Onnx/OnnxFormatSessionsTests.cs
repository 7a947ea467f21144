using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Transforms.Onnx;

namespace Microsoft.ML.Gan.Tests.Onnx;

/// <summary>
/// ML.NET's Model.Load hands ONNX Runtime a temporary file with a random extension; one name in 32,768 ends in ".ort", which
/// ONNX Runtime reads as its own format and rejects. A file named so on purpose shows the failure and the guard.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class OnnxFormatSessionsTests : ScratchDirectoryTest
{
    private (string Ort, string Onnx, IDataView Latent) Files()
    {
        var ml = new MLContext(1);
        using GanTransformer gan = ml.Gan().LoadGenerator(SyntheticImages.SavedGenerator(Path.Combine(Scratch, "gan.zip")));
        byte[] graph = gan.GetOnnxModel();
        string ort = Path.Combine(Scratch, "model.ort"), onnx = Path.Combine(Scratch, "model.onnx");
        File.WriteAllBytes(ort, graph);
        File.WriteAllBytes(onnx, graph);
        return (ort, onnx, ml.Gan().Data.SampleLatent(gan, 5, seed: 2));
    }

    private static float[][] Generate(MLContext ml, string model, IDataView latent)
        => [.. ml.Transforms.ApplyOnnxModel(["GeneratedPixels"], ["Latent"], model).Fit(latent).Transform(latent).GetColumn<float[]>("GeneratedPixels")];

    [Test]
    public void AnOnnxGraphInAFileEndingInOrtFailsAsMlNetLoadsItAndScoresTheSameOnceTheContextReadsOnnxFilesAsOnnx()
    {
        (string ort, string onnx, IDataView latent) = Files();
        float[][] expected = Generate(new MLContext(1), onnx, latent);

        Exception? failure = null;
        try
        {
            Generate(new MLContext(1), ort, latent);
        }
        catch (Exception e)
        {
            failure = e;
        }

        Assert.That(failure?.ToString(), Does.Contain("ORT model verification failed"), "the failure CI once met, on purpose");

        var guarded = new MLContext(1);
        Assert.That(guarded.Gan().ReadOnnxFilesAsOnnx(), Is.SameAs(guarded));
        Assert.That(Generate(guarded, ort, latent), Is.EqualTo(expected));

        var stock = new MLContext(1);
        stock.SetOnnxSessionOption(new OnnxSessionOptions { CreateSessionOptions = StockLoad.OnnxFormat });
        Assert.That(Generate(stock, ort, latent), Is.EqualTo(expected), "the tests' stock-only guard (README) does the same");
    }

    [Test]
    public void TheContextsOwnSessionFactoryStillMakesTheSessionsAndASecondCallAddsNothing()
    {
        (string ort, _, IDataView latent) = Files();
        int made = 0;
        var ml = new MLContext(1);
        ml.SetOnnxSessionOption(new OnnxSessionOptions
        {
            CreateSessionOptions = () =>
            {
                made++;
                return new SessionOptions { IntraOpNumThreads = 1 };
            },
        });

        ml.Gan().ReadOnnxFilesAsOnnx();
        ml.Gan().ReadOnnxFilesAsOnnx();
        Generate(ml, ort, latent);

        Assert.That(made, Is.EqualTo(1), "one session, made by the user's factory, once");
    }

    [Test]
    public void TheContextsOwnSessionPropertiesAreKept()
    {
        (string ort, _, IDataView latent) = Files();
        string optimized = Path.Combine(Scratch, "optimized.onnx");
        var ml = new MLContext(1);
        ml.SetOnnxSessionOption(new OnnxSessionOptions { OptimizedModelFilePath = optimized });

        ml.Gan().ReadOnnxFilesAsOnnx();
        Generate(ml, ort, latent);

        Assert.That(File.Exists(optimized), "ONNX Runtime wrote the optimised graph where the context's options asked");
    }
}
