namespace Microsoft.ML.Gan;

/// <summary>
/// How <see cref="GanCatalog.ImportPyTorchGenerator"/> reads a generator <c>state_dict</c> saved by PyTorch: which of
/// the two generators it holds, and what the weights cannot tell. Sizes left null are read from the weights' shapes;
/// sizes given are checked against them.
/// </summary>
public sealed class PyTorchGeneratorOptions
{
    /// <summary>
    /// The generator class: <see cref="GanArchitecture.Mlp"/>, the source article's <c>Generator</c> (keys <c>fc1</c> … <c>fc4</c>,
    /// <c>.weight</c> and <c>.bias</c>), or <see cref="GanArchitecture.Dcgan"/>, <c>DcganGenerator</c> of bench/pytorch/gan_reference.py
    /// (<c>fc</c>, <c>bn0</c>, <c>deconv1</c>, <c>bn1</c>, <c>deconv2</c>). Default: Mlp.
    /// </summary>
    public GanArchitecture Architecture { get; set; } = GanArchitecture.Mlp;

    /// <summary>Size of z. Default: null, read from the first layer's weight (the article uses 100).</summary>
    public int? LatentDimension { get; set; }

    /// <summary>The article's h (Mlp layers h, 2h, 4h). Default: null, read from <c>fc1.weight</c> (the article uses 32).</summary>
    public int? HiddenSize { get; set; }

    /// <summary>Base width w of Dcgan (channels 2w and w). Default: null, read from <c>deconv1.weight</c>.</summary>
    public int? DcganWidth { get; set; }

    /// <summary>
    /// The distribution the generator was trained with, recorded in the model so sampling matches it; a state_dict does not
    /// hold it. Default: <see cref="Gan.LatentDistribution.Uniform"/> (the article's z ~ U(-1, 1)).
    /// </summary>
    public LatentDistribution LatentDistribution { get; set; } = LatentDistribution.Uniform;

    /// <summary>
    /// Negative slope of the Mlp's LeakyReLU, which is code, not weights. Default: 0.2 (article). Mlp only (the Dcgan generator
    /// uses ReLU): setting it for Dcgan is an error, as are <see cref="HiddenSize"/> for Dcgan and <see cref="DcganWidth"/> for Mlp.
    /// </summary>
    public float LeakyReluSlope { get => _leakyReluSlope ?? 0.2f; set => _leakyReluSlope = value; }

    private float? _leakyReluSlope;

    /// <summary>Throws an <see cref="ArgumentException"/> naming a size or setting the chosen generator class does not have.</summary>
    internal void RejectUnused()
    {
        (string Name, bool Given, GanArchitecture Owner)[] settings =
        [
            (nameof(HiddenSize), HiddenSize is not null, GanArchitecture.Mlp),
            (nameof(LeakyReluSlope), _leakyReluSlope is not null, GanArchitecture.Mlp),
            (nameof(DcganWidth), DcganWidth is not null, GanArchitecture.Dcgan),
        ];
        foreach ((string name, bool given, GanArchitecture owner) in settings)
        {
            if (given && Architecture != owner)
            {
                throw new ArgumentException(
                    $"{nameof(PyTorchGeneratorOptions)}.{name} applies to the {owner} generator only; {nameof(Architecture)} is {Architecture}, which would ignore it. Leave it unset.", name);
            }
        }
    }

    /// <summary>The latent input column of the resulting transformer. Default: <c>Latent</c>.</summary>
    public string LatentColumnName { get; set; } = "Latent";

    /// <summary>The pixel column the model records as its training column (its images' shape comes from the weights). Default: <c>Pixels</c>.</summary>
    public string PixelsColumnName { get; set; } = "Pixels";

    /// <summary>Output: generated pixels in [0, 1]. Default: <c>GeneratedPixels</c>.</summary>
    public string GeneratedPixelsColumnName { get; set; } = "GeneratedPixels";

    /// <summary>Output: the generated image as an <c>MLImage</c>. Default: <c>GeneratedImage</c>.</summary>
    public string GeneratedImageColumnName { get; set; } = "GeneratedImage";
}
