using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Gan.Networks;
using TorchSharp;
using static TorchSharp.torch;
using Generator = Microsoft.ML.Gan.Networks.Generator;

namespace Microsoft.ML.Gan.Training;

/// <summary>The trained generator and what training recorded.</summary>
internal sealed record GanTrainingResult(Generator Generator, GanTrainingHistory History);

/// <summary>
/// The article's training loop, one method to read top to bottom: for every batch a discriminator step
/// on real images (target <see cref="GanOptions.RealLabel"/>) and fakes generated without gradients
/// (target 0), then a generator step on fresh fakes with flipped labels (target 1). After every epoch
/// the generator renders the fixed latent vectors in eval mode.
/// </summary>
internal static class GanTrainer
{
    public static GanTrainingResult Train(TrainingImages data, GanOptions options, int seed, ILogger logger, CancellationToken cancellationToken)
    {
        Device device = ResolveDevice(options.Device);
        int previousThreads = torch.get_num_threads();
        torch.set_num_threads(options.Threads);
        try
        {
            torch.manual_seed(seed);
            int pixels = data.Shape.Size;
            var generator = new Generator(options.LatentDimension, options.HiddenSize, pixels, options.Dropout, options.LeakyReluSlope);
            try
            {
                return TrainGenerator(generator, data, options, seed, device, logger, cancellationToken);
            }
            catch
            {
                generator.Dispose();
                throw;
            }
        }
        finally
        {
            torch.set_num_threads(previousThreads);
        }
    }

    private static GanTrainingResult TrainGenerator(Generator generator, TrainingImages data, GanOptions options, int seed, Device device, ILogger logger, CancellationToken cancellationToken)
    {
        int pixels = data.Shape.Size;
        using var discriminator = new Discriminator(pixels, options.HiddenSize, options.Dropout, options.LeakyReluSlope);
        generator.to(device);
        discriminator.to(device);
        using var generatorOptimizer = optim.Adam(generator.parameters(), options.GeneratorLearningRate,
            options.GeneratorBetas.Beta1, options.GeneratorBetas.Beta2);
        using var discriminatorOptimizer = optim.Adam(discriminator.parameters(), options.DiscriminatorLearningRate,
            options.DiscriminatorBetas.Beta1, options.DiscriminatorBetas.Beta2);

        // The dataset lives on the device once; each epoch reorders it with one gather, batches are views.
        using Tensor hostImages = torch.tensor(data.Values, [data.Count, pixels]);
        using Tensor images = hostImages.to(device);
        using Tensor fixedLatents = SampleLatents(options.SampleCount, options, device);
        int batch = options.BatchSize;
        // Targets of the discriminator step: RealLabel for the real half, 0 for the fake half; 1 for the generator step.
        using Tensor realTargets = torch.full(batch, 1, options.RealLabel, device: device);
        using Tensor fakeTargets = torch.zeros(batch, 1, device: device);
        using Tensor discriminatorTargets = torch.cat([realTargets, fakeTargets], 0);
        using Tensor generatorTargets = torch.ones(batch, 1, device: device);

        int stepsPerEpoch = (data.Count + batch - 1) / batch;
        var epochs = new List<GanEpochSummary>(options.Epochs);
        var clock = Stopwatch.StartNew();
        GanLog.TrainingStarted(logger, data.Count, data.Shape.ToString(), options.Epochs, stepsPerEpoch, seed, options.Threads, device.ToString());
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            TimeSpan epochStart = clock.Elapsed;
            using var epochScope = torch.NewDisposeScope();
            Tensor order = options.Shuffle ? torch.randperm(data.Count, device: device) : torch.arange(data.Count, device: device);
            Tensor epochImages = images.index_select(0, order);
            Tensor discriminatorLossSum = torch.zeros(1, device: device);
            Tensor generatorLossSum = torch.zeros(1, device: device);

            for (int step = 0; step < stepsPerEpoch; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var stepScope = torch.NewDisposeScope();
                int start = step * batch;
                int size = Math.Min(batch, data.Count - start);
                Tensor real = epochImages.narrow(0, start, size);

                // Discriminator step: real images towards RealLabel, fakes (no generator gradients) towards 0.
                // One forward pass over [real; fake] equals the article's two passes (the network has no
                // batch statistics); the mean over 2n rows times 2 is the sum of the two n-row means.
                discriminatorOptimizer.zero_grad();
                Tensor fake;
                using (torch.no_grad())
                {
                    fake = generator.forward(SampleLatents(size, options, device));
                }

                Tensor discriminatorLoss = nn.functional.binary_cross_entropy_with_logits(
                    discriminator.forward(torch.cat([real, fake], 0)), Targets(discriminatorTargets, batch, size)) * 2;
                discriminatorLoss.backward();
                discriminatorOptimizer.step();

                // Generator step: fresh fakes, labels flipped to 1.
                generatorOptimizer.zero_grad();
                Tensor generatorLoss = nn.functional.binary_cross_entropy_with_logits(
                    discriminator.forward(generator.forward(SampleLatents(size, options, device))),
                    size == batch ? generatorTargets : generatorTargets.narrow(0, 0, size));
                generatorLoss.backward();
                generatorOptimizer.step();

                discriminatorLossSum.add_(discriminatorLoss.detach());
                generatorLossSum.add_(generatorLoss.detach());
                if (options.LogEveryNSteps > 0 && (step + 1) % options.LogEveryNSteps == 0 && step + 1 < stepsPerEpoch)
                {
                    double d = discriminatorLossSum.item<float>() / (step + 1);
                    double g = generatorLossSum.item<float>() / (step + 1);
                    GanLog.TrainingStep(logger, epoch, options.Epochs, step + 1, stepsPerEpoch, d, g);
                    options.Progress?.Report(new GanTrainingProgress(epoch, options.Epochs, step + 1, stepsPerEpoch, d, g, false, clock.Elapsed));
                }
            }

            double discriminatorMean = discriminatorLossSum.item<float>() / stepsPerEpoch;
            double generatorMean = generatorLossSum.item<float>() / stepsPerEpoch;
            if (!double.IsFinite(discriminatorMean) || !double.IsFinite(generatorMean))
            {
                throw new InvalidOperationException(
                    $"Training diverged in epoch {epoch}: discriminator loss {discriminatorMean}, generator loss {generatorMean}. " +
                    $"Lower {nameof(GanOptions.GeneratorLearningRate)}/{nameof(GanOptions.DiscriminatorLearningRate)}.");
            }

            IReadOnlyList<float[]> samples = Render(generator, fixedLatents, pixels);
            TimeSpan duration = clock.Elapsed - epochStart;
            epochs.Add(new GanEpochSummary(epoch, discriminatorMean, generatorMean, duration, samples));
            GanLog.EpochCompleted(logger, epoch, options.Epochs, discriminatorMean, generatorMean, duration.TotalSeconds);
            options.Progress?.Report(new GanTrainingProgress(epoch, options.Epochs, stepsPerEpoch, stepsPerEpoch, discriminatorMean, generatorMean, true, clock.Elapsed, samples));
        }

        generator.eval();
        return new GanTrainingResult(generator, new GanTrainingHistory(data.Shape, epochs, seed));
    }

    /// <summary>The [real; fake] targets for a batch of <paramref name="size"/> (the last batch may be short).</summary>
    private static Tensor Targets(Tensor full, int batch, int size)
        => size == batch ? full : torch.cat([full.narrow(0, 0, size), full.narrow(0, batch, size)], 0);

    /// <summary>z for <paramref name="count"/> images: Uniform(-1, 1) as in the article, or N(0, 1).</summary>
    internal static Tensor SampleLatents(int count, GanOptions options, Device device) => options.LatentDistribution switch
    {
        LatentDistribution.Normal => torch.randn(count, options.LatentDimension, device: device),
        _ => torch.rand(count, options.LatentDimension, device: device).mul_(2).sub_(1),
    };

    /// <summary>The generator in eval mode on <paramref name="latents"/>, as [0, 1] images on the CPU.</summary>
    internal static IReadOnlyList<float[]> Render(Generator generator, Tensor latents, int pixels)
    {
        int count = (int)latents.shape[0];
        if (count == 0)
        {
            return [];
        }

        using var scope = torch.NewDisposeScope();
        generator.eval();
        float[] all;
        using (torch.no_grad())
        {
            all = ((generator.forward(latents) + 1) / 2).cpu().data<float>().ToArray();
        }

        generator.train();
        return Enumerable.Range(0, count).Select(i => all.AsSpan(i * pixels, pixels).ToArray()).ToArray();
    }

    private static Device ResolveDevice(string name)
    {
        Device device;
        try
        {
            device = torch.device(name);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or NotSupportedException)
        {
            throw new ArgumentException($"{nameof(GanOptions)}.{nameof(GanOptions.Device)} '{name}' is not a TorchSharp device; expected e.g. 'cpu' or 'cuda'.", nameof(name), e);
        }

        if (device.type == DeviceType.CUDA && !torch.cuda.is_available())
        {
            throw new ArgumentException(
                $"{nameof(GanOptions)}.{nameof(GanOptions.Device)} is '{name}' but CUDA is not available; reference a TorchSharp CUDA backend package or use 'cpu'.",
                nameof(name));
        }

        return device;
    }
}
