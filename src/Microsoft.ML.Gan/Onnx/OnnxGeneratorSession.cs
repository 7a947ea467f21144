using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.Gan.Onnx;

/// <summary>
/// Runs the batched generator graph with ONNX Runtime directly: many latent vectors per call instead of
/// OnnxTransformer's one row per call (docs/BENCHMARKS.md has both rates).
/// </summary>
internal sealed class OnnxGeneratorSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly GeneratorGraphLayout _layout;
    private readonly int _latentDimension;

    public OnnxGeneratorSession(byte[] batchedModel, GeneratorGraphLayout layout, int latentDimension, int threads)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        _session = new InferenceSession(batchedModel, options);
        _layout = layout;
        _latentDimension = latentDimension;
    }

    /// <summary>Pixels in [0, 1] for <paramref name="count"/> latent vectors laid out one after another.</summary>
    public void Run(float[] latents, int count, Span<float> pixels)
    {
        int size = _layout.Shape.Size;
        if (pixels.Length < count * size)
        {
            throw new ArgumentException($"Expected room for {count} x {size} pixel values.", nameof(pixels));
        }

        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, latents.AsMemory(0, count * _latentDimension), [count, _latentDimension]);
        using var runOptions = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(runOptions, [_layout.LatentName], [input], [_layout.PixelsName]);
        outputs[0].GetTensorDataAsSpan<float>()[..(count * size)].CopyTo(pixels);
    }

    public void Dispose() => _session.Dispose();
}
