using Microsoft.ML.Gan.Input;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Artifact;

/// <summary>What training was, in a few numbers: enough to tell models apart without the history.</summary>
/// <param name="Architecture">The networks.</param>
/// <param name="Loss">The adversarial objective.</param>
/// <param name="Epochs">Epochs completed.</param>
/// <param name="Seed">The seed training used.</param>
/// <param name="DiscriminatorLoss">Mean discriminator loss of the last epoch (NaN without epochs).</param>
/// <param name="GeneratorLoss">Mean generator loss of the last epoch (NaN without epochs).</param>
/// <param name="Fid">The last FID measured during training, if any.</param>
/// <param name="Kid">The last KID measured during training, if any.</param>
internal sealed record TrainingSummary(GanArchitecture Architecture, GanLoss Loss, int Epochs, int Seed, double DiscriminatorLoss, double GeneratorLoss, double? Fid, double? Kid);

/// <summary>
/// Everything a scorer needs to know about a generator besides its weights, written into the batched ONNX graph's
/// <c>metadata_props</c> (so other runtimes see it too, e.g. ONNX Runtime's <c>ModelMetadata.CustomMetadataMap</c>).
/// </summary>
/// <remarks>
/// Format (version 3): every key starts with <c>gan.</c>; values are invariant-culture text, shapes are written
/// <c>a x b x c</c>, numbers round-trip.
/// <list type="table">
/// <item><term>kind</term><description><c>generator</c> (since version 2; a classifier's graph says <c>semi-supervised-classifier</c>)</description></item>
/// <item><term>data.kind</term><description>what the generator makes: <c>images</c> (since version 3; a graph without the key is of
/// images too). The GAN core also trains generators of table rows (<see cref="TabularGanEstimator"/>), whose graphs will say
/// <c>table</c>; a reader refuses a kind it does not know, naming it.</description></item>
/// <item><term>format_version, minimum_reader_version, library_version</term><description>the version the graph was written
/// with (3), the oldest reader version that reads it correctly (1: versions 2 and 3 only add keys), and the writing library's
/// informational version. A reader reads every format whose minimum is at most its own version and refuses a newer one,
/// naming both; version 1 graphs (no minimum, no kind) read as before. Add a key: keep the minimum. Change what a key means
/// or drop one: raise the minimum to the new version.</description></item>
/// <item><term>latent.column, latent.dimension, latent.distribution</term><description>the latent input column, its size, <see cref="Gan.LatentDistribution"/> name</description></item>
/// <item><term>image.shape</term><description>channels x height x width of one image</description></item>
/// <item><term>pixels.column, pixels.storage, pixels.dimensions, pixels.max_value</term><description>the training pixel column: name,
/// Single/Byte/Image, its dimensions, the value pixel 1.0 maps to (used by GenerateTrainingRows)</description></item>
/// <item><term>output.pixels_column, output.image_column, scoring.threads</term><description>the generated columns; ONNX Runtime intra-op threads</description></item>
/// <item><term>label.class_count</term><description>classes of a conditional generator; 0 otherwise. Then also:</description></item>
/// <item><term>label.column, label.kind, label.raw_type</term><description>the label column: name, <c>Key</c> (of class_count values,
/// key k is class k − 1) or <c>Integer</c> (value = class), and its raw type (e.g. UInt32)</description></item>
/// <item><term>label.key_values_type, label.key_values</term><description>when the key column had key names (the <c>KeyValues</c>
/// annotation): their item type (String, Single, Int32, …) and a JSON array of their text; other annotations are not kept</description></item>
/// <item><term>training.*</term><description>architecture, loss, epochs, seed, discriminator_loss, generator_loss, and fid, kid when measured</description></item>
/// </list>
/// </remarks>
internal sealed record GeneratorMetadata(
    string LibraryVersion,
    string LatentColumnName,
    int LatentDimension,
    LatentDistribution LatentDistribution,
    PixelColumn Pixels,
    string GeneratedPixelsColumnName,
    string GeneratedImageColumnName,
    LabelSpec? Label,
    int Threads,
    TrainingSummary Training)
{
    /// <summary>The version this library writes.</summary>
    public const int FormatVersion = 3;

    /// <summary>The oldest reader that reads what this library writes.</summary>
    public const int MinimumReaderVersion = 1;

    /// <summary>This library as a reader: it reads every format whose minimum reader version is at most this.</summary>
    public const int ReaderVersion = 3;

    public const string Kind = "generator";

    /// <summary>What an image generator's graph says it makes (<c>data.kind</c>).</summary>
    public const string ImagesDataKind = "images";

    /// <summary>What a table generator's graph says it makes; its zip is the stock chain alone (<c>TableModelChain</c>).</summary>
    public const string TableDataKind = "table";
    private const string Prefix = MetadataReader.Prefix;
    private const string KeyValuesKind = "KeyValues";
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly Dictionary<string, Type> IntegerTypes = new[]
    {
        typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong),
    }.ToDictionary(t => t.Name);

    private static readonly KeyValueCodec[] KeyValueCodecs =
    [
        KeyValueCodec.For<ReadOnlyMemory<char>>(TextDataViewType.Instance, v => v.ToString(), s => s.AsMemory()),
        KeyValueCodec.For<bool>(BooleanDataViewType.Instance, v => v ? "true" : "false", bool.Parse),
        KeyValueCodec.For<float>(NumberDataViewType.Single, v => v.ToString("R", Invariant), s => float.Parse(s, Invariant)),
        KeyValueCodec.For<double>(NumberDataViewType.Double, v => v.ToString("R", Invariant), s => double.Parse(s, Invariant)),
        KeyValueCodec.For<sbyte>(NumberDataViewType.SByte, v => v.ToString(Invariant), s => sbyte.Parse(s, Invariant)),
        KeyValueCodec.For<byte>(NumberDataViewType.Byte, v => v.ToString(Invariant), s => byte.Parse(s, Invariant)),
        KeyValueCodec.For<short>(NumberDataViewType.Int16, v => v.ToString(Invariant), s => short.Parse(s, Invariant)),
        KeyValueCodec.For<ushort>(NumberDataViewType.UInt16, v => v.ToString(Invariant), s => ushort.Parse(s, Invariant)),
        KeyValueCodec.For<int>(NumberDataViewType.Int32, v => v.ToString(Invariant), s => int.Parse(s, Invariant)),
        KeyValueCodec.For<uint>(NumberDataViewType.UInt32, v => v.ToString(Invariant), s => uint.Parse(s, Invariant)),
        KeyValueCodec.For<long>(NumberDataViewType.Int64, v => v.ToString(Invariant), s => long.Parse(s, Invariant)),
        KeyValueCodec.For<ulong>(NumberDataViewType.UInt64, v => v.ToString(Invariant), s => ulong.Parse(s, Invariant)),
    ];

    /// <summary>The version of this library, as written into the metadata.</summary>
    public static string CurrentLibraryVersion { get; } =
        typeof(GeneratorMetadata).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(GeneratorMetadata).Assembly.GetName().Version?.ToString() ?? "unknown";

    public ImageShape ImageShape => Pixels.Shape;

    public int ClassCount => Label?.ClassCount ?? 0;

    /// <summary>The <c>metadata_props</c> entries, in the order above.</summary>
    public IReadOnlyDictionary<string, string> ToProperties()
    {
        var properties = new Dictionary<string, string>
        {
            ["kind"] = Kind,
            ["format_version"] = FormatVersion.ToString(Invariant),
            ["minimum_reader_version"] = MinimumReaderVersion.ToString(Invariant),
            ["library_version"] = LibraryVersion,
            ["data.kind"] = ImagesDataKind,
            ["latent.column"] = LatentColumnName,
            ["latent.dimension"] = LatentDimension.ToString(Invariant),
            ["latent.distribution"] = LatentDistribution.ToString(),
            ["image.shape"] = $"{ImageShape.Channels} x {ImageShape.Height} x {ImageShape.Width}",
            ["pixels.column"] = Pixels.Name,
            ["pixels.storage"] = Pixels.Storage.ToString(),
            ["pixels.dimensions"] = string.Join(" x ", Pixels.Dimensions),
            ["pixels.max_value"] = Pixels.MaxValue.ToString("R", Invariant),
            ["output.pixels_column"] = GeneratedPixelsColumnName,
            ["output.image_column"] = GeneratedImageColumnName,
            ["scoring.threads"] = Threads.ToString(Invariant),
            ["label.class_count"] = ClassCount.ToString(Invariant),
        };
        if (Label is LabelSpec label)
        {
            properties["label.column"] = label.Name;
            properties["label.kind"] = label.IsKey ? "Key" : "Integer";
            properties["label.raw_type"] = label.Type.RawType.Name;
            if (label.Annotations?.Schema.GetColumnOrNull(KeyValuesKind) is DataViewSchema.Column keyValues
                && keyValues.Type is VectorDataViewType { ItemType: var item }
                && KeyValueCodecs.FirstOrDefault(c => c.Type.Equals(item)) is KeyValueCodec codec)
            {
                properties["label.key_values_type"] = item.ToString()!;
                properties["label.key_values"] = JsonSerializer.Serialize(codec.Read(label.Annotations, keyValues));
            }
        }

        properties["training.architecture"] = Training.Architecture.ToString();
        properties["training.loss"] = Training.Loss.ToString();
        properties["training.epochs"] = Training.Epochs.ToString(Invariant);
        properties["training.seed"] = Training.Seed.ToString(Invariant);
        properties["training.discriminator_loss"] = Training.DiscriminatorLoss.ToString("R", Invariant);
        properties["training.generator_loss"] = Training.GeneratorLoss.ToString("R", Invariant);
        if (Training.Fid is double fid)
        {
            properties["training.fid"] = fid.ToString("R", Invariant);
        }

        if (Training.Kid is double kid)
        {
            properties["training.kid"] = kid.ToString("R", Invariant);
        }

        return properties.ToDictionary(p => Prefix + p.Key, p => p.Value);
    }

    /// <summary>Reads the entries <see cref="ToProperties"/> wrote; errors name <paramref name="source"/> and the key.</summary>
    /// <exception cref="InvalidDataException">A key is missing or its value unreadable, or the format is newer than this library reads.</exception>
    public static GeneratorMetadata FromProperties(IReadOnlyDictionary<string, string> properties, string source)
    {
        var reader = new MetadataReader(properties, source, "the generator metadata Microsoft.ML.Gan writes");
        if (reader.Has("kind") && reader.Text("kind") != Kind)
        {
            throw new InvalidDataException($"{source} holds a {reader.Text("kind")}, not a {Kind}.");
        }

        int version = reader.Int("format_version");
        int minimum = reader.IntOr("minimum_reader_version", version);
        if (minimum > ReaderVersion)
        {
            throw new InvalidDataException(
                $"{source} has generator format version {version}, written by Microsoft.ML.Gan {reader.Text("library_version")}, which needs a reader of version " +
                $"{minimum} or later; this Microsoft.ML.Gan ({CurrentLibraryVersion}) reads up to version {ReaderVersion}. Update Microsoft.ML.Gan to load it.");
        }

        if (reader.Has("data.kind") && reader.Text("data.kind") != ImagesDataKind)
        {
            throw new InvalidDataException(
                $"{source} holds a generator of {reader.Text("data.kind")} rows, not of images; an image generator's graph says data.kind '{ImagesDataKind}'.");
        }

        PixelColumn pixels = reader.Pixels();
        int classes = reader.Int("label.class_count");
        LabelSpec? label = classes == 0 ? null : ReadLabel(reader, classes);
        var training = new TrainingSummary(reader.Enum<GanArchitecture>("training.architecture"), reader.Enum<GanLoss>("training.loss"),
            reader.Int("training.epochs"), reader.Int("training.seed"), reader.Double("training.discriminator_loss"), reader.Double("training.generator_loss"), reader.DoubleOrNull("training.fid"), reader.DoubleOrNull("training.kid"));
        return new GeneratorMetadata(reader.Text("library_version"), reader.Text("latent.column"), reader.Int("latent.dimension"),
            reader.Enum<LatentDistribution>("latent.distribution"), pixels, reader.Text("output.pixels_column"), reader.Text("output.image_column"),
            label, reader.Int("scoring.threads"), training);
    }

    private static LabelSpec ReadLabel(MetadataReader reader, int classes)
    {
        string rawName = reader.Text("label.raw_type");
        if (!IntegerTypes.TryGetValue(rawName, out Type? raw))
        {
            throw reader.Bad("label.raw_type", "expected an integer type name such as UInt32");
        }

        bool isKey = reader.Text("label.kind") switch
        {
            "Key" => true,
            "Integer" => false,
            _ => throw reader.Bad("label.kind", "expected Key or Integer"),
        };
        DataViewType type = isKey ? new KeyDataViewType(raw, classes) : ColumnTypeOf(raw);
        DataViewSchema.Annotations? annotations = null;
        if (reader.Has("label.key_values"))
        {
            string itemName = reader.Text("label.key_values_type");
            KeyValueCodec codec = KeyValueCodecs.FirstOrDefault(c => c.Type.ToString() == itemName)
                ?? throw reader.Bad("label.key_values_type", "expected String, Boolean or a number type");
            string[] values;
            try
            {
                values = JsonSerializer.Deserialize<string[]>(reader.Text("label.key_values")) ?? [];
                var builder = new DataViewSchema.Annotations.Builder();
                codec.Write(builder, KeyValuesKind, values);
                annotations = builder.ToAnnotations();
            }
            catch (Exception e) when (e is JsonException or FormatException or OverflowException)
            {
                throw reader.Bad("label.key_values", $"expected a JSON array of {itemName} values ({e.Message})");
            }
        }

        return new LabelSpec(reader.Text("label.column"), type, isKey, annotations, classes, LabelSpec.RoundRobin(classes));
    }

    private static DataViewType ColumnTypeOf(Type raw) => raw.Name switch
    {
        nameof(Byte) => NumberDataViewType.Byte,
        nameof(SByte) => NumberDataViewType.SByte,
        nameof(Int16) => NumberDataViewType.Int16,
        nameof(UInt16) => NumberDataViewType.UInt16,
        nameof(Int32) => NumberDataViewType.Int32,
        nameof(UInt32) => NumberDataViewType.UInt32,
        nameof(Int64) => NumberDataViewType.Int64,
        _ => NumberDataViewType.UInt64,
    };

    /// <summary>Key names of one item type: read as text from an annotation, and written back as that annotation.</summary>
    private sealed record KeyValueCodec(
        PrimitiveDataViewType Type,
        Func<DataViewSchema.Annotations, DataViewSchema.Column, string[]> Read,
        Action<DataViewSchema.Annotations.Builder, string, string[]> Write)
    {
        public static KeyValueCodec For<T>(PrimitiveDataViewType type, Func<T, string> format, Func<string, T> parse) => new(
            type,
            (annotations, column) =>
            {
                VBuffer<T> values = default;
                annotations.GetGetter<VBuffer<T>>(column)(ref values);
                return values.DenseValues().Select(format).ToArray();
            },
            (builder, kind, text) =>
            {
                T[] values = text.Select(parse).ToArray();
                builder.Add(kind, new VectorDataViewType(type, values.Length), (ref VBuffer<T> destination) => new VBuffer<T>(values.Length, values).CopyTo(ref destination));
            });
    }
}
