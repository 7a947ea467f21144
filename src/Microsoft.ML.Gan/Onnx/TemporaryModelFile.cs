namespace Microsoft.ML.Gan.Onnx;

/// <summary>
/// An ONNX model written to a temporary file for as long as a transformer uses it. ML.NET's
/// <c>OnnxOptions</c> (the only way to set ONNX Runtime's thread counts) takes a path, not bytes, and
/// OnnxTransformer re-reads that file when the model is saved, so it must outlive the transformer's use.
/// Deleted on <see cref="Dispose"/>, or when the process exits.
/// </summary>
internal sealed class TemporaryModelFile : IDisposable
{
    public TemporaryModelFile(byte[] model)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"microsoft-ml-gan-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(Path, model);
        AppDomain.CurrentDomain.ProcessExit += DeleteOnExit;
    }

    public string Path { get; }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= DeleteOnExit;
        File.Delete(Path);
    }

    private void DeleteOnExit(object? sender, EventArgs e) => File.Delete(Path);
}
