using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.IO;
using Microsoft.ML.Gan.Logging;

namespace Microsoft.ML.Gan.Evaluation;

/// <summary>Computes <see cref="GanEvaluationResult"/> for generated images against real ones.</summary>
internal static class GanEvaluator
{
    /// <summary>Below twice the feature size the covariance is too unstable for FID: it is left out with a warning.</summary>
    public const int MinimumRowsForFid = 2 * LeNet.FeatureSize;

    /// <remarks>
    /// Cancelled by <paramref name="cancellationToken"/> or <c>mlContext.CancelExecution()</c> while reading rows, between
    /// stages and between the CNN's steps (an ML.NET fit of the classification accuracy score runs to its end).
    /// </remarks>
    public static GanEvaluationResult Evaluate(MLContext ml, IDataView generated, IDataView real, GanEvaluationOptions options, CancellationToken cancellationToken)
    {
        options.Validate();
        using var log = ContextLog.Open(ml, options.Logger, nameof(GanEvaluator), "Evaluation");
        using var cancellation = new MlContextCancellation(ml, cancellationToken);
        CancellationToken cancel = cancellation.Token;
        ILogger logger = log.Logger;
        Digits fake = Digits.Read(generated, options.GeneratedPixelsColumnName, options.LabelColumnName, options.SampleCount, "generated", labelRequired: false, cancel);
        Digits truth = Digits.Read(real, options.PixelsColumnName, options.LabelColumnName, options.SampleCount, "real", labelRequired: false, cancel);
        (double[,] fakeFeatures, float[,] fakeProbabilities) = MnistFeatureNetwork.Describe(fake.Pixels, fake.Count, cancel);
        (double[,] realFeatures, _) = MnistFeatureNetwork.Describe(truth.Pixels, truth.Count, cancel);

        cancel.ThrowIfCancellationRequested();
        double? fid = Fid(fakeFeatures, realFeatures, "generated", logger);
        cancel.ThrowIfCancellationRequested();
        (double kid, double kidSd) = FeatureStatistics.KernelDistance(fakeFeatures, realFeatures, options.KidSubsets, options.KidSubsetSize, options.Seed);

        double? floorFid = null, floorKid = null;
        if (options.FloorReference is IDataView floorData)
        {
            cancel.ThrowIfCancellationRequested();
            Digits floor = Digits.Read(floorData, options.PixelsColumnName, options.LabelColumnName, options.SampleCount, "floor reference", labelRequired: false, cancel);
            (double[,] floorFeatures, _) = MnistFeatureNetwork.Describe(floor.Pixels, floor.Count, cancel);
            floorFid = Fid(floorFeatures, realFeatures, "floor reference", logger);
            floorKid = FeatureStatistics.KernelDistance(floorFeatures, realFeatures, options.KidSubsets, options.KidSubsetSize, options.Seed).Mean;
        }

        var histogram = new double[LeNet.ClassCount];
        double confidence = 0;
        int agreeing = 0;
        for (int i = 0; i < fake.Count; i++)
        {
            int best = MnistFeatureNetwork.PredictedClass(fakeProbabilities, i);
            histogram[best]++;
            confidence += fakeProbabilities[i, best];
            if (fake.Labels is not null && fake.Labels[i] == best)
            {
                agreeing++;
            }
        }

        for (int c = 0; c < histogram.Length; c++)
        {
            histogram[c] /= fake.Count;
        }

        double entropy = -histogram.Where(p => p > 0).Sum(p => p * Math.Log2(p));
        double? cas = null, casCeiling = null, cnnCas = null, cnnCeiling = null;
        int? casRows = null;
        if (fake.Labels is not null && options.CasSampleCount > 0)
        {
            if (truth.Labels is null)
            {
                throw new ArgumentOutOfRangeException(nameof(real),
                    $"The classification accuracy score tests on the real data's labels, but it has no label column '{options.LabelColumnName}'. " +
                    $"Add it or set {nameof(GanEvaluationOptions)}.{nameof(GanEvaluationOptions.CasSampleCount)} = 0.");
            }

            casRows = (int)Math.Min(options.CasSampleCount, generated.GetRowCount() ?? options.CasSampleCount);
            IDataView casTraining = ml.Data.TakeRows(generated, casRows.Value);
            cancel.ThrowIfCancellationRequested();
            cas = ClassificationAccuracyScore(ml, casTraining, options.GeneratedPixelsColumnName, real, options);
            cancel.ThrowIfCancellationRequested();
            cnnCas = CnnClassificationAccuracyScore(casTraining, options.GeneratedPixelsColumnName, real, options, logger, cancel);
            if (options.FloorReference is IDataView ceilingData && ceilingData.Schema.GetColumnOrNull(options.LabelColumnName) is not null
                && HasRows(ceilingData, casRows.Value, logger))
            {
                IDataView ceilingTraining = ml.Data.TakeRows(ceilingData, casRows.Value);
                cancel.ThrowIfCancellationRequested();
                casCeiling = ClassificationAccuracyScore(ml, ceilingTraining, options.PixelsColumnName, real, options);
                cancel.ThrowIfCancellationRequested();
                cnnCeiling = CnnClassificationAccuracyScore(ceilingTraining, options.PixelsColumnName, real, options, logger, cancel);
            }
        }

        return new GanEvaluationResult
        {
            GeneratedCount = fake.Count,
            RealCount = truth.Count,
            Fid = fid,
            Kid = kid,
            KidStandardDeviation = kidSd,
            FloorFid = floorFid,
            FloorKid = floorKid,
            ClassHistogram = histogram,
            ClassEntropyBits = entropy,
            MeanConfidence = confidence / fake.Count,
            LabelAgreement = fake.Labels is null ? null : agreeing / (double)fake.Count,
            ClassificationAccuracyScore = cas,
            CasTrainingRows = casRows,
            CasCeiling = casCeiling,
            CnnClassificationAccuracyScore = cnnCas,
            CnnCasCeiling = cnnCeiling,
        };
    }

    /// <summary>FID of two feature sets, or null (with a warning) when either has too few rows.</summary>
    public static double? Fid(double[,] first, double[,] second, string what, ILogger logger)
    {
        int rows = Math.Min(first.GetLength(0), second.GetLength(0));
        if (rows < MinimumRowsForFid)
        {
            GanLog.TooFewForFid(logger, what, rows, MinimumRowsForFid);
            return null;
        }

        return FeatureStatistics.FrechetDistance(first, second);
    }

    private static double ClassificationAccuracyScore(MLContext ml, IDataView generated, string generatedPixels, IDataView real, GanEvaluationOptions options)
    {
        // Features are made outside the model, so the classifier applies to the real rows' column as well.
        IDataView train = ml.Transforms.Conversion.ConvertType("Features", generatedPixels, DataKind.Single).Fit(generated).Transform(generated);
        ITransformer model = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(labelColumnName: options.LabelColumnName, featureColumnName: "Features").Fit(train);
        IDataView test = ml.Transforms.Conversion.ConvertType("Features", options.PixelsColumnName, DataKind.Single).Fit(real).Transform(real);
        return ml.MulticlassClassification.Evaluate(model.Transform(test), labelColumnName: options.LabelColumnName).MicroAccuracy;
    }

    /// <summary>A ceiling is only comparable when trained on as many real rows as the CAS classifiers saw generated ones.</summary>
    private static bool HasRows(IDataView data, int rows, ILogger logger)
    {
        long available = data.GetRowCount() ?? CountRows(data);
        if (available >= rows)
        {
            return true;
        }

        GanLog.CeilingLeftOut(logger, available, rows);
        return false;
    }

    private static long CountRows(IDataView data)
    {
        using DataViewRowCursor cursor = data.GetRowCursor([]);
        long count = 0;
        while (cursor.MoveNext())
        {
            count++;
        }

        return count;
    }

    /// <summary>A LeNet trained from scratch on <paramref name="training"/>, its accuracy on the real rows; null when the CNN CAS is off.</summary>
    private static double? CnnClassificationAccuracyScore(IDataView training, string pixelsColumn, IDataView real, GanEvaluationOptions options, ILogger logger,
        CancellationToken cancellationToken)
    {
        if (options.CnnCasEpochs == 0)
        {
            return null;
        }

        var recipe = new LeNetClassifierOptions
        {
            PixelsColumnName = pixelsColumn,
            LabelColumnName = options.LabelColumnName,
            Epochs = options.CnnCasEpochs,
            Channels = options.CnnCasChannels,
            Seed = options.CnnCasSeed,
        };
        using LeNetClassifier classifier = LeNetClassifier.Train(training, recipe, logger, cancellationToken);
        return classifier.Accuracy(real, options.PixelsColumnName, options.LabelColumnName);
    }

    /// <summary>Up to N flat 28 × 28 one-channel images in [0, 1] (and class indices when labelled).</summary>
    internal sealed record Digits(float[] Pixels, int Count, long[]? Labels)
    {
        public static Digits Read(IDataView data, string pixelsColumn, string labelColumn, int maxRows, string what, bool labelRequired,
            CancellationToken cancellationToken = default)
        {
            PixelColumn column = PixelColumn.Resolve(data.Schema, pixelsColumn, null, $"Name the {what} pixel column in {nameof(GanEvaluationOptions)}.");
            if (column.Shape != new ImageShape(1, LeNet.Side, LeNet.Side))
            {
                throw new ArgumentOutOfRangeException(nameof(data),
                    $"The {what} image column '{pixelsColumn}' holds {column.Shape} images; the MNIST feature network needs 1 x 28 x 28.");
            }

            LabelColumn? label = null;
            if (data.Schema.GetColumnOrNull(labelColumn) is not null)
            {
                label = LabelColumn.Resolve(data.Schema, labelColumn, LeNet.ClassCount, $"the {what} data's classes",
                    $"Name the {what} label column in {nameof(GanEvaluationOptions)}.", $"The MNIST feature network's class count");
            }
            else if (labelRequired)
            {
                throw new ArgumentOutOfRangeException(nameof(data), $"The {what} data has no label column '{labelColumn}'.");
            }

            TrainingImages images = TrainingImages.Read(data, column, label, cancellationToken, maxRows);
            return new Digits(images.UnitPixels(images.Count), images.Count, images.Classes);
        }
    }
}
