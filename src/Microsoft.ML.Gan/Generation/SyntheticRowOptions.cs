namespace Microsoft.ML.Gan;

/// <summary>
/// Options of <see cref="GanTransformer.GenerateTrainingRows"/>: keep only rows a classifier recognises as their
/// label (filtering) and/or add a per-row weight column for ML.NET trainers' <c>ExampleWeightColumnName</c>.
/// </summary>
public sealed class SyntheticRowOptions
{
    /// <summary>
    /// Keep only generated rows that <see cref="Classifier"/> assigns to their conditioning label with at least this
    /// probability; the generator draws more candidates (per class, so class counts are kept) until enough pass.
    /// Default: null (no filter).
    /// </summary>
    public float? MinimumConfidence { get; set; }

    /// <summary>
    /// The classifier that judges rows. Null means the MNIST feature network shipped in this library (1 × 28 × 28
    /// images, 10 classes) — but it was trained on all 60,000 labelled MNIST training images, so do not use it when
    /// measuring what a few labels buy: train a <see cref="LeNetClassifier"/> on your own labelled rows instead
    /// (<c>mlContext.Gan().TrainClassifier</c>), as the <c>augment</c> study does. Default: null.
    /// </summary>
    public LeNetClassifier? Classifier { get; set; }

    /// <summary>
    /// Add a <c>Single</c> column of this name holding the classifier's probability of each row's label, to pass as a
    /// trainer's <c>ExampleWeightColumnName</c> (give real rows a weight of 1). Default: null (no weight column).
    /// </summary>
    public string? WeightColumnName { get; set; }

    /// <summary>
    /// With a filter: give up (with an error naming the class) when a class needs more than this many candidates per
    /// kept row. Default: 20.
    /// </summary>
    public int MaxCandidatesPerRow { get; set; } = 20;

    /// <summary>
    /// Multiplies every latent vector by this factor before generating (a sampling temperature). Above 1 the rows come
    /// from further out in the latent space: more variety, somewhat less fidelity — the opposite of BigGAN's truncation
    /// trick, and the better trade for training data, where variety is what a classifier learns from (on MNIST, 1.5 raised
    /// the CNN classification accuracy score of one generator by 1.6 to 2.0 points; docs/COVERAGE.md). Default: 1.
    /// </summary>
    public float LatentScale { get; set; } = 1f;

    internal bool JudgesRows => MinimumConfidence is not null || WeightColumnName is not null;

    internal void Validate()
    {
        if (MinimumConfidence is float confidence && (!float.IsFinite(confidence) || confidence < 0 || confidence >= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumConfidence), confidence,
                $"{nameof(SyntheticRowOptions)}.{nameof(MinimumConfidence)} must lie in [0, 1); got {confidence}.");
        }

        if (WeightColumnName is not null && string.IsNullOrWhiteSpace(WeightColumnName))
        {
            throw new ArgumentException($"{nameof(SyntheticRowOptions)}.{nameof(WeightColumnName)} must name a column or be null.", nameof(WeightColumnName));
        }

        if (!float.IsFinite(LatentScale) || LatentScale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LatentScale), LatentScale, $"{nameof(SyntheticRowOptions)}.{nameof(LatentScale)} must be a finite value > 0; got {LatentScale}.");
        }

        if (MaxCandidatesPerRow < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCandidatesPerRow), MaxCandidatesPerRow,
                $"{nameof(SyntheticRowOptions)}.{nameof(MaxCandidatesPerRow)} must be at least 1.");
        }
    }
}
