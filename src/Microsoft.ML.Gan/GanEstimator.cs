using Microsoft.ML.Gan.Artifact;
using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.IO;
using Microsoft.ML.Gan.Logging;
using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Training;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Gan;

/// <summary>
/// Trains a GAN on the images of an <see cref="IDataView"/> with TorchSharp and returns a
/// <see cref="GanTransformer"/> that generates images from latent vectors. Create it with
/// <c>mlContext.Gan().Generator(options)</c>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input column</term><description><see cref="GanOptions.PixelsColumnName"/>: known-size
/// <c>Vector&lt;Single&gt;</c> in [0, 1] (or [0, <see cref="GanOptions.MaxPixelValue"/>]), known-size
/// <c>Vector&lt;Byte&gt;</c>, or a fixed-size <c>MLImage</c>.</description></item>
/// <item><term>Output columns</term><description><see cref="GanOptions.GeneratedPixelsColumnName"/> (pixels in
/// [0, 1], training dimensions) and <see cref="GanOptions.GeneratedImageColumnName"/> (<c>MLImage</c>), from
/// <see cref="GanOptions.LatentColumnName"/> (added per row when missing; see <see cref="GanTransformer"/>).</description></item>
/// <item><term>Reads the data</term><description>once, into memory (the set is held as one tensor).</description></item>
/// </list>
/// </remarks>
public sealed class GanEstimator : IEstimator<GanTransformer>
{
    private readonly MLContext _context;
    private readonly GanOptions _options;

    internal GanEstimator(MLContext context, GanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _context = context;
        _options = options.Clone();
    }

    /// <inheritdoc />
    public GanTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Trains the GAN; <paramref name="cancellationToken"/> is checked every step.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The pixel column is missing or of a type the GAN cannot learn from.</exception>
    /// <exception cref="InvalidDataException">A pixel value is NaN, infinite or outside [0, max].</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
    public GanTransformer Fit(IDataView input, CancellationToken cancellationToken)
    {
        (GanTransformer transformer, GeneratorNetwork generator) = FitKeepingGenerator(input, cancellationToken);
        generator.Dispose();
        return transformer;
    }

    /// <summary>
    /// Trains, exports the generator once and builds the transformer from that artifact; also returns the TorchSharp
    /// generator (eval mode; the EMA copy when enabled), which the caller disposes. <see cref="Fit(IDataView, CancellationToken)"/>
    /// drops it at once: scoring needs only the exported graph. Tests compare weights through it.
    /// </summary>
    internal (GanTransformer Transformer, GeneratorNetwork Generator) FitKeepingGenerator(IDataView input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        PixelColumn column = PixelColumn.Resolve(input.Schema, _options);
        GanNetworks.CheckShape(_options.Network.Architecture, column.Shape, column.Name);
        LabelColumn? label = _options.Conditional ? LabelColumn.Resolve(input.Schema, _options) : null;
        using var log = ContextLog.Open(_context, _options.Logger, nameof(GanEstimator), "Training");
        ILogger logger = log.Logger;
        int seed = _options.Seed ?? ((IHostEnvironment)_context).Register(nameof(GanEstimator)).Rand.Next();

        // mlContext.CancelExecution() stops training too, at the next step, like the caller's token.
        using var cancellation = new MlContextCancellation(_context, cancellationToken);
        cancellationToken = cancellation.Token;
        var clock = Stopwatch.StartNew();
        TrainingImages images = TrainingImages.Read(input, column, label, cancellationToken);
        GanLog.DataRead(logger, images.Count, images.Shape.ToString(), column.Name, clock.Elapsed.TotalSeconds);

        string device = TrainingDevice.Resolve(_options.Device, _context.GpuDeviceId, _context.FallbackToCpu, TrainingDevice.CudaDevices());
        TrainingPlan plan = TrainingPlan.Resolve(_options, images.Shape, images.ClassCount, device);
        GanTrainingResult result = GanTrainer.Train(new ImageRows(images), plan, seed, logger, cancellationToken);
        var history = new GanTrainingHistory(images.Shape, result.Epochs, result.Seed);
        try
        {
            LabelSpec? labelSpec = label is null
                ? null
                : new LabelSpec(label.Name, label.Type, label.IsKey, input.Schema[label.Name].Annotations, result.Generator.ClassCount, LabelSpec.RoundRobin(result.Generator.ClassCount));
            GeneratorModel model = GeneratorModel.Export(result.Generator, Describe(column, labelSpec, history));
            return (new GanTransformer(_context, model, history), result.Generator);
        }
        catch
        {
            result.Generator.Dispose();
            throw;
        }
    }

    /// <summary>What the exported graph records about itself (see <see cref="GeneratorMetadata"/>).</summary>
    private GeneratorMetadata Describe(PixelColumn column, LabelSpec? label, GanTrainingHistory history)
    {
        GanEpochSummary? last = history.Epochs.Count == 0 ? null : history.Epochs[^1];
        GanEpochSummary? measured = history.Epochs.LastOrDefault(e => e.Fid is not null || e.Kid is not null);
        var training = new TrainingSummary(_options.Network.Architecture, _options.AdversarialLoss.Kind, history.Epochs.Count, history.Seed,
            last?.DiscriminatorLoss ?? double.NaN, last?.GeneratorLoss ?? double.NaN, measured?.Fid, measured?.Kid);
        return new GeneratorMetadata(GeneratorMetadata.CurrentLibraryVersion, _options.LatentColumnName, _options.LatentDimension, _options.LatentDistribution,
            column, _options.GeneratedPixelsColumnName, _options.GeneratedImageColumnName, label, ScoringThreads(_options.Threads), training);
    }

    /// <summary>
    /// ONNX Runtime threads for scoring: the training setting, or 1 when training chose its own (0). ONNX Runtime reads 0
    /// as every core, whose spinning threads slow down when another process is busy, as libtorch's did in training.
    /// </summary>
    private static int ScoringThreads(int trainingThreads) => trainingThreads > 0 ? trainingThreads : 1;

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        string pixels = _options.PixelsColumnName;
        if (Find(inputSchema, pixels) is not SchemaShape.Column pixelColumn)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Pixel column '{pixels}' not found in the input schema.");
        }

        bool isVector = pixelColumn.Kind == SchemaShape.Column.VectorKind.Vector
            && (pixelColumn.ItemType == NumberDataViewType.Single || pixelColumn.ItemType == NumberDataViewType.Byte);
        bool isImage = pixelColumn.Kind == SchemaShape.Column.VectorKind.Scalar && pixelColumn.ItemType is ImageDataViewType;
        if (!isVector && !isImage)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"Schema mismatch for pixel column '{pixels}': expected a known-size Vector<Single> or Vector<Byte>, or an MLImage; got {pixelColumn.Kind} of {pixelColumn.ItemType}.");
        }

        var builder = new DataViewSchema.Builder();
        foreach (SchemaShape.Column column in inputSchema)
        {
            builder.AddColumn(column.Name, ToType(column), ToAnnotations(column.Annotations));
        }

        if (_options.Conditional && Find(inputSchema, _options.LabelColumnName) is not SchemaShape.Column)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Label column '{_options.LabelColumnName}' not found; a conditional GAN learns from it.");
        }

        if (Find(inputSchema, _options.LatentColumnName) is null)
        {
            builder.AddColumn(_options.LatentColumnName, new VectorDataViewType(NumberDataViewType.Single, _options.LatentDimension));
        }

        // Sizes are unknown until Fit has seen the data; the shape records kinds and item types only.
        builder.AddColumn(_options.GeneratedPixelsColumnName, new VectorDataViewType(NumberDataViewType.Single, 1));
        builder.AddColumn(_options.GeneratedImageColumnName, new ImageDataViewType());
        return ShapeOf(builder.ToSchema());
    }

    private static SchemaShape.Column? Find(SchemaShape shape, string name)
        => shape.Where(c => c.Name == name).Select(c => (SchemaShape.Column?)c).LastOrDefault();

    // SchemaShape.Column has no public constructor and SchemaShape.Create(DataViewSchema) is internal, so a third-party
    // estimator cannot describe new output columns through public API: the shape is built as a schema of stand-in types with
    // the same kinds, item types and annotation kinds, and converted by that internal method (IO/MlNetInternals.cs).
    internal static SchemaShape ShapeOf(DataViewSchema schema) => MlNetInternals.CreateSchemaShape(schema);

    private static DataViewType ToType(SchemaShape.Column column)
    {
        // A shape records that a column is a key, not its count; any count gives the same shape back.
        DataViewType item = column.IsKey && column.ItemType is not KeyDataViewType
            ? new KeyDataViewType(column.ItemType.RawType, 1)
            : column.ItemType;
        return column.Kind switch
        {
            SchemaShape.Column.VectorKind.Vector => new VectorDataViewType((PrimitiveDataViewType)item, 1),
            SchemaShape.Column.VectorKind.VariableVector => new VectorDataViewType((PrimitiveDataViewType)item),
            _ => item,
        };
    }

    private static DataViewSchema.Annotations? ToAnnotations(SchemaShape? annotations)
    {
        if (annotations is null || !annotations.Any())
        {
            return null;
        }

        var builder = new DataViewSchema.Annotations.Builder();
        MethodInfo add = typeof(GanEstimator).GetMethod(nameof(AddDefaultAnnotation), BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (SchemaShape.Column annotation in annotations)
        {
            DataViewType type = ToType(annotation);
            add.MakeGenericMethod(type.RawType).Invoke(null, [builder, annotation.Name, type]);
        }

        return builder.ToAnnotations();
    }

    private static void AddDefaultAnnotation<T>(DataViewSchema.Annotations.Builder builder, string name, DataViewType type)
        => builder.Add(name, type, (ref T value) => value = default!);
}
