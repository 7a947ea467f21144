namespace Microsoft.ML.Gan.Tests;

/// <summary>
/// The two NUnit categories every test is in exactly one of (<see cref="TestCategoriesTests"/> checks it). Run one set
/// with <c>dotnet test --filter TestCategory=Fast</c> or <c>--filter TestCategory=Slow</c>. A fixture carries its
/// category; a fixture that mixes both carries none and each test carries its own.
/// </summary>
public static class TestCategories
{
    /// <summary>
    /// Small synthetic data only: no real MNIST, no shared trained model, no long training, no other process (the
    /// samples app, Python). The whole set runs in under a minute.
    /// </summary>
    public const string Fast = "Fast";

    /// <summary>
    /// Everything else, mostly real MNIST: the MNIST files (downloaded into the default cache on a fresh machine), the
    /// model trained on them (<see cref="TrainedMnistGan"/>), the samples app run as a process, the PyTorch round trips
    /// and the training runs of a few hundred steps. Named for what the set costs rather than "Mnist", since a few of
    /// its tests never read MNIST.
    /// </summary>
    public const string Slow = "Slow";
}
