using Microsoft.ML.Gan.IO;
using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Logging;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.Evaluation;
using Microsoft.ML.Gan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan;

/// <summary>
/// A small CNN image classifier (the LeNet layers of the shipped MNIST feature network, trained from scratch)
/// for judging synthetic data by what a model learns from it: the CNN classification accuracy score of
/// <c>Evaluate</c> trains one on generated rows and one on real rows (the ceiling), and
/// <see cref="SyntheticRowOptions.Classifier"/> filters generated rows with one trained on the user's own rows.
/// Create it with <c>mlContext.Gan().TrainClassifier(data, options)</c>.
/// </summary>
public sealed class LeNetClassifier : IDisposable
{
    private const int ScoringBatch = 1000;
    private readonly LeNet _network;
    private readonly object _gate = new();
    private bool _disposed;

    internal LeNetClassifier(LeNet network, ImageShape shape, int classCount, TimeSpan trainingTime)
    {
        _network = network;
        ImageShape = shape;
        ClassCount = classCount;
        TrainingTime = trainingTime;
    }

    /// <summary>Channels × height × width of the images it classifies.</summary>
    public ImageShape ImageShape { get; }

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>Wall-clock time training took.</summary>
    public TimeSpan TrainingTime { get; }

    /// <summary>
    /// Trains a classifier on the labelled images of <paramref name="data"/> (<see cref="LeNetClassifierOptions.PixelsColumnName"/>,
    /// <see cref="LeNetClassifierOptions.LabelColumnName"/>, optional weights).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type; the message names it.</exception>
    public static LeNetClassifier Train(IDataView data, LeNetClassifierOptions? options = null) => Train(data, options, options?.Logger, CancellationToken.None);

    /// <inheritdoc cref="Train(IDataView, LeNetClassifierOptions?)"/>
    [Obsolete("Set LeNetClassifierOptions.Logger instead; this overload goes in the next release.")]
    public static LeNetClassifier Train(IDataView data, LeNetClassifierOptions? options, ILogger? logger) => Train(data, options, logger ?? options?.Logger, CancellationToken.None);

    /// <inheritdoc cref="Train(IDataView, LeNetClassifierOptions?)"/>
    internal static LeNetClassifier Train(IDataView data, LeNetClassifierOptions? options, ILogger? logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        options = (options ?? new LeNetClassifierOptions()).Clone();
        options.Validate();
        TrainingImages images = Read(data, options.PixelsColumnName, options.LabelColumnName, options.ClassCount, int.MaxValue);
        float[]? weights = options.ExampleWeightColumnName is string weightColumn ? ReadWeights(data, weightColumn, images.Count) : null;
        var clock = Stopwatch.StartNew();
        LeNet network = TrainNetwork(images.UnitPixels(images.Count), images.Classes!, weights, images.Shape, images.ClassCount, options, logger ?? NullLogger.Instance, cancellationToken);
        return new LeNetClassifier(network, images.Shape, images.ClassCount, clock.Elapsed);
    }

    /// <summary>Share of the rows of <paramref name="data"/> whose label is the class with the highest score.</summary>
    public double Accuracy(IDataView data, string pixelsColumnName = "Pixels", string labelColumnName = "Label")
    {
        ArgumentNullException.ThrowIfNull(data);
        TrainingImages images = Read(data, pixelsColumnName, labelColumnName, ClassCount, int.MaxValue);
        if (images.Shape != ImageShape || images.ClassCount != ClassCount)
        {
            throw new ArgumentOutOfRangeException(nameof(data),
                $"Column '{pixelsColumnName}' holds {images.Shape} images with {images.ClassCount} classes; the classifier was trained on {ImageShape} with {ClassCount}.");
        }

        float[] probabilities = Probabilities(images.UnitPixels(images.Count), images.Count);
        int correct = 0;
        for (int i = 0; i < images.Count; i++)
        {
            if (SpanMath.ArgMax(probabilities.AsSpan(i * ClassCount, ClassCount)) == images.Classes![i])
            {
                correct++;
            }
        }

        return correct / (double)images.Count;
    }

    /// <summary>Softmax probabilities [count × classes] of flat images in [0, 1], in batches (eval mode, no gradients).</summary>
    internal float[] Probabilities(ReadOnlySpan<float> unitPixels, int count)
    {
        var result = new float[count * ClassCount];
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var noGrad = torch.no_grad();
            for (int start = 0; start < count; start += ScoringBatch)
            {
                using var scope = torch.NewDisposeScope();
                int size = Math.Min(ScoringBatch, count - start);
                Tensor input = torch.tensor(unitPixels.Slice(start * ImageShape.Size, size * ImageShape.Size).ToArray(), [size, ImageShape.Size]);
                nn.functional.softmax(_network.forward(input).Logits, 1).data<float>().CopyTo(result.AsSpan(start * ClassCount, size * ClassCount));
            }
        }

        return result;
    }

    /// <summary>
    /// The training loop shared with the shipped feature network (<see cref="MnistFeatureNetwork.Train"/>): seed, build,
    /// then per pass a fresh permutation and Adam steps on batches of cross-entropy (weighted when weights are given).
    /// </summary>
    internal static LeNet TrainNetwork(float[] unitPixels, long[] labels, float[]? weights, ImageShape shape, int classCount, LeNetClassifierOptions options, ILogger logger,
        CancellationToken cancellationToken = default)
    {
        int previousThreads = torch.get_num_threads();
        torch.set_num_threads(options.Threads);
        try
        {
            torch.manual_seed(options.Seed);
            var network = new LeNet(shape, classCount, options.Channels);
            using var optimizer = new FlatAdam([.. network.parameters()], options.LearningRate, beta1: 0.9, beta2: 0.999);
            using Tensor allImages = torch.tensor(unitPixels, [labels.Length, shape.Size]);
            using Tensor allLabels = torch.tensor(labels);
            using Tensor? allWeights = weights is null ? null : torch.tensor(weights);
            int batch = options.BatchSize;
            int stepsPerEpoch = (labels.Length + batch - 1) / batch;
            int epochs = options.MaxSteps is int steps ? (steps + stepsPerEpoch - 1) / stepsPerEpoch : options.Epochs;
            int remaining = options.MaxSteps ?? int.MaxValue;
            for (int epoch = 1; epoch <= epochs; epoch++)
            {
                network.train();
                using var epochScope = torch.NewDisposeScope();
                Tensor order = torch.randperm(labels.Length);
                Tensor shuffledImages = allImages.index_select(0, order);
                Tensor shuffledLabels = allLabels.index_select(0, order);
                Tensor? shuffledWeights = allWeights?.index_select(0, order);
                Tensor lossSum = torch.zeros(1);
                int stepsDone = 0;
                for (int start = 0; start < labels.Length && remaining > 0; start += batch, remaining--)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var stepScope = torch.NewDisposeScope();
                    int size = Math.Min(batch, labels.Length - start);
                    optimizer.zero_grad();
                    Tensor logits = network.forward(shuffledImages.narrow(0, start, size)).Logits;
                    Tensor targets = shuffledLabels.narrow(0, start, size);
                    Tensor loss = shuffledWeights is null
                        ? nn.functional.cross_entropy(logits, targets)
                        : WeightedCrossEntropy(logits, targets, shuffledWeights.narrow(0, start, size));
                    loss.backward();
                    optimizer.step();
                    lossSum.PlusInPlace(loss.detach());
                    stepsDone++;
                }

                GanLog.ClassifierEpoch(logger, epoch, epochs, lossSum.item<float>() / Math.Max(stepsDone, 1));
            }

            network.eval();
            return network;
        }
        finally
        {
            torch.set_num_threads(previousThreads);
        }
    }

    private static Tensor WeightedCrossEntropy(Tensor logits, Tensor targets, Tensor weights)
        => (nn.functional.cross_entropy(logits, targets, reduction: nn.Reduction.None) * weights).sum() / weights.sum().AtLeastValue(1e-12);

    /// <summary>Labelled images through the same column checks as training: pixels in [-1, 1] and class indices.</summary>
    internal static TrainingImages Read(IDataView data, string pixelsColumn, string labelColumn, int? classCount, int maxRows)
    {
        PixelColumn pixels = PixelColumn.Resolve(data.Schema, pixelsColumn, null, "Pass the pixel column's name.");
        LabelColumn label = LabelColumn.Resolve(data.Schema, labelColumn, classCount, "the classifier learns its classes from it", "Pass the label column's name.",
            $"{nameof(LeNetClassifier)}'s class count");
        return TrainingImages.Read(data, pixels, label, CancellationToken.None, maxRows);
    }

    private static float[] ReadWeights(IDataView data, string column, int count)
    {
        if (data.Schema.GetColumnOrNull(column) is not { Type: var type } || type != NumberDataViewType.Single)
        {
            throw new ArgumentOutOfRangeException(nameof(data),
                $"Weight column '{column}' must be a Single column; got {(data.Schema.GetColumnOrNull(column) is { } c ? c.Type.ToString() : "no such column")}. " +
                $"Set {nameof(LeNetClassifierOptions)}.{nameof(LeNetClassifierOptions.ExampleWeightColumnName)} to another column or to null.");
        }

        float[] weights = data.GetColumn<float>(column).Take(count).ToArray();
        int bad = Array.FindIndex(weights, w => !float.IsFinite(w) || w < 0);
        if (bad >= 0)
        {
            throw new InvalidDataException($"Weight column '{column}' has value {weights[bad]} at row {bad}; expected finite weights >= 0.");
        }

        return weights;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _disposed = true;
                _network.Dispose();
            }
        }
    }
}
