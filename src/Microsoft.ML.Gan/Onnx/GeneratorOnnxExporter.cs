using Microsoft.ML.Gan.Networks;
using Onnx;

namespace Microsoft.ML.Gan.Onnx;

/// <summary>Names and shapes of the ONNX graph a generator is exported to.</summary>
/// <param name="LatentName">Graph input: the latent vector (and ML.NET input column).</param>
/// <param name="PixelsName">Graph output: pixels in [0, 1] shaped <paramref name="PixelDimensions"/>.</param>
/// <param name="ImagePlanesName">Graph output: 3 × H × W planes of integers 0..255 for ML.NET's ConvertToImage.</param>
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
/// Writes a trained generator as an ONNX graph (opset 17; TorchSharp has no exporter):
/// <code>
/// Latent ─┬─ [Reshape to 1 × z when unbatched] ─ network body (see each network's ExportOnnx) ─ Tanh
/// Class ──┘  (one-hot floats, or an int64 index turned one-hot by OneHot; the body multiplies it by the label embedding)
///   ─ Mul(0.5) ─ Add(0.5) ─ Clip(0, 1) ─┬─ Reshape ─▶ pixels in [0, 1], shaped like the training column
///                                     └─ Mul(255) ─ Round ─ Reshape(C, H, W) ─ Concat(×3 if C = 1) ─▶ image planes
/// </code>
/// <c>batched: false</c> takes one row (input [z], outputs shaped exactly like one training row, so ML.NET's
/// OnnxTransformer gives the output column the training column's dimensions); <c>batched: true</c> takes
/// [N, z] for bulk generation with ONNX Runtime. Both share the network body, which is always batched.
/// </summary>
internal static class GeneratorOnnxExporter
{
    public static byte[] Export(GeneratorNetwork generator, GeneratorGraphLayout layout, bool batched)
    {
        var graph = new OnnxGraph();
        long[] batch = batched ? [-1] : [];
        graph.AddInput(layout.LatentName, [.. batch, generator.LatentDimension]);
        string latent = batched ? layout.LatentName : graph.Reshape(layout.LatentName, "latent_row", 1, generator.LatentDimension);

        string? oneHot = null;
        if (generator.IsConditional)
        {
            string input = layout.ClassInputName ?? throw new InvalidOperationException("A conditional generator needs a class input name.");
            int classes = generator.ClassCount;
            if (layout.ClassesAreOneHot)
            {
                graph.AddInput(input, [.. batch, classes]);
                oneHot = batched ? input : graph.Reshape(input, "class_row", 1, classes);
            }
            else
            {
                // OnnxTransformer feeds a scalar column as a [1, 1] tensor.
                graph.AddInput(input, batched ? [-1] : [1, 1], TensorProto.Types.DataType.Int64);
                string index = batched ? input : graph.Reshape(input, "class_index", 1);
                oneHot = graph.Node("OneHot", [index, graph.Int64Constant("depth", classes), graph.Constant("off_on", [0f, 1f], 2)], "class_one_hot",
                    [OnnxGraph.Int("axis", -1)]);
            }
        }

        string tanh = generator.ExportOnnx(graph, latent, oneHot);
        string half = graph.Constant("half", [0.5f]);
        // ONNX Runtime's tanh can overshoot ±1 by an ulp; Clip keeps pixels exactly within [0, 1].
        string shifted = graph.Node("Add", [graph.Node("Mul", [tanh, half], "tanh_half"), half], "pixels_shifted");
        string unit = graph.Node("Clip", [shifted, graph.Constant("zero", [0f]), graph.Constant("one", [1f])], "pixels_flat");

        long[] pixelDims = [.. batch, .. layout.PixelDimensions.Select(d => (long)d)];
        graph.Node("Reshape", [unit, graph.Int64Constant("pixels_shape", pixelDims)], "pixels", output: layout.PixelsName);
        graph.AddOutput(layout.PixelsName, pixelDims);

        ImageShape shape = layout.Shape;
        string intensities = graph.Node("Round", [graph.Node("Mul", [unit, graph.Constant("full_intensity", [255f])], "intensity")], "intensity_rounded");
        string planes = graph.Reshape(intensities, "planes", [.. batch, shape.Channels, shape.Height, shape.Width]);
        graph.Concat(shape.Channels == 1 ? [planes, planes, planes] : [planes], batched ? 1 : 0, "rgb_planes", layout.ImagePlanesName);
        graph.AddOutput(layout.ImagePlanesName, [.. batch, 3, shape.Height, shape.Width]);

        return graph.ToModel("Generator of a GAN trained with Microsoft.ML.Gan (TorchSharp); latent vector in, image out.");
    }
}
