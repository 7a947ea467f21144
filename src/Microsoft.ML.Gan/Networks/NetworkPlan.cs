namespace Microsoft.ML.Gan.Networks;

/// <summary>
/// What the two networks are built from: the architecture with its settings (a <see cref="GanNetworkOptions"/> for images,
/// <see cref="CtganNetworkOptions"/> for tables), the latent size, and the rows: images of <paramref name="Shape"/> in
/// <paramref name="ClassCount"/> classes, or encoded table rows (<see cref="Table"/>; <paramref name="Shape"/> is then the
/// default, all zeros).
/// </summary>
internal sealed record NetworkPlan(object Architecture, int LatentDimension, ImageShape Shape, int ClassCount, bool AuxiliaryClassifier)
{
    /// <summary>
    /// The encoded table's widths, for a table's networks; null for images. Not in checkpoints as a setting: the widths follow
    /// from the data, which the checkpoint's data identity covers.
    /// </summary>
    [NotInCheckpoint]
    public TableLayout? Table { get; init; }
}

/// <summary>
/// CTGAN's networks for table rows (Xu et al. 2019; sdv-dev/CTGAN's defaults): a generator of <see cref="GeneratorLayers"/>
/// residual blocks of <see cref="GeneratorWidth"/>, a critic of <see cref="CriticLayers"/> layers of <see cref="CriticWidth"/>
/// with LeakyReLU and dropout that judges <see cref="PackSize"/> rows at a time (PacGAN).
/// </summary>
internal sealed record CtganNetworkOptions
{
    public int GeneratorWidth { get; init; } = 256;

    public int GeneratorLayers { get; init; } = 2;

    public int CriticWidth { get; init; } = 256;

    public int CriticLayers { get; init; } = 2;

    public int PackSize { get; init; } = 10;

    public float Dropout { get; init; } = 0.5f;

    public float LeakyReluSlope { get; init; } = 0.2f;

    public IReadOnlyList<int> GeneratorSizes => Enumerable.Repeat(GeneratorWidth, GeneratorLayers).ToArray();

    public IReadOnlyList<int> CriticSizes => Enumerable.Repeat(CriticWidth, CriticLayers).ToArray();
}
