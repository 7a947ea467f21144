using Microsoft.Extensions.Logging;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.Logging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Microsoft.ML.Gan.Torch;

namespace Microsoft.ML.Gan.Training;

/// <summary>
/// What training writes for TensorBoard (<see cref="GanOptions.TensorBoardDirectory"/>), through TorchSharp's own
/// <c>SummaryWriter</c>: one <c>events.out.tfevents.*</c> file per fit, a TFRecord stream of <c>Event</c> protobufs
/// (each record: length as uint64, masked CRC-32C of the length, the event, masked CRC-32C of the event), appended and
/// flushed event by event so TensorBoard can read it while training runs. Every value is on one step axis, discriminator
/// steps (batches) since the start of training, so curves of a resumed run continue where they stopped:
/// <list type="table">
/// <item><term>loss/discriminator, loss/generator</term><description>mean over the steps since the previous point, every
/// <see cref="GanOptions.TensorBoardLossEveryNSteps"/> steps (the generator's over its own steps)</description></item>
/// <item><term>epoch/discriminator_loss, epoch/generator_loss</term><description>the epoch's means (as in the history), at its last step</description></item>
/// <item><term>learning_rate/generator, learning_rate/discriminator</term><description>Adam's rates after each epoch (roll-backs halve them)</description></item>
/// <item><term>evaluation/fid, evaluation/kid, evaluation/label_agreement</term><description>each in-training evaluation;
/// FID only with enough images, label agreement only for conditional generators of the 10 MNIST classes</description></item>
/// <item><term>samples</term><description>the fixed-latent grid (<see cref="GanImages.Grid"/>) after each epoch, a PNG</description></item>
/// </list>
/// The wall time of scalars and images is whole seconds since 1970 (SummaryWriter's resolution); the file's first record
/// (<c>file_version</c>) carries SummaryWriter's .NET ticks instead, which TensorBoard does not plot.
/// </summary>
internal sealed class TensorBoardLog
{
    private readonly SummaryWriter _writer;
    private readonly int _every;
    private int _windowEpoch;
    private int _windowSteps;
    private double _windowDiscriminatorSum;
    private int _windowGeneratorSteps;
    private double _windowGeneratorSum;

    private TensorBoardLog(SummaryWriter writer, int every)
    {
        _writer = writer;
        _every = every;
    }

    /// <summary>Null when <see cref="GanOptions.TensorBoardDirectory"/> is not set.</summary>
    public static TensorBoardLog? Create(RunPlan run, ILogger logger)
    {
        if (run.TensorBoardDirectory is not string directory)
        {
            return null;
        }

        SummaryWriter writer;
        try
        {
            writer = torch.utils.tensorboard.SummaryWriter(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{nameof(GanOptions)}.{nameof(GanOptions.TensorBoardDirectory)} '{directory}' cannot hold TensorBoard event files: {e.Message}", e);
        }

        GanLog.TensorBoardStarted(logger, writer.LogDir);
        return new TensorBoardLog(writer, run.TensorBoardLossEveryNSteps);
    }

    /// <summary>The step axis: discriminator steps since training started, after <paramref name="step"/> steps of <paramref name="epoch"/>.</summary>
    public static int GlobalStep(int epoch, int step, TrainingSchedule schedule) => ((epoch - 1) * schedule.StepsPerEpoch) + step;

    /// <summary>True when the losses are due after <paramref name="globalStep"/> steps.</summary>
    public bool LossesDue(int globalStep) => globalStep % _every == 0;

    /// <summary>
    /// Writes the mean losses since the previous point, from the epoch's running sums after <paramref name="steps"/>
    /// discriminator and <paramref name="generatorSteps"/> generator steps. The first point of an epoch averages from its start.
    /// </summary>
    public void Losses(int globalStep, int epoch, double discriminatorSum, int steps, double generatorSum, int generatorSteps)
    {
        if (epoch != _windowEpoch)
        {
            (_windowEpoch, _windowSteps, _windowDiscriminatorSum, _windowGeneratorSteps, _windowGeneratorSum) = (epoch, 0, 0, 0, 0);
        }

        if (steps > _windowSteps)
        {
            _writer.add_scalar("loss/discriminator", (float)((discriminatorSum - _windowDiscriminatorSum) / (steps - _windowSteps)), globalStep);
        }

        if (generatorSteps > _windowGeneratorSteps)
        {
            _writer.add_scalar("loss/generator", (float)((generatorSum - _windowGeneratorSum) / (generatorSteps - _windowGeneratorSteps)), globalStep);
        }

        (_windowSteps, _windowDiscriminatorSum, _windowGeneratorSteps, _windowGeneratorSum) = (steps, discriminatorSum, generatorSteps, generatorSum);
    }

    /// <summary>What an epoch ends with: its mean losses, both learning rates, the evaluation if any and the sample grid (images only).</summary>
    public void EpochCompleted(int globalStep, GanEpochSummary summary, double? labelAgreement, TrainingState state, ImageShape? shape)
    {
        _writer.add_scalar("epoch/discriminator_loss", (float)summary.DiscriminatorLoss, globalStep);
        _writer.add_scalar("epoch/generator_loss", (float)summary.GeneratorLoss, globalStep);
        _writer.add_scalar("learning_rate/generator", (float)LearningRate(state.GeneratorOptimizer), globalStep);
        _writer.add_scalar("learning_rate/discriminator", (float)LearningRate(state.DiscriminatorOptimizer), globalStep);
        if (summary.Fid is double fid)
        {
            _writer.add_scalar("evaluation/fid", (float)fid, globalStep);
        }

        if (summary.Kid is double kid)
        {
            _writer.add_scalar("evaluation/kid", (float)kid, globalStep);
        }

        if (labelAgreement is double agreement)
        {
            _writer.add_scalar("evaluation/label_agreement", (float)agreement, globalStep);
        }

        if (summary.Samples.Count > 0 && shape is ImageShape imageShape)
        {
            Samples(globalStep, summary.Samples, imageShape);
        }
    }

    private static double LearningRate(FlatAdam optimizer) => optimizer.Inner.ParamGroups.First().LearningRate;

    /// <summary>The grid the samples app saves as epoch-NNN.png (white on black; of colour images the first channel), as a PNG image.</summary>
    private void Samples(int globalStep, IReadOnlyList<float[]> samples, ImageShape shape)
    {
        int plane = shape.Height * shape.Width;
        IReadOnlyList<float[]> firstChannel = shape.Channels == 1 ? samples : samples.Select(s => s[..plane]).ToArray();
        using MLImage grid = GanImages.Grid(firstChannel, shape.Height, shape.Width, columns: (int)Math.Ceiling(Math.Sqrt(samples.Count)));
        // Handed over as a PNG file: TorchSharp's add_img for a tensor converts numbers to Scalars implicitly (Torch/ScalarArithmetic.cs).
        string png = Path.Combine(Path.GetTempPath(), $"gan-tensorboard-{Guid.NewGuid():N}.png");
        try
        {
            GanImages.SavePng(grid, png);
            _writer.add_img("samples", png, globalStep);
        }
        finally
        {
            File.Delete(png);
        }
    }
}
