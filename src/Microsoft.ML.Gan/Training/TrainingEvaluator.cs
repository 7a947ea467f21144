using Microsoft.ML.Gan.Evaluation;
using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Training;

/// <summary>
/// FID and KID during training: the features of <see cref="GanOptions.EvaluationSampleCount"/> training images
/// are computed once; every evaluation renders as many images from fixed latent vectors drawn from its own
/// seeded generator (so the training random stream is untouched) and compares their features.
/// </summary>
internal sealed class TrainingEvaluator : IDisposable
{
    private readonly double[,] _realFeatures;
    private readonly Tensor _latents;
    private readonly Tensor? _classes;
    private readonly int _count;
    private readonly int _seed;
    private readonly float[] _images;

    private TrainingEvaluator(double[,] realFeatures, Tensor latents, Tensor? classes, int count, int seed)
    {
        _realFeatures = realFeatures;
        _latents = latents;
        _classes = classes;
        _count = count;
        _seed = seed;
        _images = new float[count * LeNet.Side * LeNet.Side];
    }

    /// <summary>Null when evaluation is off; throws when the images do not fit the MNIST feature network.</summary>
    public static TrainingEvaluator? Create(TrainingImages data, RunPlan run, LatentSpace space, int seed, Device device)
    {
        if (run.EvaluateEveryEpochs == 0)
        {
            return null;
        }

        if (data.Shape != new ImageShape(1, LeNet.Side, LeNet.Side))
        {
            throw new ArgumentOutOfRangeException(nameof(run),
                $"{nameof(GanOptions)}.{nameof(GanOptions.EvaluateEveryEpochs)} uses the MNIST feature network, which needs 1 x 28 x 28 images; the training images are {data.Shape}.");
        }

        int count = Math.Min(run.EvaluationSampleCount, data.Count);
        (double[,] features, _) = MnistFeatureNetwork.Describe(data.UnitPixels(count), count);
        using var generator = new torch.Generator((ulong)(uint)seed ^ 0x5EEDUL, device);
        Tensor latents = LatentSampler.Draw(count, space, device, generator);
        Tensor? classes = data.ClassCount > 0 ? ScalarArithmetic.RangeRemainder(count, data.ClassCount, device) : null;
        return new TrainingEvaluator(features, latents, classes, count, seed);
    }

    /// <summary>
    /// FID (with enough images), KID, and for a generator conditioned on the 10 MNIST classes the label agreement: the share
    /// of images the feature network classifies as the class they were generated for (class c is digit c, as for MNIST keys).
    /// </summary>
    public (double? Fid, double Kid, double? LabelAgreement) Measure(GeneratorNetwork generator)
    {
        generator.Render(_latents, _classes, _images);
        (double[,] features, float[,] probabilities) = MnistFeatureNetwork.Describe(_images, _count);
        double? fid = _count >= GanEvaluator.MinimumRowsForFid ? FeatureStatistics.FrechetDistance(features, _realFeatures) : null;
        double kid = FeatureStatistics.KernelDistance(features, _realFeatures, 5, Math.Min(1000, _count), _seed).Mean;
        return (fid, kid, generator.ClassCount == LeNet.ClassCount ? LabelAgreement(probabilities) : null);
    }

    private double LabelAgreement(float[,] probabilities)
    {
        int agreeing = 0;
        for (int i = 0; i < _count; i++)
        {
            // The evaluation's classes are 0, 1, 2, ... in turn (see Create).
            agreeing += MnistFeatureNetwork.PredictedClass(probabilities, i) == i % LeNet.ClassCount ? 1 : 0;
        }

        return agreeing / (double)_count;
    }

    public void Dispose()
    {
        _latents.Dispose();
        _classes?.Dispose();
    }
}
