using Microsoft.ML.Gan.Training;

namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>
/// Where training runs when <see cref="GanOptions.Device"/> is not set: the MLContext's GPU choice, as ML.NET's TorchSharp
/// trainers make it. No CUDA device exists here, so the resolution is tested with the device count given.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class TrainingDeviceTests
{
    [TestCase(null, null, false, 0, "cpu")]
    [TestCase(null, 1, false, 2, "cuda:1")]
    [TestCase(null, 0, true, 2, "cuda:0")]
    [TestCase(null, 0, true, 0, "cpu")]
    [TestCase(null, 3, true, 2, "cpu")]
    [TestCase("cpu", 0, false, 2, "cpu")]
    [TestCase(" CUDA ", null, false, 1, "cuda")]
    [TestCase("cuda:1", null, false, 2, "cuda:1")]
    public void TheOptionWinsElseTheContextChooses(string? option, int? gpuDeviceId, bool fallbackToCpu, int cudaDevices, string expected)
        => Assert.That(TrainingDevice.Resolve(option, gpuDeviceId, fallbackToCpu, cudaDevices), Is.EqualTo(expected));

    [Test]
    public void AGpuAskedForAndAbsentWithoutFallbackIsAnErrorNamingBothSettings()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TrainingDevice.Resolve(null, 0, fallbackToCpu: false, cudaDevices: 0));

        Assert.That(error!.Message, Does.Contain("MLContext.GpuDeviceId is 0").And.Contain("no CUDA device").And.Contain("MLContext.FallbackToCpu is false"));
    }

    [TestCase("cuda", 0, "CUDA is not available")]
    [TestCase("cuda:2", 2, "finds 2 CUDA device(s)")]
    [TestCase("tpu", 0, "is not a TorchSharp device")]
    [TestCase("cuda:x", 1, "expected 'cpu', 'cuda' or 'cuda:N'")]
    public void ADeviceOptionThatCannotRunIsAnErrorNamingTheOption(string option, int cudaDevices, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => TrainingDevice.Resolve(option, null, false, cudaDevices));

        Assert.That(error!.Message, Does.Contain("GanOptions.Device").And.Contain(message));
    }

    [Test]
    public void FitFollowsTheContext()
    {
        // This machine has no CUDA: a context that asks for GPU 0 without fallback cannot fit; with fallback it trains on the CPU.
        var strict = new MLContext(1) { GpuDeviceId = 0, FallbackToCpu = false };
        var lenient = new MLContext(1) { GpuDeviceId = 0, FallbackToCpu = true };
        GanOptions options = SyntheticImages.FastOptions();
        options.Budget = TrainingBudget.OfEpochs(1);

        Assert.That(() => strict.Gan().Generator(options).Fit(SyntheticImages.Load(strict, 32)), Throws.InvalidOperationException.With.Message.Contains("FallbackToCpu"));
        using GanTransformer gan = lenient.Gan().Generator(options).Fit(SyntheticImages.Load(lenient, 32));
        Assert.That(gan.History.Epochs, Has.Count.EqualTo(1));
    }
}
