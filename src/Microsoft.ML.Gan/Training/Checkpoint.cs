using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.Gan.Training;

/// <summary>What a checkpoint was written for; resuming requires the same values.</summary>
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
    int CompletedEpochs);

/// <summary>
/// Checkpoint files, one per saved epoch, named <c>checkpoint-epoch-NNNN.gan</c>; the two newest are kept.
/// Layout (little-endian):
/// <code>
/// 8 bytes   magic "MLGANCK1"
/// int32     length of the header, then the header as UTF-8 JSON (<see cref="CheckpointHeader"/>)
/// int32     epochs in the history; per epoch: int32 epoch, float64 d_loss, float64 g_loss, float64 seconds,
///           float64 fid, float64 kid (NaN when not measured), int32 samples, int32 values per sample, then the samples as float32
/// …         <see cref="TrainingState.WriteTensors"/>: generator, discriminator, EMA, optimizers, random state, fixed inputs
/// 32 bytes  SHA-256 of everything before it
/// </code>
/// Written to a temporary file and renamed, so a crash never leaves a half-written checkpoint under the final name.
/// </summary>
internal static class Checkpoint
{
    public const int FormatVersion = 1;
    private const string Magic = "MLGANCK1";
    private const string Prefix = "checkpoint-epoch-";
    private const string Extension = ".gan";
    private const int Kept = 2;

    public static string Write(string directory, CheckpointHeader header, TrainingState state)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, $"{Prefix}{header.CompletedEpochs:D4}{Extension}");
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

            state.WriteTensors(writer);
        }

        byte[] hash = SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length));
        body.Write(hash);
        AtomicFile.Write(path, stream => stream.Write(body.GetBuffer(), 0, (int)body.Length));

        foreach (string old in List(directory).SkipLast(Kept))
        {
            File.Delete(old);
        }

        return path;
    }

    /// <summary>The newest checkpoint in <paramref name="directory"/>, or null when there is none.</summary>
    public static string? Latest(string directory) => Directory.Exists(directory) ? List(directory).LastOrDefault() : null;

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
        if (header.FormatVersion != FormatVersion)
        {
            throw new InvalidDataException($"Checkpoint '{path}' has format version {header.FormatVersion}; this library reads version {FormatVersion}.");
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

            state.ReadTensors(reader);
            state.CompletedEpochs = header.CompletedEpochs;
            return header;
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    /// <summary>The fields on which <paramref name="saved"/> and <paramref name="current"/> differ, as "Name: saved → current".</summary>
    public static IReadOnlyList<string> Differences(CheckpointHeader saved, CheckpointHeader current)
    {
        var differences = new List<string>();
        foreach (var property in typeof(CheckpointHeader).GetProperties())
        {
            if (property.Name is nameof(CheckpointHeader.CompletedEpochs) or nameof(CheckpointHeader.Seed) or nameof(CheckpointHeader.FormatVersion))
            {
                continue;
            }

            object? a = property.GetValue(saved), b = property.GetValue(current);
            if (!Equals(a, b))
            {
                differences.Add(string.Create(CultureInfo.InvariantCulture, $"{property.Name}: checkpoint {a}, now {b}"));
            }
        }

        return differences;
    }

    private static IEnumerable<string> List(string directory)
        => Directory.EnumerateFiles(directory, Prefix + "*" + Extension)
            .Select(path => (path, epoch: int.TryParse(Path.GetFileNameWithoutExtension(path)[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1))
            .Where(p => p.epoch >= 0)
            .OrderBy(p => p.epoch)
            .Select(p => p.path);
}
