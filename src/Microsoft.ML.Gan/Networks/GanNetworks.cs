namespace Microsoft.ML.Gan.Networks;

/// <summary>Builds the generator and discriminator the options ask for.</summary>
internal static class GanNetworks
{
    public static GeneratorNetwork CreateGenerator(GanOptions options, ImageShape shape, int classCount) => options.Architecture switch
    {
        GanArchitecture.Dcgan => new DcganGenerator(options.LatentDimension, shape, options.DcganWidth, classCount),
        _ => new MlpGenerator(options.LatentDimension, options.HiddenSize, shape.Size, options.Dropout, options.LeakyReluSlope, classCount),
    };

    public static DiscriminatorNetwork CreateDiscriminator(GanOptions options, ImageShape shape, int classCount) => options.Architecture switch
    {
        GanArchitecture.Dcgan => new DcganDiscriminator(shape, options.DcganWidth, classCount, options.AuxiliaryClassifier, options.SpectralNormalization, options.LeakyReluSlope),
        _ => new MlpDiscriminator(shape.Size, options.HiddenSize, options.Dropout, options.LeakyReluSlope, classCount, options.AuxiliaryClassifier),
    };

    /// <summary>Throws when the images cannot go through the chosen architecture.</summary>
    public static void CheckShape(GanOptions options, ImageShape shape, string column)
    {
        if (options.Architecture == GanArchitecture.Dcgan && (shape.Height % 4 != 0 || shape.Width % 4 != 0))
        {
            throw new ArgumentOutOfRangeException("inputSchema",
                $"Pixel column '{column}' holds {shape} images; {nameof(GanArchitecture.Dcgan)} needs height and width divisible by 4 (e.g. 28 x 28).");
        }
    }
}
