using System.Diagnostics;
using Microsoft.ML.Gan.IO;

namespace Microsoft.ML.Gan.Tests.IO;

/// <summary>
/// Temporary files of the library and of ML.NET working for it live in one folder per process, which goes when the
/// process ends, or when the next process starts if it was killed.
/// </summary>
public sealed class ProcessTempFolderTests : ScratchDirectoryTest
{
    [Category(TestCategories.Fast)]
    [Test]
    public void TheCatalogSendsMlNetsTemporaryFilesToTheProcessFolderUnlessTheUserChoseOne()
    {
        var ml = new MLContext(1);
        Assert.That(ml.TempFilePath, Is.EqualTo(Path.GetTempPath()), "ML.NET's default");

        _ = ml.Gan();

        Assert.That(ml.TempFilePath, Is.EqualTo(ProcessTempFolder.Path));
        Assert.That(Path.GetFileName(ProcessTempFolder.Path), Does.StartWith($"microsoft-ml-gan-{Environment.ProcessId}-"));
        Assert.That(Directory.Exists(ProcessTempFolder.Path));

        var chosen = new MLContext(1) { TempFilePath = Scratch };
        _ = chosen.Gan();
        Assert.That(chosen.TempFilePath, Is.EqualTo(Scratch), "a folder the user chose is kept");
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void AStockLoadOfAGeneratorZipWritesItsOnnxFileIntoTheProcessFolder()
    {
        string zip = SyntheticImages.SavedGenerator(Path.Combine(Scratch, "gan.zip"));
        var ml = new MLContext(1);
        _ = ml.Gan();   // a context that has met the library, as any that trained or loaded a GAN with it

        string[] before = Directory.GetFileSystemEntries(ProcessTempFolder.Path);
        string[] systemBefore = Directory.GetFileSystemEntries(Path.GetTempPath());
        ITransformer loaded = ml.LoadModel(zip, out _);   // not disposed, as users often do

        Assert.That(Directory.GetFileSystemEntries(ProcessTempFolder.Path).Except(before), Is.Not.Empty, "ML.NET's ONNX transformer keeps its model file here");
        Assert.That(Directory.GetFileSystemEntries(Path.GetTempPath()).Except(systemBefore), Is.Empty, "nothing new in the system's temporary folder");
        GC.KeepAlive(loaded);
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void LeftoversOfProcessesThatNoLongerRunAreRemoved()
    {
        // PID 2^22 + 1 is above Linux's pid_max default: no such process.
        string deadFolder = Path.Combine(Scratch, $"microsoft-ml-gan-4194305-{Guid.NewGuid():N}");
        string deadFile = Path.Combine(Scratch, $"microsoft-ml-gan-4194305-{Guid.NewGuid():N}.onnx");
        string alive = Path.Combine(Scratch, $"microsoft-ml-gan-{Environment.ProcessId}-{Guid.NewGuid():N}");
        string other = Path.Combine(Scratch, "ml_dotnet_someone-else");
        Directory.CreateDirectory(Path.Combine(deadFolder, "ml_dotnet_abc"));
        File.WriteAllBytes(Path.Combine(deadFolder, "ml_dotnet_abc", "model.onnx"), [0]);
        File.WriteAllBytes(deadFile, [0]);
        Directory.CreateDirectory(alive);
        Directory.CreateDirectory(other);

        int removed = ProcessTempFolder.RemoveLeftoversOfDeadProcesses(Scratch);

        Assert.That(removed, Is.EqualTo(2));
        Assert.That(Directory.GetFileSystemEntries(Scratch).Order(), Is.EqualTo(new[] { alive, other }.Order()), "this process's folder and what is not ours stay");
    }

    [Category(TestCategories.Slow)]
    [Test]
    public void AKilledProcessesFolderGoesWithTheNextProcessAndANormalExitLeavesNothing()
    {
        string temp = Path.Combine(Scratch, "tmp");
        Directory.CreateDirectory(temp);
        string zip = SyntheticImages.SavedGenerator(Path.Combine(Scratch, "gan.zip"));

        // A training that would run for hours, killed without a chance to clean up: its folder stays.
        using (Process killed = StartCli(temp, "train", "--max-rows", "640", "--epochs", "100000", "--eval-every", "0", "--log-level", "Warning",
            "--mnist-dir", RealMnist.Directory, "--output", Path.Combine(Scratch, "killed")))
        {
            Assert.That(SpinWait.SpinUntil(() => Directory.GetDirectories(temp, "microsoft-ml-gan-*").Length == 1, TimeSpan.FromMinutes(1)), "the process made its folder");
            Thread.Sleep(TimeSpan.FromSeconds(2));
            Assert.That(killed.HasExited, Is.False, "still training when killed");
            killed.Kill();
            killed.WaitForExit();
        }

        Assert.That(Entries(temp), Is.Not.Empty, "SIGKILL leaves the folder");

        using (Process next = StartCli(temp, "generate", "--model", zip, "-n", "16", "--output", Path.Combine(Scratch, "next")))
        {
            Assert.That(next.WaitForExit(TimeSpan.FromMinutes(2)), "generate ends");
            Assert.That(next.ExitCode, Is.Zero, next.StandardError.ReadToEnd());
        }

        Assert.That(Entries(temp), Is.Empty, "the next process removed the dead one's folder, and its own at exit");
    }

    /// <summary>What is in <paramref name="folder"/>, without hidden files (the machine's tools write some into TMPDIR).</summary>
    private static string[] Entries(string folder) => [.. Directory.GetFileSystemEntries(folder).Where(entry => !Path.GetFileName(entry).StartsWith('.'))];

    private static Process StartCli(string temp, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = false,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["TMPDIR"] = temp;
        start.Environment["DOTNET_EnableDiagnostics"] = "0";   // no debugger pipes in TMPDIR: only what the library and ML.NET write
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gan-samples.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }
}
