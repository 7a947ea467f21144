using System.Collections;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.ML.Gan.Networks;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.PyTorch;

/// <summary>
/// Generator weights in and out of PyTorch. The round trips run real PyTorch (bench/pytorch/state_dict_roundtrip.py with the
/// classes of gan_reference.py) when a python3 with torch is installed, and are ignored, saying so, when not; the error
/// cases need only TorchSharp.PyBridge.
/// </summary>
public sealed class PyTorchGeneratorTests : ScratchDirectoryTest
{
    private const int Count = 16;
    private const int LatentSize = 100;

    [Category(TestCategories.Slow)]
    [TestCase("mlp", GanArchitecture.Mlp, ".pt")]
    [TestCase("mlp", GanArchitecture.Mlp, ".safetensors")]
    [TestCase("dcgan", GanArchitecture.Dcgan, ".pt")]
    public void PyTorchGeneratorImportsAndExportsWithTheSameImages(string pythonArchitecture, GanArchitecture architecture, string exportExtension)
    {
        string python = PythonWithTorch.Path ?? IgnoreWithoutTorch();
        string[] sizes = architecture == GanArchitecture.Dcgan ? ["--width", "8"] : ["--hidden-size", "32"];
        Python(python, ["make", "--architecture", pythonArchitecture, "--dir", Scratch, "--count", $"{Count}", .. sizes]);
        float[] latents = ReadFloats("latents.f32");
        float[] pytorchImages = ReadFloats("images.f32");

        var ml = new MLContext(1);
        using GanTransformer imported = ml.Gan().ImportPyTorchGenerator(Path.Combine(Scratch, "G.pt"), new PyTorchGeneratorOptions { Architecture = architecture });
        Assert.That((imported.LatentDimension, imported.ImageShape), Is.EqualTo((LatentSize, new ImageShape(1, 28, 28))), "sizes read from the weights");
        string zip = Path.Combine(Scratch, "model.zip");
        imported.Save(zip);

        // The same latent vectors: the imported transformer, the zip through our loader and through stock ML.NET all match PyTorch.
        IDataView latentRows = ml.Data.LoadFromEnumerable(Enumerable.Range(0, Count).Select(i => new LatentRow { Latent = latents[(i * LatentSize)..((i + 1) * LatentSize)] }));
        float[] expected = [.. pytorchImages.Select(v => (v + 1) / 2)];   // tanh output as [0, 1] pixels
        Assert.That(Pixels(imported.Transform(latentRows)), Is.EqualTo(expected).Within(1e-5));
        using GanTransformer loaded = ml.Gan().LoadGenerator(zip);
        Assert.That(loaded.LatentDistribution, Is.EqualTo(LatentDistribution.Uniform));
        Assert.That(Pixels(loaded.Transform(latentRows)), Is.EqualTo(expected).Within(1e-5));
        Assert.That(Pixels(ml.LoadModel(zip, out _).Transform(latentRows)), Is.EqualTo(expected).Within(1e-5));

        // Export from the loaded zip; PyTorch's class loads it with load_state_dict(strict=True) and draws the same images.
        string exported = Path.Combine(Scratch, "exported" + exportExtension);
        ml.Gan().ExportPyTorchGenerator(loaded, exported);
        Python(python, ["check", "--architecture", pythonArchitecture, "--dir", Scratch, "--weights", exported, "--count", $"{Count}", .. sizes]);
        Assert.That(ReadFloats("checked.f32"), Is.EqualTo(pytorchImages).Within(1e-5));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void MissingKeysAndWrongShapesAreNamedWithBothShapes()
    {
        Dictionary<string, Tensor> state = MlpState();
        state.Remove("fc3.bias");
        state["fc2.weight"] = torch.zeros(64, 30);
        state["extra.weight"] = torch.zeros(3);
        string path = Save(state, "broken.pt");

        var error = Assert.Throws<InvalidDataException>(() => new MLContext(1).Gan().ImportPyTorchGenerator(path));
        Assert.That(error!.Message, Does.Contain(path)
            .And.Contain("missing key 'fc3.bias' (expected shape [128])")
            .And.Contain("key 'fc2.weight' has shape [64, 30]; expected [64, 32]")
            .And.Contain("unexpected key 'extra.weight'")
            .And.Contain("z = 100, h = 32"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void NaNWeightsAreRefusedOnImportNamingTheKey()
    {
        Dictionary<string, Tensor> state = MlpState();
        Tensor poisoned = state["fc2.weight"].clone();
        poisoned[0, 0] = torch.tensor(float.NaN);
        poisoned[1, 3] = torch.tensor(float.PositiveInfinity);
        state["fc2.weight"] = poisoned;
        string path = Save(state, "nan.pt");

        var error = Assert.Throws<InvalidDataException>(() => new MLContext(1).Gan().ImportPyTorchGenerator(path));
        Assert.That(error!.Message, Does.StartWith($"'{path}': key 'fc2.weight' holds 2 NaN or infinite value(s)"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void SizesGivenThatDisagreeWithTheWeightsAreErrors()
    {
        string path = Save(MlpState(), "G.pt");
        var error = Assert.Throws<InvalidDataException>(() => new MLContext(1).Gan().ImportPyTorchGenerator(path, new PyTorchGeneratorOptions { LatentDimension = 64 }));
        Assert.That(error!.Message, Does.Contain("key 'fc1.weight' has shape [32, 100]; expected [32, 64]"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void AnotherArchitecturesWeightsAreNamedAsSuch()
    {
        string path = Save(MlpState(), "G.pt");
        var error = Assert.Throws<InvalidDataException>(() => new MLContext(1).Gan().ImportPyTorchGenerator(path, new PyTorchGeneratorOptions { Architecture = GanArchitecture.Dcgan }));
        Assert.That(error!.Message, Does.Contain("holds a Mlp generator").And.Contain("fc1.weight").And.Contain("PyTorchGeneratorOptions.Architecture to Mlp"));
    }

    [Category(TestCategories.Fast)]
    [TestCase(GanArchitecture.Dcgan, nameof(PyTorchGeneratorOptions.HiddenSize))]
    [TestCase(GanArchitecture.Dcgan, nameof(PyTorchGeneratorOptions.LeakyReluSlope))]
    [TestCase(GanArchitecture.Mlp, nameof(PyTorchGeneratorOptions.DcganWidth))]
    public void ASettingTheGeneratorClassDoesNotHaveIsRefusedBeforeReading(GanArchitecture architecture, string setting)
    {
        var options = new PyTorchGeneratorOptions { Architecture = architecture };
        switch (setting)
        {
            case nameof(PyTorchGeneratorOptions.HiddenSize): options.HiddenSize = 32; break;
            case nameof(PyTorchGeneratorOptions.LeakyReluSlope): options.LeakyReluSlope = 0.1f; break;
            default: options.DcganWidth = 64; break;
        }

        var error = Assert.Throws<ArgumentException>(() => new MLContext(1).Gan().ImportPyTorchGenerator(Path.Combine(Scratch, "absent.pt"), options));
        Assert.That(error!.Message, Does.Contain($"PyTorchGeneratorOptions.{setting} applies to the").And.Contain($"Architecture is {architecture}"));
    }

    [Category(TestCategories.Fast)]
    [TestCase(new byte[] { (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o' }, "is not a torch.save file: those are zip archives (they start with 'PK'), and this one starts with 68656C6C")]
    [TestCase(new byte[0], "starts with nothing (it is empty)")]
    [TestCase(new byte[] { 0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e, 0x80 }, "was saved in PyTorch's legacy format")]
    [TestCase(new byte[] { 0x80, 0x02, 0x5d, 0x71, 0x00, 0x2e }, "is a Python pickle, not a torch.save file")]
    public void AFileThatIsNoTorchSaveZipIsNamedWithWhatItIs(byte[] content, string says)
    {
        string path = Path.Combine(Scratch, "not-weights.pt");
        File.WriteAllBytes(path, content);
        var error = Assert.Throws<InvalidDataException>(() => new MLContext(1).Gan().ImportPyTorchGenerator(path));
        Assert.That(error!.Message, Does.StartWith($"'{path}' ").And.Contain(says).And.Contain("state_dict"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void AZipThatHoldsNoStateDictSaysWhatToSave()
    {
        // A torch.save zip of a list: TorchSharp.PyBridge fails with an InvalidCastException deep inside.
        string path = Path.Combine(Scratch, "list.pt");
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
        {
            using Stream pickle = zip.CreateEntry("list/data.pkl").Open();
            pickle.Write([0x80, 0x02, 0x5d, 0x71, 0x00, 0x28, 0x4b, 0x01, 0x4b, 0x02, 0x65, 0x2e]);   // [1, 2]
        }

        var error = Assert.Throws<InvalidDataException>(() => new MLContext(1).Gan().ImportPyTorchGenerator(path));
        Assert.That(error!.Message, Does.StartWith($"'{path}' is a torch.save file but not a state_dict this library reads").And.Contain("torch.save(G.state_dict(), path)"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void ExportedWeightsAreTheTrainedOnes()
    {
        // Without PyTorch: what export writes, read back by PyBridge, is the trained TorchSharp generator's state_dict.
        var ml = new MLContext(1);
        GanOptions options = SyntheticImages.FastOptions();
        (GanTransformer gan, GeneratorNetwork generator) = ml.Gan().Generator(options).FitKeepingGenerator(SyntheticImages.Load(ml, 64));
        using (gan)
        using (generator)
        {
            string path = Path.Combine(Scratch, "G.pt");
            ml.Gan().ExportPyTorchGenerator(gan, path);
            Hashtable written = PyTorchUnpickler.UnpickleStateDict(path);
            Dictionary<string, Tensor> trained = generator.state_dict();
            Assert.That(written.Keys.Cast<string>().Order(), Is.EqualTo(trained.Keys.Order()));
            foreach ((string key, Tensor value) in trained)
            {
                Assert.That(((Tensor)written[key]!).data<float>().ToArray(), Is.EqualTo(value.data<float>().ToArray()), key);
            }
        }
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void ConditionalGeneratorsAreNotExported()
    {
        var ml = new MLContext(1);
        GanOptions options = SyntheticImages.FastOptions();
        options.Conditional = true;
        using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.LoadLabelled(ml, 64));
        var error = Assert.Throws<NotSupportedException>(() => ml.Gan().ExportPyTorchGenerator(gan, Path.Combine(Scratch, "G.pt")));
        Assert.That(error!.Message, Does.Contain("conditional"));
        Assert.That(Directory.GetFiles(Scratch), Is.Empty, "nothing written");
    }

    /// <summary>The article's generator (z 100, h 32, 784 outputs) with TorchSharp's initial weights, as PyTorch names them.</summary>
    private static Dictionary<string, Tensor> MlpState()
    {
        using var generator = new MlpGenerator(LatentSize, 32, 784, 0.3, 0.2);
        return generator.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
    }

    private string Save(Dictionary<string, Tensor> state, string name)
    {
        string path = Path.Combine(Scratch, name);
        PyTorchPickler.PickleStateDict(path, state);
        return path;
    }

    private static float[] Pixels(IDataView data) => [.. data.GetColumn<float[]>("GeneratedPixels").SelectMany(p => p)];

    private float[] ReadFloats(string name) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(Scratch, name))).ToArray();

    private static void Python(string python, string[] arguments)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(PythonWithTorch.RepositoryRoot, "bench", "pytorch", "state_dict_roundtrip.py"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"state_dict_roundtrip.py {string.Join(' ', arguments)}: {stderr.Result}");
    }

    private static string IgnoreWithoutTorch()
    {
        Assert.Ignore("No python3 with torch (tried /usr/bin/python3 and python3 on PATH): the PyTorch round trip needs Debian's python3-torch " +
                      "(bench/run.sh installs it for the benchmarks; 'apt-get install python3-torch').");
        return "";
    }

    public sealed class LatentRow
    {
        [VectorType(LatentSize)]
        public float[] Latent { get; set; } = [];
    }
}

/// <summary>A python3 that imports torch, found once per test run; null when there is none.</summary>
internal static class PythonWithTorch
{
    private static readonly Lazy<string?> Found = new(() => new[] { "/usr/bin/python3", "python3" }.FirstOrDefault(ImportsTorch));

    public static string? Path => Found.Value;

    /// <summary>The directory holding GanMlNet.sln, above the test binaries.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(directory.FullName, "GanMlNet.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new DirectoryNotFoundException($"No GanMlNet.sln above {AppContext.BaseDirectory}.");
        }
    }

    private static bool ImportsTorch(string python)
    {
        try
        {
            var start = new ProcessStartInfo(python, ["-c", "import torch"]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            using Process process = Process.Start(start)!;
            process.StandardError.ReadToEnd();
            return process.WaitForExit(60_000) && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
