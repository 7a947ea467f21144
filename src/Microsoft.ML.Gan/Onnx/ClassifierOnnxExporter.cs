using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Networks;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Onnx;

/// <summary>
/// Writes a semi-supervised classifier as the one-row ONNX graph ML.NET's OnnxTransformer runs (opset 17), in eval mode (no
/// noise, weight normalisation folded into plain weights):
/// <code>
/// Pixels [training column's dims] ─ (Cast uint8) ─ Reshape [1, C·H·W] ─ Mul(1 / max) ─ the network (an MLP's dense layers, or a
///    CNN's convolutions and dense layers) ─▶ logits [1, K] ─┬─ Softmax ─ Reshape [K] ─▶ class probabilities
///                                     └─ ArgMax ─ OneHot ─ Reshape [K] ─▶ the predicted class, one-hot
/// </code>
/// OnnxTransformer gives every tensor output a vector column (a scalar output fails in its getter), so the predicted class
/// leaves the graph one-hot and a stock ML.NET multiclass model turns it into PredictedLabel (see <see cref="SemiSupervisedGanTransformer"/>).
/// </summary>
internal static class ClassifierOnnxExporter
{
    /// <summary>The class probabilities, before the chain names them.</summary>
    public const string ProbabilitiesColumn = "ClassProbabilities";

    /// <summary>The predicted class as a one-hot vector.</summary>
    public const string PredictedOneHotColumn = "PredictedOneHot";

    public static byte[] Export(SemiSupervisedDiscriminator classifier, PixelColumn pixels, IReadOnlyDictionary<string, string> metadata)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var graph = new OnnxGraph();
        long[] dims = [.. pixels.Dimensions.Select(d => (long)d)];
        graph.AddInput(pixels.Name, dims, pixels.Storage == PixelStorage.Byte ? TensorProto.Types.DataType.Uint8 : TensorProto.Types.DataType.Float);
        string x = pixels.Storage == PixelStorage.Byte
            ? graph.Node("Cast", [pixels.Name], "pixels_as_float", [OnnxGraph.Int("to", (long)TensorProto.Types.DataType.Float)])
            : pixels.Name;
        x = graph.Reshape(x, "flat", 1, pixels.Shape.Size);
        x = graph.Node("Mul", [x, graph.Constant("unit", [1f / pixels.MaxValue])], "unit_pixels");
        x = classifier switch
        {
            MlpSemiSupervisedDiscriminator mlp => Mlp(graph, x, mlp),
            CnnSemiSupervisedDiscriminator cnn => Cnn(graph, x, cnn),
            _ => throw new NotSupportedException($"The ONNX exporter has no rule for classifier network {classifier.GetType().Name}."),
        };
        int classes = classifier.ClassCount;
        string probabilities = graph.Node("Softmax", [x], "probabilities", [OnnxGraph.Int("axis", 1)]);
        graph.Node("Reshape", [probabilities, graph.Int64Constant("probabilities_shape", classes)], "probabilities_row", output: ProbabilitiesColumn);
        graph.AddOutput(ProbabilitiesColumn, [classes]);
        string index = graph.Node("ArgMax", [x], "argmax", [OnnxGraph.Int("axis", 1), OnnxGraph.Int("keepdims", 0)]);
        string oneHot = graph.Node("OneHot", [index, graph.Int64Constant("depth", classes), graph.Constant("off_on", [0f, 1f], 2)], "one_hot", [OnnxGraph.Int("axis", -1)]);
        graph.Node("Reshape", [oneHot, graph.Int64Constant("one_hot_shape", classes)], "one_hot_row", output: PredictedOneHotColumn);
        graph.AddOutput(PredictedOneHotColumn, [classes]);
        return graph.ToModel("Microsoft.ML.Gan semi-supervised GAN classifier (the discriminator's K class logits)", metadata);
    }

    /// <summary>(MatMul ─ Add ─ Relu) per hidden layer, then MatMul ─ Add: the logits.</summary>
    private static string Mlp(OnnxGraph graph, string x, MlpSemiSupervisedDiscriminator classifier)
    {
        IReadOnlyList<WeightNormLinear> layers = classifier.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            string name = i == layers.Count - 1 ? "logits" : $"hidden{i + 1}";
            Tensor weight = layers[i].Weight().detach().t().contiguous();
            string product = graph.Node("MatMul", [x, graph.Constant(name + "_weight_t", weight)], name + "_matmul");
            x = graph.Node("Add", [product, graph.Constant(name + "_bias", layers[i].Bias.detach())], name);
            if (i < layers.Count - 1)
            {
                x = graph.Node("Relu", [x], name + "_relu");
            }
        }

        return x;
    }

    /// <summary>Reshape [1, C, H, W] ─ (Conv ─ LeakyRelu) × 2 ─ Flatten ─ MatMul ─ Add ─ LeakyRelu ─ MatMul ─ Add: the logits.</summary>
    private static string Cnn(OnnxGraph graph, string x, CnnSemiSupervisedDiscriminator classifier)
    {
        ImageShape shape = classifier.Shape;
        x = graph.Reshape(x, "image", 1, shape.Channels, shape.Height, shape.Width);
        var alpha = new[] { OnnxGraph.Float("alpha", (float)CnnSemiSupervisedDiscriminator.Slope) };
        foreach ((string name, Conv2d conv) in new[] { ("conv1", classifier.Conv1), ("conv2", classifier.Conv2) })
        {
            ConvolutionShape convolution = ConvolutionShape.Of(conv, $"Classifier layer '{name}'");
            x = graph.Node("LeakyRelu", [graph.Convolution("Conv", x, conv.weight!.detach(), conv.bias!.detach(), convolution, name)], name + "_leaky", alpha);
        }

        x = graph.Node("Flatten", [x], "flat_features", [OnnxGraph.Int("axis", 1)]);
        x = graph.Node("LeakyRelu", [graph.Linear(x, classifier.Hidden, "hidden")], "hidden_leaky", alpha);
        return graph.Linear(x, classifier.Output, "logits");
    }
}
