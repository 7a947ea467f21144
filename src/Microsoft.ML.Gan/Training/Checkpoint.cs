using Microsoft.ML.Gan.IO;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Gan.Training;

/// <summary>
/// Checkpoint files, one per saved epoch, named <c>checkpoint-epoch-NNNN.gan</c> (NNNN epochs done), or
/// <c>checkpoint-epoch-NNNN.step-SSSSSS.gan</c> when training was cancelled S steps into the next epoch; the two newest
/// of the same run (<see cref="CheckpointHeader.RunId"/>) are kept, other runs' files are never touched.
/// Layout (little-endian):
/// <code>
/// 8 bytes   magic "MLGANCK1"
/// int32     length of the header, then the header as UTF-8 JSON (<see cref="CheckpointHeader"/>: format, identity, tunables, counters)
/// int32     epochs in the history; per epoch: int32 epoch, float64 d_loss, float64 g_loss, float64 seconds,
///           float64 fid, float64 kid (NaN when not measured), int32 samples, int32 values per sample, then the samples as float32
/// …         <see cref="TrainingState.WriteTensors"/>: generator, discriminator, EMA, optimizers, random state, fixed inputs,
///           and (mid-epoch only) the epoch's row order, steps done and loss sums
/// 32 bytes  SHA-256 of everything before it
/// </code>
/// Written to a temporary file and renamed, so a crash never leaves a half-written checkpoint under the final name.
/// </summary>
internal static class Checkpoint
{
    /// <summary>
    /// 3: the header is derived from the training plan (identity and tunables as JSON trees). Formats 1 and 2 listed their
    /// settings field by field; this version refuses to resume them, with a message that says so.
    /// </summary>
    public const int FormatVersion = 3;
    private const string Magic = "MLGANCK1";
    private const string Prefix = "checkpoint-epoch-";
    private const string Extension = ".gan";
    private const int Kept = 2;

    public static string Write(string directory, CheckpointHeader header, TrainingState state)
    {
        Directory.CreateDirectory(directory);
        string step = header.EpochStep is int s ? $".step-{s:D6}" : "";
        string path = Path.Combine(directory, $"{Prefix}{header.CompletedEpochs:D4}{step}{Extension}");
        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
            writer.Write(json.Length);
            writer.Write(json);
            writer.Write(state.History.Count);
            foreach (GanEpochSummary epoch in state.History)
            {
                writer.Write(epoch.Epoch);
                writer.Write(epoch.DiscriminatorLoss);
                writer.Write(epoch.GeneratorLoss);
                writer.Write(epoch.Duration.TotalSeconds);
                writer.Write(epoch.Fid ?? double.NaN);
                writer.Write(epoch.Kid ?? double.NaN);
                writer.Write(epoch.Samples.Count);
                writer.Write(epoch.Samples.Count == 0 ? 0 : epoch.Samples[0].Length);
                foreach (float[] sample in epoch.Samples)
                {
                    writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(sample.AsSpan()));
                }
            }

            state.WriteTensors(writer, header.EpochStep is not null);
        }

        byte[] hash = SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length));
        body.Write(hash);
        AtomicFile.Write(path, stream => stream.Write(body.GetBuffer(), 0, (int)body.Length));

        foreach (string old in List(directory).Where(file => ReadLabelOrNull(file)?.RunId == header.RunId).SkipLast(Kept))
        {
            File.Delete(old);
        }

        return path;
    }

    /// <summary>The newest checkpoint in <paramref name="directory"/>, or null when there is none.</summary>
    public static string? Latest(string directory) => Directory.Exists(directory) ? List(directory).LastOrDefault() : null;

    /// <summary>Every checkpoint file in <paramref name="directory"/>, oldest first (none when it does not exist).</summary>
    public static IReadOnlyList<string> All(string directory) => Directory.Exists(directory) ? [.. List(directory)] : [];

    /// <summary>
    /// What a checkpoint file says about itself without being verified: its format, run id, epochs done and a summary a person
    /// recognises the run by; null when the file is not a readable checkpoint. Works for every format, so files of earlier
    /// versions are named and never taken for this run's.
    /// </summary>
    public static CheckpointLabel? ReadLabelOrNull(string path)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
            if (Encoding.ASCII.GetString(reader.ReadBytes(Magic.Length)) != Magic)
            {
                return null;
            }

            int length = reader.ReadInt32();
            if (length is <= 0 or >= 1 << 20 || JsonNode.Parse(reader.ReadBytes(length)) is not JsonObject header)
            {
                return null;
            }

            int format = header["FormatVersion"]?.GetValue<int>() ?? 0;
            int epochs = header["CompletedEpochs"]?.GetValue<int>() ?? 0;
            string? runId = header["RunId"]?.GetValue<string>();
            string summary = format >= 3
                ? (header.Deserialize<CheckpointHeader>()?.Summary ?? "?")
                : string.Create(CultureInfo.InvariantCulture, $"{header["Architecture"]?.GetValue<string>() ?? "?"}, seed {header["Seed"]?.GetValue<int>()}");
            return new CheckpointLabel(format, runId, epochs, summary);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Reads and verifies a checkpoint into a state made by <paramref name="createState"/> from its header.</summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is truncated or fails its checksum.</exception>
    public static CheckpointHeader Read(string path, Func<CheckpointHeader, TrainingState> createState, out TrainingState state)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + 4 + 32 || Encoding.ASCII.GetString(bytes, 0, Magic.Length) != Magic)
        {
            throw new InvalidDataException($"'{path}' is not a Microsoft.ML.Gan checkpoint (no '{Magic}' header).");
        }

        ReadOnlySpan<byte> content = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(content).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
        {
            throw new InvalidDataException(
                $"Checkpoint '{path}' is corrupt (its SHA-256 does not match; truncated or modified). Delete it to resume from an older one or to start over.");
        }

        using var reader = new BinaryReader(new MemoryStream(bytes, 0, content.Length), Encoding.UTF8);
        reader.ReadBytes(Magic.Length);
        JsonObject json = JsonNode.Parse(reader.ReadBytes(reader.ReadInt32())) as JsonObject
            ?? throw new InvalidDataException($"Checkpoint '{path}' has an empty header.");
        int format = json["FormatVersion"]?.GetValue<int>() ?? 0;
        if (format != FormatVersion)
        {
            throw new InvalidDataException(format is > 0 and < FormatVersion
                ? $"Checkpoint '{path}' was written by an earlier Microsoft.ML.Gan (checkpoint format {format}); this version resumes format {FormatVersion} only. " +
                  "Finish that run with the version that wrote it, or start over (OverwriteCheckpoints)."
                : $"Checkpoint '{path}' has format version {format}; this library reads version {FormatVersion}. It was written by a newer Microsoft.ML.Gan.");
        }

        CheckpointHeader header = json.Deserialize<CheckpointHeader>()
            ?? throw new InvalidDataException($"Checkpoint '{path}' has an empty header.");
        state = createState(header);
        try
        {
            int epochs = reader.ReadInt32();
            for (int e = 0; e < epochs; e++)
            {
                int epoch = reader.ReadInt32();
                double d = reader.ReadDouble(), g = reader.ReadDouble(), seconds = reader.ReadDouble();
                double fid = reader.ReadDouble(), kid = reader.ReadDouble();
                int count = reader.ReadInt32(), size = reader.ReadInt32();
                var samples = new float[count][];
                for (int i = 0; i < count; i++)
                {
                    samples[i] = new float[size];
                    reader.Read(System.Runtime.InteropServices.MemoryMarshal.AsBytes(samples[i].AsSpan()));
                }

                state.History.Add(new GanEpochSummary(epoch, d, g, TimeSpan.FromSeconds(seconds), samples,
                    double.IsNaN(fid) ? null : fid, double.IsNaN(kid) ? null : kid));
            }

            state.ReadTensors(reader, withProgress: header.EpochStep is not null);
            state.CompletedEpochs = header.CompletedEpochs;
            return header;
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    /// <summary>Checkpoint files ordered by (epochs done, steps into the next): "NNNN" or "NNNN.step-SSSSSS" after the prefix.</summary>
    private static IEnumerable<string> List(string directory)
        => Directory.EnumerateFiles(directory, Prefix + "*" + Extension)
            .Select(path => (path, position: Position(Path.GetFileNameWithoutExtension(path)[Prefix.Length..])))
            .Where(p => p.position.Epoch >= 0)
            .OrderBy(p => p.position.Epoch)
            .ThenBy(p => p.position.Step)
            .Select(p => p.path);

    private static (int Epoch, int Step) Position(string name)
    {
        string[] parts = name.Split(".step-");
        bool epochOk = int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int epoch);
        int step = 0;
        bool stepOk = parts.Length == 1 || (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out step));
        return epochOk && stepOk ? (epoch, step) : (-1, -1);
    }
}

/// <summary>What a checkpoint file says about itself before it is verified: enough to name it and tell whose run it belongs to.</summary>
internal sealed record CheckpointLabel(int FormatVersion, string? RunId, int CompletedEpochs, string Summary);
