using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Training;
using TorchSharp;

namespace Microsoft.ML.Gan.Tests.Onnx;

/// <summary>The exported ONNX graph (what every transformer scores with) against the TorchSharp generator.</summary>
public sealed class GeneratorOnnxExporterTests
{
    /// <summary>How a generator takes its label: not at all, a key-typed column (one-hot input), an integer column (int64 input).</summary>
    public enum LabelKind
    {
        None,
        Key,
        Integer,
    }

    /// <summary>Every architecture with every label kind: a new architecture is in the parity test without a line here.</summary>
    public static IEnumerable<TestCaseData> EveryArchitectureAndLabelKind()
        => from architecture in Enum.GetValues<GanArchitecture>()
           from kind in Enum.GetValues<LabelKind>()
           select new TestCaseData(architecture, kind).SetName($"TorchAndOnnxAgreeWithin1e4({architecture}, {kind} labels)");

    [Category(TestCategories.Fast)]
    [TestCaseSource(nameof(EveryArchitectureAndLabelKind))]
    public void TorchAndOnnxAgreeWithin1e4(GanArchitecture architecture, LabelKind kind)
    {
        var ml = new MLContext(1);
        GanOptions options = SyntheticImages.FastOptions(architecture: architecture);
        options.Conditional = kind != LabelKind.None;
        IDataView data = kind switch
        {
            LabelKind.Key => SyntheticImages.LoadLabelled(ml, 64),
            LabelKind.Integer => SyntheticImages.LoadIntegerLabelled(ml, 64),
            _ => SyntheticImages.Load(ml, 64),
        };
        (GanTransformer gan, GeneratorNetwork generator) = ml.Gan().Generator(options).FitKeepingGenerator(data);
        using GanTransformer disposeGan = gan;
        using GeneratorNetwork disposeGenerator = generator;
        IDataView latent = ml.Gan().Data.SampleLatent(gan, 40, seed: 3);
        long[]? classes = kind == LabelKind.None ? null : Enumerable.Range(0, 40).Select(i => (long)(i % 4)).ToArray();

        float[][] reference = TorchPixels(gan, generator, latent.GetColumn<float[]>("Latent").ToArray(), classes);
        float[][] scored = gan.Transform(latent).GetColumn<float[]>("GeneratedPixels").ToArray();
        float[][] bulk = gan.Generate(40, seed: 3).GetColumn<float[]>("GeneratedPixels").ToArray();

        Assert.That(MaxDifference(scored, reference), Is.LessThanOrEqualTo(1e-4));
        Assert.That(MaxDifference(bulk, reference), Is.LessThanOrEqualTo(1e-4));
        if (classes is not null)
        {
            float[][] otherClasses = TorchPixels(gan, generator, latent.GetColumn<float[]>("Latent").ToArray(), [.. classes.Select(c => (c + 1) % 4)]);
            Assert.That(MaxDifference(otherClasses, reference), Is.GreaterThan(0), "the label changes the image");
        }
    }

    /// <summary>A generator with a layer the exporter has no rule for.</summary>
    private sealed class SigmoidGenerator : GeneratorNetwork
    {
        public SigmoidGenerator()
            : base(nameof(SigmoidGenerator), 4, 0)
            => Build([("fc", torch.nn.Linear(4, 16)), ("squash", torch.nn.Sigmoid())], null);
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void ALayerWithoutAnOnnxRuleIsNamed()
    {
        using var generator = new SigmoidGenerator();
        var layout = new Microsoft.ML.Gan.Onnx.GeneratorGraphLayout("Latent", "GeneratedPixels", "Planes", [4, 4], new ImageShape(1, 4, 4));

        var error = Assert.Throws<NotSupportedException>(() => Microsoft.ML.Gan.Onnx.GeneratorOnnxExporter.Export(generator, layout, new Dictionary<string, string>()));

        Assert.That(error!.Message, Does.Contain("'squash'").And.Contain("Sigmoid"));
    }

    /// <summary>A conditional generator (3 classes) with a layer of every type the exporter has a rule for.</summary>
    private sealed class EveryLayerGenerator : GeneratorNetwork
    {
        public EveryLayerGenerator()
            : base(nameof(EveryLayerGenerator), 6, 3)
            => Build(
            [
                ("fc", torch.nn.Linear(9, 4 * 4 * 4)),
                ("view", torch.nn.Unflatten(1, [4, 4, 4])),
                ("conv", torch.nn.Conv2d(4, 5, 3, padding: 1)),
                ("bn", new Microsoft.ML.Gan.Networks.BatchNorm2dLayer(5)),
                ("leaky", new Microsoft.ML.Gan.Networks.LeakyReLULayer(0.1)),
                ("drop", torch.nn.Dropout(0.5)),
                ("deconv", torch.nn.ConvTranspose2d(5, 2, 4, stride: 2, padding: 1)),
                ("relu", torch.nn.ReLU()),
                ("conv2", torch.nn.Conv2d(2, 1, 3, stride: 1, padding: 1, bias: false)),
                ("tanh", torch.nn.Tanh()),
                ("flat", torch.nn.Flatten()),
            ], torch.nn.Embedding(3, 3));
    }

    [Category(TestCategories.Fast)]
    [TestCase(true)]
    [TestCase(false)]
    public void EveryLayerRuleMatchesTorchWithin1e4(bool oneHotClasses)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var generator = new EveryLayerGenerator();
        var norm = (Microsoft.ML.Gan.Networks.BatchNorm2dLayer)generator.Layers.Single(l => l.Name == "bn").Layer;
        using (torch.no_grad())
        {
            norm.running_mean!.copy_(torch.randn(5));           // statistics of a trained network, not the identity
            norm.running_var!.copy_(torch.rand(5) + 0.5);
        }

        generator.eval();
        var layout = new Microsoft.ML.Gan.Onnx.GeneratorGraphLayout("Latent", "GeneratedPixels", "Planes", [8, 8], new ImageShape(1, 8, 8),
            "Class", oneHotClasses, 3);
        byte[] model = Microsoft.ML.Gan.Onnx.GeneratorOnnxExporter.Export(generator, layout, new Dictionary<string, string>());

        const int Rows = 12;
        float[] latents = torch.randn(Rows, 6).data<float>().ToArray();
        long[] classes = [.. Enumerable.Range(0, Rows).Select(i => (long)(i % 3))];
        float[] reference = [.. (((generator.forward(torch.tensor(latents, [Rows, 6]), torch.tensor(classes)) + 1) / 2)).data<float>()];

        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(model);
        var inputs = new List<Microsoft.ML.OnnxRuntime.NamedOnnxValue>
        {
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("Latent", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(latents, [Rows, 6])),
            oneHotClasses
                ? Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("Class", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(
                    classes.SelectMany(c => Enumerable.Range(0, 3).Select(k => k == c ? 1f : 0f)).ToArray(), [Rows, 3]))
                : Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("Class", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>(classes, [Rows])),
        };
        using var results = session.Run(inputs);
        float[] onnx = [.. results.Single().AsEnumerable<float>()];

        Assert.That(onnx, Has.Length.EqualTo(reference.Length));
        Assert.That(onnx.Zip(reference).Max(p => Math.Abs(p.First - p.Second)), Is.LessThanOrEqualTo(1e-4));
        Assert.That(reference.Distinct().Count(), Is.GreaterThan(Rows), "the images vary, so the comparison says something");
    }

    private static float[][] TorchPixels(GanTransformer gan, GeneratorNetwork generator, float[][] latents, long[]? classes = null)
    {
        using var scope = torch.NewDisposeScope();
        torch.Tensor z = torch.tensor(latents.SelectMany(v => v).ToArray(), [latents.Length, gan.LatentDimension]);
        return generator.Render(z, classes is null ? null : torch.tensor(classes), gan.ImageShape.Size).ToArray();
    }

    private static double MaxDifference(float[][] a, float[][] b)
        => a.Zip(b).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));

    [Category(TestCategories.Slow)]
    [Test]
    public void TrainedGeneratorMatchesTorchWithin1e4()
    {
        GanTransformer gan = TrainedMnistGan.Gan;
        IDataView latent = TrainedMnistGan.Context.Gan().Data.SampleLatent(gan, 200, seed: 12);
        float[][] vectors = latent.GetColumn<float[]>("Latent").ToArray();

        float[][] onnx = gan.Transform(latent).GetColumn<float[]>("GeneratedPixels").ToArray();
        float[][] bulk = gan.Generate(200, seed: 12).GetColumn<float[]>("GeneratedPixels").ToArray();
        float[][] reference = TorchPixels(gan, TrainedMnistGan.Generator, vectors);

        Assert.That(MaxDifference(onnx, reference), Is.LessThanOrEqualTo(1e-4));
        Assert.That(MaxDifference(bulk, reference), Is.LessThanOrEqualTo(1e-4));
    }

    [Category(TestCategories.Fast)]
    [TestCase(LatentDistribution.Uniform)]
    [TestCase(LatentDistribution.Normal)]
    public void OtherWidthsAndShapesMatchToo(LatentDistribution distribution)
    {
        var ml = new MLContext(1);
        GanOptions options = SyntheticImages.FastOptions();
        options.Network = new MlpNetworkOptions { HiddenSize = 5, LeakyReluSlope = 0.05f };
        options.LatentDimension = 3;
        options.LatentDistribution = distribution;
        (GanTransformer gan, GeneratorNetwork generator) = ml.Gan().Generator(options).FitKeepingGenerator(SyntheticImages.Load(ml, 40));
        using GanTransformer disposeGan = gan;
        using GeneratorNetwork disposeGenerator = generator;
        IDataView latent = ml.Gan().Data.SampleLatent(gan, 50, seed: 1);

        float[][] onnx = gan.Transform(latent).GetColumn<float[]>("GeneratedPixels").ToArray();
        float[][] reference = TorchPixels(gan, generator, latent.GetColumn<float[]>("Latent").ToArray());

        Assert.That(MaxDifference(onnx, reference), Is.LessThanOrEqualTo(1e-4));
    }

    [Category(TestCategories.Slow)]
    [Test]
    public void OnnxModelIsAvailableForOtherRuntimes()
    {
        byte[] model = TrainedMnistGan.Gan.GetOnnxModel();
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(model);
        Assert.That(session.InputMetadata.Keys, Is.EqualTo(new[] { "Latent" }));
        Assert.That(session.InputMetadata["Latent"].Dimensions, Is.EqualTo(new[] { -1, 100 }));
        Assert.That(session.OutputMetadata["GeneratedPixels"].Dimensions, Is.EqualTo(new[] { -1, 28, 28 }));
    }
}
