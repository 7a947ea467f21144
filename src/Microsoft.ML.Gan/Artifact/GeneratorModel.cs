using Google.Protobuf;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Onnx;
using Onnx;

namespace Microsoft.ML.Gan.Artifact;

/// <summary>
/// The exported generator: the batched ONNX graph (<see cref="GeneratorOnnxExporter"/>) with its
/// <see cref="GeneratorMetadata"/> in <c>metadata_props</c>. Training makes it once and drops the TorchSharp
/// generator; a model zip stores it; <see cref="GanCatalog.LoadGenerator"/> reads it back. A
/// <see cref="GanTransformer"/> scores this artifact and nothing else, so a loaded model is the model that was saved.
/// </summary>
internal sealed class GeneratorModel
{
    /// <summary>The hidden column of 0..255 image planes that ConvertToImage reads.</summary>
    public const string ImagePlanesColumn = "GanImagePlanes";

    /// <summary>The class as the graph takes it (one-hot or int64), made by the scoring chain from the label column.</summary>
    public const string ClassInputColumn = "GanClassInput";

    // Rows per ONNX Runtime call. Dense graphs: large batches keep the per-call overhead lowest. Convolutional graphs:
    // a few rows per call beat one, but large batches ran slower again once a batch's activations no longer fit the
    // cache (tried while choosing; docs/BENCHMARKS.md measures the chosen sizes against ONNX Runtime run directly).
    private const int DenseBatchSize = 1000;
    private const int ConvolutionBatchSize = 16;

    private GeneratorModel(byte[] onnx, GeneratorMetadata metadata, GeneratorGraphLayout layout, int batchSize)
    {
        Onnx = onnx;
        Metadata = metadata;
        Layout = layout;
        BatchSize = batchSize;
    }

    /// <summary>The batched graph with its metadata; shared, never modified.</summary>
    public byte[] Onnx { get; }

    public GeneratorMetadata Metadata { get; }

    public GeneratorGraphLayout Layout { get; }

    /// <summary>Rows per ONNX Runtime call in Transform and Generate.</summary>
    public int BatchSize { get; }

    /// <summary>
    /// Exports <paramref name="generator"/> and reads the result back, so an in-memory transformer sees exactly what
    /// a loaded one will (the metadata as written, not as it was before writing).
    /// </summary>
    public static GeneratorModel Export(GeneratorNetwork generator, GeneratorMetadata metadata)
        => Read(GeneratorOnnxExporter.Export(generator, LayoutOf(metadata), metadata.ToProperties()), "The exported generator");

    /// <summary>Reads a batched generator graph with its metadata; errors name <paramref name="source"/>.</summary>
    /// <exception cref="InvalidDataException">Not an ONNX model, no or unreadable metadata, or inputs and outputs that do not match it.</exception>
    public static GeneratorModel Read(byte[] onnx, string source)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(onnx);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{source} is not a readable ONNX model: {e.Message}", e);
        }

        var properties = new Dictionary<string, string>();
        foreach (StringStringEntryProto entry in model.MetadataProps)
        {
            properties[entry.Key] = entry.Value;
        }

        GeneratorMetadata metadata = GeneratorMetadata.FromProperties(properties, source);
        GeneratorGraphLayout layout = LayoutOf(metadata);
        string[] expectedInputs = layout.ClassInputName is null ? [layout.LatentName] : [layout.LatentName, layout.ClassInputName];
        string[] inputs = model.Graph?.Input.Select(i => i.Name).ToArray() ?? [];
        string[] outputs = model.Graph?.Output.Select(o => o.Name).ToArray() ?? [];
        if (!inputs.SequenceEqual(expectedInputs) || !outputs.SequenceEqual([layout.PixelsName]))
        {
            throw new InvalidDataException(
                $"{source} has graph inputs [{string.Join(", ", inputs)}] and outputs [{string.Join(", ", outputs)}]; its metadata describes inputs " +
                $"[{string.Join(", ", expectedInputs)}] and the output [{layout.PixelsName}].");
        }

        bool convolutional = model.Graph!.Node.Any(n => n.OpType is "Conv" or "ConvTranspose");
        return new GeneratorModel(onnx, metadata, layout, convolutional ? ConvolutionBatchSize : DenseBatchSize);
    }

    /// <summary>The one-row graph with the image-planes output that the stock ML.NET chain runs (<see cref="OneRowGraph"/>).</summary>
    public byte[] OneRowOnnx() => OneRowGraph.FromBatched(Onnx, Layout, Metadata.LatentDimension);

    private static GeneratorGraphLayout LayoutOf(GeneratorMetadata metadata) => new(
        metadata.LatentColumnName,
        metadata.GeneratedPixelsColumnName,
        ImagePlanesColumn,
        metadata.Pixels.Dimensions,
        metadata.ImageShape,
        metadata.Label is null ? null : ClassInputColumn,
        ClassesAreOneHot: metadata.Label?.IsKey ?? true,
        metadata.ClassCount);
}
