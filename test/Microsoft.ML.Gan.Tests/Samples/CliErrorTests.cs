namespace Microsoft.ML.Gan.Tests.Samples;

/// <summary>The CLI on broken inputs: one "error:" line naming the file or option, exit code 1, no stack trace.</summary>
[Category(TestCategories.Slow)]
public sealed class CliErrorTests : ScratchDirectoryTest
{
    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    private static void AssertOneCleanError(int exitCode, string log, params string[] expected)
    {
        Assert.That(exitCode, Is.EqualTo(1), log);
        Assert.That(log, Does.StartWith("error: "), log);
        Assert.That(log, Does.Not.Contain("   at "), "no stack trace without --verbose");
        foreach (string part in expected)
        {
            Assert.That(log, Does.Contain(part));
        }
    }

    [TestCase("generate")]
    [TestCase("evaluate")]
    public void EmptyTruncatedAndRandomZipsAreNamedAsUnreadable(string command)
    {
        string empty = Path.Combine(Scratch, "empty.zip");
        File.WriteAllBytes(empty, []);
        string random = Path.Combine(Scratch, "random.zip");
        File.WriteAllBytes(random, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray());

        foreach (string model in new[] { empty, random })
        {
            string[] arguments = ["--model", model, "--output", Path.Combine(Scratch, "out")];
            (int exitCode, string log) = SamplesApp.Run([command, .. arguments, .. command == "evaluate" ? new[] { "--mnist-dir", RealMnist.Directory } : []]);
            AssertOneCleanError(exitCode, log, $"Model '{model}' is not a readable ML.NET model zip");
        }
    }

    [Test]
    public void EvaluationFilterErrorsNameTheOption()
    {
        string output = Path.Combine(Scratch, "weak");
        (int trainExit, string trainLog) = SamplesApp.Run("train", "--conditional", "--epochs", "1", "--max-rows", "640", "--eval-every", "0",
            "--mnist-dir", RealMnist.Directory, "--output", output);
        Assert.That(trainExit, Is.Zero, trainLog);
        string[] evaluate = ["evaluate", "--model", Path.Combine(output, "mnist-gan.zip"), "--samples", "100", "--cas-samples", "0", "--filter-judge-rows", "1000", "--log-level", "Warning",
            "--mnist-dir", RealMnist.Directory, "--output", Path.Combine(Scratch, "evaluated")];

        // Ten steps of a GAN on 640 images draw noise: a judge that learned digits is not 99 % sure of every label in it.
        (int exitCode, string log) = SamplesApp.Run([.. evaluate, "--filter-confidence", "0.99"]);
        AssertOneCleanError(exitCode, log, "reached the minimum confidence 0.99", "lower --filter-confidence", "raise --filter-max-candidates");

        (exitCode, log) = SamplesApp.Run([.. evaluate, "--filter-confidence", "0.5", "--filter-max-candidates", "0"]);
        AssertOneCleanError(exitCode, log, "--filter-max-candidates must be at least 1; got 0.");

        (exitCode, log) = SamplesApp.Run([.. evaluate, "--filter-confidence", "1.5"]);
        AssertOneCleanError(exitCode, log, "--filter-confidence needs --model (not --idx) and a value in (0, 1); got 1.5");

        // An unconditional model has no labels to confirm: said before the judge trains.
        string unconditional = Path.Combine(Scratch, "unconditional");
        (trainExit, trainLog) = SamplesApp.Run("train", "--epochs", "1", "--max-rows", "640", "--eval-every", "0", "--mnist-dir", RealMnist.Directory, "--output", unconditional);
        Assert.That(trainExit, Is.Zero, trainLog);
        evaluate[2] = Path.Combine(unconditional, "mnist-gan.zip");
        (exitCode, log) = SamplesApp.Run([.. evaluate, "--filter-confidence", "0.5"]);
        AssertOneCleanError(exitCode, log, "--filter-confidence keeps rows whose label a classifier confirms", "is not a conditional model");
        Assert.That(File.Exists(Path.Combine(Scratch, "evaluated", "metrics.json")), Is.False, "nothing written");
    }

    [Test]
    public void AnMlNetModelThatIsNotAGeneratorIsNamedWithItsInputs()
    {
        var ml = new MLContext(1);
        IDataView text = ml.Data.LoadFromEnumerable([new TextRow { Text = "a" }]);
        ITransformer model = ml.Transforms.Text.FeaturizeText("Features", "Text").Fit(text);
        string path = Path.Combine(Scratch, "text.zip");
        ml.Model.Save(model, text.Schema, path);

        (int exitCode, string log) = SamplesApp.Run("generate", "--model", path, "--output", Path.Combine(Scratch, "out"));

        AssertOneCleanError(exitCode, log, "not a Microsoft.ML.Gan generator", "Text (String)");
    }

    [Test]
    public void OutputsThatCannotBeWrittenAreRefusedBeforeTraining()
    {
        string file = Path.Combine(Scratch, "a-file");
        File.WriteAllText(file, "");

        (int exitCode, string log) = SamplesApp.Run("train", "--output", file, "--mnist-dir", RealMnist.Directory);
        (int checkpointExit, string checkpointLog) = SamplesApp.Run("train", "--output", Path.Combine(Scratch, "out"), "--checkpoint-dir", file, "--mnist-dir", RealMnist.Directory);

        AssertOneCleanError(exitCode, log, "--output", "is an existing file");
        AssertOneCleanError(checkpointExit, checkpointLog, "--checkpoint-dir", "is an existing file");
        Assert.That(checkpointLog, Does.Not.Contain("Epoch"), "nothing was trained");
    }

    [Test]
    public void AnOutputThatIsTheInputIsRefusedAndTheInputKept()
    {
        string weights = Path.Combine(Scratch, "g.pt");
        File.WriteAllBytes(weights, [1, 2, 3]);
        string link = Path.Combine(Scratch, "link.pt");
        File.CreateSymbolicLink(link, weights);
        string model = Path.Combine(Scratch, "m.zip");
        File.WriteAllBytes(model, [4, 5, 6]);

        (int importExit, string importLog) = SamplesApp.Run("import", "--pytorch-generator", weights, "-o", link);
        (int exportExit, string exportLog) = SamplesApp.Run("export", "-m", model, "--pytorch-generator", model);
        (int pseudoExit, string pseudoLog) = SamplesApp.Run("semi-supervised", "--mnist-dir", RealMnist.Directory, "--pseudo-labels", RealMnist.Directory + "/", "--max-steps", "1",
            "--output", Path.Combine(Scratch, "semi"));

        AssertOneCleanError(importExit, importLog, "--output", "is the --pytorch-generator it reads");
        AssertOneCleanError(exportExit, exportLog, "--pytorch-generator", "is the --model it reads");
        AssertOneCleanError(pseudoExit, pseudoLog, "--pseudo-labels", "is the --mnist-dir it reads");
        Assert.That((File.ReadAllBytes(weights), File.ReadAllBytes(model)), Is.EqualTo((new byte[] { 1, 2, 3 }, new byte[] { 4, 5, 6 })), "both inputs as they were");
    }

    [Test]
    public void ASizeTheArchitectureWouldIgnoreIsRefusedNamingBothOptions()
    {
        (int exitCode, string log) = SamplesApp.Run("train", "--architecture", "Dcgan", "--hidden-size", "64", "--mnist-dir", RealMnist.Directory,
            "--output", Path.Combine(Scratch, "out"));

        AssertOneCleanError(exitCode, log, "--hidden-size (64) applies to the Mlp architecture only", "--architecture is Dcgan");
        Assert.That(log, Does.Contain("--dcgan-width"), "says which option sizes a Dcgan");
        Assert.That(log, Does.Not.Contain("Epoch"), "nothing was trained");
    }

    /// <summary>A small model trained with Normal latent vectors, saved to the scratch directory.</summary>
    private string SaveNormalModel(string name, out GanTransformer gan, int seed = 1)
    {
        var ml = new MLContext(1);
        GanOptions options = SyntheticImages.FastOptions(seed);
        options.LatentDistribution = LatentDistribution.Normal;
        gan = ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml, 32));
        string path = Path.Combine(Scratch, name);
        gan.Save(path);
        return path;
    }

    [TestCase("generate")]
    [TestCase("evaluate")]
    public void ALatentDistributionThatDisagreesWithTheModelIsNamedWithBoth(string command)
    {
        string model = SaveNormalModel("normal.zip", out GanTransformer gan);
        gan.Dispose();

        string[] arguments = [command, "--model", model, "--latent-distribution", "Uniform", "--output", Path.Combine(Scratch, "out")];
        (int exitCode, string log) = SamplesApp.Run([.. arguments, .. command == "evaluate" ? new[] { "--mnist-dir", RealMnist.Directory } : []]);

        AssertOneCleanError(exitCode, log, "--latent-distribution Uniform disagrees", model, "trained with Normal", "leave the option out");
    }

    [Test]
    public void AnEarlierZipNeedsTheLatentDistributionAndSaysSo()
    {
        string model = SaveNormalModel("earlier.zip", out GanTransformer gan);
        using (gan)
        using (var zip = System.IO.Compression.ZipFile.Open(model, System.IO.Compression.ZipArchiveMode.Update))
        {
            zip.GetEntry("Gan/generator.onnx")!.Delete();
            zip.GetEntry("Gan/history.json")!.Delete();
        }

        (int exitCode, string log) = SamplesApp.Run("generate", "--model", model, "--output", Path.Combine(Scratch, "out"));

        AssertOneCleanError(exitCode, log, $"Model '{model}' does not record its latent distribution", "pass --latent-distribution", "earlier Microsoft.ML.Gan");
    }

    [Test]
    public void ADamagedZipIsNamedAsDamagedNotAsAnEarlierFormat()
    {
        string model = SaveNormalModel("damaged.zip", out GanTransformer gan);
        gan.Dispose();
        string other = SaveNormalModel("other.zip", out GanTransformer second, seed: 2);
        second.Dispose();
        using (var zip = System.IO.Compression.ZipFile.Open(model, System.IO.Compression.ZipArchiveMode.Update))
        using (var otherZip = System.IO.Compression.ZipFile.OpenRead(other))
        {
            zip.GetEntry("Gan/generator.onnx")!.Delete();
            using Stream source = otherZip.GetEntry("Gan/generator.onnx")!.Open();
            using Stream target = zip.CreateEntry("Gan/generator.onnx").Open();
            source.CopyTo(target);
        }

        (int exitCode, string log) = SamplesApp.Run("generate", "--model", model, "--output", Path.Combine(Scratch, "out"));

        AssertOneCleanError(exitCode, log, $"Model '{model}' holds two generators that disagree");
        Assert.That(log, Does.Not.Contain("--latent-distribution"), "not mistaken for a zip of the earlier format");
    }

    [Test]
    public void ATrainingBudgetErrorNamesTheCliOption()
    {
        (int exitCode, string log) = SamplesApp.Run("train", "--epochs", "0", "--output", Path.Combine(Scratch, "out"), "--mnist-dir", RealMnist.Directory);

        AssertOneCleanError(exitCode, log, "error: --epochs must be at least 1; got 0.");
        Assert.That(log, Does.Not.Contain("TrainingBudget"));
    }

    [TestCase("table")]
    [TestCase("table-study")]
    public void TheResidualDecoderWithoutTvaeIsRefusedNamingBothOptions(string command)
    {
        string csv = Path.Combine(Scratch, "rows.csv");
        File.WriteAllText(csv, "a,b\n1,x\n2,y\n");
        string[] data = command == "table" ? ["--csv", csv] : ["--train", csv, "--test", csv];
        (int exitCode, string log) = SamplesApp.Run([command, .. data, "--tvae-residual-decoder", "--output", Path.Combine(Scratch, "out")]);

        AssertOneCleanError(exitCode, log, "--tvae-residual-decoder needs --tvae");
    }

    [Test]
    public void VerbosePrintsTheStackTrace()
    {
        string empty = Path.Combine(Scratch, "empty.zip");
        File.WriteAllBytes(empty, []);
        (int exitCode, string log) = SamplesApp.Run("generate", "--model", empty, "--output", Path.Combine(Scratch, "out"), "--verbose");
        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(log, Does.Contain("   at "));
    }

    [TestCase("train", "gpu")]
    [TestCase("train", "cuda:x")]
    [TestCase("generate", "cuda:-1")]
    public void ADeviceThatIsNotCpuOrCudaIsAParseErrorNamingTheOption(string command, string device)
    {
        (int exitCode, string log) = SamplesApp.Run(command, "--device", device, "--output", Path.Combine(Scratch, "out"));
        Assert.That(exitCode, Is.Not.Zero, log);
        Assert.That(log, Does.Contain("--device must be cpu, cuda or cuda:N").And.Contain($"'{device}'"));
    }

    [Test]
    public void TrainingOnCudaWithoutACudaBackendSaysWhichPackagesToUse()
    {
        (int exitCode, string log) = SamplesApp.Run("train", "--device", "cuda:0", "--mnist-dir", RealMnist.Directory, "--output", Path.Combine(Scratch, "out"));
        if (TorchSharp.torch.cuda.is_available())
        {
            Assert.Ignore("This machine has CUDA.");
        }

        AssertOneCleanError(exitCode, log, "--device cuda:0", "TorchSharp-cuda-linux");
    }

    [Test]
    public void GeneratingOnCudaWithTheCpuOnnxRuntimeNamesTheOptionNotTheMissingEntryPoint()
    {
        string model = SyntheticImages.SavedGenerator(Path.Combine(Scratch, "gan.zip"));

        (int exitCode, string log) = SamplesApp.Run("generate", "--model", model, "--device", "cuda", "--output", Path.Combine(Scratch, "out"));
        if (exitCode == 0)
        {
            Assert.Ignore("ONNX Runtime has a CUDA provider here.");
        }

        AssertOneCleanError(exitCode, log, "--device cuda:0: ONNX Runtime cannot run on CUDA here", "use --device cpu");
        Assert.That(log, Does.Not.Contain("EntryPointNotFoundException"));
    }
}
