using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Gan;

namespace Gan.Samples.Commands;

/// <summary>
/// <c>augment</c>: does synthetic data help a classifier trained on little real data? For each seed: take a
/// random subset of MNIST train, train a conditional GAN on it, train an ML.NET multiclass classifier on the
/// subset alone and on the subset plus synthetic labelled rows, and measure both on the full MNIST test split.
/// Reports every seed and mean ± sd, whatever the numbers are.
/// </summary>
internal static class AugmentCommand
{
    public static Command Create()
    {
        Option<DirectoryInfo?> mnistDirectory = CommonOptions.MnistDirectory();
        Option<DirectoryInfo> output = CommonOptions.Output("out/augment");
        Option<LogLevel> logLevel = CommonOptions.Verbosity();
        Option<int> realRows = new("--real-rows") { Description = "Labelled real images per run.", DefaultValueFactory = _ => 1000 };
        Option<int> syntheticRows = new("--synthetic-rows") { Description = "Synthetic labelled images added per run (balanced over the digits).", DefaultValueFactory = _ => 5000 };
        Option<int[]> seeds = new("--seeds") { Description = "Seeds; each gives another subset, GAN and classifier.", DefaultValueFactory = _ => [1, 2, 3], AllowMultipleArgumentsPerToken = true };
        Option<int> epochs = new("--epochs") { Description = "GAN epochs over the real subset.", DefaultValueFactory = _ => 30 };
        Option<GanArchitecture> architecture = new("--architecture") { Description = "GAN networks.", DefaultValueFactory = _ => GanArchitecture.Dcgan };
        Option<FileInfo?> report = new("--report") { Description = "Where to write the Markdown report (default: <output>/augment.md)." };

        var command = new Command("augment", "Compare a classifier trained on a small MNIST subset with and without synthetic rows from a conditional GAN.")
        {
            mnistDirectory, output, realRows, syntheticRows, seeds, epochs, architecture, logLevel, report,
        };
        command.SetAction((result, cancellationToken) => Task.FromResult(Run(
            result.GetValue(mnistDirectory), result.GetValue(output)!, result.GetValue(report), result.GetValue(realRows), result.GetValue(syntheticRows),
            result.GetValue(seeds)!, result.GetValue(epochs), result.GetValue(architecture), result.GetValue(logLevel), cancellationToken)));
        return command;
    }

    private static int Run(DirectoryInfo? mnistDirectory, DirectoryInfo output, FileInfo? reportFile, int realRows, int syntheticRows, int[] seeds, int epochs,
        GanArchitecture architecture, LogLevel logLevel, CancellationToken cancellationToken)
    {
        using ILoggerFactory loggers = CommonOptions.CreateLoggerFactory(logLevel);
        ILogger logger = loggers.CreateLogger("augment");
        var results = new List<(int Seed, double RealOnly, double WithSynthetic)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (int seed in seeds)
        {
            var ml = new MLContext(seed);
            IDataView train = ml.Gan().LoadMnist(MnistSplit.Train, CommonOptions.Mnist(mnistDirectory, logger));
            IDataView test = ml.Gan().LoadMnist(MnistSplit.Test, CommonOptions.Mnist(mnistDirectory, logger));
            // A random subset: shuffle the 60,000 rows with this seed, keep the first realRows.
            IDataView subset = ml.Data.TakeRows(ml.Data.ShuffleRows(ml.Data.Cache(train), seed: seed, shufflePoolSize: 60_000), realRows);
            subset = ml.Data.Cache(subset);

            var options = new GanOptions
            {
                Architecture = architecture,
                Conditional = true,
                Epochs = epochs,
                Seed = seed,
                Logger = logger,
            };
            using GanTransformer gan = ml.Gan().Train(options).Fit(subset, cancellationToken);
            IDataView synthetic = gan.GenerateTrainingRows(syntheticRows, seed);
            IDataView augmented = ml.Gan().AppendRows(subset, synthetic);

            double realOnly = Accuracy(ml, subset, test);
            double withSynthetic = Accuracy(ml, augmented, test);
            results.Add((seed, realOnly, withSynthetic));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"seed {seed}: accuracy {realOnly:P2} on {realRows:N0} real rows, {withSynthetic:P2} with {syntheticRows:N0} synthetic rows added"));
        }

        string report = Report(results, realRows, syntheticRows, epochs, architecture, clock.Elapsed);
        output.Create();
        string path = reportFile?.FullName ?? Path.Combine(output.FullName, "augment.md");
        File.WriteAllText(path, report);
        Console.Write(report);
        Console.WriteLine($"Wrote {path}");
        return 0;
    }

    /// <summary>Multiclass logistic regression (L-BFGS maximum entropy) on the 784 pixels, accuracy on the test split.</summary>
    private static double Accuracy(MLContext ml, IDataView train, IDataView test)
    {
        var trainer = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(labelColumnName: "Label", featureColumnName: "Features");
        var pipeline = ml.Transforms.CopyColumns("Features", "Pixels").Append(trainer);
        ITransformer model = pipeline.Fit(train);
        return ml.MulticlassClassification.Evaluate(model.Transform(test), labelColumnName: "Label").MicroAccuracy;
    }

    private static string Report(List<(int Seed, double RealOnly, double WithSynthetic)> results, int realRows, int syntheticRows, int epochs,
        GanArchitecture architecture, TimeSpan elapsed)
    {
        static (double Mean, double Sd) Stats(IEnumerable<double> values)
        {
            double[] v = values.ToArray();
            double mean = v.Average();
            double sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
            return (mean, sd);
        }

        var text = new StringBuilder();
        text.AppendLine("# Does synthetic data help? (the augment experiment)");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Produced by `gan-samples {string.Join(' ', Environment.GetCommandLineArgs().Skip(1))}` on {DateTime.UtcNow:yyyy-MM-dd} in {elapsed.TotalMinutes:F1} minutes;");
        text.AppendLine(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(3)}, 1 training thread.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Classifier: ML.NET LbfgsMaximumEntropy on raw pixels; test: MNIST test split (10,000 rows).");
        text.AppendLine(CultureInfo.InvariantCulture, $"Real rows per run: {realRows:N0} (random subset of MNIST train); synthetic rows: {syntheticRows:N0} from a conditional {architecture} GAN trained {epochs} epochs on that subset.");
        text.AppendLine();
        text.AppendLine("| seed | real only | real + synthetic |");
        text.AppendLine("|---|---|---|");
        foreach (var (seed, realOnly, withSynthetic) in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {seed} | {realOnly:P2} | {withSynthetic:P2} |");
        }

        (double realMean, double realSd) = Stats(results.Select(r => r.RealOnly));
        (double synthMean, double synthSd) = Stats(results.Select(r => r.WithSynthetic));
        text.AppendLine(CultureInfo.InvariantCulture, $"| mean ± sd | {realMean:P2} ± {realSd:P2} | {synthMean:P2} ± {synthSd:P2} |");
        return text.ToString();
    }
}
