using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Logging;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Training;

/// <summary>The trained (published) generator and what training recorded: a summary per epoch and the seed.</summary>
internal sealed record GanTrainingResult(GeneratorNetwork Generator, IReadOnlyList<GanEpochSummary> Epochs, int Seed);

/// <summary>
/// The training loop, one method to read top to bottom (<see cref="RunEpoch"/>): for every batch a discriminator step on real
/// images and on fakes generated without gradients; after every <see cref="StepPlan.CriticSteps"/> of them, a generator step on
/// fresh fakes (or, for a table's variational autoencoder, <see cref="VariationalStep"/>). Around it (<see cref="Train"/>):
/// resuming from a checkpoint, the divergence guard, rendering the fixed samples, checkpoints. It reads the <see cref="TrainingPlan"/> only, never the options.
/// </summary>
internal sealed class GanTrainer
{
    private const int MaxRollBacks = 3;

    private readonly TrainingPlan _plan;
    private readonly GanRows _data;
    private readonly TrainingSchedule _schedule;
    private readonly string _fingerprint;
    private readonly ILogger _logger;
    private readonly CancellationToken _cancellationToken;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>TVAE's settings when the plan trains a table's variational autoencoder instead of a GAN; else null.</summary>
    private readonly TvaeNetworkOptions? _variational;

    private GanTrainer(TrainingPlan plan, GanRows data, ILogger logger, CancellationToken cancellationToken)
    {
        _plan = plan;
        _data = data;
        _schedule = TrainingSchedule.For(plan, data.Count, data.StepsPerEpoch(plan.Step.BatchSize));
        _variational = plan.Networks.Architecture as TvaeNetworkOptions;
        _fingerprint = data.Fingerprint();
        _logger = logger;
        _cancellationToken = cancellationToken;
    }

    public static GanTrainingResult Train(GanRows data, TrainingPlan plan, int seed, ILogger logger, CancellationToken cancellationToken)
    {
        Device device = torch.device(plan.Run.Device);
        int previousThreads = torch.get_num_threads();
        ThreadGovernor? governor = ThreadGovernor.Start(plan.Run.Threads, logger);
        try
        {
            var trainer = new GanTrainer(plan, data, logger, cancellationToken);
            using CheckpointDirectoryLock? hold = CheckpointDirectoryLock.Take(plan.Run.Checkpoints?.Directory is string folder && !File.Exists(folder) ? folder : null);
            using TrainingState state = trainer.StartOrResume(seed, device);
            using GanBatches batches = data.Upload(plan, device);
            using TrainingEvaluator? evaluator = data.Images is { } images ? TrainingEvaluator.Create(images, plan.Run, plan.Latents, state.Seed, device) : null;
            TensorBoardLog? board = TensorBoardLog.Create(plan.Run, logger);
            GanLog.TrainingStarted(logger, data.Count, data.Noun, data.Shape, trainer._schedule.Epochs, trainer._schedule.StepsPerEpoch, state.Seed,
                governor is null ? plan.Run.Threads.ToString(CultureInfo.InvariantCulture) : $"chosen while training, starting with {governor.Setting}", device.ToString());
            trainer.RunEpochs(state, batches, evaluator, board, governor, device);
            GeneratorNetwork published = state.TakePublished();
            published.eval();
            return new GanTrainingResult(published, [.. state.History], state.Seed);
        }
        finally
        {
            governor?.Stop();
            torch.set_num_threads(previousThreads);
        }
    }

    private void RunEpochs(TrainingState state, GanBatches batches, TrainingEvaluator? evaluator, TensorBoardLog? board, ThreadGovernor? governor, Device device)
    {
        RunPlan run = _plan.Run;
        TimeSpan lastCheckpoint = TimeSpan.Zero;
        int rollBacks = 0;
        for (int epoch = state.CompletedEpochs + 1; epoch <= _schedule.Epochs; epoch++)
        {
            byte[]? rollBackPoint = run.OnDivergence == DivergenceAction.RollBack ? state.Snapshot() : null;
            TimeSpan epochStart = _clock.Elapsed;
            double discriminatorLoss, generatorLoss;
            try
            {
                (discriminatorLoss, generatorLoss) = RunEpoch(state, batches, epoch, governor, board);
            }
            catch (OperationCanceledException) when (state.Progress is EpochProgress stopped)
            {
                // Cancelled at a step boundary: keep what this epoch did, so a resumed run continues it exactly.
                string? path = run.Checkpoints is { } interrupted
                    ? Checkpoint.Write(interrupted.Directory, HeaderFor(state.Seed, epoch - 1, stopped.Step), state)
                    : null;
                GanLog.Cancelled(_logger, epoch, stopped.Step, _schedule.StepsIn(epoch), path ?? "none");
                throw new OperationCanceledException(
                    $"Training cancelled at epoch {epoch}, step {stopped.Step} of {_schedule.StepsIn(epoch)}" +
                    (path is null ? " (no checkpoint: no checkpoint directory)." : $"; checkpoint '{path}' written, resume to continue exactly there."),
                    _cancellationToken);
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
                GanLog.RolledBack(_logger, epoch, rollBacks, Math.Pow(0.5, rollBacks));
                epoch--;
                continue;
            }

            rollBacks = 0;
            bool evaluate = evaluator is not null && (epoch % run.EvaluateEveryEpochs == 0 || epoch == _schedule.Epochs);
            bool checkpoint = run.Checkpoints is { } due && (epoch % due.EveryEpochs == 0 || epoch == _schedule.Epochs
                || (due.EveryMinutes is double minutes && (_clock.Elapsed - lastCheckpoint).TotalMinutes >= minutes));
            // The EMA generator's statistics are recomputed only when it is used: rendered, measured, saved or
            // published. They depend on its weights alone, so when does not change any output; on a few hundred
            // images (a few steps an epoch) recomputing them every epoch cost more than training.
            if (state.Ema is not null && (_plan.SampleCount > 0 || evaluate || checkpoint || epoch == _schedule.Epochs))
            {
                StandingStatistics.Recompute(state.Ema, _plan.Latents, state.Seed, device, batches.StandingConditions);
            }

            IReadOnlyList<float[]> samples = _data.Images is { } images ? state.Published.Render(state.FixedLatents, state.FixedClasses, images.Shape.Size) : [];
            TimeSpan duration = _clock.Elapsed - epochStart;
            (double? fid, double? kid, double? labelAgreement) = (null, null, null);
            if (evaluate)
            {
                (fid, kid, labelAgreement) = evaluator!.Measure(state.Published);
                GanLog.EpochEvaluated(_logger, epoch, fid ?? double.NaN, kid.Value);
            }

            var summary = new GanEpochSummary(epoch, discriminatorLoss, generatorLoss, duration, samples, fid, kid);
            state.History.Add(summary);
            GanTrainingHistory.DropOldSamples(state.History, epoch);
            state.CompletedEpochs = epoch;
            board?.EpochCompleted(TensorBoardLog.GlobalStep(epoch, _schedule.StepsIn(epoch), _schedule), summary, labelAgreement, state, _data.Images?.Shape);
            if (_variational is not null)
            {
                GanLog.VariationalEpochCompleted(_logger, epoch, _schedule.Epochs, discriminatorLoss, generatorLoss, duration.TotalSeconds);
            }
            else
            {
                GanLog.EpochCompleted(_logger, epoch, _schedule.Epochs, discriminatorLoss, generatorLoss, duration.TotalSeconds);
            }
            run.Progress?.Report(new GanTrainingProgress(epoch, _schedule.Epochs, _schedule.StepsIn(epoch), _schedule.StepsPerEpoch, discriminatorLoss, generatorLoss, true,
                _clock.Elapsed, samples, fid, kid));

            if (checkpoint && run.Checkpoints is { } checkpoints)
            {
                string path = Checkpoint.Write(checkpoints.Directory, HeaderFor(state.Seed, epoch, null), state);
                lastCheckpoint = _clock.Elapsed;
                GanLog.CheckpointWritten(_logger, path);
            }
        }
    }

    /// <summary>One pass over the data. Returns the epoch's mean discriminator and generator losses (NaN when diverged).</summary>
    private (double Discriminator, double Generator) RunEpoch(TrainingState state, GanBatches batches, int epoch, ThreadGovernor? governor, TensorBoardLog? board)
    {
        StepPlan step = _plan.Step;
        int steps = _schedule.StepsIn(epoch);
        using var epochScope = torch.NewDisposeScope();
        GeneratorNetwork generator = state.Generator;
        DiscriminatorNetwork discriminator = state.Discriminator;
        Device device = state.FixedLatents.device;
        int count = _data.Count;
        // A resumed, interrupted epoch continues with the order it drew and the sums it had; otherwise a fresh start.
        EpochProgress? resumed = state.Progress;
        state.Progress = null;
        using EpochProgress? disposeResumed = resumed;
        Tensor order = resumed?.Order ?? (step.Shuffle ? torch.randperm(count, device: device) : ScalarArithmetic.Range(count, device));
        Tensor discriminatorLossSum = ScalarArithmetic.Full(1, resumed?.DiscriminatorLossSum ?? 0, device);
        Tensor generatorLossSum = ScalarArithmetic.Full(1, resumed?.GeneratorLossSum ?? 0, device);
        int generatorSteps = resumed?.GeneratorSteps ?? 0;
        generator.train();
        discriminator.train();

        for (int s = resumed?.Step ?? 0; s < steps; s++)
        {
            if (_cancellationToken.IsCancellationRequested)
            {
                Tensor kept = order.clone();
                kept.DetachFromDisposeScope();
                state.Progress = new EpochProgress(kept, s, discriminatorLossSum.item<float>(), generatorLossSum.item<float>(), generatorSteps);
                _cancellationToken.ThrowIfCancellationRequested();
            }

            governor?.BeforeStep();
            using var stepScope = torch.NewDisposeScope();
            StepRows rows = batches.Draw(order, s, step.BatchSize);
            if (_variational is TvaeNetworkOptions vae)
            {
                (Tensor reconstruction, Tensor divergence) = VariationalStep(state, batches, rows, vae, device);
                discriminatorLossSum.PlusInPlace(reconstruction);
                generatorLossSum.PlusInPlace(divergence);
                generatorSteps++;
            }
            else
            {
                discriminatorLossSum.PlusInPlace(DiscriminatorStep(state, batches, rows, device));
                // Generator step after every k-th discriminator step.
                if ((s + 1) % step.CriticSteps == 0)
                {
                    // Generator updates so far, over the whole run: every earlier epoch was a full one.
                    long update = ((long)(epoch - 1) * (_schedule.StepsPerEpoch / step.CriticSteps)) + generatorSteps + 1;
                    generatorLossSum.PlusInPlace(GeneratorStep(state, batches, (int)rows.Real.shape[0], update, device));
                    generatorSteps++;
                }
            }

            governor?.AfterStep();

            if (board is not null && board.LossesDue(TensorBoardLog.GlobalStep(epoch, s + 1, _schedule)))
            {
                board.Losses(TensorBoardLog.GlobalStep(epoch, s + 1, _schedule), epoch, discriminatorLossSum.item<float>(), s + 1, generatorLossSum.item<float>(), generatorSteps);
            }

            if (_plan.Run.LogEveryNSteps > 0 && (s + 1) % _plan.Run.LogEveryNSteps == 0 && s + 1 < steps)
            {
                double d = discriminatorLossSum.item<float>() / (s + 1);
                double g = generatorLossSum.item<float>() / Math.Max(generatorSteps, 1);
                GanLog.TrainingStep(_logger, epoch, _schedule.Epochs, s + 1, _schedule.StepsPerEpoch, d, g);
                _plan.Run.Progress?.Report(new GanTrainingProgress(epoch, _schedule.Epochs, s + 1, _schedule.StepsPerEpoch, d, g, false, _clock.Elapsed));
            }
        }

        return (discriminatorLossSum.item<float>() / steps, generatorLossSum.item<float>() / Math.Max(generatorSteps, 1));
    }

    /// <summary>The GAN's loss: every plan but a variational autoencoder's has one.</summary>
    private GanLossOptions AdversarialLoss => _plan.Loss ?? throw new InvalidOperationException("A GAN's plan has an adversarial loss.");

    /// <summary>A discriminator step on <paramref name="rows"/>' real rows and fakes made without generator gradients. Returns its loss.</summary>
    private Tensor DiscriminatorStep(TrainingState state, GanBatches batches, StepRows rows, Device device)
    {
        GanLossOptions loss = AdversarialLoss;
        int size = (int)rows.Real.shape[0];
        state.DiscriminatorOptimizer.zero_grad();
        Tensor fake;
        using (torch.no_grad())
        {
            fake = batches.Activate(state.Generator.forward(LatentSampler.Draw(size, _plan.Latents, device), rows.FakeConditions));
        }

        (Tensor realInput, Tensor? realClasses) = batches.ForDiscriminator(rows.Real, rows.RealConditions);
        (Tensor fakeInput, Tensor? fakeClasses) = batches.ForDiscriminator(fake, rows.FakeConditions);
        Tensor discriminatorLoss = GanLosses.Discriminator(state.Discriminator, realInput, realClasses, fakeInput, fakeClasses, loss);
        discriminatorLoss.backward();
        Clip(state.Discriminator, _plan.Step.MaxGradientNorm);
        state.DiscriminatorOptimizer.step();
        return discriminatorLoss.detach();
    }

    /// <summary>
    /// A generator step on <paramref name="size"/> fresh fakes, scored as if real, then the EMA's update number
    /// <paramref name="update"/>. Returns its loss.
    /// </summary>
    private Tensor GeneratorStep(TrainingState state, GanBatches batches, int size, long update, Device device)
    {
        GanLossOptions loss = AdversarialLoss;
        StepPlan step = _plan.Step;
        state.GeneratorOptimizer.zero_grad();
        Tensor? conditions = batches.Conditions(size);
        bool seekModes = step.ModeSeekingWeight > 0 && size >= 2;
        if (seekModes && conditions is not null)
        {
            conditions = GanLosses.PairedClasses(conditions);
        }

        Tensor latents = LatentSampler.Draw(size, _plan.Latents, device);
        Tensor raw = state.Generator.forward(latents, conditions);
        Tensor generated = batches.Activate(raw);
        Tensor generatorLoss;
        // The discriminator's weights get no gradients here (its optimizer zeroes them before its next step anyway):
        // only the gradient through its input reaches the generator, so its weight-gradient products are skipped.
        using (state.FreezeDiscriminator())
        {
            (Tensor input, Tensor? classes) = batches.ForDiscriminator(generated, conditions);
            generatorLoss = GanLosses.Generator(state.Discriminator.forward(input, classes), classes, loss);
        }

        if (batches.GeneratorTerm(raw, conditions) is Tensor term)
        {
            generatorLoss = generatorLoss.Plus(term);
        }

        if (seekModes)
        {
            generatorLoss = generatorLoss.Plus(GanLosses.ModeSeeking(generated, latents).Times(step.ModeSeekingWeight));
        }

        generatorLoss.backward();
        Clip(state.Generator, step.MaxGradientNorm);
        state.GeneratorOptimizer.step();
        state.UpdateEma(_plan.Ema?.DecayAt(update) ?? 0);
        return generatorLoss.detach();
    }

    /// <summary>
    /// TVAE's step (<see cref="TvaeNetworkOptions"/>): the encoder (in the discriminator's place) gives the posterior of each
    /// real row with its condition, a latent vector is drawn from it (z = μ + σ·ε), the decoder (the generator) reconstructs
    /// the row from it and the condition; loss = factor × reconstruction + KL(posterior ‖ N(0, I)), both averaged over the
    /// rows; one Adam step of each network, then σ back into its bounds. Returns the reconstruction (with its factor) and the
    /// KL divergence.
    /// </summary>
    private (Tensor Reconstruction, Tensor Divergence) VariationalStep(TrainingState state, GanBatches batches, StepRows rows, TvaeNetworkOptions vae, Device device)
    {
        var encoder = (TvaeEncoder)state.Discriminator;
        int size = (int)rows.Real.shape[0];
        int latent = encoder.LatentDimension;
        state.DiscriminatorOptimizer.zero_grad();
        state.GeneratorOptimizer.zero_grad();
        (Tensor input, _) = batches.ForDiscriminator(rows.Real, rows.RealConditions);
        Tensor posterior = encoder.forward(input, null).Logit;
        Tensor mean = posterior.narrow(1, 0, latent);
        Tensor logVariance = posterior.narrow(1, latent, latent);
        Tensor z = mean.Plus(LatentSampler.Draw(size, _plan.Latents, device).mul(logVariance.Times(0.5).exp()));
        Tensor reconstruction = batches.Reconstruction(state.Generator.forward(z, rows.RealConditions), rows.Real, encoder.Sigma).Times(vae.LossFactor);
        // −½ Σ (1 + log σ² − μ² − σ²), per row.
        Tensor divergence = mean.mul(mean).Plus(logVariance.exp()).Plus(logVariance.neg()).Minus(1L).sum().Times(0.5).DividedBy(size);
        reconstruction.Plus(divergence).backward();
        state.DiscriminatorOptimizer.step();
        state.GeneratorOptimizer.step();
        encoder.ClampSigma();
        return (reconstruction.detach(), divergence.detach());
    }

    private TrainingState StartOrResume(int seed, Device device)
    {
        CheckpointPlan? checkpoints = _plan.Run.Checkpoints;
        string? directory = checkpoints?.Directory;
        if (directory is not null && File.Exists(directory))
        {
            throw new IOException($"{nameof(GanOptions)}.{nameof(GanOptions.CheckpointDirectory)} '{directory}' is an existing file; expected a directory.");
        }

        IReadOnlyList<string> existing = directory is null ? [] : Checkpoint.All(directory);
        bool resume = checkpoints?.Resume == true;
        if (!resume && existing.Count > 0)
        {
            if (!checkpoints!.Overwrite)
            {
                CheckpointLabel? newest = Checkpoint.ReadLabelOrNull(existing[^1]);
                throw new InvalidOperationException(
                    $"Checkpoint directory '{directory}' already holds {existing.Count} checkpoint(s) of a run (newest: '{Path.GetFileName(existing[^1])}'" +
                    (newest is null ? "" : $", {newest.Summary}, {newest.CompletedEpochs} epoch(s) done") + "). " +
                    $"Continue it with {nameof(GanOptions.Resume)} = true, replace it with {nameof(GanOptions.OverwriteCheckpoints)} = true, or choose another {nameof(GanOptions.CheckpointDirectory)}.");
            }

            foreach (string file in existing)
            {
                File.Delete(file);
            }

            GanLog.CheckpointsReplaced(_logger, existing.Count, directory!);
        }

        if (!resume || Checkpoint.Latest(directory!) is not string path)
        {
            if (resume)
            {
                GanLog.NoCheckpoint(_logger, directory!);
            }

            return TrainingState.Create(_plan, seed, device);
        }

        CheckpointHeader saved = Checkpoint.Read(path, saved =>
        {
            IReadOnlyList<string> differences = CheckpointHeader.Differences(saved, HeaderFor(seed, 0, null));
            if (differences.Count > 0)
            {
                throw new InvalidOperationException(
                    $"Checkpoint '{path}' was written by another run, for different options or data: {string.Join("; ", differences)}. " +
                    $"Use the same options and data, or another {nameof(GanOptions.CheckpointDirectory)}.");
            }

            return TrainingState.Create(_plan, saved.Seed, device);
        }, out TrainingState state);

        foreach (string change in CheckpointHeader.Changes(saved, HeaderFor(seed, 0, null)))
        {
            GanLog.ResumedWithChange(_logger, change);
        }

        GanLog.Resumed(_logger, path, state.CompletedEpochs, _schedule.Epochs);
        if (state.CompletedEpochs >= _schedule.Epochs)
        {
            GanLog.AlreadyFinished(_logger, state.CompletedEpochs, _schedule.Epochs);
        }

        return state;
    }

    private CheckpointHeader HeaderFor(int seed, int completedEpochs, int? epochStep)
        => CheckpointHeader.For(_plan, _data.Describe(_fingerprint), seed, completedEpochs, epochStep);

    private static void Clip(nn.Module module, float? maxGradientNorm)
    {
        if (maxGradientNorm is float norm)
        {
            nn.utils.clip_grad_norm_(module.parameters(), norm);
        }
    }
}
