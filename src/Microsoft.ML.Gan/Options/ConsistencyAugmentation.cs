namespace Microsoft.ML.Gan;

/// <summary>
/// The strong view of an unlabelled image in <see cref="SemiSupervisedGanOptions"/>' consistency term: what the classifier
/// must see through to give the class it gives the image shifted by a pixel.
/// </summary>
public enum ConsistencyAugmentation
{
    /// <summary>Shifted by up to 4 pixels each way, with an 8 × 8 cut-out.</summary>
    ShiftAndCutOut,

    /// <summary>
    /// Turned by up to ±20°, scaled by up to ±15 %, sheared by up to ±0.3 and shifted by up to 4 pixels, with an 8 × 8 cut-out:
    /// the deformations handwriting has, which a dense classifier cannot learn from shifts alone.
    /// </summary>
    AffineAndCutOut,

    /// <summary>
    /// Turned, scaled, sheared and shifted as <see cref="AffineAndCutOut"/>, without the cut-out: the view the self-training
    /// student learns every labelled and pseudo-labelled image in.
    /// </summary>
    Affine,
}
