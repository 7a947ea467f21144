using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Gan;

namespace Gan.Samples.Commands;

/// <summary>
/// <c>feature-net</c>: trains the LeNet-style MNIST feature network that evaluation (FID, KID, class entropy)
/// uses, with a fixed seed, reports its test accuracy and writes the weights the library embeds.
/// </summary>
internal static class FeatureNetCommand
{
    public static Command Create()
    {
        Option<DirectoryInfo?> mnistDirectory = CommonOptions.MnistDirectory();
        Option<LogLevel> logLevel = CommonOptions.Verbosity();
        Option<FileInfo> weights = new("--weights")
        {
            Description = "Where to write the weights (the library embeds src/Microsoft.ML.Gan/Evaluation/mnist-lenet.weights).",
            DefaultValueFactory = _ => new FileInfo("src/Microsoft.ML.Gan/Evaluation/mnist-lenet.weights"),
        };
        Option<int> epochs = new("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 8 };
        Option<int> seed = new("--seed") { Description = "Training seed.", DefaultValueFactory = _ => 1 };
        Option<int> threads = new("--threads") { Description = "TorchSharp intra-op threads.", DefaultValueFactory = _ => 2 };

        var command = new Command("feature-net", "Train the MNIST feature network used for FID/KID and write its weights.")
        {
            mnistDirectory, weights, epochs, seed, threads, logLevel,
        };
        command.SetAction(result =>
        {
            using ILoggerFactory loggers = CommonOptions.CreateLoggerFactory(result.GetValue(logLevel));
            ILogger logger = loggers.CreateLogger("feature-net");
            var ml = new MLContext(seed: result.GetValue(seed));
            DirectoryInfo? directory = result.GetValue(mnistDirectory);
            IDataView train = ml.Gan().Data.LoadMnist(MnistSplit.Train, CommonOptions.Mnist(directory, logger));
            IDataView test = ml.Gan().Data.LoadMnist(MnistSplit.Test, CommonOptions.Mnist(directory, logger));
            FileInfo target = result.GetValue(weights)!;
            FeatureNetworkReport report = MnistFeatureNetwork.Train(train, test, target.FullName, result.GetValue(epochs), result.GetValue(seed), result.GetValue(threads), logger);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Feature network: MNIST test accuracy {report.TestAccuracy:P2} after {report.Epochs} epochs (seed {report.Seed}, {report.Duration.TotalMinutes:F1} min)"));
            Console.WriteLine($"Wrote {target.FullName}");
            return 0;
        });
        return command;
    }
}
