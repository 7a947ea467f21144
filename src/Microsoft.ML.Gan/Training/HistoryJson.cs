using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Microsoft.ML.Gan.Training;

/// <summary>
/// A <see cref="GanTrainingHistory"/> as JSON, exactly: the zip entry a saved model keeps its history in.
/// </summary>
/// <remarks>
/// <code>
/// { "formatVersion": 1, "seed": 1, "imageShape": [1, 28, 28],
///   "epochs": [ { "epoch": 1, "discriminatorLoss": 1.21, "generatorLoss": 0.93, "durationTicks": 51234567,
///                 "fid": 35.2, "kid": null, "samples": ["base64 of little-endian float32 pixels", …] }, … ] }
/// </code>
/// Numbers round-trip (non-finite ones are written as strings such as "NaN"); samples are the raw float bits, so a
/// loaded history equals the saved one.
/// </remarks>
internal static class HistoryJson
{
    private const int FormatVersion = 1;

    public static byte[] Write(GanTrainingHistory history)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteNumber("formatVersion", FormatVersion);
            json.WriteNumber("seed", history.Seed);
            json.WriteStartArray("imageShape");
            json.WriteNumberValue(history.ImageShape.Channels);
            json.WriteNumberValue(history.ImageShape.Height);
            json.WriteNumberValue(history.ImageShape.Width);
            json.WriteEndArray();
            json.WriteStartArray("epochs");
            foreach (GanEpochSummary epoch in history.Epochs)
            {
                json.WriteStartObject();
                json.WriteNumber("epoch", epoch.Epoch);
                WriteDouble(json, "discriminatorLoss", epoch.DiscriminatorLoss);
                WriteDouble(json, "generatorLoss", epoch.GeneratorLoss);
                json.WriteNumber("durationTicks", epoch.Duration.Ticks);
                WriteDouble(json, "fid", epoch.Fid);
                WriteDouble(json, "kid", epoch.Kid);
                json.WriteStartArray("samples");
                foreach (float[] sample in epoch.Samples)
                {
                    json.WriteBase64StringValue(MemoryMarshal.AsBytes(sample.AsSpan()));
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <exception cref="InvalidDataException">Not the JSON <see cref="Write"/> writes; the message names <paramref name="source"/>.</exception>
    public static GanTrainingHistory Read(ReadOnlySpan<byte> utf8, string source)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(utf8.ToArray());
            JsonElement root = document.RootElement;
            int version = root.GetProperty("formatVersion").GetInt32();
            if (version != FormatVersion)
            {
                throw new InvalidDataException($"{source} has history format version {version}; this Microsoft.ML.Gan reads version {FormatVersion}.");
            }

            int[] shape = root.GetProperty("imageShape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            if (shape.Length != 3)
            {
                throw new InvalidDataException($"{source}: 'imageShape' needs channels, height and width; got {shape.Length} values.");
            }

            var imageShape = new ImageShape(shape[0], shape[1], shape[2]);
            var epochs = new List<GanEpochSummary>();
            foreach (JsonElement epoch in root.GetProperty("epochs").EnumerateArray())
            {
                var samples = new List<float[]>();
                foreach (JsonElement sample in epoch.GetProperty("samples").EnumerateArray())
                {
                    byte[] bytes = sample.GetBytesFromBase64();
                    if (bytes.Length != imageShape.Size * sizeof(float))
                    {
                        throw new InvalidDataException($"{source}: a sample of epoch {epoch.GetProperty("epoch")} holds {bytes.Length} bytes; expected {imageShape.Size} floats.");
                    }

                    samples.Add(MemoryMarshal.Cast<byte, float>(bytes).ToArray());
                }

                epochs.Add(new GanEpochSummary(epoch.GetProperty("epoch").GetInt32(), ReadDouble(epoch, "discriminatorLoss")!.Value, ReadDouble(epoch, "generatorLoss")!.Value,
                    TimeSpan.FromTicks(epoch.GetProperty("durationTicks").GetInt64()), samples, ReadDouble(epoch, "fid"), ReadDouble(epoch, "kid")));
            }

            return new GanTrainingHistory(imageShape, epochs, root.GetProperty("seed").GetInt32());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{source} is not a readable training history: {e.Message}", e);
        }
    }

    private static void WriteDouble(Utf8JsonWriter json, string name, double? value)
    {
        if (value is not double number)
        {
            json.WriteNull(name);
        }
        else if (double.IsFinite(number))
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteString(name, number.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static double? ReadDouble(JsonElement element, string name)
    {
        JsonElement value = element.GetProperty(name);
        return value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => double.Parse(value.GetString()!, CultureInfo.InvariantCulture),
            _ => value.GetDouble(),
        };
    }
}
