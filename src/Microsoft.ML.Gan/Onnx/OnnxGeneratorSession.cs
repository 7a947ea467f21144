using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.Gan.Onnx;

/// <summary>
/// Runs the batched generator graph with ONNX Runtime directly: many latent vectors per call instead of
/// OnnxTransformer's one row per call (docs/BENCHMARKS.md has both rates). ONNX Runtime writes the pixels
/// straight into the caller's buffer. Safe to use from several cursors at once (ONNX Runtime's Run is).
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
    /// conditional generator, their classes: an index per row, where a one-hot input gets all zeros for an index
    /// outside 0..classes − 1 — what MapKeyToVector makes of a missing key).
    /// </summary>
    public void Run(float[] latents, long[]? classes, int count, float[] pixels)
    {
        int size = _layout.Shape.Size;
        if (pixels.Length < count * size || latents.Length < count * _latentDimension)
        {
            throw new ArgumentException($"Expected {count} latent vectors of {_latentDimension} values and room for {count} x {size} pixel values.", nameof(pixels));
        }

        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, latents.AsMemory(0, count * _latentDimension), [count, _latentDimension]);
        using OrtValue? classInput = _layout.ClassInputName is null ? null : ClassInput(classes ?? throw new ArgumentNullException(nameof(classes)), count);
        using var output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, pixels.AsMemory(0, count * size),
            [count, .. _layout.PixelDimensions.Select(d => (long)d)]);
        using var runOptions = new RunOptions();
        string[] names = classInput is null ? [_layout.LatentName] : [_layout.LatentName, _layout.ClassInputName!];
        OrtValue[] values = classInput is null ? [input] : [input, classInput];
        _session.Run(runOptions, names, values, [_layout.PixelsName], [output]);
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
            if (classes[i] >= 0 && classes[i] < _layout.ClassCount)
            {
                oneHot[(i * _layout.ClassCount) + classes[i]] = 1f;
            }
        }

        return OrtValue.CreateTensorValueFromMemory(oneHot, [count, _layout.ClassCount]);
    }

    public void Dispose() => _session.Dispose();
}
