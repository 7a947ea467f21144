namespace Microsoft.ML.Gan.Networks;

/// <summary>Builds the generator and discriminator a <see cref="NetworkPlan"/> describes.</summary>
internal static class GanNetworks
{
    public static GeneratorNetwork CreateGenerator(NetworkPlan plan) => plan.Architecture switch
    {
        DcganNetworkOptions dcgan => new DcganGenerator(plan.LatentDimension, plan.Shape, dcgan.Width, plan.ClassCount),
        MlpNetworkOptions mlp => new MlpGenerator(plan.LatentDimension, mlp.HiddenSize, plan.Shape.Size, mlp.Dropout, mlp.LeakyReluSlope, plan.ClassCount),
        CtganNetworkOptions ctgan => new CtganGenerator(plan.LatentDimension, ctgan.GeneratorSizes, TableOf(plan)),
        TvaeNetworkOptions tvae => new CtganGenerator(plan.LatentDimension, tvae.DecoderSizes, TableOf(plan), tvae.ResidualDecoder),
        _ => throw Unknown(plan.Architecture),
    };

    public static DiscriminatorNetwork CreateDiscriminator(NetworkPlan plan) => plan.Architecture switch
    {
        DcganNetworkOptions dcgan => new DcganDiscriminator(plan.Shape, dcgan.Width, plan.ClassCount, plan.AuxiliaryClassifier, dcgan.SpectralNormalization, dcgan.LeakyReluSlope),
        MlpNetworkOptions mlp => new MlpDiscriminator(plan.Shape.Size, mlp.HiddenSize, mlp.Dropout, mlp.LeakyReluSlope, plan.ClassCount, plan.AuxiliaryClassifier),
        CtganNetworkOptions ctgan => new CtganDiscriminator(TableOf(plan), ctgan.CriticSizes, ctgan.PackSize, ctgan.Dropout, ctgan.LeakyReluSlope),
        TvaeNetworkOptions tvae => new TvaeEncoder(TableOf(plan), tvae.EncoderSizes, plan.LatentDimension),
        _ => throw Unknown(plan.Architecture),
    };

    private static TableLayout TableOf(NetworkPlan plan)
        => plan.Table ?? throw new InvalidOperationException($"Table networks (CTGAN, TVAE) are built for table rows; the plan has no table layout.");

    private static NotSupportedException Unknown(object network) => new($"No networks are built for {network.GetType().Name}.");

    /// <summary>Throws when the images cannot go through <paramref name="architecture"/>.</summary>
    public static void CheckShape(GanArchitecture architecture, ImageShape shape, string column)
    {
        if (architecture == GanArchitecture.Dcgan && (shape.Height % 4 != 0 || shape.Width % 4 != 0))
        {
            throw new ArgumentOutOfRangeException("inputSchema",
                $"Pixel column '{column}' holds {shape} images; {nameof(GanArchitecture.Dcgan)} needs height and width divisible by 4 (e.g. 28 x 28).");
        }
    }
}
