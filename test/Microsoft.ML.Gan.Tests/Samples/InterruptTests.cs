using System.Diagnostics;

namespace Microsoft.ML.Gan.Tests.Samples;

/// <summary>
/// Ctrl+C (SIGINT) or SIGTERM during <c>train</c>: a checkpoint at the step, exit code 130, and an exact resume; during
/// <c>generate</c>: a prompt stop with no file left.
/// </summary>
[Category(TestCategories.Slow)]
public sealed class InterruptTests : ScratchDirectoryTest
{
    private string[] Train(string output, params string[] extra) =>
        ["train", "--epochs", "12", "--max-rows", "6400", "--eval-every", "0", "--mnist-dir", RealMnist.Directory, "--output", output, .. extra];

    [TestCase("INT")]
    [TestCase("TERM")]
    public void StoppedMidEpochThenResumedGivesTheUninterruptedModel(string signal)
    {
        if (signal == "INT" && SigintIsIgnored())
        {
            Assert.Ignore("SIGINT is ignored in this test process (a background job inherits that), and .NET keeps an inherited ignore, " +
                          "so no Ctrl+C can reach the CLI started from here; SIGTERM is tested either way.");
        }

        string checkpoints = Path.Combine(Scratch, "checkpoints");
        (int exitCode, string log) = RunAndSignal(Train(Path.Combine(Scratch, "interrupted"), "--checkpoint-dir", checkpoints), signal, TimeSpan.FromSeconds(3));

        Assert.That(exitCode, Is.EqualTo(130), log);
        Assert.That(log, Does.Match(@"Training cancelled at epoch \d+, step \d+ of 100; checkpoint '.*checkpoint-epoch-\d{4}\.step-\d{6}\.gan' written"));
        Assert.That(log, Does.Not.Contain("   at "));

        (int resumeExit, string resumeLog) = SamplesApp.Run(Train(Path.Combine(Scratch, "interrupted"), "--checkpoint-dir", checkpoints, "--resume"));
        Assert.That(resumeExit, Is.Zero, resumeLog);
        (int straightExit, string straightLog) = SamplesApp.Run(Train(Path.Combine(Scratch, "straight")));
        Assert.That(straightExit, Is.Zero, straightLog);

        Assert.That(Generated("interrupted"), Is.EqualTo(Generated("straight")), "the same weights give the same images");
    }

    /// <summary>The article's GAN after 1 epoch on 640 MNIST rows, trained by the CLI: its model zip.</summary>
    private string SmallModel()
    {
        string output = Path.Combine(Scratch, "small");
        (int exitCode, string log) = SamplesApp.Run("train", "--epochs", "1", "--max-rows", "640", "--eval-every", "0", "--mnist-dir", RealMnist.Directory, "--output", output);
        Assert.That(exitCode, Is.Zero, log);
        return Path.Combine(output, "mnist-gan.zip");
    }

    [Test]
    public void GenerateStopsOnSigtermAndLeavesNoFile()
    {
        string model = SmallModel();
        string output = Path.Combine(Scratch, "generated");
        var clock = Stopwatch.StartNew();

        // Three million images (2.35 GB of IDX) take far longer than the 3 s before the signal.
        (int exitCode, string log) = RunAndSignal(["generate", "--model", model, "-n", "3000000", "--output", output],
            "TERM", TimeSpan.FromSeconds(3), startedText: null);

        Assert.That(exitCode, Is.EqualTo(130), log);
        Assert.That(log, Does.Contain("Cancelled."));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "stopped at once rather than after writing everything");
        Assert.That(Directory.GetFiles(output).Select(Path.GetFileName), Has.None.Contains("idx3").And.None.EndsWith(".tmp"), "no IDX file, no temporary");
    }

    [Test]
    public void EvaluateStopsOnSigtermAndWritesNoMetrics()
    {
        string model = SmallModel();
        string output = Path.Combine(Scratch, "evaluated");
        var clock = Stopwatch.StartNew();

        // 10,000 samples and the CNN score take far longer than the 4 s before the signal.
        (int exitCode, string log) = RunAndSignal(["evaluate", "--model", model, "--samples", "10000", "--cas-samples", "10000",
            "--cnn-cas-epochs", "20", "--mnist-dir", RealMnist.Directory, "--output", output], "TERM", TimeSpan.FromSeconds(4), startedText: null);

        Assert.That(exitCode, Is.EqualTo(130), log);
        Assert.That(log, Does.Contain("Cancelled.").And.Not.Contain("   at "));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "stopped at once rather than after every stage");
        Assert.That(Directory.Exists(output) ? Directory.GetFiles(output) : [], Is.Empty, "no metrics.json, no temporary");
    }

    private byte[] Generated(string run)
    {
        string output = Path.Combine(Scratch, run, "generated");
        (int exitCode, string log) = SamplesApp.Run("generate", "--model", Path.Combine(Scratch, run, "mnist-gan.zip"), "-n", "256", "--output", output);
        Assert.That(exitCode, Is.Zero, log);
        return File.ReadAllBytes(Path.Combine(output, "generated-images-idx3-ubyte"));
    }

    /// <summary>Whether SIGINT (signal 2) is in this process's ignored set, which child processes inherit.</summary>
    private static bool SigintIsIgnored()
    {
        string? mask = File.Exists("/proc/self/status")
            ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal))?["SigIgn:".Length..].Trim()
            : null;
        return mask is not null && (Convert.ToUInt64(mask, 16) & (1UL << 1)) != 0;
    }

    /// <summary>Starts the CLI, sends SIG<paramref name="signal"/> <paramref name="after"/> training started, and waits for it to end.</summary>
    /// <remarks>With <paramref name="startedText"/> null, <paramref name="after"/> counts from the process start.</remarks>
    private static (int ExitCode, string Output) RunAndSignal(string[] arguments, string signal, TimeSpan after, string? startedText = "Training on")
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gan-samples.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        using var started = new ManualResetEventSlim();
        void Collect(object _, DataReceivedEventArgs e)
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (startedText is not null && e.Data?.Contains(startedText, StringComparison.Ordinal) == true)
            {
                started.Set();
            }
        }

        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (startedText is null)
        {
            started.Set();
        }

        Assert.That(started.Wait(TimeSpan.FromMinutes(2)), Is.True, "training started");
        Thread.Sleep(after);
        using (Process kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(2)), Is.True, $"the process ends after SIG{signal}");
        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }
}
