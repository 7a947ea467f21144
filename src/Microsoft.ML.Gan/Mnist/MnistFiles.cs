namespace Microsoft.ML.Gan.Mnist;

/// <summary>One of the four original MNIST files and the SHA-256 of its uncompressed bytes.</summary>
internal sealed record MnistFile(string Name, string Sha256);

/// <summary>The canonical MNIST file set (LeCun et al.); checksums of the uncompressed IDX files.</summary>
internal static class MnistFiles
{
    public static readonly MnistFile TrainImages = new("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db");
    public static readonly MnistFile TrainLabels = new("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5");
    public static readonly MnistFile TestImages = new("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7");
    public static readonly MnistFile TestLabels = new("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");

    public static IReadOnlyList<MnistFile> All { get; } = [TrainImages, TrainLabels, TestImages, TestLabels];

    public const int ImageSize = 28;
    public const int ClassCount = 10;

    public static (MnistFile Images, MnistFile Labels) For(MnistSplit split) => split switch
    {
        MnistSplit.Train => (TrainImages, TrainLabels),
        MnistSplit.Test => (TestImages, TestLabels),
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Expected MnistSplit.Train or MnistSplit.Test."),
    };
}
