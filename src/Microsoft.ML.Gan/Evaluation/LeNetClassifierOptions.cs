using Microsoft.Extensions.Logging;

namespace Microsoft.ML.Gan;

/// <summary>
/// Options of <see cref="LeNetClassifier.Train(IDataView, LeNetClassifierOptions?)"/> and <c>mlContext.Gan().TrainClassifier</c>: the recipe of the CNN classification accuracy score
/// (<see cref="GanEvaluationOptions.CnnCasEpochs"/>) and of the classifier that filters synthetic rows.
/// Defaults: Adam with learning rate 0.001, batch 128, 3 epochs.
/// </summary>
public sealed class LeNetClassifierOptions
{
    /// <summary>Images: a known-size <c>Vector&lt;Single&gt;</c> in [0, 1] or <c>Vector&lt;Byte&gt;</c>. Default: <c>Pixels</c>.</summary>
    public string PixelsColumnName { get; set; } = "Pixels";

    /// <summary>Classes: a key type or an integer type (0..classes-1). Default: <c>Label</c>.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>
    /// Optional <c>Single</c> column of per-row weights (like ML.NET trainers' <c>ExampleWeightColumnName</c>): each
    /// batch's loss is the weighted mean of its rows' cross-entropies. Default: null (all rows weigh 1).
    /// </summary>
    public string? ExampleWeightColumnName { get; set; }

    /// <summary>Classes of an integer label column. Default: null — the largest label + 1; key types bring their count.</summary>
    public int? ClassCount { get; set; }

    /// <summary>
    /// Channels of the first convolution; the second has twice as many. Default: 16, the shipped MNIST feature network's
    /// layers; 32 is the wider LeNet (32/64 channels) often used as an MNIST baseline. A multiple of 8: libtorch's CPU
    /// convolution is wrong for other widths in these stride-1 layers (docs/DESIGN-DECISIONS.md).
    /// </summary>
    public int Channels { get; set; } = 16;

    /// <summary>Passes over the rows. Default: 3.</summary>
    public int Epochs { get; set; } = 3;

    /// <summary>
    /// A step budget instead of <see cref="Epochs"/>: exactly this many optimizer steps, reshuffling at every pass.
    /// Gives training sets of different sizes the same optimisation (the augmentation study uses it). Default: null.
    /// </summary>
    public int? MaxSteps { get; set; }

    /// <summary>Rows per step. Default: 128.</summary>
    public int BatchSize { get; set; } = 128;

    /// <summary>Adam learning rate. Default: 0.001.</summary>
    public float LearningRate { get; set; } = 0.001f;

    /// <summary>Seed of the initial weights, the shuffling and dropout. Default: 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>TorchSharp intra-op threads while training (process-wide, restored afterwards). Default: 1.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>
    /// Receives the per-epoch losses, as <see cref="GanOptions.Logger"/> does for GAN training. Default: null — the
    /// context's log (<c>mlContext.Log</c>) through <c>mlContext.Gan().TrainClassifier</c>, nothing through
    /// <see cref="LeNetClassifier.Train(IDataView, LeNetClassifierOptions?)"/>.
    /// </summary>
    public ILogger? Logger { get; set; }

    internal LeNetClassifierOptions Clone() => (LeNetClassifierOptions)MemberwiseClone();

    internal void Validate()
    {
        if (Epochs < 1 || BatchSize < 1 || Threads < 1 || MaxSteps is < 1 || Channels < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Epochs),
                $"{nameof(LeNetClassifierOptions)}: {nameof(Epochs)}, {nameof(BatchSize)}, {nameof(Threads)}, {nameof(MaxSteps)} and {nameof(Channels)} must be at least 1; " +
                $"got {Epochs}, {BatchSize}, {Threads}, {MaxSteps}, {Channels}.");
        }

        OptionChecks.ConvolutionChannels(Channels, nameof(LeNetClassifierOptions), nameof(Channels), strideTwoOnly: false);

        if (!float.IsFinite(LearningRate) || LearningRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, $"{nameof(LeNetClassifierOptions)}.{nameof(LearningRate)} must be a finite value > 0.");
        }
    }
}
