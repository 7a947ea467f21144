using Microsoft.ML.Gan.IO;
using Microsoft.ML.Gan.Onnx;

namespace Microsoft.ML.Gan.Tests.Onnx;

/// <summary>The scoring model's temporary file: gone after dispose and after the finaliser (<see cref="ProcessTempFolder"/> removes it when its process died).</summary>
[Category(TestCategories.Fast)]
public sealed class TemporaryModelFileTests
{
    [Test]
    public void DisposeAndTheFinaliserDeleteTheFile()
    {
        var file = new TemporaryModelFile([1, 2, 3]);
        Assert.That(File.ReadAllBytes(file.Path), Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(Path.GetDirectoryName(file.Path), Is.EqualTo(ProcessTempFolder.Path), "in the process's own folder");
        file.Dispose();
        Assert.That(File.Exists(file.Path), Is.False);

        string abandoned = Abandon();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.That(File.Exists(abandoned), Is.False, "the finaliser deletes an undisposed file");
    }

    private static string Abandon() => new TemporaryModelFile([4]).Path;
}
