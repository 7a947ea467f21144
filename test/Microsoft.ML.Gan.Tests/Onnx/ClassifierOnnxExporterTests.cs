using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;

namespace Microsoft.ML.Gan.Tests.Onnx;

/// <summary>The semi-supervised classifier's ONNX graph (what its zips score with) against the TorchSharp classifier.</summary>
[Category(TestCategories.Fast)]
public sealed class ClassifierOnnxExporterTests
{
    /// <summary>
    /// Every network on square grey, odd-sized and colour images, and the CNN with other channels (a wider student): a new
    /// network is in the parity test without a line here.
    /// </summary>
    public static IEnumerable<TestCaseData> EveryNetworkAndShape()
        => (from network in Enum.GetValues<SemiSupervisedNetwork>()
            from shape in new[] { new ImageShape(1, 8, 8), new ImageShape(1, 7, 9), new ImageShape(3, 6, 6) }
            select (network, shape, CnnSemiSupervisedDiscriminator.DefaultChannels))
           .Concat(new[] { 8, 48 }.Select(n => (SemiSupervisedNetwork.Cnn, new ImageShape(1, 7, 9), n)))
           .Select(c => new TestCaseData(c.Item1, c.Item2, c.Item3)
               .SetName($"TorchAndOnnxGiveTheSameProbabilities({c.Item1}, {c.Item2.Channels}x{c.Item2.Height}x{c.Item2.Width}, {c.Item3} channels)"));

    [TestCaseSource(nameof(EveryNetworkAndShape))]
    public void TorchAndOnnxGiveTheSameProbabilities(SemiSupervisedNetwork network, ImageShape shape, int channels)
    {
        const int Rows = 6, Classes = 5;
        torch.manual_seed(4);
        using SemiSupervisedDiscriminator classifier = SemiSupervisedDiscriminator.Create(network, shape, Classes, channels);
        using torch.Tensor images = torch.rand(Rows, shape.Size);
        classifier.InitializeFrom(images);
        classifier.eval();
        float[] reference;
        using (torch.no_grad())
        {
            reference = [.. torch.nn.functional.softmax(classifier.forward(images).Logits, 1).data<float>()];
        }

        var pixels = new PixelColumn("Pixels", PixelStorage.Single, shape, [shape.Size], 1f);
        byte[] model = Microsoft.ML.Gan.Onnx.ClassifierOnnxExporter.Export(classifier, pixels, new Dictionary<string, string>());
        using var session = new InferenceSession(model);
        float[] pixelsOfAll = images.data<float>().ToArray();
        var scored = new List<float>();
        var predicted = new List<int>();
        for (int row = 0; row < Rows; row++)
        {
            var input = new DenseTensor<float>(pixelsOfAll.AsMemory(row * shape.Size, shape.Size), [shape.Size]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("Pixels", input)]);
            scored.AddRange(results.Single(r => r.Name == Microsoft.ML.Gan.Onnx.ClassifierOnnxExporter.ProbabilitiesColumn).AsEnumerable<float>());
            predicted.Add(Array.IndexOf([.. results.Single(r => r.Name == Microsoft.ML.Gan.Onnx.ClassifierOnnxExporter.PredictedOneHotColumn).AsEnumerable<float>()], 1f));
        }

        Assert.That(scored, Has.Count.EqualTo(reference.Length));
        Assert.That(scored.Zip(reference).Max(p => Math.Abs(p.First - p.Second)), Is.LessThanOrEqualTo(1e-5));
        Assert.That(reference.Distinct().Count(), Is.GreaterThan(Classes), "the rows are scored differently, so the comparison says something");
        Assert.That(predicted, Is.EqualTo(Enumerable.Range(0, Rows).Select(r => Array.IndexOf(reference, reference.Skip(r * Classes).Take(Classes).Max(), r * Classes) - (r * Classes))));
    }
}
