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

    /// <param name="batchedModel">The batched generator graph.</param>
    /// <param name="layout">Its input and output names and shapes.</param>
    /// <param name="latentDimension">Size of z.</param>
    /// <param name="threads">ONNX Runtime intra-op threads.</param>
    /// <param name="gpuDeviceId">Run on this CUDA device (from <see cref="UsableCudaDevice"/>); null for the CPU.</param>
    /// <param name="fallbackToCpu">When the CUDA provider cannot be used, run on the CPU instead of throwing (<see cref="MLContext.FallbackToCpu"/>).</param>
    public OnnxGeneratorSession(byte[] batchedModel, GeneratorGraphLayout layout, int latentDimension, int threads, int? gpuDeviceId = null, bool fallbackToCpu = false)
    {
        _session = CreateSession(batchedModel, threads, gpuDeviceId, fallbackToCpu);
        _layout = layout;
        _latentDimension = latentDimension;
    }

    private static InferenceSession CreateSession(byte[] model, int threads, int? gpuDeviceId, bool fallbackToCpu)
    {
        if (gpuDeviceId is int device)
        {
            try
            {
                using SessionOptions gpu = SessionOptions.MakeSessionOptionWithCudaProvider(device);
                gpu.IntraOpNumThreads = threads;
                gpu.InterOpNumThreads = 1;
                return new InferenceSession(model, gpu);
            }
            catch (OnnxRuntimeException error)
            {
                // The CUDA build is there but the device or driver is not (ML.NET's OnnxTransformer falls back on this too).
                if (!fallbackToCpu)
                {
                    throw CudaError(device, error);
                }
            }
        }

        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        return new InferenceSession(model, options);
    }

    /// <summary>
    /// The CUDA device both ONNX Runtime engines should be given for <see cref="MLContext.GpuDeviceId"/>: the id itself
    /// when the native ONNX Runtime has a CUDA execution provider, null (the CPU) when it has none and
    /// <paramref name="fallbackToCpu"/> allows it. Checked up front because the CPU-only native library has no CUDA
    /// entry point at all, and ML.NET's OnnxTransformer falls back only on ONNX Runtime's own errors: given a device id
    /// with the CPU package it throws EntryPointNotFoundException, whatever FallbackToCpu says.
    /// </summary>
    /// <exception cref="NotSupportedException">No CUDA provider and no fallback: names the setting and the package.</exception>
    public static int? UsableCudaDevice(int? gpuDeviceId, bool fallbackToCpu)
    {
        if (gpuDeviceId is not int device)
        {
            return null;
        }

        try
        {
            using SessionOptions probe = SessionOptions.MakeSessionOptionWithCudaProvider(device);
            return device;
        }
        catch (Exception error) when (error is EntryPointNotFoundException or DllNotFoundException or OnnxRuntimeException)
        {
            return fallbackToCpu ? null : throw CudaError(device, error);
        }
    }

    private static NotSupportedException CudaError(int device, Exception error) => new(
        $"MLContext.GpuDeviceId is {device}, but ONNX Runtime could not use CUDA device {device} ({error.Message}). " +
        "Reference Microsoft.ML.OnnxRuntime.Gpu (with CUDA and cuDNN installed) instead of Microsoft.ML.OnnxRuntime, or set MLContext.FallbackToCpu to score on the CPU.",
        error);

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
