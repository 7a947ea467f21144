using Microsoft.ML.Gan.Input;
using System.Text;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Training;

/// <summary>
/// Everything training changes, in one place: both networks, the EMA copy, both optimizers, the fixed
/// sample inputs, the random state, the epoch counter and the history. This is what a checkpoint holds
/// and what a divergence roll-back restores.
/// </summary>
internal sealed class TrainingState : IDisposable
{
    private TrainingState(GeneratorNetwork generator, DiscriminatorNetwork discriminator, GeneratorNetwork? ema,
        FlatAdam generatorOptimizer, FlatAdam discriminatorOptimizer, Tensor fixedLatents, Tensor? fixedClasses)
    {
        Generator = generator;
        Discriminator = discriminator;
        Ema = ema;
        GeneratorOptimizer = generatorOptimizer;
        DiscriminatorOptimizer = discriminatorOptimizer;
        FixedLatents = fixedLatents;
        FixedClasses = fixedClasses;
    }

    private List<(Tensor Average, Tensor Current, bool Blend)>? _emaPairs;
    private GeneratorNetwork? _taken;
    private IReadOnlyList<Parameter>? _discriminatorParameters;

    public GeneratorNetwork Generator { get; }

    public DiscriminatorNetwork Discriminator { get; }

    /// <summary>The exponential moving average of the generator's weights, when enabled.</summary>
    public GeneratorNetwork? Ema { get; }

    /// <summary>The generator that is rendered, exported and scored: the average when there is one.</summary>
    public GeneratorNetwork Published => Ema ?? Generator;

    public FlatAdam GeneratorOptimizer { get; }

    public FlatAdam DiscriminatorOptimizer { get; }

    public Tensor FixedLatents { get; private set; }

    public Tensor? FixedClasses { get; private set; }

    public int CompletedEpochs { get; set; }

    /// <summary>The seed the state was created from (kept in checkpoints and the history).</summary>
    public int Seed { get; private init; }

    public List<GanEpochSummary> History { get; } = [];

    /// <summary>Seeds the random state, then builds networks, optimizers and the fixed sample inputs.</summary>
    public static TrainingState Create(TrainingPlan plan, int seed, Device device)
    {
        torch.manual_seed(seed);
        GeneratorNetwork generator = GanNetworks.CreateGenerator(plan.Networks);
        DiscriminatorNetwork discriminator = GanNetworks.CreateDiscriminator(plan.Networks);
        generator.to(device);
        discriminator.to(device);
        GeneratorNetwork? ema = null;
        if (plan.Ema is not null)
        {
            // Its initial weights are overwritten at once, but building it draws them from the training stream. Tables give
            // those draws back, so a table run takes the same steps with an average as without one and the two pair up;
            // images keep drawing, as the seeded image runs (bench/outputs.sh) always have.
            using Tensor? stream = plan.Networks.Table is null ? null : torch.random.get_rng_state();
            ema = GanNetworks.CreateGenerator(plan.Networks);
            if (stream is not null)
            {
                torch.random.set_rng_state(stream);
            }

            ema.to(device);
            ema.load_state_dict(generator.state_dict());
            ema.eval();
            foreach (Parameter parameter in ema.parameters())
            {
                parameter.requires_grad_(false);
            }
        }

        var generatorOptimizer = new FlatAdam([.. generator.parameters()], plan.Generator.LearningRate, plan.Generator.Beta1, plan.Generator.Beta2);
        var discriminatorOptimizer = new FlatAdam([.. discriminator.parameters()], plan.Discriminator.LearningRate, plan.Discriminator.Beta1, plan.Discriminator.Beta2);
        Tensor fixedLatents = LatentSampler.Draw(plan.SampleCount, plan.Latents, device);
        int classCount = plan.Networks.ClassCount;
        Tensor? fixedClasses = classCount > 0 ? ScalarArithmetic.RangeRemainder(plan.SampleCount, classCount, device) : null;
        return new TrainingState(generator, discriminator, ema, generatorOptimizer, discriminatorOptimizer, fixedLatents, fixedClasses) { Seed = seed };
    }

    /// <summary>Moves the average towards the generator: ema ← decay·ema + (1 − decay)·g; buffers are copied.</summary>
    public void UpdateEma(float decay)
    {
        if (Ema is null)
        {
            return;
        }

        // state_dict gives the modules' live tensors; pair them once (loading copies into the same tensors).
        _emaPairs ??= PairEmaTensors(Ema, Generator);
        using var noGrad = torch.no_grad();
        using Scalar keep = decay.ToScalar();
        using Scalar take = (1 - decay).ToScalar();
        foreach ((Tensor average, Tensor current, bool blend) in _emaPairs)
        {
            if (blend)
            {
                average.mul_(keep).add_(current, take);
            }
            else
            {
                average.copy_(current);
            }
        }
    }

    private static List<(Tensor Average, Tensor Current, bool Blend)> PairEmaTensors(GeneratorNetwork ema, GeneratorNetwork generator)
    {
        Dictionary<string, Tensor> current = generator.state_dict();
        var parameters = ema.named_parameters().Select(p => p.name).ToHashSet();
        return ema.state_dict().Select(entry => (entry.Value, current[entry.Key], parameters.Contains(entry.Key))).ToList();
    }

    /// <summary>
    /// Turns off gradients for the discriminator's parameters until disposed. The backward pass through the discriminator then
    /// computes only what the generator needs: the gradient with respect to its input, not the one with respect to its weights.
    /// </summary>
    public IDisposable FreezeDiscriminator()
    {
        _discriminatorParameters ??= [.. Discriminator.parameters()];
        foreach (Parameter parameter in _discriminatorParameters)
        {
            parameter.requires_grad_(false);
        }

        return new Thaw(_discriminatorParameters);
    }

    private sealed class Thaw(IReadOnlyList<Parameter> parameters) : IDisposable
    {
        public void Dispose()
        {
            foreach (Parameter parameter in parameters)
            {
                parameter.requires_grad_(true);
            }
        }
    }

    /// <summary>Multiplies both optimizers' learning rates by <paramref name="factor"/>.</summary>
    public void ScaleLearningRates(double factor)
    {
        foreach (var group in GeneratorOptimizer.Inner.ParamGroups.Concat(DiscriminatorOptimizer.Inner.ParamGroups))
        {
            group.LearningRate *= factor;
        }
    }

    /// <summary>
    /// Where a cancelled epoch stopped (its row order, steps done, loss sums so far); null between epochs. A checkpoint
    /// written at that point lets a resumed run finish the epoch exactly as an uninterrupted one would have.
    /// </summary>
    public EpochProgress? Progress { get; set; }

    /// <summary>
    /// Writes networks, EMA, optimizers, the random state and the fixed inputs, in that order, with
    /// TorchSharp's own formats (Module.save, Optimizer.save_state_dict, Tensor.Save); then, when
    /// <paramref name="withProgress"/>, the <see cref="Progress"/> of the interrupted epoch.
    /// </summary>
    public void WriteTensors(BinaryWriter writer, bool withProgress)
    {
        Generator.save(writer);
        Discriminator.save(writer);
        Ema?.save(writer);
        GeneratorOptimizer.Inner.save_state_dict(writer);
        DiscriminatorOptimizer.Inner.save_state_dict(writer);
        using (Tensor random = torch.random.get_rng_state())
        {
            random.Save(writer);
        }

        FixedLatents.Save(writer);
        FixedClasses?.Save(writer);
        if (withProgress)
        {
            EpochProgress progress = Progress ?? throw new InvalidOperationException("No interrupted epoch to write.");
            progress.Order.Save(writer);
            writer.Write(progress.Step);
            writer.Write(progress.DiscriminatorLossSum);
            writer.Write(progress.GeneratorLossSum);
            writer.Write(progress.GeneratorSteps);
        }
    }

    /// <summary>Reads what <see cref="WriteTensors"/> wrote into this state (same architecture and options).</summary>
    public void ReadTensors(BinaryReader reader, bool withProgress)
    {
        Generator.load(reader);
        Discriminator.load(reader);
        Ema?.load(reader);
        GeneratorOptimizer.Inner.load_state_dict(reader);
        DiscriminatorOptimizer.Inner.load_state_dict(reader);
        using (Tensor random = TensorExtensionMethods.Load(reader))
        {
            torch.random.set_rng_state(random);
        }

        Replace(FixedLatents, TensorExtensionMethods.Load(reader), t => FixedLatents = t);
        if (FixedClasses is not null)
        {
            Replace(FixedClasses, TensorExtensionMethods.Load(reader), t => FixedClasses = t);
        }

        Progress?.Dispose();
        Progress = withProgress
            ? new EpochProgress(TensorExtensionMethods.Load(reader).to(FixedLatents.device), reader.ReadInt32(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadInt32())
            : null;
    }

    /// <summary>The state as bytes (for an in-memory roll-back point).</summary>
    public byte[] Snapshot()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Progress is not null);
            WriteTensors(writer, Progress is not null);
        }

        return stream.ToArray();
    }

    public void Restore(byte[] snapshot)
    {
        using var reader = new BinaryReader(new MemoryStream(snapshot), Encoding.UTF8);
        ReadTensors(reader, reader.ReadBoolean());
    }

    /// <summary>Hands the published generator to the caller; <see cref="Dispose"/> then leaves it alive.</summary>
    public GeneratorNetwork TakePublished()
    {
        _taken = Published;
        return _taken;
    }

    public void Dispose()
    {
        Progress?.Dispose();
        Discriminator.Dispose();
        GeneratorOptimizer.Dispose();
        DiscriminatorOptimizer.Dispose();
        FixedLatents.Dispose();
        FixedClasses?.Dispose();
        if (!ReferenceEquals(_taken, Generator))
        {
            Generator.Dispose();
        }

        if (Ema is not null && !ReferenceEquals(_taken, Ema))
        {
            Ema.Dispose();
        }
    }

    private static void Replace(Tensor old, Tensor loaded, Action<Tensor> set)
    {
        set(loaded.to(old.device));
        old.Dispose();
    }
}

/// <summary>An interrupted epoch: the row order it drew, the steps done, and its loss sums and generator steps so far.</summary>
internal sealed record EpochProgress(Tensor Order, int Step, double DiscriminatorLossSum, double GeneratorLossSum, int GeneratorSteps) : IDisposable
{
    public void Dispose() => Order.Dispose();
}
