using Google.Protobuf;
using Microsoft.ML.Gan.Networks;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;

namespace Microsoft.ML.Gan.Onnx;

/// <summary>Names and shapes of the ONNX graph a generator is exported to.</summary>
/// <param name="LatentName">Graph input: the latent vector (and ML.NET input column).</param>
/// <param name="PixelsName">Graph output: pixels in [0, 1] shaped <paramref name="PixelDimensions"/>.</param>
/// <param name="ImagePlanesName">Graph output: 3 × H × W planes of integers 0..255 for ML.NET's ConvertToImage.</param>
/// <param name="PixelDimensions">Dimensions of one generated image as the training column declared them.</param>
/// <param name="Shape">Channels × height × width of one image.</param>
internal sealed record GeneratorGraphLayout(string LatentName, string PixelsName, string ImagePlanesName, int[] PixelDimensions, ImageShape Shape);

/// <summary>
/// Writes the article's MLP generator as an ONNX graph (TorchSharp has no exporter). The graph, opset 17:
/// <code>
/// Latent ─ MatMul(W1ᵀ) ─ Add(b1) ─ LeakyRelu ─ … ─ MatMul(W4ᵀ) ─ Add(b4) ─ Tanh ─ Mul(0.5) ─ Add(0.5) ─┬─ Reshape ─▶ pixels [0, 1]
///                                                                                                    └─ Mul(255) ─ Round ─ Reshape(C,H,W) ─ Concat(×3 if C = 1) ─▶ image planes
/// </code>
/// Dropout is the identity in eval mode and is left out. Weights are stored as float initializers, the
/// matrices transposed to [in, out] so MatMul needs no Transpose node. MatMul accepts a vector or a
/// batch, so one layer chain serves both variants: <c>batched: false</c> has input [z] and outputs shaped
/// exactly like one training row (ML.NET's OnnxTransformer then gives the output column the training
/// column's dimensions); <c>batched: true</c> has input [N, z] for bulk generation with ONNX Runtime.
/// </summary>
internal static class GeneratorOnnxExporter
{
    private const int Opset = 17;

    public static byte[] Export(Generator generator, GeneratorGraphLayout layout, bool batched)
    {
        var graph = new GraphProto { Name = "generator" };
        long[] batch = batched ? [-1] : [];
        graph.Input.Add(FloatValue(layout.LatentName, [.. batch, generator.LatentDimension]));

        string current = layout.LatentName;
        IReadOnlyList<Linear> layers = generator.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            string weight = $"fc{i + 1}.weight_t";
            string bias = $"fc{i + 1}.bias";
            using (torch.no_grad())
            {
                using torch.Tensor transposed = layers[i].weight!.detach().t().contiguous().cpu();
                graph.Initializer.Add(FloatTensor(weight, transposed.data<float>().ToArray(), transposed.shape));
                using torch.Tensor b = layers[i].bias!.detach().cpu();
                graph.Initializer.Add(FloatTensor(bias, b.data<float>().ToArray(), b.shape));
            }

            current = Node(graph, "MatMul", [current, weight], $"fc{i + 1}.matmul");
            current = Node(graph, "Add", [current, bias], $"fc{i + 1}");
            if (i < layers.Count - 1)
            {
                current = Node(graph, "LeakyRelu", [current], $"fc{i + 1}.leaky_relu",
                    new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = (float)generator.LeakyReluSlope });
            }
        }

        current = Node(graph, "Tanh", [current], "tanh");
        graph.Initializer.Add(FloatTensor("half", [0.5f], []));
        graph.Initializer.Add(FloatTensor("full_intensity", [255f], []));
        string unit = Node(graph, "Add", [Node(graph, "Mul", [current, "half"], "tanh_half"), "half"], "pixels_flat");

        graph.Initializer.Add(Int64Tensor("pixels_shape", [.. batch, .. layout.PixelDimensions.Select(d => (long)d)]));
        graph.Node.Add(new NodeProto { OpType = "Reshape", Input = { unit, "pixels_shape" }, Output = { layout.PixelsName }, Name = "pixels" });
        graph.Output.Add(FloatValue(layout.PixelsName, [.. batch, .. layout.PixelDimensions.Select(d => (long)d)]));

        ImageShape shape = layout.Shape;
        string intensities = Node(graph, "Round", [Node(graph, "Mul", [unit, "full_intensity"], "intensity")], "intensity_rounded");
        graph.Initializer.Add(Int64Tensor("planes_shape", [.. batch, shape.Channels, shape.Height, shape.Width]));
        string planes = Node(graph, "Reshape", [intensities, "planes_shape"], "planes");
        var rgb = new NodeProto { OpType = "Concat", Output = { layout.ImagePlanesName }, Name = "rgb_planes" };
        rgb.Input.AddRange(shape.Channels == 1 ? [planes, planes, planes] : [planes]);
        rgb.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = batched ? 1 : 0 });
        graph.Node.Add(rgb);
        graph.Output.Add(FloatValue(layout.ImagePlanesName, [.. batch, 3, shape.Height, shape.Width]));

        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "Microsoft.ML.Gan",
            ProducerVersion = typeof(GeneratorOnnxExporter).Assembly.GetName().Version?.ToString() ?? "",
            DocString = "Generator of a GAN trained with Microsoft.ML.Gan (TorchSharp); latent vector in, image out.",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model.ToByteArray();
    }

    private static string Node(GraphProto graph, string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return output;
    }

    private static TensorProto FloatTensor(string name, float[] values, long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return tensor;
    }

    private static TensorProto Int64Tensor(string name, long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        return tensor;
    }

    private static ValueInfoProto FloatValue(string name, long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long dim in dims)
        {
            shape.Dim.Add(dim < 0
                ? new TensorShapeProto.Types.Dimension { DimParam = "batch" }
                : new TensorShapeProto.Types.Dimension { DimValue = dim });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape },
            },
        };
    }
}
