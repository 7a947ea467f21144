using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Transforms.Onnx;

namespace Microsoft.ML.Gan.Onnx;

/// <summary>
/// ONNX Runtime session options that read every model file as ONNX, whatever its name. ML.NET's <c>mlContext.Model.Load</c>
/// writes a zip's ONNX graph to a temporary file named by <c>Path.GetRandomFileName()</c> (eight letters, a dot and a random
/// three-letter extension), and ONNX Runtime reads a file whose extension is <c>.ort</c> as its own ORT format, so about
/// 1 load in 32,768 fails with "ORT model verification failed" (dotnet/machinelearning #7339). ONNX Runtime's
/// <c>session.load_model_format</c> entry overrides the guess from the name.
/// </summary>
internal static class OnnxFormatSessions
{
    /// <summary>ONNX Runtime's session configuration key that fixes the model format instead of guessing it from the file name.</summary>
    public const string LoadModelFormatKey = "session.load_model_format";

    /// <summary>
    /// Sets <paramref name="context"/>'s ONNX session options so every session reads ONNX format. What the context already set
    /// is kept: its own <see cref="OnnxSessionOptions.CreateSessionOptions"/> if it has one, else its properties.
    /// </summary>
    public static void Apply(MLContext context)
    {
        OnnxSessionOptions options = context.GetOnnxSessionOption() ?? new OnnxSessionOptions();
        if (options.CreateSessionOptions?.Target is Marker)
        {
            return;
        }

        OnnxSessionOptions.CreateOnnxSessionOptions? previous = options.CreateSessionOptions;
        var marker = new Marker(() =>
        {
            SessionOptions session = previous?.Invoke() ?? FromProperties(options);
            session.AddSessionConfigEntry(LoadModelFormatKey, "ONNX");
            return session;
        });
        options.CreateSessionOptions = marker.Create;
        context.SetOnnxSessionOption(options);
    }

    /// <summary>What ML.NET's OnnxSessionOptions.CopyTo sets (internal there), on a new SessionOptions.</summary>
    private static SessionOptions FromProperties(OnnxSessionOptions options)
    {
        var session = new SessionOptions
        {
            EnableMemoryPattern = options.EnableMemoryPattern,
            ProfileOutputPathPrefix = options.ProfileOutputPathPrefix,
            EnableProfiling = options.EnableProfiling,
            OptimizedModelFilePath = options.OptimizedModelFilePath,
            EnableCpuMemArena = options.EnableCpuMemArena,
            LogId = options.LogId,
            LogSeverityLevel = options.LogSeverityLevel,
            LogVerbosityLevel = options.LogVerbosityLevel,
            InterOpNumThreads = options.InterOpNumThreads,
            IntraOpNumThreads = options.IntraOpNumThreads,
            GraphOptimizationLevel = options.GraphOptimizationLevel,
            ExecutionMode = options.ExecutionMode,
        };
        if (!options.PerSessionThreads)
        {
            session.DisablePerSessionThreads();
        }

        return session;
    }

    /// <summary>Holds the delegate, so a second <see cref="Apply"/> on the same context sees it is done.</summary>
    private sealed class Marker(Func<SessionOptions> create)
    {
        public SessionOptions Create() => create();
    }
}
