using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Logging;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Training;

/// <summary>The trained (published) generator and what training recorded.</summary>
internal sealed record GanTrainingResult(GeneratorNetwork Generator, GanTrainingHistory History);

/// <summary>
/// The training loop, one method to read top to bottom (<see cref="RunEpoch"/>): for every batch a
/// discriminator step on real images and on fakes generated without gradients; after every
/// <see cref="GanOptions.DiscriminatorStepsPerGeneratorStep"/> of them, a generator step on fresh fakes.
/// Around it: resuming from a checkpoint, the divergence guard, rendering the fixed samples, checkpoints.
/// </summary>
internal static class GanTrainer
{
    private const int MaxRollBacks = 3;

    public static GanTrainingResult Train(TrainingImages data, GanOptions options, int seed, ILogger logger, CancellationToken cancellationToken)
    {
        Device device = ResolveDevice(options.Device);
        TrainingPlan plan = TrainingPlan.Resolve(options, data.Shape, data.ClassCount);
        int previousThreads = torch.get_num_threads();
        ThreadGovernor? governor = ThreadGovernor.Start(options.Threads, logger);
        try
        {
            TrainingSchedule schedule = TrainingSchedule.For(options, data.Count);
            string fingerprint = data.Fingerprint();
            using TrainingState state = StartOrResume(data, options, plan, schedule, seed, fingerprint, device, logger);
            var clock = Stopwatch.StartNew();
            TimeSpan lastCheckpoint = TimeSpan.Zero;
            int stepsPerEpoch = schedule.StepsPerEpoch;
            using Tensor images = ToDevice(torch.tensor(data.Values, [data.Count, data.Shape.Size]), device);
            using Tensor? classes = data.Classes is null ? null : ToDevice(torch.tensor(data.Classes), device);
            using TrainingEvaluator? evaluator = TrainingEvaluator.Create(data, options, plan.Latents, state.Seed, device);
            TensorBoardLog? board = TensorBoardLog.Create(options, logger);
            GanLog.TrainingStarted(logger, data.Count, data.Shape.ToString(), schedule.Epochs, stepsPerEpoch, state.Seed,
                governor is null ? options.Threads.ToString(CultureInfo.InvariantCulture) : $"chosen while training, starting with {governor.Setting}", device.ToString());

            int rollBacks = 0;
            for (int epoch = state.CompletedEpochs + 1; epoch <= schedule.Epochs; epoch++)
            {
                byte[]? rollBackPoint = options.OnDivergence == DivergenceAction.RollBack ? state.Snapshot() : null;
                TimeSpan epochStart = clock.Elapsed;
                double discriminatorLoss, generatorLoss;
                try
                {
                    (discriminatorLoss, generatorLoss) = RunEpoch(state, images, classes, data.Shape, data.ClassCount, options, plan, epoch, schedule, clock, governor, board, logger, cancellationToken);
                }
                catch (OperationCanceledException) when (state.Progress is EpochProgress stopped)
                {
                    // Cancelled at a step boundary: keep what this epoch did, so a resumed run continues it exactly.
                    string? path = options.CheckpointDirectory is string checkpoints
                        ? Checkpoint.Write(checkpoints, HeaderFor(options, data, state.Seed, fingerprint, epoch - 1, stopped.Step), state)
                        : null;
                    GanLog.Cancelled(logger, epoch, stopped.Step, schedule.StepsIn(epoch), path ?? "none");
                    throw new OperationCanceledException(
                        $"Training cancelled at epoch {epoch}, step {stopped.Step} of {schedule.StepsIn(epoch)}" +
                        (path is null ? " (no checkpoint: no checkpoint directory)." : $"; checkpoint '{path}' written, resume to continue exactly there."),
                        cancellationToken);
                }

                if (!double.IsFinite(discriminatorLoss) || !double.IsFinite(generatorLoss))
                {
                    if (rollBackPoint is null || ++rollBacks > MaxRollBacks)
                    {
                        throw new InvalidOperationException(
                            $"Training diverged in epoch {epoch}: discriminator loss {discriminatorLoss}, generator loss {generatorLoss}" +
                            (rollBackPoint is null ? "" : $", after {MaxRollBacks} roll-backs") + ". " +
                            $"Lower {nameof(GanOptions.GeneratorLearningRate)}/{nameof(GanOptions.DiscriminatorLearningRate)} or set {nameof(GanOptions.MaxGradientNorm)}.");
                    }

                    state.Restore(rollBackPoint);
                    state.ScaleLearningRates(Math.Pow(0.5, rollBacks));
                    GanLog.RolledBack(logger, epoch, rollBacks, Math.Pow(0.5, rollBacks));
                    epoch--;
                    continue;
                }

                rollBacks = 0;
                bool evaluate = evaluator is not null && (epoch % options.EvaluateEveryEpochs == 0 || epoch == schedule.Epochs);
                bool due = epoch % options.CheckpointEveryEpochs == 0 || epoch == schedule.Epochs
                    || (options.CheckpointEveryMinutes is double minutes && (clock.Elapsed - lastCheckpoint).TotalMinutes >= minutes);
                bool checkpoint = options.CheckpointDirectory is not null && due;
                // The EMA generator's statistics are recomputed only when it is used: rendered, measured, saved or
                // published. They depend on its weights alone, so when does not change any output; on a few hundred
                // images (a few steps an epoch) recomputing them every epoch cost more than training.
                if (state.Ema is not null && (options.SampleCount > 0 || evaluate || checkpoint || epoch == schedule.Epochs))
                {
                    StandingStatistics.Recompute(state.Ema, plan.Latents, state.Seed, device);
                }

                IReadOnlyList<float[]> samples = state.Published.Render(state.FixedLatents, state.FixedClasses, data.Shape.Size);
                TimeSpan duration = clock.Elapsed - epochStart;
                (double? fid, double? kid, double? labelAgreement) = (null, null, null);
                if (evaluate)
                {
                    (fid, kid, labelAgreement) = evaluator!.Measure(state.Published);
                    GanLog.EpochEvaluated(logger, epoch, fid ?? double.NaN, kid.Value);
                }

                var summary = new GanEpochSummary(epoch, discriminatorLoss, generatorLoss, duration, samples, fid, kid);
                state.History.Add(summary);
                state.CompletedEpochs = epoch;
                board?.EpochCompleted(TensorBoardLog.GlobalStep(epoch, schedule.StepsIn(epoch), schedule), summary, labelAgreement, state, data.Shape);
                GanLog.EpochCompleted(logger, epoch, schedule.Epochs, discriminatorLoss, generatorLoss, duration.TotalSeconds);
                options.Progress?.Report(new GanTrainingProgress(epoch, schedule.Epochs, schedule.StepsIn(epoch), stepsPerEpoch, discriminatorLoss, generatorLoss, true, clock.Elapsed, samples, fid, kid));

                if (checkpoint && options.CheckpointDirectory is string directory)
                {
                    string path = Checkpoint.Write(directory, HeaderFor(options, data, state.Seed, fingerprint, epoch, null), state);
                    lastCheckpoint = clock.Elapsed;
                    GanLog.CheckpointWritten(logger, path);
                }
            }

            GeneratorNetwork published = state.TakePublished();
            published.eval();
            return new GanTrainingResult(published, new GanTrainingHistory(data.Shape, [.. state.History], state.Seed));
        }
        finally
        {
            governor?.Stop();
            torch.set_num_threads(previousThreads);
        }
    }

    /// <summary>One pass over the data. Returns the epoch's mean discriminator and generator losses (NaN when diverged).</summary>
    private static (double Discriminator, double Generator) RunEpoch(TrainingState state, Tensor images, Tensor? classes, ImageShape shape, int classCount,
        GanOptions options, TrainingPlan plan, int epoch, TrainingSchedule schedule, Stopwatch clock, ThreadGovernor? governor, TensorBoardLog? board, ILogger logger, CancellationToken cancellationToken)
    {
        int stepsPerEpoch = schedule.StepsPerEpoch;
        int steps = schedule.StepsIn(epoch);
        using var epochScope = torch.NewDisposeScope();
        GeneratorNetwork generator = state.Generator;
        DiscriminatorNetwork discriminator = state.Discriminator;
        Device device = images.device;
        int count = (int)images.shape[0];
        // A resumed, interrupted epoch continues with the order it drew and the sums it had; otherwise a fresh start.
        EpochProgress? resumed = state.Progress;
        state.Progress = null;
        using EpochProgress? disposeResumed = resumed;
        Tensor order = resumed?.Order ?? (options.Shuffle ? torch.randperm(count, device: device) : ScalarArithmetic.Range(count, device));
        Tensor discriminatorLossSum = ScalarArithmetic.Full(1, resumed?.DiscriminatorLossSum ?? 0, device);
        Tensor generatorLossSum = ScalarArithmetic.Full(1, resumed?.GeneratorLossSum ?? 0, device);
        int generatorSteps = resumed?.GeneratorSteps ?? 0;
        generator.train();
        discriminator.train();

        for (int step = resumed?.Step ?? 0; step < steps; step++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                Tensor kept = order.clone();
                kept.DetachFromDisposeScope();
                state.Progress = new EpochProgress(kept, step, discriminatorLossSum.item<float>(), generatorLossSum.item<float>(), generatorSteps);
                cancellationToken.ThrowIfCancellationRequested();
            }

            governor?.BeforeStep();
            using var stepScope = torch.NewDisposeScope();
            int start = step * options.BatchSize;
            int size = Math.Min(options.BatchSize, count - start);
            // The batch's rows are gathered per step: a copy of the whole shuffled set per epoch (188 MB for MNIST) cost time and memory.
            Tensor rows = order.narrow(0, start, size);
            Tensor real = images.index_select(0, rows);
            Tensor? realClasses = classes?.index_select(0, rows);

            // Discriminator step: real images and fakes made without generator gradients.
            state.DiscriminatorOptimizer.zero_grad();
            Tensor? fakeClasses = classCount > 0 ? torch.randint(classCount, [size], device: device) : null;
            Tensor fake;
            using (torch.no_grad())
            {
                fake = generator.forward(LatentSampler.Draw(size, plan.Latents, device), fakeClasses);
            }

            // DiffAugment (when on): the discriminator only ever sees augmented images, real and fake alike.
            Tensor discriminatorLoss = GanLosses.Discriminator(discriminator, DiffAugment.Apply(real, shape, options.DiffAugment), realClasses,
                DiffAugment.Apply(fake, shape, options.DiffAugment), fakeClasses, plan.Loss);
            discriminatorLoss.backward();
            Clip(discriminator, plan.MaxGradientNorm);
            state.DiscriminatorOptimizer.step();
            discriminatorLossSum.PlusInPlace(discriminatorLoss.detach());

            // Generator step after every k-th discriminator step: fresh fakes, scored as if real.
            if ((step + 1) % options.DiscriminatorStepsPerGeneratorStep == 0)
            {
                state.GeneratorOptimizer.zero_grad();
                Tensor? generatedClasses = classCount > 0 ? torch.randint(classCount, [size], device: device) : null;
                bool seekModes = options.ModeSeekingWeight > 0 && size >= 2;
                if (seekModes && generatedClasses is not null)
                {
                    generatedClasses = GanLosses.PairedClasses(generatedClasses);
                }

                Tensor latents = LatentSampler.Draw(size, plan.Latents, device);
                Tensor generated = generator.forward(latents, generatedClasses);
                Tensor generatorLoss;
                // The discriminator's weights get no gradients here (its optimizer zeroes them before its next step anyway):
                // only the gradient through its input reaches the generator, so its weight-gradient products are skipped.
                using (state.FreezeDiscriminator())
                {
                    generatorLoss = GanLosses.Generator(discriminator.forward(DiffAugment.Apply(generated, shape, options.DiffAugment), generatedClasses), generatedClasses, plan.Loss);
                }

                if (seekModes)
                {
                    generatorLoss = generatorLoss.Plus(GanLosses.ModeSeeking(generated, latents).Times(options.ModeSeekingWeight));
                }
                generatorLoss.backward();
                Clip(generator, plan.MaxGradientNorm);
                state.GeneratorOptimizer.step();
                // Generator updates so far, over the whole run: every earlier epoch was a full one.
                long update = ((long)(epoch - 1) * (schedule.StepsPerEpoch / options.DiscriminatorStepsPerGeneratorStep)) + generatorSteps + 1;
                state.UpdateEma(plan.EmaDecayAt(update));
                generatorLossSum.PlusInPlace(generatorLoss.detach());
                generatorSteps++;
            }

            governor?.AfterStep();

            if (board is not null && board.LossesDue(TensorBoardLog.GlobalStep(epoch, step + 1, schedule)))
            {
                board.Losses(TensorBoardLog.GlobalStep(epoch, step + 1, schedule), epoch, discriminatorLossSum.item<float>(), step + 1, generatorLossSum.item<float>(), generatorSteps);
            }

            if (options.LogEveryNSteps > 0 && (step + 1) % options.LogEveryNSteps == 0 && step + 1 < steps)
            {
                double d = discriminatorLossSum.item<float>() / (step + 1);
                double g = generatorLossSum.item<float>() / Math.Max(generatorSteps, 1);
                GanLog.TrainingStep(logger, epoch, schedule.Epochs, step + 1, stepsPerEpoch, d, g);
                options.Progress?.Report(new GanTrainingProgress(epoch, schedule.Epochs, step + 1, stepsPerEpoch, d, g, false, clock.Elapsed));
            }
        }

        return (discriminatorLossSum.item<float>() / steps, generatorLossSum.item<float>() / Math.Max(generatorSteps, 1));
    }

    private static TrainingState StartOrResume(TrainingImages data, GanOptions options, TrainingPlan plan, TrainingSchedule schedule, int seed, string fingerprint, Device device, ILogger logger)
    {
        string? directory = options.CheckpointDirectory;
        if (directory is not null && File.Exists(directory))
        {
            throw new IOException($"{nameof(GanOptions)}.{nameof(GanOptions.CheckpointDirectory)} '{directory}' is an existing file; expected a directory.");
        }

        IReadOnlyList<string> existing = directory is null ? [] : Checkpoint.All(directory);
        if (!options.Resume && existing.Count > 0)
        {
            if (!options.OverwriteCheckpoints)
            {
                CheckpointHeader? newest = Checkpoint.ReadHeaderOrNull(existing[^1]);
                throw new InvalidOperationException(
                    $"Checkpoint directory '{directory}' already holds {existing.Count} checkpoint(s) of a run (newest: '{Path.GetFileName(existing[^1])}'" +
                    (newest is null ? "" : $", {newest.Architecture}, seed {newest.Seed}, {newest.CompletedEpochs} epoch(s) done") + "). " +
                    $"Continue it with {nameof(GanOptions.Resume)} = true, replace it with {nameof(GanOptions.OverwriteCheckpoints)} = true, or choose another {nameof(GanOptions.CheckpointDirectory)}.");
            }

            foreach (string file in existing)
            {
                File.Delete(file);
            }

            GanLog.CheckpointsReplaced(logger, existing.Count, directory!);
        }

        if (!options.Resume || Checkpoint.Latest(directory!) is not string path)
        {
            if (options.Resume)
            {
                GanLog.NoCheckpoint(logger, directory!);
            }

            return TrainingState.Create(plan, seed, device);
        }

        CheckpointHeader expected = HeaderFor(options, data, seed, fingerprint, 0, null);
        CheckpointHeader saved = Checkpoint.Read(path, saved =>
        {
            IReadOnlyList<string> differences = Checkpoint.Differences(saved, expected);
            if (differences.Count > 0)
            {
                throw new InvalidOperationException(
                    $"Checkpoint '{path}' was written by another run, for different options or data: {string.Join("; ", differences)}. " +
                    $"Use the same options and data, or another {nameof(GanOptions.CheckpointDirectory)}.");
            }

            return TrainingState.Create(plan, saved.Seed, device);
        }, out TrainingState state);

        foreach (string change in Checkpoint.Changes(saved, expected))
        {
            GanLog.ResumedWithChange(logger, change);
        }

        GanLog.Resumed(logger, path, state.CompletedEpochs, schedule.Epochs);
        if (state.CompletedEpochs >= schedule.Epochs)
        {
            GanLog.AlreadyFinished(logger, state.CompletedEpochs, schedule.Epochs);
        }

        return state;
    }

    private static CheckpointHeader HeaderFor(GanOptions options, TrainingImages data, int seed, string fingerprint, int completedEpochs, int? epochStep)
    {
        var header = new CheckpointHeader(
            Checkpoint.FormatVersion,
            options.Architecture.ToString(),
            options.Conditional,
            options.AuxiliaryClassifier,
            data.ClassCount,
            options.LatentDimension,
            options.HiddenSize,
            options.DcganWidth,
            options.Loss.ToString(),
            options.GeneratorEmaDecay is not null,
            options.DiffAugment == DiffAugmentPolicy.None ? null : options.DiffAugment.ToString(),   // null keeps older checkpoints comparable
            options.ModeSeekingWeight == 0 ? null : options.ModeSeekingWeight,
            options.SpectralNormalization ? true : null,
            data.Shape.Channels,
            data.Shape.Height,
            data.Shape.Width,
            data.Count,
            options.SampleCount,
            seed,
            completedEpochs,
            LatentDistribution: options.LatentDistribution.ToString(),
            DataFingerprint: fingerprint,
            Dropout: options.Dropout,
            LeakyReluSlope: options.LeakyReluSlope,
            RealLabel: options.Loss == GanLoss.NonSaturating ? options.EffectiveRealLabel : null,
            GradientPenaltyWeight: options.Loss == GanLoss.WassersteinGradientPenalty ? options.GradientPenaltyWeight : null,
            CriticSteps: options.DiscriminatorStepsPerGeneratorStep,
            Shuffle: options.Shuffle,
            EpochStep: epochStep,
            EmaWarmup: options.GeneratorEmaWarmup ? true : null,   // null keeps older checkpoints comparable
            Tunables: new TunableSettings(options.EffectiveGeneratorLearningRate, options.EffectiveDiscriminatorLearningRate,
                options.EffectiveGeneratorBetas.ToString(), options.EffectiveDiscriminatorBetas.ToString(), options.BatchSize, options.GeneratorEmaDecay, options.MaxGradientNorm));
        return header with { RunId = Checkpoint.RunIdOf(header) };
    }

    private static void Clip(nn.Module module, float? maxGradientNorm)
    {
        if (maxGradientNorm is float norm)
        {
            nn.utils.clip_grad_norm_(module.parameters(), norm);
        }
    }

    private static Tensor ToDevice(Tensor tensor, Device device)
    {
        if (tensor.device == device)
        {
            return tensor;
        }

        using (tensor)
        {
            return tensor.to(device);
        }
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
