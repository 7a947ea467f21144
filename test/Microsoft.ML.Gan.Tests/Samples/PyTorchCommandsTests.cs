using Microsoft.ML.Gan.Networks;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Samples;

/// <summary>
/// <c>import</c> and <c>export</c> as a user runs them: a state_dict becomes a model zip that <c>generate</c> reads, and
/// exporting it gives back the same tensors under the same keys. (Real PyTorch loads them in PyTorchGeneratorTests.)
/// </summary>
[Category(TestCategories.Slow)]
public sealed class PyTorchCommandsTests : ScratchDirectoryTest
{
    [Test]
    public void ImportedWeightsGenerateAndExportUnchanged()
    {
        Dictionary<string, Tensor> original;
        using (var generator = new MlpGenerator(64, 16, 784, 0.3, 0.2))
        {
            original = generator.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
        }

        string weights = Path.Combine(Scratch, "G.pt");
        PyTorchPickler.PickleStateDict(weights, original);
        string zip = Path.Combine(Scratch, "model.zip");

        (int exitCode, string log) = SamplesApp.Run("import", "--pytorch-generator", weights, "--latent-distribution", "Normal", "-o", zip);
        Assert.That(exitCode, Is.Zero, log);
        Assert.That(log, Does.Contain("z = 64 (Normal), images 1 x 28 x 28"));
        (exitCode, log) = SamplesApp.Run("generate", "--model", zip, "-n", "8", "--output", Path.Combine(Scratch, "generated"));
        Assert.That(exitCode, Is.Zero, log);
        Assert.That(log, Does.Contain("Normal latent vectors as the model records"));
        Assert.That(new FileInfo(Path.Combine(Scratch, "generated", "generated-images-idx3-ubyte")).Length, Is.EqualTo(16 + (8 * 784)));

        string exported = Path.Combine(Scratch, "exported.safetensors");
        (exitCode, log) = SamplesApp.Run("export", "--model", zip, "--pytorch-generator", exported);
        Assert.That(exitCode, Is.Zero, log);
        Dictionary<string, Tensor> back = Safetensors.LoadStateDict(exported);
        Assert.That(back.Keys.Order(), Is.EqualTo(original.Keys.Order()));
        foreach ((string key, Tensor value) in original)
        {
            Assert.That(back[key].data<float>().ToArray(), Is.EqualTo(value.data<float>().ToArray()), key);
        }
    }

    [Test]
    public void TheWrongArchitectureNamesTheOption()
    {
        Dictionary<string, Tensor> state;
        using (var generator = new MlpGenerator(100, 32, 784, 0.3, 0.2))
        {
            state = generator.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
        }

        string weights = Path.Combine(Scratch, "G.pt");
        PyTorchPickler.PickleStateDict(weights, state);
        (int exitCode, string log) = SamplesApp.Run("import", "--pytorch-generator", weights, "--architecture", "Dcgan", "-o", Path.Combine(Scratch, "model.zip"));
        Assert.That(exitCode, Is.EqualTo(1), log);
        Assert.That(log, Does.StartWith("error: ").And.Contain("holds a Mlp generator").And.Contain("set --architecture to Mlp"));
        Assert.That(File.Exists(Path.Combine(Scratch, "model.zip")), Is.False);
    }
}
