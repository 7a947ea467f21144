using Microsoft.ML.Gan.Networks;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Onnx;

/// <summary>Names and shapes of the ONNX graphs a generator is exported to.</summary>
/// <param name="LatentName">Graph input: the latent vector (and ML.NET input column).</param>
/// <param name="PixelsName">Graph output: pixels in [0, 1] shaped <paramref name="PixelDimensions"/>.</param>
/// <param name="ImagePlanesName">3 × H × W planes of integers 0..255 for ML.NET's ConvertToImage: an output of the
/// one-row graph (<see cref="OneRowGraph"/>), and the hidden column the fast Transform computes them into.</param>
/// <param name="PixelDimensions">Dimensions of one generated image as the training column declared them.</param>
/// <param name="Shape">Channels × height × width of one image.</param>
/// <param name="ClassInputName">Conditional generators: the graph input that carries the class; null otherwise.</param>
/// <param name="ClassesAreOneHot">True: that input is a float one-hot vector of <paramref name="ClassCount"/> values
/// (what ML.NET's MapKeyToVector makes of a key-typed label; ML.NET converts keys to nothing numeric).
/// False: an int64 class index (from an integer label column).</param>
/// <param name="ClassCount">Number of classes of a conditional generator; 0 otherwise.</param>
internal sealed record GeneratorGraphLayout(
    string LatentName,
    string PixelsName,
    string ImagePlanesName,
    int[] PixelDimensions,
    ImageShape Shape,
    string? ClassInputName = null,
    bool ClassesAreOneHot = true,
    int ClassCount = 0);

/// <summary>
/// Writes a trained generator as an ONNX graph (opset 17; TorchSharp has no exporter), with a batch dimension:
/// <code>
/// Latent [N, z] ─┬─ Concat ─ the generator's layers, in order ─ Mul(0.5) ─ Add(0.5) ─ Clip(0, 1)
/// Class ── one-hot × label embedding ─┘     ─ Reshape ─▶ pixels [N, …training column dimensions] in [0, 1]
/// </code>
/// The class input (conditional generators) is one-hot floats [N, classes], or an int64 index [N] that OneHot
/// expands; multiplying it by the embedding table is the row lookup. The layers are walked, not hand-written per
/// network: each layer type has one rule (<see cref="ExportLayer"/>), and a layer without one is an error naming it. This graph, with the model's metadata in its
/// <c>metadata_props</c> (the generator metadata), is the artifact every scoring path runs:
/// <see cref="OnnxGeneratorSession"/> in batches, and OnnxTransformer through the one-row graph
/// <see cref="OneRowGraph"/> derives from it. It has no image output: the 0..255 image planes are computed
/// only where an image column is asked for.
/// </summary>
internal static class GeneratorOnnxExporter
{
    public static byte[] Export(GeneratorNetwork generator, GeneratorGraphLayout layout, IReadOnlyDictionary<string, string> metadata)
    {
        var graph = new OnnxGraph();
        graph.AddInput(layout.LatentName, [-1, generator.LatentDimension]);

        string? oneHot = null;
        if (generator.IsConditional)
        {
            string input = layout.ClassInputName ?? throw new InvalidOperationException("A conditional generator needs a class input name.");
            int classes = generator.ClassCount;
            if (layout.ClassesAreOneHot)
            {
                graph.AddInput(input, [-1, classes]);
                oneHot = input;
            }
            else
            {
                graph.AddInput(input, [-1], TensorProto.Types.DataType.Int64);
                oneHot = graph.Node("OneHot", [input, graph.Int64Constant("depth", classes), graph.Constant("off_on", [0f, 1f], 2)], "class_one_hot",
                    [OnnxGraph.Int("axis", -1)]);
            }
        }

        // The generator's output is in [-1, 1] (its last layers are tanh and, for convolutions, a flatten).
        string output = ExportLayers(graph, generator, layout.LatentName, oneHot);
        string half = graph.Constant("half", [0.5f]);
        // ONNX Runtime's tanh can overshoot ±1 by an ulp; Clip keeps pixels exactly within [0, 1].
        string shifted = graph.Node("Add", [graph.Node("Mul", [output, half], "output_half"), half], "pixels_shifted");
        string unit = graph.Node("Clip", [shifted, graph.Constant("zero", [0f]), graph.Constant("one", [1f])], "pixels_flat");

        long[] pixelDims = [-1, .. layout.PixelDimensions.Select(d => (long)d)];
        graph.Node("Reshape", [unit, graph.Int64Constant("pixels_shape", pixelDims)], "pixels", output: layout.PixelsName);
        graph.AddOutput(layout.PixelsName, pixelDims);
        return graph.ToModel("Generator of a GAN trained with Microsoft.ML.Gan (TorchSharp); latent vectors in, images out.", metadata);
    }

    /// <summary>The eval-mode forward pass of <paramref name="generator"/>: the label stage, then every layer in order.</summary>
    private static string ExportLayers(OnnxGraph graph, GeneratorNetwork generator, string latent, string? classOneHot)
    {
        string x = latent;
        if (generator.LabelEmbedding is Embedding embedding)
        {
            string table = graph.Constant("label_embedding", embedding.weight!);
            string embedded = graph.Node("MatMul", [classOneHot ?? throw new ArgumentNullException(nameof(classOneHot)), table], "label_embedded");
            x = graph.Concat([latent, embedded], 1, "conditioned");
        }

        foreach ((string name, nn.Module<Tensor, Tensor> layer) in generator.Layers)
        {
            x = ExportLayer(graph, x, name, layer);
        }

        return x;
    }

    /// <summary>One layer in eval mode (dropout is the identity, batch norm uses its running statistics).</summary>
    /// <exception cref="NotSupportedException">A layer type, or a setting of one, that has no ONNX rule here.</exception>
    private static string ExportLayer(OnnxGraph graph, string x, string name, nn.Module<Tensor, Tensor> layer) => layer switch
    {
        Linear linear => graph.Linear(x, linear, name),
        Conv2d conv => graph.Convolution("Conv", x, conv.weight!, conv.bias, ConvolutionShape.Of(conv, $"Generator layer '{name}'"), name),
        ConvTranspose2d deconv => graph.Convolution("ConvTranspose", x, deconv.weight!, deconv.bias, ConvolutionShape.Of(deconv, $"Generator layer '{name}'"), name),
        BatchNorm2dLayer norm => graph.BatchNorm(x, norm, name),
        LeakyReLULayer leaky => graph.Node("LeakyRelu", [x], name, [OnnxGraph.Float("alpha", (float)leaky.NegativeSlope)]),
        ReLU => graph.Node("Relu", [x], name),
        Tanh => graph.Node("Tanh", [x], name),
        Unflatten { dim: 1 } unflatten => graph.Reshape(x, name, [-1, .. unflatten.unflattened_size]),
        Flatten { start_dim: 1, end_dim: -1 } => graph.Node("Flatten", [x], name, [OnnxGraph.Int("axis", 1)]),
        BernoulliDropout or Dropout => x,
        _ => throw new NotSupportedException(
            $"The ONNX exporter has no rule for generator layer '{name}' ({layer.GetType().Name}). Rules exist for Linear, Conv2d, ConvTranspose2d, " +
            "BatchNorm2dLayer, LeakyReLULayer, ReLU, Tanh, Unflatten(1, …), Flatten(1, -1) and dropout; add one in GeneratorOnnxExporter.ExportLayer."),
    };
}
