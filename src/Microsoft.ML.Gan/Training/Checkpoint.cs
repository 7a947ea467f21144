using Microsoft.ML.Gan.IO;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.Gan.Training;

/// <summary>
/// What a checkpoint was written for. The identity — every field but the counters, <see cref="RunId"/> and
/// <see cref="Tunables"/> — must match to resume; its hash is the <see cref="RunId"/> that ties checkpoint files to
/// one run. Fields added after format 1 are null in older checkpoints and then not compared.
/// </summary>
internal sealed record CheckpointHeader(
    int FormatVersion,
    string Architecture,
    bool Conditional,
    bool AuxiliaryClassifier,
    int ClassCount,
    int LatentDimension,
    int HiddenSize,
    int DcganWidth,
    string Loss,
    bool Ema,
    string? DiffAugment,
    float? ModeSeekingWeight,
    bool? SpectralNormalization,
    int Channels,
    int Height,
    int Width,
    int Rows,
    int SampleCount,
    int Seed,
    int CompletedEpochs,
    string? LatentDistribution = null,
    string? DataFingerprint = null,
    float? Dropout = null,
    float? LeakyReluSlope = null,
    float? RealLabel = null,
    float? GradientPenaltyWeight = null,
    int? CriticSteps = null,
    bool? Shuffle = null,
    int? EpochStep = null,
    string? RunId = null,
    TunableSettings? Tunables = null,
    // Absent unless on, so the header (and the run id hashed from it) of every run without it is what it was before the option.
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] bool? EmaWarmup = null);

/// <summary>Settings a resumed run may change (each change is logged): the optimizers' and the batch's.</summary>
internal sealed record TunableSettings(float GeneratorLearningRate, float DiscriminatorLearningRate, string GeneratorBetas, string DiscriminatorBetas,
    int BatchSize, float? EmaDecay, float? MaxGradientNorm);

/// <summary>
/// Checkpoint files, one per saved epoch, named <c>checkpoint-epoch-NNNN.gan</c> (NNNN epochs done), or
/// <c>checkpoint-epoch-NNNN.step-SSSSSS.gan</c> when training was cancelled S steps into the next epoch; the two newest
/// of the same run (<see cref="CheckpointHeader.RunId"/>) are kept, other runs' files are never touched.
/// Layout (little-endian):
/// <code>
/// 8 bytes   magic "MLGANCK1"
/// int32     length of the header, then the header as UTF-8 JSON (<see cref="CheckpointHeader"/>)
/// int32     epochs in the history; per epoch: int32 epoch, float64 d_loss, float64 g_loss, float64 seconds,
///           float64 fid, float64 kid (NaN when not measured), int32 samples, int32 values per sample, then the samples as float32
/// …         <see cref="TrainingState.WriteTensors"/>: generator, discriminator, EMA, optimizers, random state, fixed inputs,
///           and (format 2, mid-epoch only) the epoch's row order, steps done and loss sums
/// 32 bytes  SHA-256 of everything before it
/// </code>
/// Written to a temporary file and renamed, so a crash never leaves a half-written checkpoint under the final name.
/// </summary>
internal static class Checkpoint
{
    public const int FormatVersion = 2;
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

        foreach (string old in List(directory).Where(file => ReadHeaderOrNull(file)?.RunId == header.RunId).SkipLast(Kept))
        {
            File.Delete(old);
        }

        return path;
    }

    /// <summary>The newest checkpoint in <paramref name="directory"/>, or null when there is none.</summary>
    public static string? Latest(string directory) => Directory.Exists(directory) ? List(directory).LastOrDefault() : null;

    /// <summary>Every checkpoint file in <paramref name="directory"/>, oldest first (none when it does not exist).</summary>
    public static IReadOnlyList<string> All(string directory) => Directory.Exists(directory) ? [.. List(directory)] : [];

    /// <summary>The header of a checkpoint file (not verified), or null when the file is not a readable checkpoint.</summary>
    public static CheckpointHeader? ReadHeaderOrNull(string path)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
            if (Encoding.ASCII.GetString(reader.ReadBytes(Magic.Length)) != Magic)
            {
                return null;
            }

            int length = reader.ReadInt32();
            return length is > 0 and < 1 << 20 ? JsonSerializer.Deserialize<CheckpointHeader>(reader.ReadBytes(length)) : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The identity of a run: a hash of every header field a resumed run must keep.</summary>
    public static string RunIdOf(CheckpointHeader header)
    {
        CheckpointHeader identity = header with { FormatVersion = 0, CompletedEpochs = 0, EpochStep = null, RunId = null, Tunables = null };
        return Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(identity)))[..16];
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
        CheckpointHeader header = JsonSerializer.Deserialize<CheckpointHeader>(reader.ReadBytes(reader.ReadInt32()))
            ?? throw new InvalidDataException($"Checkpoint '{path}' has an empty header.");
        if (header.FormatVersion is < 1 or > FormatVersion)
        {
            throw new InvalidDataException($"Checkpoint '{path}' has format version {header.FormatVersion}; this library reads versions 1 to {FormatVersion}.");
        }

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

    /// <summary>
    /// The identity fields on which <paramref name="saved"/> and <paramref name="current"/> differ, as "Name: checkpoint X,
    /// now Y"; fields the checkpoint predates (null) are not compared. A mid-epoch checkpoint also needs the same batch size.
    /// </summary>
    public static IReadOnlyList<string> Differences(CheckpointHeader saved, CheckpointHeader current)
    {
        var differences = new List<string>();
        foreach (var property in typeof(CheckpointHeader).GetProperties())
        {
            if (property.Name is nameof(CheckpointHeader.CompletedEpochs) or nameof(CheckpointHeader.FormatVersion) or nameof(CheckpointHeader.EpochStep)
                or nameof(CheckpointHeader.RunId) or nameof(CheckpointHeader.Tunables))
            {
                continue;
            }

            object? a = property.GetValue(saved), b = property.GetValue(current);
            if (a is not null && !Equals(a, b))
            {
                differences.Add(string.Create(CultureInfo.InvariantCulture, $"{property.Name}: checkpoint {a}, now {b}"));
            }
        }

        if (saved.EpochStep is not null && saved.Tunables is { } before && current.Tunables is { } after && before.BatchSize != after.BatchSize)
        {
            differences.Add(string.Create(CultureInfo.InvariantCulture,
                $"BatchSize: checkpoint {before.BatchSize}, now {after.BatchSize} (a checkpoint written mid-epoch continues that epoch's batches)"));
        }

        return differences;
    }

    /// <summary>The settings a resumed run changed (allowed, and logged), as "Name: X → Y".</summary>
    public static IReadOnlyList<string> Changes(CheckpointHeader saved, CheckpointHeader current)
    {
        if (saved.Tunables is not { } before || current.Tunables is not { } after)
        {
            return [];
        }

        return typeof(TunableSettings).GetProperties()
            .Where(p => !Equals(p.GetValue(before), p.GetValue(after)))
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name}: {p.GetValue(before) ?? "none"} → {p.GetValue(after) ?? "none"}"))
            .ToList();
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
