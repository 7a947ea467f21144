using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Transforms.Onnx;

namespace Microsoft.ML.Gan.Tests;

/// <summary>
/// <c>mlContext.Model.Load</c> as an app with only stock ML.NET should call it (README, "A rare failure of Model.Load"): ML.NET
/// writes the zip's ONNX graph to a file with a random three-letter extension, and ONNX Runtime reads a name ending in
/// <c>.ort</c> as its own format, so without the session entry below about 1 load in 32,768 fails (it failed a CI run once).
/// Stock API only, so the tests load as such an app does; the library's <c>ReadOnnxFilesAsOnnx</c> is tested on its own.
/// </summary>
internal static class StockLoad
{
    public static ITransformer LoadModel(this MLContext ml, string path, out DataViewSchema inputSchema)
    {
        ml.SetOnnxSessionOption(new OnnxSessionOptions { CreateSessionOptions = OnnxFormat });
        return ml.Model.Load(path, out inputSchema);
    }

    public static ITransformer LoadModel(this MLContext ml, Stream stream, out DataViewSchema inputSchema)
    {
        ml.SetOnnxSessionOption(new OnnxSessionOptions { CreateSessionOptions = OnnxFormat });
        return ml.Model.Load(stream, out inputSchema);
    }

    public static SessionOptions OnnxFormat()
    {
        var options = new SessionOptions();
        options.AddSessionConfigEntry("session.load_model_format", "ONNX");
        return options;
    }
}
