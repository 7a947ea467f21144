using Google.Protobuf;
using Onnx;

namespace Microsoft.ML.Gan.Onnx;

/// <summary>
/// The graph ML.NET's OnnxTransformer runs (one row per call, the chain <c>mlContext.Model.Save</c> writes), derived
/// from the batched generator graph by wrapping it, so both run the same nodes on the same weights:
/// <code>
/// Latent [z] ─ Reshape [1, z] ─┬─ batched graph ─ pixels [1, …dims] ─┬─ Reshape ─▶ pixels […dims]
/// Class ─ Reshape [1, …] ──────┘                                    └─ Mul(255) ─ Round ─ Reshape(C, H, W)
///                                                                       ─ Concat(×3 if C = 1) ─▶ image planes [3, H, W]
/// </code>
/// Unbatched inputs and outputs make OnnxTransformer give the pixel column the training column's dimensions;
/// a one-hot class is a [classes] vector (MapKeyToVector's output), an int64 class a [1, 1] tensor (how
/// OnnxTransformer feeds a scalar column). The batched graph's <c>metadata_props</c> are kept.
/// </summary>
internal static class OneRowGraph
{
    public static byte[] FromBatched(byte[] batchedModel, GeneratorGraphLayout layout, int latentDimension)
    {
        ModelProto model = ModelProto.Parser.ParseFrom(batchedModel);
        GraphProto graph = model.Graph;
        var builder = new OnnxGraph(graph);
        var prologue = new List<NodeProto>();

        // Inputs: the one-row input keeps the name (it is the ML.NET column); the batched graph reads a reshaped copy.
        foreach (ValueInfoProto input in graph.Input.ToArray())
        {
            string batch = $"{input.Name}_as_batch_of_one";
            foreach (NodeProto node in graph.Node)
            {
                for (int i = 0; i < node.Input.Count; i++)
                {
                    if (node.Input[i] == input.Name)
                    {
                        node.Input[i] = batch;
                    }
                }
            }

            (long[] rowDims, long[] batchDims, TensorProto.Types.DataType type) = input.Name == layout.LatentName
                ? ([latentDimension], [1, latentDimension], TensorProto.Types.DataType.Float)
                : layout.ClassesAreOneHot
                    ? ([layout.ClassCount], [1, layout.ClassCount], TensorProto.Types.DataType.Float)
                    : (new long[] { 1, 1 }, new long[] { 1 }, TensorProto.Types.DataType.Int64);
            graph.Input[graph.Input.IndexOf(input)] = OnnxGraph.Value(input.Name, rowDims, type);
            prologue.Add(new NodeProto
            {
                OpType = "Reshape",
                Name = $"row_{input.Name}_reshape",
                Input = { input.Name, builder.Int64Constant($"row_{input.Name}_shape", batchDims) },
                Output = { batch },
            });
        }

        // Reshape nodes first: ONNX wants nodes in topological order.
        for (int i = prologue.Count - 1; i >= 0; i--)
        {
            graph.Node.Insert(0, prologue[i]);
        }

        // Outputs: the batched pixels get a new name; the one-row pixels and the image planes are computed from them.
        string batchedPixels = $"{layout.PixelsName}_batch_of_one";
        NodeProto producer = graph.Node.Single(n => n.Output.Contains(layout.PixelsName));
        producer.Output[producer.Output.IndexOf(layout.PixelsName)] = batchedPixels;
        graph.Output.Clear();

        long[] pixelDims = layout.PixelDimensions.Select(d => (long)d).ToArray();
        builder.Node("Reshape", [batchedPixels, builder.Int64Constant("row_pixels_shape", pixelDims)], "row_pixels", output: layout.PixelsName);
        builder.AddOutput(layout.PixelsName, pixelDims);

        ImageShape shape = layout.Shape;
        string intensities = builder.Node("Round", [builder.Node("Mul", [batchedPixels, builder.Constant("row_full_intensity", [255f])], "row_intensity")], "row_intensity_rounded");
        string planes = builder.Reshape(intensities, "row_planes", shape.Channels, shape.Height, shape.Width);
        builder.Concat(shape.Channels == 1 ? [planes, planes, planes] : [planes], 0, "row_rgb_planes", layout.ImagePlanesName);
        builder.AddOutput(layout.ImagePlanesName, [3, shape.Height, shape.Width]);
        return model.ToByteArray();
    }
}
