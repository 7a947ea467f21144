namespace Microsoft.ML.Gan.Tests;

/// <summary>The samples CLI, run as users run it (a separate process).</summary>
public sealed class SamplesAppTests : ScratchDirectoryTest
{
    [Test]
    public void TrainWritesTheModelTheEpochGridsAndTheLossCsv()
    {
        string output = Path.Combine(Scratch, "train");
        (int exitCode, string log) = SamplesApp.Run("train", "--epochs", "2", "--max-rows", "640", "--mnist-dir", RealMnist.Directory, "--output", output);

        Assert.That(exitCode, Is.Zero, log);
        Assert.That(File.Exists(Path.Combine(output, "mnist-gan.zip")), log);
        string[] grids = Directory.GetFiles(Path.Combine(output, "samples")).Select(Path.GetFileName).Order().ToArray()!;
        Assert.That(grids, Is.EqualTo(new[] { "epoch-001.png", "epoch-002.png" }));
        using (MLImage grid = MLImage.CreateFromFile(Path.Combine(output, "samples", "epoch-002.png")))
        {
            Assert.That((grid.Width, grid.Height), Is.EqualTo((4 * 28 + 5 * 2, 4 * 28 + 5 * 2)), "16 samples, 4 x 4");
        }

        string[] csv = File.ReadAllLines(Path.Combine(output, "losses.csv"));
        Assert.That(csv[0], Is.EqualTo("epoch,d_loss,g_loss,seconds"));
        Assert.That(csv.Skip(1).Select(l => l.Split(',')[0]), Is.EqualTo(new[] { "1", "2" }));
        Assert.That(csv.Skip(1).All(l => l.Split(',').Skip(1).All(v => double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out double x) && double.IsFinite(x))));

        (int generateExit, string generateLog) = SamplesApp.Run("generate", "--model", Path.Combine(output, "mnist-gan.zip"), "--count", "16", "--output", Path.Combine(Scratch, "generated"));
        Assert.That(generateExit, Is.Zero, generateLog);
        Assert.That(File.Exists(Path.Combine(Scratch, "generated", "generated.png")));
    }

    [Test]
    public void GenerateWithAMissingModelSaysWhatToDo()
    {
        (int exitCode, string log) = SamplesApp.Run("generate", "--model", Path.Combine(Scratch, "none.zip"), "--output", Scratch);
        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(log, Does.Contain("none.zip").And.Contain("run 'train' first"));
    }
}
