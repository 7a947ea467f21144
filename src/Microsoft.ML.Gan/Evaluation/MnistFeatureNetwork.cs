using Microsoft.ML.Gan.IO;
using Microsoft.ML.Gan.Logging;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using Microsoft.ML.Gan.Evaluation;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan;

/// <summary>What training the feature network measured.</summary>
/// <param name="TestAccuracy">Accuracy on the MNIST test split.</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="Seed">Seed used.</param>
/// <param name="Duration">Wall-clock training time.</param>
public sealed record FeatureNetworkReport(double TestAccuracy, int Epochs, int Seed, TimeSpan Duration);

/// <summary>
/// The MNIST feature network behind <c>mlContext.Gan().Evaluate</c>:
/// a small LeNet-style CNN trained by <see cref="Train"/> (the samples app's <c>feature-net</c> command).
/// Its weights ship inside this assembly, so evaluation works offline. FID and KID are computed on its
/// 128 penultimate features; numbers from other feature networks (e.g. Inception) are not comparable.
/// </summary>
public static class MnistFeatureNetwork
{
    internal const string ResourceName = "Microsoft.ML.Gan.Evaluation.mnist-lenet.weights";
    private static readonly object Gate = new();
    private static LeNet? _shipped;

    /// <summary>
    /// Trains the network on <paramref name="train"/> (MNIST train: <c>Label</c> key, <c>Pixels</c> 28 × 28 in [0, 1])
    /// with Adam (0.001, batch 128; the <see cref="LeNetClassifier"/> loop), measures accuracy on <paramref name="test"/>, and writes the weights
    /// (TorchSharp's module format) atomically to <paramref name="weightsPath"/>.
    /// </summary>
    public static FeatureNetworkReport Train(IDataView train, IDataView test, string weightsPath, int epochs = 8, int seed = 1, int threads = 1, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        logger ??= NullLogger.Instance;
        var clock = Stopwatch.StartNew();
        (float[] images, long[] labels) = ReadDigits(train, "training");
        var recipe = new LeNetClassifierOptions { Epochs = epochs, Seed = seed, Threads = threads };
        using LeNet network = LeNetClassifier.TrainNetwork(images, labels, null, new ImageShape(1, LeNet.Side, LeNet.Side), LeNet.ClassCount, recipe, logger);
        (float[] testImages, long[] testLabels) = ReadDigits(test, "test");
        double accuracy = Accuracy(network, testImages, testLabels);
        AtomicFile.Write(weightsPath, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            network.save(writer);
        });
        GanLog.FeatureNetworkTrained(logger, accuracy, weightsPath);
        return new FeatureNetworkReport(accuracy, epochs, seed, clock.Elapsed);
    }

    /// <summary>Accuracy of the shipped network on labelled 28 × 28 digits (<c>Label</c> key, <c>Pixels</c>).</summary>
    public static double Accuracy(IDataView digits)
    {
        (float[] images, long[] labels) = ReadDigits(digits, "digits");
        lock (Gate)
        {
            return Accuracy(Shipped(), images, labels);
        }
    }

    /// <summary>The network with the weights embedded in this assembly, loaded once (eval mode).</summary>
    internal static LeNet Shipped()
    {
        lock (Gate)
        {
            if (_shipped is null)
            {
                using Stream stream = typeof(MnistFeatureNetwork).Assembly.GetManifestResourceStream(ResourceName)
                    ?? throw new InvalidOperationException($"The feature network's weights ({ResourceName}) are not embedded in this build.");
                using var reader = new BinaryReader(stream, Encoding.UTF8);
                // Building the layers draws their initial weights from the global generator; keep its state so
                // loading the evaluator never changes a training run's random stream.
                using Tensor randomState = torch.random.get_rng_state();
                var network = new LeNet();
                torch.random.set_rng_state(randomState);
                network.load(reader);
                network.eval();
                _shipped = network;
            }

            return _shipped;
        }
    }

    /// <summary>Features [N, 128] and softmax probabilities [N, 10] of flat 28 × 28 images in [0, 1], in batches of 1,000.</summary>
    /// <remarks>
    /// Pixels are copied straight into each batch's input tensor and outputs read straight from the result tensors: the
    /// per-batch arrays this used to make were large-object-heap garbage (about 8 MB a call), which only a full collection
    /// frees, and in-training evaluation made one every epoch.
    /// </remarks>
    internal static (double[,] Features, float[,] Probabilities) Describe(ReadOnlySpan<float> images, int count, CancellationToken cancellationToken = default)
    {
        var features = new double[count, LeNet.FeatureSize];
        var probabilities = new float[count, LeNet.ClassCount];
        const int batch = 1000;
        lock (Gate)
        {
            LeNet network = Shipped();
            using var noGrad = torch.no_grad();
            for (int start = 0; start < count; start += batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                int size = Math.Min(batch, count - start);
                Tensor input = torch.empty(size, 784);
                images.Slice(start * 784, size * 784).CopyTo(MemoryMarshal.Cast<byte, float>(input.bytes));
                (Tensor f, Tensor logits) = network.forward(input);
                ReadOnlySpan<float> fs = MemoryMarshal.Cast<byte, float>(f.contiguous().bytes);
                ReadOnlySpan<float> ps = MemoryMarshal.Cast<byte, float>(nn.functional.softmax(logits, 1).contiguous().bytes);
                for (int i = 0; i < size; i++)
                {
                    for (int j = 0; j < LeNet.FeatureSize; j++)
                    {
                        features[start + i, j] = fs[(i * LeNet.FeatureSize) + j];
                    }

                    for (int j = 0; j < LeNet.ClassCount; j++)
                    {
                        probabilities[start + i, j] = ps[(i * LeNet.ClassCount) + j];
                    }
                }
            }
        }

        return (features, probabilities);
    }

    /// <summary>The most probable class of row <paramref name="row"/> of <see cref="Describe"/>'s probabilities (the first on a tie).</summary>
    internal static int PredictedClass(float[,] probabilities, int row)
        => SpanMath.ArgMax(MemoryMarshal.CreateReadOnlySpan(ref probabilities[row, 0], probabilities.GetLength(1)));

    /// <summary>Softmax probabilities [count × 10] of flat 28 × 28 images in [0, 1] by the shipped network.</summary>
    internal static float[] Probabilities(float[] images, int count)
    {
        (_, float[,] probabilities) = Describe(images, count);
        var flat = new float[count * LeNet.ClassCount];
        Buffer.BlockCopy(probabilities, 0, flat, 0, flat.Length * sizeof(float));
        return flat;
    }

    private static double Accuracy(LeNet network, float[] images, long[] labels)
    {
        using var noGrad = torch.no_grad();
        int correct = 0;
        for (int start = 0; start < labels.Length; start += 1000)
        {
            // One scope per batch: a scope around the loop kept every batch's activations (about 70 MB each) until
            // the end, 7 GB for the augmentation study's 100,000 rows.
            using var scope = torch.NewDisposeScope();
            int size = Math.Min(1000, labels.Length - start);
            long[] predicted = network.forward(torch.tensor(images.AsSpan(start * 784, size * 784).ToArray(), [size, 784])).Logits.argmax(1).data<long>().ToArray();
            correct += predicted.Where((p, i) => p == labels[start + i]).Count();
        }

        return correct / (double)labels.Length;
    }

    /// <summary>Labelled 28 × 28 digits (<c>Pixels</c>, <c>Label</c>) as flat [0, 1] pixels and class indices.</summary>
    private static (float[] Images, long[] Labels) ReadDigits(IDataView data, string what)
    {
        GanEvaluator.Digits digits = GanEvaluator.Digits.Read(data, "Pixels", "Label", int.MaxValue, what, labelRequired: true);
        return (digits.Pixels, digits.Labels!);
    }
}
