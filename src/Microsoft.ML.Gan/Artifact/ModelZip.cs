using Microsoft.ML.Gan.Training;
using System.IO.Compression;
using Microsoft.ML.Gan.IO;

namespace Microsoft.ML.Gan.Artifact;

/// <summary>
/// The entries a model zip holds for Microsoft.ML.Gan next to ML.NET's own: <c>Gan/generator.onnx</c> (the batched
/// generator graph with its metadata, <see cref="GeneratorModel"/>) and <c>Gan/history.json</c>
/// (<see cref="HistoryJson"/>). ML.NET's loader reads only its own entries (<c>TransformerChain/…</c>, <c>Schema/…</c>),
/// so <c>mlContext.Model.Load</c> ignores these; <see cref="GanCatalog.LoadGenerator"/> reads them.
/// </summary>
/// <remarks>
/// Nothing in a zip is trusted before it is checked. An entry is read only when its declared size is within a bound derived
/// from its compressed size (<see cref="MaxInflation"/>: weights and JSON do not deflate that far; a zip bomb does), through a
/// buffer of exactly that size that a longer stream cannot overrun; its bytes must match the CRC-32 the zip records, which
/// .NET's reader does not check; and the generator graph must agree with the one-row graph in ML.NET's scoring chain, so
/// <see cref="GanCatalog.LoadGenerator"/> and <c>mlContext.Model.Load</c> cannot score two different models from one file.
/// </remarks>
internal static class ModelZip
{
    public const string Directory = "Gan";
    public const string GeneratorEntry = Directory + "/generator.onnx";
    public const string HistoryEntry = Directory + "/history.json";
    public const string ClassifierEntry = Directory + "/classifier.onnx";
    public const string ClassifierHistoryEntry = Directory + "/classifier-history.json";

    /// <summary>How many times larger than its compressed size an entry may inflate (above <see cref="InflationAllowance"/>).</summary>
    public const long MaxInflation = 50;

    /// <summary>What any entry may inflate to whatever its compressed size: small entries of JSON compress well.</summary>
    public const long InflationAllowance = 16L << 20;

    /// <summary>No entry is read beyond this, whatever its compressed size (ONNX's own limit is 2 GiB).</summary>
    public const long MaxEntryBytes = 1L << 30;

    /// <summary>
    /// Adds the generator and history entries to the zip <paramref name="ctx"/> writes. ModelSaveContext keeps that zip (a
    /// RepositoryWriter) internal, like all of ML.NET's persistence API, so the entries go through it by reflection
    /// (<see cref="MlNetInternals"/>).
    /// </summary>
    public static void WriteGeneratorEntries(ModelSaveContext ctx, byte[] generator, GanTrainingHistory history)
    {
        object repository = MlNetInternals.RepositoryOf(ctx);
        Write(repository, "generator.onnx", generator);
        Write(repository, "history.json", HistoryJson.Write(history));
    }

    /// <summary>Adds a semi-supervised classifier's graph and history entries to the zip <paramref name="ctx"/> writes.</summary>
    public static void WriteClassifierEntries(ModelSaveContext ctx, byte[] classifier, byte[] history)
    {
        object repository = MlNetInternals.RepositoryOf(ctx);
        Write(repository, Path.GetFileName(ClassifierEntry), classifier);
        Write(repository, Path.GetFileName(ClassifierHistoryEntry), history);
    }

    /// <summary>The graph and history bytes of a classifier zip.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Not a zip, a zip without a classifier (a generator's, say), or a corrupt entry; the message names the file.</exception>
    public static (byte[] Classifier, byte[] History) ReadClassifier(string path)
    {
        using ZipArchive zip = Open(path);
        ZipArchiveEntry? classifier = Single(zip, ClassifierEntry, path);
        ZipArchiveEntry? history = Single(zip, ClassifierHistoryEntry, path);
        if (classifier is null || history is null)
        {
            throw new InvalidDataException(Single(zip, GeneratorEntry, path) is not null
                ? $"Model '{path}' holds a generator, not a classifier: load it with LoadGenerator."
                : $"Model '{path}' is a zip but not a classifier saved by Microsoft.ML.Gan: it has no '{ClassifierEntry}' and '{ClassifierHistoryEntry}' entries.");
        }

        return (ReadAll(classifier, path), ReadAll(history, path));
    }

    private static ZipArchive Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Model '{path}' does not exist.", path);
        }

        try
        {
            return ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Model '{path}' is not a model zip (not a readable zip file: {e.Message}).", e);
        }
    }

    private static void Write(object repository, string name, byte[] bytes)
    {
        using IDisposable entry = MlNetInternals.CreateEntry(repository, Directory, name);
        var stream = (Stream)entry.GetType().GetProperty("Stream")!.GetValue(entry)!;
        stream.Write(bytes);
    }

    /// <summary>Reads a zip written by <see cref="GanTransformer.Save"/> or <c>mlContext.Model.Save</c> of a <see cref="GanTransformer"/>.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Not a zip, a zip without the generator entries (an earlier format), or unreadable entries; the message names the file.</exception>
    public static (GeneratorModel Model, GanTrainingHistory History) Read(string path)
    {
        using (ZipArchive zip = Open(path))
        {
            if (Single(zip, GeneratorEntry, path) is null && Single(zip, ClassifierEntry, path) is not null)
            {
                throw new InvalidDataException($"Model '{path}' holds a semi-supervised classifier, not a generator: load it with LoadClassifier.");
            }

            ZipArchiveEntry? generator = Single(zip, GeneratorEntry, path);
            ZipArchiveEntry? history = Single(zip, HistoryEntry, path);
            if (generator is null || history is null)
            {
                string[] absent = new[] { generator is null ? GeneratorEntry : null, history is null ? HistoryEntry : null }.OfType<string>().ToArray();
                string missing = string.Join(" and ", absent.Select(e => $"'{e}'")) + (absent.Length == 1 ? " entry" : " entries");
                bool isMlNetModel = zip.Entries.Any(e => e.FullName.StartsWith("TransformerChain/", StringComparison.Ordinal));
                if (isMlNetModel && ChainDataKinds(zip, path).Contains(GeneratorMetadata.TableDataKind))
                {
                    throw new InvalidDataException(
                        $"Model '{path}' holds a table generator, not an image generator: load it with mlContext.Model.Load, which maps latent rows to table rows.");
                }

                throw new InvalidDataException(isMlNetModel
                    ? $"Model '{path}' has no {missing}: it was saved by an earlier Microsoft.ML.Gan (or is another ML.NET model), which wrote only the " +
                      "ML.NET scoring chain, so its latent distribution, classes, label type and training history are unknown. mlContext.Model.Load still " +
                      "reads it (pass the latent distribution it was trained with yourself); save the trained GanTransformer again to load it here."
                    : $"Model '{path}' is a zip but not an ML.NET model saved by Microsoft.ML.Gan: it has no {missing}.");
            }

            GeneratorModel model = GeneratorModel.Read(ReadAll(generator, path), $"Model '{path}' (entry '{GeneratorEntry}')");
            RequireSameScoringGraph(zip, model, path);
            return (model, HistoryJson.Read(ReadAll(history, path), $"Model '{path}' (entry '{HistoryEntry}')"));
        }
    }

    /// <summary>
    /// The one-row graph ML.NET's chain scores with (an <c>OnnxModel</c> stream: a 32-bit length, then the graph) must be the
    /// one this generator makes, or the zip was altered after it was saved.
    /// </summary>
    private static void RequireSameScoringGraph(ZipArchive zip, GeneratorModel model, string path)
    {
        ZipArchiveEntry[] chainGraphs = [.. zip.Entries.Where(e => e.FullName.StartsWith("TransformerChain/", StringComparison.Ordinal) && e.Name == "OnnxModel")];
        if (chainGraphs.Length != 1)
        {
            throw new InvalidDataException(
                $"Model '{path}' has {chainGraphs.Length} ONNX graphs in its ML.NET scoring chain; a generator saved by Microsoft.ML.Gan has exactly one.");
        }

        byte[] stored = ReadAll(chainGraphs[0], path);
        byte[] expected = model.OneRowOnnx();
        bool same = stored.Length == expected.Length + sizeof(int)
            && BitConverter.ToInt32(stored, 0) == expected.Length
            && stored.AsSpan(sizeof(int)).SequenceEqual(expected);
        if (!same)
        {
            throw new InvalidDataException(
                $"Model '{path}' holds two generators that disagree: '{GeneratorEntry}' and the scoring chain's '{chainGraphs[0].FullName}'. " +
                "The zip was changed after it was saved; save the model again.");
        }
    }

    /// <summary>The <c>gan.data.kind</c> of every ONNX graph in the zip's ML.NET chain that has one.</summary>
    private static IEnumerable<string> ChainDataKinds(ZipArchive zip, string path)
    {
        foreach (ZipArchiveEntry entry in zip.Entries.Where(e => e.FullName.StartsWith("TransformerChain/", StringComparison.Ordinal) && e.Name == "OnnxModel"))
        {
            byte[] stored = ReadAll(entry, path);
            global::Onnx.ModelProto? graph = null;
            try
            {
                graph = stored.Length > sizeof(int) ? global::Onnx.ModelProto.Parser.ParseFrom(stored, sizeof(int), stored.Length - sizeof(int)) : null;
            }
            catch (Google.Protobuf.InvalidProtocolBufferException)
            {
            }

            if (graph?.MetadataProps.FirstOrDefault(p => p.Key == "gan.data.kind") is { } kind)
            {
                yield return kind.Value;
            }
        }
    }

    private static ZipArchiveEntry? Single(ZipArchive zip, string name, string path)
    {
        ZipArchiveEntry[] entries = zip.Entries.Where(e => e.FullName == name).ToArray();
        return entries.Length <= 1
            ? entries.SingleOrDefault()
            : throw new InvalidDataException($"Model '{path}' holds {entries.Length} '{name}' entries (several models saved into one zip); a zip of one model is expected.");
    }

    /// <summary>An entry's bytes, checked for size before anything is allocated and for its CRC-32 after.</summary>
    private static byte[] ReadAll(ZipArchiveEntry entry, string path)
    {
        long limit = Math.Min(MaxEntryBytes, Math.Max(InflationAllowance, MaxInflation * entry.CompressedLength));
        if (entry.Length > limit)
        {
            throw new InvalidDataException(
                $"Model '{path}' has an entry '{entry.FullName}' that inflates to {entry.Length:N0} bytes from {entry.CompressedLength:N0}; " +
                $"more than {limit:N0} is refused (a model's weights and history do not compress {MaxInflation}-fold; this looks like a zip bomb).");
        }

        var bytes = new byte[entry.Length];
        try
        {
            using Stream stream = entry.Open();
            stream.ReadExactly(bytes);
            if (stream.ReadByte() != -1)
            {
                throw new InvalidDataException($"it inflates to more than the {entry.Length:N0} bytes its header declares");
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new InvalidDataException($"Model '{path}' has a corrupt entry '{entry.FullName}': {e.Message}", e);
        }

        uint crc = Crc32.Compute(bytes);
        if (crc != entry.Crc32)
        {
            throw new InvalidDataException(
                $"Model '{path}' has a corrupt entry '{entry.FullName}': its CRC-32 is 0x{crc:x8} where the zip records 0x{entry.Crc32:x8}. The file was damaged; save or copy the model again.");
        }

        return bytes;
    }
}
