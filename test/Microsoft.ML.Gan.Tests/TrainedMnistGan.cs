using Microsoft.ML.Gan.Networks;

namespace Microsoft.ML.Gan.Tests;

/// <summary>
/// One GAN with the article's defaults, trained briefly on real MNIST (all 60,000 rows, 2 epochs, seed 1),
/// shared by the tests that need a trained model, with the TorchSharp generator it was exported from (which the
/// transformer itself no longer holds). Never disposed: they live as long as the test run.
/// </summary>
internal static class TrainedMnistGan
{
    public const int Rows = 60_000;
    public const int Epochs = 2;

    private static readonly Lazy<(MLContext Context, GanTransformer Gan, GeneratorNetwork Generator)> Trained = new(() =>
    {
        var ml = new MLContext(seed: 1);
        IDataView train = RealMnist.Load(ml, MnistSplit.Train, Rows);
        (GanTransformer gan, GeneratorNetwork generator) = ml.Gan().Generator(new GanOptions { Budget = TrainingBudget.OfEpochs(Epochs), Seed = 1 }).FitKeepingGenerator(train);
        return (ml, gan, generator);
    });

    public static MLContext Context => Trained.Value.Context;

    public static GanTransformer Gan => Trained.Value.Gan;

    /// <summary>The TorchSharp generator <see cref="Gan"/> was exported from.</summary>
    public static GeneratorNetwork Generator => Trained.Value.Generator;
}
