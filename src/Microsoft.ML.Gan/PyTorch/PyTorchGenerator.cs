using Microsoft.ML.Gan.Artifact;
using Microsoft.ML.Gan.IO;
using Microsoft.ML.Gan.Input;
using System.Collections;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.ML.Gan.Networks;
using Onnx;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.PyTorch;

/// <summary>
/// Generator weights in and out of PyTorch, through TorchSharp.PyBridge: <c>torch.save(G.state_dict(), path)</c> files
/// (PyTorch's zip pickle format) and safetensors (chosen by the <c>.safetensors</c> extension).
/// <para>
/// Import builds our network of the same architecture (its parameter names are PyTorch's: <c>fc1.weight</c>, <c>bn0.running_mean</c>, …),
/// checks every key and shape, copies the weights and exports it exactly as training does (<see cref="GeneratorModel.Export"/>), so
/// the model zip is an ordinary one. Export reads the weights back out of the model's batched ONNX graph (a model zip holds no
/// TorchSharp weights), by the initializer names <see cref="Onnx.OnnxGraph"/> gives them: <c>fc1_weight_t_N</c> is <c>fc1.weight</c>
/// transposed, <c>bn0_scale_N</c> is <c>bn0.weight</c>, <c>bn0_mean_N</c> <c>bn0.running_mean</c>, and so on.
/// </para>
/// </summary>
internal static partial class PyTorchGenerator
{
    private static readonly string[] MlpLayers = ["fc1", "fc2", "fc3", "fc4"];
    private static readonly string[] DcganLayers = ["fc", "bn0", "deconv1", "bn1", "deconv2"];

    public static (GeneratorModel Model, GanTrainingHistory History) Import(string path, PyTorchGeneratorOptions options)
    {
        options.RejectUnused();
        using var scope = torch.NewDisposeScope();
        Dictionary<string, Tensor> state = Read(path);
        CheckArchitecture(state, options.Architecture, path);
        (GeneratorNetwork network, ImageShape shape, string sizes) = Build(state, options, path);
        using (network)
        {
            Copy(state, network, path, $"the {options.Architecture} generator with {sizes}");
            network.eval();
            int[] dimensions = shape.Channels == 1 ? [shape.Height, shape.Width] : [shape.Channels, shape.Height, shape.Width];
            var pixels = new PixelColumn(options.PixelsColumnName, PixelStorage.Single, shape, dimensions, 1f);
            // Training happened elsewhere: 0 epochs, no losses. The article's loss is the non-saturating BCE one.
            var training = new TrainingSummary(options.Architecture, GanLoss.NonSaturating, 0, 0, double.NaN, double.NaN, null, null);
            var metadata = new GeneratorMetadata(GeneratorMetadata.CurrentLibraryVersion, options.LatentColumnName, network.LatentDimension, options.LatentDistribution,
                pixels, options.GeneratedPixelsColumnName, options.GeneratedImageColumnName, null, 1, training);
            return (GeneratorModel.Export(network, metadata), new GanTrainingHistory(shape, [], 0));
        }
    }

    public static void Export(GeneratorModel model, string path)
    {
        if (model.Metadata.ClassCount > 0)
        {
            throw new NotSupportedException(
                $"The generator is conditional ({model.Metadata.ClassCount} classes); the PyTorch Generator classes it is exported for take no label. Export an unconditional generator.");
        }

        using var scope = torch.NewDisposeScope();
        Dictionary<string, TensorProto> initializers = Initializers(model.Onnx);
        GanArchitecture architecture = model.Metadata.Training.Architecture;
        Tensor Weight(string hint)
        {
            if (!initializers.TryGetValue(hint, out TensorProto? value))
            {
                throw new InvalidDataException(
                    $"The model's ONNX graph has no initializer '{hint}', which a {architecture} generator's graph has; it holds [{string.Join(", ", initializers.Keys.Order())}].");
            }

            float[] values = MemoryMarshal.Cast<byte, float>(value.RawData.Span).ToArray();
            return torch.tensor(values, [.. value.Dims]);
        }

        var state = new Dictionary<string, Tensor>();
        void Linear(string layer)
        {
            // Stored as Wᵀ [in, out] for MatMul; PyTorch keeps W [out, in].
            state[$"{layer}.weight"] = Weight($"{layer}_weight_t").t().contiguous();
            state[$"{layer}.bias"] = Weight($"{layer}_bias");
        }

        void BatchNorm(string layer)
        {
            state[$"{layer}.weight"] = Weight($"{layer}_scale");
            state[$"{layer}.bias"] = Weight($"{layer}_bias");
            state[$"{layer}.running_mean"] = Weight($"{layer}_mean");
            state[$"{layer}.running_var"] = Weight($"{layer}_var");
            // Not in the graph; it only matters for BatchNorm with momentum=None, and PyTorch's load_state_dict expects it.
            state[$"{layer}.num_batches_tracked"] = torch.tensor(0L);
        }

        if (architecture == GanArchitecture.Mlp)
        {
            foreach (string layer in MlpLayers)
            {
                Linear(layer);
            }
        }
        else
        {
            Linear("fc");
            BatchNorm("bn0");
            state["deconv1.weight"] = Weight("deconv1_weight");
            BatchNorm("bn1");
            state["deconv2.weight"] = Weight("deconv2_weight");
            state["deconv2.bias"] = Weight("deconv2_bias");
        }

        AtomicFile.Write(path, stream =>
        {
            if (IsSafetensors(path))
            {
                Safetensors.SaveStateDict(stream, state, leaveOpen: true);
            }
            else
            {
                PyTorchPickler.PickleStateDict(stream, state, leaveOpen: true);
            }
        });
    }

    /// <summary>
    /// Why the file at <paramref name="path"/> cannot be a <c>torch.save</c> file of PyTorch 1.6 or later (a zip archive,
    /// the only format TorchSharp reads), from its first bytes; null when it starts like one.
    /// </summary>
    private static string? NotATorchZip(string path)
    {
        ReadOnlySpan<byte> legacyMagic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
        Span<byte> head = stackalloc byte[16];
        int read;
        using (FileStream file = File.OpenRead(path))
        {
            read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        head = head[..read];
        if (head.StartsWith("PK\u0003\u0004"u8))
        {
            return null;
        }

        // The legacy format (PyTorch before 1.6, or _use_new_zipfile_serialization=False) pickles the magic number
        // 0x1950a86a20f9469cfc6c first: protocol 2 (0x80 0x02), then LONG1 of 10 bytes (0x8a 0x0a), little-endian.
        if (head.StartsWith(legacyMagic))
        {
            return "was saved in PyTorch's legacy format (before PyTorch 1.6, or with _use_new_zipfile_serialization=False), which TorchSharp does not read. " +
                "Save it again with torch.save(G.state_dict(), path) in PyTorch 1.6 or later.";
        }

        return head.Length > 0 && head[0] == 0x80
            ? "is a Python pickle, not a torch.save file (a zip archive). Save the generator's weights with torch.save(G.state_dict(), path)."
            : $"is not a torch.save file: those are zip archives (they start with 'PK'), and this one starts with {(head.Length == 0 ? "nothing (it is empty)" : Convert.ToHexString(head[..Math.Min(4, head.Length)]))}. " +
              "Pass the file of torch.save(G.state_dict(), path), or a .safetensors file.";
    }

    private static bool IsSafetensors(string path) => path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase);

    private static Dictionary<string, Tensor> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"PyTorch generator weights '{path}' do not exist.", path);
        }

        if (!IsSafetensors(path) && NotATorchZip(path) is string why)
        {
            throw new InvalidDataException($"'{path}' {why}");
        }

        IDictionary entries;
        try
        {
            entries = IsSafetensors(path) ? Safetensors.LoadStateDict(path) : PyTorchUnpickler.UnpickleStateDict(path);
        }
        catch (Exception e) when (e is not (IOException or UnauthorizedAccessException) || e is EndOfStreamException)
        {
            throw new InvalidDataException(IsSafetensors(path)
                ? $"'{path}' is not a readable safetensors file: {e.Message}"
                : $"'{path}' is a torch.save file but not a state_dict this library reads ({e.GetType().Name}: {e.Message}). " +
                  "Save the generator's weights with torch.save(G.state_dict(), path), not torch.save(G) or another object.", e);
        }

        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in entries)
        {
            Tensor tensor = entry.Value as Tensor
                ?? throw new InvalidDataException($"'{path}': key '{entry.Key}' holds a {entry.Value?.GetType().Name ?? "null"}, not a tensor; expected a generator's state_dict.");
            if (tensor.is_floating_point() && tensor.numel() > 0)
            {
                using Tensor finite = tensor.isfinite();
                long bad = tensor.numel() - finite.count_nonzero().item<long>();
                if (bad > 0)
                {
                    throw new InvalidDataException(
                        $"'{path}': key '{entry.Key}' holds {bad:N0} NaN or infinite value(s) of {tensor.numel():N0}; a generator's weights must be finite (the training that wrote them diverged).");
                }
            }

            state[(string)entry.Key] = tensor;
        }

        return state;
    }

    private static void CheckArchitecture(Dictionary<string, Tensor> state, GanArchitecture architecture, string path)
    {
        if (state.ContainsKey("label_embedding.weight"))
        {
            throw new InvalidDataException($"'{path}' has the key 'label_embedding.weight' of a conditional generator; only unconditional generators are imported.");
        }

        (GanArchitecture other, string[] otherLayers) = architecture == GanArchitecture.Mlp
            ? (GanArchitecture.Dcgan, DcganLayers)
            : (GanArchitecture.Mlp, MlpLayers);
        string[] own = architecture == GanArchitecture.Mlp ? MlpLayers : DcganLayers;
        bool looksOther = otherLayers.Except(own).Any(layer => state.ContainsKey(layer + ".weight"));
        bool looksOwn = own.Except(otherLayers).Any(layer => state.ContainsKey(layer + ".weight"));
        if (looksOther && !looksOwn)
        {
            throw new InvalidDataException(
                $"'{path}' holds a {other} generator (keys {Keys(state)}), not the {architecture} generator ({string.Join(", ", own)}); set {nameof(PyTorchGeneratorOptions)}.{nameof(PyTorchGeneratorOptions.Architecture)} to {other}.");
        }
    }

    private static (GeneratorNetwork Network, ImageShape Shape, string Sizes) Build(Dictionary<string, Tensor> state, PyTorchGeneratorOptions options, string path)
    {
        if (options.Architecture == GanArchitecture.Mlp)
        {
            long[] first = Shape(state, "fc1.weight", 2, path, options.Architecture);
            long[] last = Shape(state, "fc4.weight", 2, path, options.Architecture);
            int latent = options.LatentDimension ?? (int)first[1];
            int hidden = options.HiddenSize ?? (int)first[0];
            int side = SquareSide(last[0]);
            if (side == 0)
            {
                throw new InvalidDataException(
                    $"'{path}': key 'fc4.weight' has shape {Format(last)}: {last[0]} outputs, not a square one-channel image (the article's is 784 = 28 x 28).");
            }

            var network = new MlpGenerator(latent, hidden, (int)last[0], 0, options.LeakyReluSlope);
            return (network, new ImageShape(1, side, side), $"z = {latent}, h = {hidden}");
        }

        long[] fc = Shape(state, "fc.weight", 2, path, options.Architecture);
        long[] deconv1 = Shape(state, "deconv1.weight", 4, path, options.Architecture);
        long[] deconv2 = Shape(state, "deconv2.weight", 4, path, options.Architecture);
        int z = options.LatentDimension ?? (int)fc[1];
        int width = options.DcganWidth ?? (int)deconv1[1];
        int startSide = fc[0] % (2 * width) == 0 ? SquareSide(fc[0] / (2 * width)) : 0;
        if (startSide == 0)
        {
            throw new InvalidDataException(
                $"'{path}': key 'fc.weight' has shape {Format(fc)}; for width w = {width} its {fc[0]} outputs must be 2w x s x s (a square start, 128 x 7 x 7 for 28 x 28 images).");
        }

        var shape = new ImageShape((int)deconv2[1], 4 * startSide, 4 * startSide);
        return (new DcganGenerator(z, shape, width), shape, $"z = {z}, w = {width}, images {shape}");
    }

    /// <summary>Checks that every key our network has is in the file with its shape, and no other, then copies the weights.</summary>
    private static void Copy(Dictionary<string, Tensor> state, GeneratorNetwork network, string path, string what)
    {
        Dictionary<string, Tensor> expected = network.state_dict();
        var problems = new List<string>();
        foreach ((string key, Tensor target) in expected)
        {
            if (!state.TryGetValue(key, out Tensor? source))
            {
                // PyTorch itself accepts state_dicts of batch norms saved before it kept this counter.
                if (!key.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
                {
                    problems.Add($"missing key '{key}' (expected shape {Format(target.shape)})");
                }
            }
            else if (!source.shape.SequenceEqual(target.shape))
            {
                problems.Add($"key '{key}' has shape {Format(source.shape)}; expected {Format(target.shape)}");
            }
        }

        problems.AddRange(state.Keys.Where(key => !expected.ContainsKey(key)).Order(StringComparer.Ordinal)
            .Select(key => $"unexpected key '{key}' (shape {Format(state[key].shape)})"));
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"'{path}' does not fit {what}: {string.Join("; ", problems)}.");
        }

        using var noGrad = torch.no_grad();
        foreach ((string key, Tensor target) in expected)
        {
            if (state.TryGetValue(key, out Tensor? source))
            {
                target.copy_(source);
            }
        }
    }

    private static long[] Shape(Dictionary<string, Tensor> state, string key, int rank, string path, GanArchitecture architecture)
    {
        if (!state.TryGetValue(key, out Tensor? tensor))
        {
            throw new InvalidDataException($"'{path}' has no key '{key}', which the {architecture} generator needs; it has {Keys(state)}.");
        }

        return tensor.shape.Length == rank
            ? tensor.shape
            : throw new InvalidDataException($"'{path}': key '{key}' has shape {Format(tensor.shape)}; the {architecture} generator's has {rank} dimensions.");
    }

    private static int SquareSide(long count)
    {
        int side = (int)Math.Round(Math.Sqrt(count));
        return count > 0 && (long)side * side == count ? side : 0;
    }

    private static Dictionary<string, TensorProto> Initializers(byte[] onnx)
    {
        var byHint = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (TensorProto initializer in ModelProto.Parser.ParseFrom(onnx).Graph.Initializer)
        {
            // OnnxGraph names values hint_N; the hints are the layer names.
            byHint[UniqueSuffix().Replace(initializer.Name, "")] = initializer;
        }

        return byHint;
    }

    private static string Keys(Dictionary<string, Tensor> state) => "[" + string.Join(", ", state.Keys.Order(StringComparer.Ordinal)) + "]";

    private static string Format(long[] shape) => "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    [GeneratedRegex(@"_\d+$")]
    private static partial Regex UniqueSuffix();
}
