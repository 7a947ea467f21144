using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Training;

/// <summary>
/// The seam between the GAN core and the kind of data it learns (issue 23, item 1): images (<see cref="ImageRows"/>) or
/// table rows (<c>TableRows</c>). The loop (<see cref="GanTrainer"/>), the losses, the optimizers, the EMA, the
/// checkpoints and exact resume know rows only through this class and <see cref="GanBatches"/>; what is particular to a
/// kind (pixels and DiffAugment, or encoded columns, conditional vectors and output heads) stays behind it.
/// </summary>
internal abstract class GanRows
{
    /// <summary>What the checkpoint header and the logs call the kind: "Images" or "Table".</summary>
    public abstract string Kind { get; }

    /// <summary>What the logs call the rows: "images", "table rows".</summary>
    public abstract string Noun { get; }

    /// <summary>Training rows.</summary>
    public abstract int Count { get; }

    /// <summary>The images behind these rows, for what only images have (fixed sample grids, FID, TensorBoard pictures); null for tables.</summary>
    public virtual Input.TrainingImages? Images => null;

    /// <summary>A hash of every training value (16 hex digits): the same rows give the same fingerprint.</summary>
    public abstract string Fingerprint();

    /// <summary>The data's part of a run's identity in the checkpoint header (what must match to resume).</summary>
    public abstract JsonObject Describe(string fingerprint);

    /// <summary>What the start-of-training log line says the rows are ("1 x 28 x 28", "14 columns").</summary>
    public abstract string Shape { get; }

    /// <summary>Discriminator steps (batches) in one pass over the rows.</summary>
    public abstract int StepsPerEpoch(int batchSize);

    /// <summary>The rows on <paramref name="device"/> for one run of <paramref name="plan"/>.</summary>
    public abstract GanBatches Upload(TrainingPlan plan, Device device);
}

/// <summary>A discriminator step's rows: the real batch, what it is conditioned on, and the conditions its fakes are drawn for.</summary>
/// <param name="Real">The real rows, as the generator writes them (before <see cref="GanBatches.ForDiscriminator"/>).</param>
/// <param name="RealConditions">The real rows' classes or conditional vectors; null when unconditional.</param>
/// <param name="FakeConditions">The conditions of the step's fakes; null when unconditional.</param>
internal readonly record struct StepRows(Tensor Real, Tensor? RealConditions, Tensor? FakeConditions);

/// <summary>
/// The training rows on the device, and what a step does with them that depends on their kind. Tensors it returns belong
/// to the caller's dispose scope.
/// </summary>
internal abstract class GanBatches : IDisposable
{
    /// <summary>The rows of discriminator step <paramref name="step"/> of an epoch whose row order is <paramref name="order"/>.</summary>
    public abstract StepRows Draw(Tensor order, int step, int batchSize);

    /// <summary>The conditions of a generator step's <paramref name="size"/> fakes; null when unconditional.</summary>
    public abstract Tensor? Conditions(int size);

    /// <summary>
    /// Conditions for <paramref name="size"/> rows of the EMA generator's standing statistics, drawn from <paramref name="random"/>
    /// (never the training stream) at the rate generation asks for them; null when unconditional.
    /// </summary>
    public abstract Tensor? StandingConditions(int size, torch.Generator random);

    /// <summary>The generator's raw output as rows (images: as they are; tables: tanh and Gumbel-softmax heads).</summary>
    public virtual Tensor Activate(Tensor raw) => raw;

    /// <summary>
    /// What the discriminator is given for <paramref name="rows"/> with <paramref name="conditions"/>: its input and the
    /// class indices it is conditioned on by projection (images: the rows through DiffAugment and the classes; tables:
    /// rows and conditional vectors side by side, no classes).
    /// </summary>
    public abstract (Tensor Input, Tensor? Classes) ForDiscriminator(Tensor rows, Tensor? conditions);

    /// <summary>A term the generator's loss adds for its <paramref name="raw"/> output (tables: the condition's cross-entropy); null for none.</summary>
    public virtual Tensor? GeneratorTerm(Tensor raw, Tensor? conditions) => null;

    /// <summary>
    /// A variational autoencoder's reconstruction loss of <paramref name="real"/> rows from the decoder's <paramref name="raw"/>
    /// output, averaged over the rows, with the decoder's learned standard deviation per column <paramref name="sigma"/>
    /// (tables: TVAE's). Kinds without a VAE throw.
    /// </summary>
    public virtual Tensor Reconstruction(Tensor raw, Tensor real, Tensor sigma)
        => throw new NotSupportedException($"{GetType().Name} has no variational autoencoder's reconstruction loss.");

    public virtual void Dispose()
    {
    }
}
