using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.Artifact;
using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.IO;
using Microsoft.ML.Gan.Logging;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Onnx;
using Microsoft.ML.Gan.Training;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Gan;

/// <summary>
/// Trains a semi-supervised GAN classifier (Salimans et al., 2016) on one <see cref="IDataView"/> of a few labelled and many
/// unlabelled images: rows whose key-typed label is missing (key 0, ML.NET's missing key) are the unlabelled ones. The
/// discriminator is a K-class classifier whose "fake" class is implicit; the generator feeds it images off the data's
/// manifold. Create it with <c>mlContext.Gan().SemiSupervisedClassifier(...)</c>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input columns</term><description><see cref="SemiSupervisedGanOptions.LabelColumnName"/> (a key type; at least one labelled
/// row per class, and at least one unlabelled row) and <see cref="SemiSupervisedGanOptions.PixelsColumnName"/> (a known-size
/// <c>Vector&lt;Single&gt;</c> or <c>Vector&lt;Byte&gt;</c>).</description></item>
/// <item><term>Output columns</term><description><c>Score</c> and <c>PredictedLabel</c>, as ML.NET's multiclass trainers add them.</description></item>
/// <item><term>Reads the data</term><description>once, into memory.</description></item>
/// </list>
/// </remarks>
public sealed class SemiSupervisedGanTrainer : IEstimator<SemiSupervisedGanTransformer>
{
    private readonly MLContext _context;
    private readonly SemiSupervisedGanOptions _options;

    internal SemiSupervisedGanTrainer(MLContext context, SemiSupervisedGanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _context = context;
        _options = options.Clone();
    }

    /// <inheritdoc />
    public SemiSupervisedGanTransformer Fit(IDataView input) => Fit(input, null, CancellationToken.None);

    /// <summary>
    /// Trains on <paramref name="input"/>; when <paramref name="validation"/> is given (labelled rows of the same columns), its
    /// accuracy is measured after every epoch and kept in <see cref="SemiSupervisedGanTransformer.History"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of a type the classifier cannot learn from.</exception>
    /// <exception cref="ArgumentException">A class has no labelled row, or no row is unlabelled.</exception>
    /// <exception cref="InvalidDataException">A pixel value is NaN, infinite or outside [0, max].</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
    public SemiSupervisedGanTransformer Fit(IDataView input, IDataView? validation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        (PixelColumn pixels, LabelColumn label) = Columns(input.Schema, "training data");
        using var log = ContextLog.Open(_context, _options.Logger, nameof(SemiSupervisedGanTrainer), "Training");
        ILogger logger = log.Logger;
        int seed = _options.Seed ?? ((IHostEnvironment)_context).Register(nameof(SemiSupervisedGanTrainer)).Rand.Next();
        using var cancellation = new MlContextCancellation(_context, cancellationToken);
        var clock = Stopwatch.StartNew();
        LabelledImages data = Read(input, pixels, label, cancellation.Token, unlabelledAllowed: true);
        GanLog.DataRead(logger, data.Count, pixels.Shape.ToString(), pixels.Name, clock.Elapsed.TotalSeconds);
        CheckLabels(data, label);
        LabelledImages? held = null;
        if (validation is not null)
        {
            (PixelColumn validationPixels, LabelColumn validationLabel) = Columns(validation.Schema, "validation data");
            if (!validationPixels.Dimensions.SequenceEqual(pixels.Dimensions) || validationLabel.KnownClassCount != label.KnownClassCount)
            {
                throw new ArgumentOutOfRangeException(nameof(validation),
                    $"Validation column '{pixels.Name}' holds {validationPixels.Shape} images with {validationLabel.KnownClassCount} classes; training has {pixels.Shape} with {label.KnownClassCount}.");
            }

            held = Labelled(Read(validation, validationPixels, validationLabel, cancellation.Token, unlabelledAllowed: true));
        }

        string device = TrainingDevice.Resolve(_options.Device, _context.GpuDeviceId, _context.FallbackToCpu, TrainingDevice.CudaDevices());
        var plan = SemiSupervisedPlan.Resolve(_options, label.KnownClassCount!.Value, pixels.Shape, device);
        SemiSupervisedResult result = SemiSupervisedTrainer.Train(data, held, plan, seed, logger, cancellation.Token);
        using SemiSupervisedDiscriminator classifier = result.Classifier;
        SemiSupervisedGanEpoch[] history = [.. result.History.Select(e => new SemiSupervisedGanEpoch(e.Epoch, e.LabelledLoss, e.UnlabelledLoss, e.GeneratorLoss, e.ValidationAccuracy, e.Duration, e.SelfTraining))];
        var metadata = new ClassifierMetadata(GeneratorMetadata.CurrentLibraryVersion, pixels, label.Name, KeyValues(input.Schema[label.Name], label.KnownClassCount.Value),
            _options.ScoreColumnName, _options.PredictedLabelColumnName,
            new ClassifierTraining(data.Count, result.LabelledRows, result.Steps, seed, history.LastOrDefault()?.ValidationAccuracy, result.Classifier.Network,
                plan.SelfTrainingEpochs, result.PseudoLabelledRows, plan.SelfTrainingRounds, plan.StudentConsistency,
                plan.StudentConsistency ? plan.StudentStrongAugmentation : null, plan.ConsistencyWeight, plan.ConsistencyStartShare, plan.PropagateLabels,
                plan.SelfTrainingEpochs > 0 ? plan.StudentChannels : null));
        byte[] onnx = ClassifierOnnxExporter.Export(classifier, pixels, metadata.ToProperties());
        return new SemiSupervisedGanTransformer(_context, onnx, metadata, history);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (string name in new[] { _options.PixelsColumnName, _options.LabelColumnName })
        {
            if (!inputSchema.Any(c => c.Name == name))
            {
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Column '{name}' not found in the input schema; the semi-supervised classifier reads it.");
            }
        }

        var builder = new DataViewSchema.Builder();
        foreach (SchemaShape.Column column in inputSchema)
        {
            builder.AddColumn(column.Name, column.ItemType is KeyDataViewType || column.IsKey ? new KeyDataViewType(typeof(uint), 2) : ShapeType(column));
        }

        // Sizes are unknown until Fit has seen the data; the shape records kinds and item types only.
        builder.AddColumn(_options.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, 2));
        builder.AddColumn(_options.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), 2));
        return GanEstimator.ShapeOf(builder.ToSchema());
    }

    private static DataViewType ShapeType(SchemaShape.Column column) => column.Kind switch
    {
        SchemaShape.Column.VectorKind.Vector => new VectorDataViewType((PrimitiveDataViewType)column.ItemType, 1),
        SchemaShape.Column.VectorKind.VariableVector => new VectorDataViewType((PrimitiveDataViewType)column.ItemType),
        _ => column.ItemType,
    };

    private (PixelColumn Pixels, LabelColumn Label) Columns(DataViewSchema schema, string what)
    {
        PixelColumn pixels = PixelColumn.Resolve(schema, _options.PixelsColumnName, _options.MaxPixelValue,
            $"Set {nameof(SemiSupervisedGanOptions)}.{nameof(SemiSupervisedGanOptions.PixelsColumnName)} to choose another column.");
        if (pixels.Storage == PixelStorage.Image)
        {
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Pixel column '{pixels.Name}' of the {what} is an image column; the classifier's saved model reads pixel vectors. Extract them first (ExtractPixels).");
        }

        LabelColumn label = LabelColumn.Resolve(schema, _options.LabelColumnName, null, "the semi-supervised classifier learns its classes from it",
            $"Set {nameof(SemiSupervisedGanOptions)}.{nameof(SemiSupervisedGanOptions.LabelColumnName)} to choose another column.", "the class count");
        if (!label.IsKey)
        {
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Label column '{label.Name}' of the {what} has type {label.Type}; the semi-supervised classifier needs a key type, whose missing value (key 0) " +
                "marks the unlabelled rows. Convert it with MapValueToKey.");
        }

        return (pixels, label);
    }

    private static LabelledImages Read(IDataView data, PixelColumn pixels, LabelColumn label, CancellationToken cancellationToken, bool unlabelledAllowed)
    {
        TrainingImages images = TrainingImages.Read(data, pixels, label, cancellationToken, allowUnlabelled: unlabelledAllowed);
        return new LabelledImages(images.UnitPixels(images.Count), images.Classes!, images.Shape.Size);
    }

    /// <summary>The labelled rows only (validation rows without a label say nothing about accuracy).</summary>
    private static LabelledImages Labelled(LabelledImages data)
    {
        int[] rows = [.. Enumerable.Range(0, data.Count).Where(i => data.Classes[i] >= 0)];
        var pixels = new float[rows.Length * data.ImageSize];
        for (int i = 0; i < rows.Length; i++)
        {
            data.Pixels.AsSpan(rows[i] * data.ImageSize, data.ImageSize).CopyTo(pixels.AsSpan(i * data.ImageSize));
        }

        return new LabelledImages(pixels, [.. rows.Select(r => data.Classes[r])], data.ImageSize);
    }

    private static void CheckLabels(LabelledImages data, LabelColumn label)
    {
        int classes = label.KnownClassCount!.Value;
        int[] perClass = new int[classes];
        int unlabelled = 0;
        foreach (long c in data.Classes)
        {
            if (c < 0)
            {
                unlabelled++;
            }
            else
            {
                perClass[c]++;
            }
        }

        int[] missing = [.. Enumerable.Range(0, classes).Where(c => perClass[c] == 0)];
        if (missing.Length > 0)
        {
            throw new ArgumentException(
                $"Label column '{label.Name}' has no labelled row for {missing.Length} of its {classes} classes (keys {string.Join(", ", missing.Take(10).Select(c => c + 1))}" +
                $"{(missing.Length > 10 ? ", …" : "")}); the classifier needs at least one labelled example of every class.");
        }

        if (unlabelled == 0)
        {
            throw new ArgumentException(
                $"Label column '{label.Name}' is set on every one of the {data.Count} rows, so there is nothing unlabelled to learn from: ordinary supervised " +
                "training would do (mlContext.Gan().TrainClassifier, or a MulticlassClassification trainer). Unlabelled rows have a missing key (key 0).");
        }
    }

    /// <summary>The label's key values as text, in key order ("1".."K" when the column has none).</summary>
    private static string[] KeyValues(DataViewSchema.Column label, int classes)
    {
        if (label.Annotations.Schema.GetColumnOrNull("KeyValues") is { Type: VectorDataViewType { ItemType: TextDataViewType } })
        {
            VBuffer<ReadOnlyMemory<char>> names = default;
            label.GetKeyValues(ref names);
            string[] values = [.. names.DenseValues().Select(v => v.ToString())];
            if (values.Length == classes && values.Distinct().Count() == classes)
            {
                return values;
            }
        }

        return [.. Enumerable.Range(1, classes).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }
}
