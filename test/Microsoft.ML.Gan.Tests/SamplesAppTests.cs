namespace Microsoft.ML.Gan.Tests;

/// <summary>The samples CLI, run as users run it (a separate process).</summary>
[Category(TestCategories.Slow)]
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
            Assert.That((grid.Width, grid.Height), Is.EqualTo((4 * (4 * 28 + 5 * 2), 4 * (4 * 28 + 5 * 2))), "16 samples, 4 x 4, enlarged 4 times by default");
        }

        string[] csv = File.ReadAllLines(Path.Combine(output, "losses.csv"));
        Assert.That(csv[0], Is.EqualTo("epoch,d_loss,g_loss,seconds,fid,kid"));
        Assert.That(csv.Skip(1).Select(l => l.Split(',')[0]), Is.EqualTo(new[] { "1", "2" }));
        Assert.That(csv.Skip(1).All(l => l.Split(',').Skip(1).All(v => double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out double x) && double.IsFinite(x))),
            "losses, seconds and (evaluated every epoch by default) FID and KID are numbers");

        foreach (string curve in new[] { "losses.png", "fid.png" })
        {
            using MLImage chart = MLImage.CreateFromFile(Path.Combine(output, curve));
            Assert.That((chart.Width, chart.Height), Is.EqualTo((global::Gan.Samples.Reporting.Chart.Width, global::Gan.Samples.Reporting.Chart.Height)), curve);
        }

        string html = File.ReadAllText(Path.Combine(output, "report.html"));
        string[] embedded = System.Text.RegularExpressions.Regex.Matches(html, "data:image/png;base64,([A-Za-z0-9+/=]+)").Select(m => m.Groups[1].Value).ToArray();
        Assert.That(embedded, Has.Length.EqualTo(1 + 2), "the last grid, one grid per epoch");
        Assert.That(System.Text.RegularExpressions.Regex.Matches(html, "<svg").Count, Is.EqualTo(2), "loss and FID curves, inline SVG");
        foreach (string image in embedded)
        {
            string path = Path.Combine(Scratch, "embedded.png");
            File.WriteAllBytes(path, Convert.FromBase64String(image));
            using MLImage decoded = MLImage.CreateFromFile(path);
            Assert.That(decoded.Width, Is.GreaterThan(0));
        }

        (int generateExit, string generateLog) = SamplesApp.Run("generate", "--model", Path.Combine(output, "mnist-gan.zip"), "--count", "16", "--output", Path.Combine(Scratch, "generated"));
        Assert.That(generateExit, Is.Zero, generateLog);
        Assert.That(File.Exists(Path.Combine(Scratch, "generated", "generated.png")));

        (int evaluateExit, string evaluateLog) = SamplesApp.Run("evaluate", "--model", Path.Combine(output, "mnist-gan.zip"), "--samples", "300",
            "--mnist-dir", RealMnist.Directory, "--output", Path.Combine(Scratch, "evaluated"));
        Assert.That(evaluateExit, Is.Zero, evaluateLog);
        GanEvaluationResult metrics = GanEvaluationResult.FromJson(File.ReadAllText(Path.Combine(Scratch, "evaluated", "metrics.json")));
        Assert.That(metrics.GeneratedCount, Is.EqualTo(300));
        Assert.That(metrics.Fid, Is.GreaterThan(metrics.FloorFid!.Value), "a two-epoch GAN on 640 images is farther from MNIST than MNIST train is");
        Assert.That(evaluateLog, Does.Contain("FID").And.Contain("class entropy"));
    }

    [Test]
    public void ManyEpochsLeaveTheGridsTheHistoryKeepsAndNoMore()
    {
        string output = Path.Combine(Scratch, "many");
        (int exitCode, string log) = SamplesApp.Run("train", "--epochs", "200", "--max-rows", "64", "--batch-size", "64", "--eval-every", "0",
            "--mnist-dir", RealMnist.Directory, "--output", output, "--log-level", "Warning");

        Assert.That(exitCode, Is.Zero, log);
        string[] grids = [.. Directory.GetFiles(Path.Combine(output, "samples")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        string[] kept = [.. Enumerable.Range(1, 200).Where(e => GanTrainingHistory.KeepsSamples(e, 200)).Select(e => $"epoch-{e:D3}.png").Order(StringComparer.Ordinal)];
        Assert.That(grids, Is.EqualTo(kept), "the even epochs before the last 16, and the last 16");
        Assert.That(File.ReadAllLines(Path.Combine(output, "losses.csv")), Has.Length.EqualTo(201), "every epoch's losses");
        long gridBytes = kept.Sum(name => new FileInfo(Path.Combine(output, "samples", name)).Length);
        Assert.That(new FileInfo(Path.Combine(output, "report.html")).Length, Is.LessThan((gridBytes * 1.4) + 300_000),
            "the report embeds the kept grids (base64: 4/3 of their bytes) and the last one once more, not all 200");
    }

    [Test]
    public void SemiSupervisedWritesPseudoLabelledMnistThatTheRecipeTrainsOn()
    {
        string output = Path.Combine(Scratch, "semi"), pseudo = Path.Combine(Scratch, "pseudo");
        (int exitCode, string log) = SamplesApp.Run("semi-supervised", "--max-steps", "40", "--mnist-dir", RealMnist.Directory, "--output", output,
            "--pseudo-labels", pseudo, "--pseudo-label-confidence", "0.6", "--self-training-epochs", "1");   // one student epoch: the default 20 take minutes

        Assert.That(exitCode, Is.Zero, log);
        Assert.That(File.Exists(Path.Combine(output, "classifier.zip")), log);
        Assert.That(log, Does.Match(@"Most frequent errors \(true → predicted\): (\d → \d: \d+(, |;)){5} errors per true class: 0: \d+, 1: \d+"), "where the errors are");
        using (MLImage errors = MLImage.CreateFromFile(Path.Combine(output, "errors.png")))
        {
            Assert.That((errors.Width, errors.Height), Is.EqualTo((2 * ((10 * 28) + (11 * 2)), 2 * ((10 * 28) + (11 * 2)))), "ten rows of ten 28-pixel digits, enlarged twice");
            Assert.That(errors.Pixels.ToArray(), Has.Some.GreaterThan(0), "misclassified digits drawn");
        }

        // labelled.png: the run's 100 labelled images (seed 1 of the 60,000 training images), ten a row, digit 0 on top.
        var ml = new MLContext(1);
        IDataView taught = ml.Gan().Data.KeepLabels(RealMnist.Load(ml, MnistSplit.Train), 10, seed: 1);
        uint[] keys = [.. taught.GetColumn<uint>("Label")];
        float[][] pixels = [.. taught.GetColumn<VBuffer<float>>("Pixels").Select(v => v.DenseValues().ToArray())];
        using (MLImage labelledGrid = MLImage.CreateFromFile(Path.Combine(output, "labelled.png")))
        {
            Assert.That((labelledGrid.Width, labelledGrid.Height), Is.EqualTo((2 * ((10 * 28) + (11 * 2)), 2 * ((10 * 28) + (11 * 2)))));
            for (int digit = 0; digit < 10; digit++)
            {
                float[][] ofDigit = [.. Enumerable.Range(0, keys.Length).Where(i => keys[i] == digit + 1).Select(i => pixels[i])];
                Assert.That(ofDigit, Has.Length.EqualTo(10));
                for (int k = 0; k < 10; k++)
                {
                    Assert.That(Ink(labelledGrid, digit, k), Is.EqualTo(ofDigit[k].Select(v => v > 0).ToArray()), $"digit {digit}, labelled image {k}: its strokes where the grid draws them");
                }
            }
        }

        (int scoreExit, string scoreLog) = SamplesApp.Run("semi-supervised", "--model", Path.Combine(output, "classifier.zip"), "--mnist-dir", RealMnist.Directory,
            "--output", Path.Combine(Scratch, "scored"));
        Assert.That(scoreExit, Is.Zero, scoreLog);
        string Line(string text, string pattern) => System.Text.RegularExpressions.Regex.Match(text, pattern).Value;
        Assert.That(Line(scoreLog, @"test accuracy [\d.]+ % \(\d+ errors of 10,000\)"), Is.EqualTo(Line(log, @"test accuracy [\d.]+ % \(\d+ errors of 10,000\)")).And.Not.Empty,
            "the saved zip, scored without training, as the run scored it");
        Assert.That(Line(scoreLog, "Most frequent errors.*"), Is.EqualTo(Line(log, "Most frequent errors.*")));
        Assert.That(File.ReadAllBytes(Path.Combine(Scratch, "scored", "errors.png")), Is.EqualTo(File.ReadAllBytes(Path.Combine(output, "errors.png"))));
        (int missingExit, string missingLog) = SamplesApp.Run("semi-supervised", "--model", Path.Combine(Scratch, "none.zip"), "--mnist-dir", RealMnist.Directory,
            "--output", Path.Combine(Scratch, "scored"));
        Assert.That(missingExit, Is.Not.Zero, missingLog);
        Assert.That(missingLog, Does.Contain("--model: no classifier zip at"));

        System.Text.RegularExpressions.Match written = System.Text.RegularExpressions.Regex.Match(log, @"Pseudo-labels: ([\d,]+) of 59,900 unlabelled images reached confidence 0\.6 .* ([\d,]+) rows written");
        Assert.That(written.Success, log);
        int kept = int.Parse(written.Groups[1].Value, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);
        int rows = int.Parse(written.Groups[2].Value, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(rows - kept, Is.EqualTo(100), "the 100 labelled images and the confident rest");
        Assert.That(kept, Is.InRange(1, 59_899), "a confidence that keeps some unlabelled images and leaves some out");

        IDataView labelled = ml.Gan().Data.LoadIdx(Path.Combine(pseudo, "train-images-idx3-ubyte"), Path.Combine(pseudo, "train-labels-idx1-ubyte"));
        Assert.That(labelled.GetRowCount(), Is.EqualTo(rows));
        Assert.That(labelled.GetColumn<uint>("Label").Distinct().Count(), Is.EqualTo(10), "every digit has rows");
        Assert.That(ml.Gan().Data.LoadIdx(Path.Combine(pseudo, "t10k-images-idx3-ubyte")).GetRowCount(), Is.EqualTo(10_000));

        (int trainExit, string trainLog) = SamplesApp.Run("train", "--synthetic-data-recipe", "--dcgan-width", "8", "--max-steps", "2", "--max-rows", "256",
            "--eval-every", "0", "--mnist-dir", pseudo, "--output", Path.Combine(Scratch, "generator"));
        Assert.That(trainExit, Is.Zero, trainLog);
    }

    [Test]
    public void TheSyntheticDataRecipeSetsItsOptionsAndExplicitOptionsWin()
    {
        string output = Path.Combine(Scratch, "recipe");
        (int exitCode, string log) = SamplesApp.Run("train", "--synthetic-data-recipe", "--dcgan-width", "8", "--max-steps", "3", "--max-rows", "256",
            "--eval-every", "0", "--mnist-dir", RealMnist.Directory, "--output", output);

        Assert.That(exitCode, Is.Zero, log);
        string html = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.That(html, Does.Contain("Dcgan width 8, conditional, loss NonSaturating, EMA 0.999, mode seeking 1, 1 epochs"),
            "the recipe's architecture, conditioning, EMA and mode seeking; the explicit width and step budget (3 steps of 4 per epoch: 1 epoch)");
        var ml = new MLContext();
        ITransformer model = ml.LoadModel(Path.Combine(output, "mnist-gan.zip"), out DataViewSchema input);
        Assert.That(input.GetColumnOrNull("Label"), Is.Not.Null, "a conditional model takes labels");
        (model as IDisposable)?.Dispose();
    }

    [Test]
    public void EvaluateWithAFilterScoresOnlyTheRowsAJudgeTrainedOnRealRowsKeeps()
    {
        // A conditional seed network after 4 epochs: most rows show their label, many do not.
        string output = Path.Combine(Scratch, "conditional");
        (int trainExit, string trainLog) = SamplesApp.Run("train", "--conditional", "--epochs", "4", "--eval-every", "0", "--mnist-dir", RealMnist.Directory,
            "--output", output, "--log-level", "Warning");
        Assert.That(trainExit, Is.Zero, trainLog);

        GanEvaluationResult Evaluate(string name, params string[] filter)
        {
            (int exitCode, string log) = SamplesApp.Run(["evaluate", "--model", Path.Combine(output, "mnist-gan.zip"), "--samples", "500", "--cas-samples", "0",
                "--mnist-dir", RealMnist.Directory, "--output", Path.Combine(Scratch, name), "--log-level", "Warning", .. filter]);
            Assert.That(exitCode, Is.Zero, log);
            Assert.That(log, filter.Length == 0 ? Does.Not.Contain("rows kept") : Does.Contain("(rows kept at confidence >= 0.2)"));
            return GanEvaluationResult.FromJson(File.ReadAllText(Path.Combine(Scratch, name, "metrics.json")));
        }

        GanEvaluationResult all = Evaluate("all");
        GanEvaluationResult kept = Evaluate("kept", "--filter-confidence", "0.2", "--filter-judge-rows", "3000");

        Assert.That(kept.GeneratedCount, Is.EqualTo(500), "as many rows, drawn again where the judge disagreed");
        Assert.That(kept.LabelAgreement!.Value, Is.GreaterThan(all.LabelAgreement!.Value + 0.05),
            $"label agreement {kept.LabelAgreement:P1} with the filter, {all.LabelAgreement:P1} without");
    }

    [Test]
    public void EvaluateRejectsAnIdxFileWithTheWrongMagicNumber()
    {
        string labels = TestFiles.WriteLabels(Path.Combine(Scratch, "labels-idx1-ubyte"), 1, 2, 3);
        (int exitCode, string log) = SamplesApp.Run("evaluate", "--idx", labels, "--mnist-dir", RealMnist.Directory, "--output", Scratch);
        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(log, Does.Contain("magic number").And.Contain(labels));
    }

    [Test]
    public void GenerateWithAMissingModelSaysWhatToDo()
    {
        (int exitCode, string log) = SamplesApp.Run("generate", "--model", Path.Combine(Scratch, "none.zip"), "--output", Scratch);
        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(log, Does.Contain("none.zip").And.Contain("run 'train' first"));
    }

    [Test]
    public void TheMklSwitchChangesTheKernelsOnOtherVendorsProcessorsAndTrainingStillLearns()
    {
        // The same seeded run with and without --mkl-intel-kernels (GanRuntime.UseMklIntelKernels): on an Intel processor
        // nothing changes; elsewhere MKL's Intel kernels round differently, so the losses part at some step.
        (string[] Losses, string Log) Train(string name, params string[] extra)
        {
            string output = Path.Combine(Scratch, name);
            (int exitCode, string log) = SamplesApp.Run(["train", "--max-steps", "60", "--max-rows", "640", "--eval-every", "0", "--threads", "1",
                "--mnist-dir", RealMnist.Directory, "--output", output, "--log-level", "Warning", .. extra]);
            Assert.That(exitCode, Is.Zero, log);
            return ([.. File.ReadAllLines(Path.Combine(output, "losses.csv")).Skip(1).Select(line => string.Join(',', line.Split(',')[..3]))], log);
        }

        (string[] plain, string plainLog) = Train("plain");
        (string[] switched, string log) = Train("switched", "--mkl-intel-kernels");

        Assert.That(plainLog, Does.Not.Contain("MKL kernels"), "off unless asked for");
        System.Text.RegularExpressions.Match said = System.Text.RegularExpressions.Regex.Match(log, @"MKL kernels on other vendors' processors: (\w+)");
        Assert.That(said.Success, log);
        MklKernelSwitch outcome = Enum.Parse<MklKernelSwitch>(said.Groups[1].Value);
        Assert.That(outcome, Is.EqualTo(MklKernelSwitch.Applied).Or.EqualTo(MklKernelSwitch.IntelProcessor), "x64 libtorch carries MKL, and the CLI asks before any TorchSharp operation");
        Assert.That(switched, Has.Length.EqualTo(plain.Length).And.Length.EqualTo(6), "60 steps of 10 per epoch");
        if (outcome == MklKernelSwitch.Applied)
        {
            Assert.That(switched, Is.Not.EqualTo(plain), "other kernels, other rounding");
        }
        else
        {
            Assert.That(switched, Is.EqualTo(plain), "an Intel processor runs those kernels already");
        }

        double[] Last(string[] rows) => [.. rows[^1].Split(',')[1..].Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture))];
        Assert.That(Last(switched), Is.EqualTo(Last(plain)).Within(0.25), "the same training, rounded differently: the last epoch's losses stay close");
    }

    /// <summary>
    /// Where a class grid (ten 28 × 28 images a row, 2-pixel gaps, enlarged twice) draws ink in the image at
    /// (<paramref name="row"/>, <paramref name="column"/>): one value per pixel of the image, read off its enlarged pixels.
    /// </summary>
    private static bool[] Ink(MLImage grid, int row, int column)
    {
        byte[] bytes = grid.Pixels.ToArray();
        int channels = grid.BitsPerPixel / 8;
        var ink = new bool[28 * 28];
        for (int y = 0; y < 28; y++)
        {
            for (int x = 0; x < 28; x++)
            {
                int gridX = 2 * (2 + (column * 30) + x), gridY = 2 * (2 + (row * 30) + y);
                ink[(y * 28) + x] = bytes[((gridY * grid.Width) + gridX) * channels] > 0;
            }
        }

        return ink;
    }
}
