using Microsoft.ML.Gan.Onnx;

namespace Microsoft.ML.Gan.Tests.Onnx;

/// <summary>The scoring model's temporary file: gone after dispose, after the finaliser, and when its process died.</summary>
[Category(TestCategories.Fast)]
public sealed class TemporaryModelFileTests
{
    [Test]
    public void DisposeAndTheFinaliserDeleteTheFile()
    {
        var file = new TemporaryModelFile([1, 2, 3]);
        Assert.That(File.ReadAllBytes(file.Path), Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(Path.GetFileName(file.Path), Does.StartWith($"microsoft-ml-gan-{Environment.ProcessId}-"));
        file.Dispose();
        Assert.That(File.Exists(file.Path), Is.False);

        string abandoned = Abandon();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.That(File.Exists(abandoned), Is.False, "the finaliser deletes an undisposed file");
    }

    private static string Abandon() => new TemporaryModelFile([4]).Path;

    [Test]
    public void FilesOfProcessesThatNoLongerRunAreRemovedWhenTheNextIsCreated()
    {
        // PID 2^22 + 1 is above Linux's pid_max default: no such process.
        string dead = Path.Combine(Path.GetTempPath(), $"microsoft-ml-gan-4194305-{Guid.NewGuid():N}.onnx");
        string alive = Path.Combine(Path.GetTempPath(), $"microsoft-ml-gan-{Environment.ProcessId}-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(dead, [0]);
        File.WriteAllBytes(alive, [0]);
        try
        {
            using var file = new TemporaryModelFile([1]);
            Assert.That(File.Exists(dead), Is.False);
            Assert.That(File.Exists(alive), Is.True, "this process still runs");
        }
        finally
        {
            File.Delete(dead);
            File.Delete(alive);
        }
    }
}
