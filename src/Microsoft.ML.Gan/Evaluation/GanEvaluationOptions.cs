using Microsoft.Extensions.Logging;

namespace Microsoft.ML.Gan;

/// <summary>Options of <c>mlContext.Gan().Evaluate(...)</c>.</summary>
public sealed class GanEvaluationOptions
{
    /// <summary>Images taken from each set (the first rows). Default: 10,000 generated vs 10,000 real.</summary>
    public int SampleCount { get; set; } = 10_000;

    /// <summary>Pixel column of the real data. Default: <c>Pixels</c>.</summary>
    public string PixelsColumnName { get; set; } = "Pixels";

    /// <summary>Pixel column of the generated data. Default: <c>GeneratedPixels</c> (use <c>Pixels</c> for an IDX file).</summary>
    public string GeneratedPixelsColumnName { get; set; } = "GeneratedPixels";

    /// <summary>Label column (key over the 10 digits) of the real data and of a conditional generator's rows. Default: <c>Label</c>.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>
    /// A second real set (e.g. a subset of MNIST train) compared with the real data like the generated set,
    /// giving the floor FID and KID of two real samples. When it has labels, the CAS classifiers are also trained on
    /// its first <see cref="CasSampleCount"/> rows: the real ceilings. Default: null (no floor, no ceilings).
    /// </summary>
    public IDataView? FloorReference { get; set; }

    /// <summary>KID: number of random subsets. Default: 10.</summary>
    public int KidSubsets { get; set; } = 10;

    /// <summary>KID: rows per subset (at most the smaller set). Default: 1,000.</summary>
    public int KidSubsetSize { get; set; } = 1000;

    /// <summary>
    /// Classification accuracy score for labelled generated rows: a classifier (ML.NET LbfgsMaximumEntropy on
    /// the pixels) is trained on this many generated rows only and tested on the real data. 0 turns it off.
    /// Default: 10,000.
    /// </summary>
    public int CasSampleCount { get; set; } = 10_000;

    /// <summary>
    /// The CNN classification accuracy score: a <see cref="LeNetClassifier"/> trained from scratch for this many epochs
    /// (Adam 0.001, batch 128) on the <see cref="CasSampleCount"/> generated rows, tested on the real data. With a labelled
    /// <see cref="FloorReference"/> the same recipe is also trained on as many of its real rows: the ceiling that
    /// generated data is measured against. 0 turns the CNN CAS off. Default: 3.
    /// </summary>
    public int CnnCasEpochs { get; set; } = 3;

    /// <summary>
    /// Width of the CNN CAS classifiers (<see cref="LeNetClassifierOptions.Channels"/>: a multiple of 8).
    /// Default: 16, the shipped feature network's layers.
    /// </summary>
    public int CnnCasChannels { get; set; } = 16;

    /// <summary>Seed of the CNN CAS classifiers (weights, shuffling, dropout). Default: 1.</summary>
    public int CnnCasSeed { get; set; } = 1;

    /// <summary>Seed of the KID subsets and of generation when evaluating a generator. Default: 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Receives warnings (e.g. too few samples for FID) and progress. Default: null, which writes them to the context's log (<c>mlContext.Log</c>).</summary>
    public ILogger? Logger { get; set; }

    internal GanEvaluationOptions Clone() => (GanEvaluationOptions)MemberwiseClone();

    internal void Validate()
    {
        if (SampleCount < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(SampleCount), SampleCount, $"{nameof(GanEvaluationOptions)}.{nameof(SampleCount)} must be at least 2.");
        }

        if (KidSubsets < 1 || KidSubsetSize < 2 || CasSampleCount < 0 || CnnCasEpochs < 0 || CnnCasChannels < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(KidSubsets),
                $"{nameof(GanEvaluationOptions)}: {nameof(KidSubsets)} must be >= 1, {nameof(KidSubsetSize)} >= 2, {nameof(CasSampleCount)} >= 0, {nameof(CnnCasEpochs)} >= 0, {nameof(CnnCasChannels)} >= 1.");
        }

        OptionChecks.ConvolutionChannels(CnnCasChannels, nameof(GanEvaluationOptions), nameof(CnnCasChannels), strideTwoOnly: false);
    }
}
