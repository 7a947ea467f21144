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

    /// <summary>
    /// Pixels in [0, 1] for <paramref name="count"/> latent vectors laid out one after another (and, for a
    /// conditional generator, their class indices).
    /// </summary>
    public void Run(float[] latents, long[]? classes, int count, Span<float> pixels)
    {
        int size = _layout.Shape.Size;
        if (pixels.Length < count * size)
        {
            throw new ArgumentException($"Expected room for {count} x {size} pixel values.", nameof(pixels));
        }

        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, latents.AsMemory(0, count * _latentDimension), [count, _latentDimension]);
        using OrtValue? classInput = _layout.ClassInputName is null ? null : ClassInput(classes ?? throw new ArgumentNullException(nameof(classes)), count);
        using var runOptions = new RunOptions();
        string[] names = classInput is null ? [_layout.LatentName] : [_layout.LatentName, _layout.ClassInputName!];
        OrtValue[] values = classInput is null ? [input] : [input, classInput];
        using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(runOptions, names, values, [_layout.PixelsName]);
        outputs[0].GetTensorDataAsSpan<float>()[..(count * size)].CopyTo(pixels);
    }

    private OrtValue ClassInput(long[] classes, int count)
    {
        if (!_layout.ClassesAreOneHot)
        {
            return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, classes.AsMemory(0, count), [count]);
        }

        var oneHot = new float[count * _layout.ClassCount];
        for (int i = 0; i < count; i++)
        {
            oneHot[(i * _layout.ClassCount) + classes[i]] = 1f;
        }

        return OrtValue.CreateTensorValueFromMemory(oneHot, [count, _layout.ClassCount]);
    }

    public void Dispose() => _session.Dispose();
}
