namespace Microsoft.ML.Gan.Tests.Onnx;

/// <summary>
/// MLContext.GpuDeviceId and FallbackToCpu reach both ONNX Runtime engines (the batched session and the chain's
/// OnnxTransformer). The test machines have no GPU and reference the CPU-only ONNX Runtime, so what is tested is the
/// fallback and the error; scoring on a GPU is not. (A zip loaded with stock Model.Load into a GPU context on the CPU
/// package fails inside ML.NET, which falls back only on ONNX Runtime's own errors; README, GPUs.)
/// </summary>
[Category(TestCategories.Fast)]
public sealed class GpuScoringTests : ScratchDirectoryTest
{
    [Test]
    public void WithFallbackToCpuAGpuContextScoresTheSameImagesOnTheCpuAndWithoutItTheErrorNamesTheSetting()
    {
        var ml = new MLContext(1);
        using GanTransformer gan = ml.Gan().Generator(SyntheticImages.FastOptions()).Fit(SyntheticImages.Load(ml, 32));
        string model = Path.Combine(Scratch, "model.zip");
        gan.Save(model);
        IDataView latent = ml.Gan().Data.SampleLatent(gan, 20, seed: 3);
        float[][] expected = gan.Transform(latent).GetColumn<float[]>("GeneratedPixels").ToArray();

        var fallback = new MLContext(1) { GpuDeviceId = 0, FallbackToCpu = true };
        using (GanTransformer loaded = fallback.Gan().LoadGenerator(model))
        {
            Assert.That(loaded.Transform(latent).GetColumn<float[]>("GeneratedPixels").ToArray(), Is.EqualTo(expected), "batched session");
            // Saving goes through the stock chain's OnnxTransformer, built with the same (CPU) device.
            loaded.Save(Path.Combine(Scratch, "again.zip"));
        }

        Assert.That(new MLContext(1).LoadModel(Path.Combine(Scratch, "again.zip"), out _).Transform(latent).GetColumn<float[]>("GeneratedPixels").ToArray(), Is.EqualTo(expected));

        var strict = new MLContext(1) { GpuDeviceId = 0, FallbackToCpu = false };
        try
        {
            using GanTransformer onGpu = strict.Gan().LoadGenerator(model);
            Assert.Ignore("ONNX Runtime has a CUDA provider here, so there is no error to test.");
        }
        catch (NotSupportedException error)
        {
            Assert.That(error.Message, Does.Contain("MLContext.GpuDeviceId is 0").And.Contain("Microsoft.ML.OnnxRuntime.Gpu").And.Contain("FallbackToCpu"));
        }
    }
}
