namespace Microsoft.ML.Gan.Networks;

/// <summary>What the two networks are built from: the architecture with its settings, the images and the classes.</summary>
internal sealed record NetworkPlan(
    GanArchitecture Architecture,
    int LatentDimension,
    ImageShape Shape,
    int ClassCount,
    bool AuxiliaryClassifier,
    float LeakyReluSlope,
    int HiddenSize,
    float Dropout,
    int DcganWidth,
    bool SpectralNormalization)
{
    public static NetworkPlan Resolve(GanOptions options, ImageShape shape, int classCount) => new(
        options.Architecture, options.LatentDimension, shape, classCount, options.AuxiliaryClassifier, options.LeakyReluSlope,
        options.HiddenSize, options.Dropout, options.DcganWidth, options.SpectralNormalization);
}

/// <summary>Builds the generator and discriminator a <see cref="NetworkPlan"/> describes.</summary>
internal static class GanNetworks
{
    public static GeneratorNetwork CreateGenerator(NetworkPlan plan) => plan.Architecture switch
    {
        GanArchitecture.Dcgan => new DcganGenerator(plan.LatentDimension, plan.Shape, plan.DcganWidth, plan.ClassCount),
        _ => new MlpGenerator(plan.LatentDimension, plan.HiddenSize, plan.Shape.Size, plan.Dropout, plan.LeakyReluSlope, plan.ClassCount),
    };

    public static DiscriminatorNetwork CreateDiscriminator(NetworkPlan plan) => plan.Architecture switch
    {
        GanArchitecture.Dcgan => new DcganDiscriminator(plan.Shape, plan.DcganWidth, plan.ClassCount, plan.AuxiliaryClassifier, plan.SpectralNormalization, plan.LeakyReluSlope),
        _ => new MlpDiscriminator(plan.Shape.Size, plan.HiddenSize, plan.Dropout, plan.LeakyReluSlope, plan.ClassCount, plan.AuxiliaryClassifier),
    };

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
