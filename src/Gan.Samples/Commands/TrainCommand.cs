using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan;
using Spectre.Console;

namespace Gan.Samples.Commands;

/// <summary>
/// <c>train</c>: trains the article's GAN on MNIST through MLContext, with a progress display; writes the
/// model zip, a PNG grid of the 16 fixed-latent samples after every epoch (the article's view_samples)
/// and the loss history as CSV.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var defaults = new GanOptions();
        Option<DirectoryInfo?> mnistDirectory = CommonOptions.MnistDirectory();
        Option<DirectoryInfo> output = CommonOptions.Output("out/train");
        Option<LogLevel> logLevel = CommonOptions.Verbosity();
        Option<int> epochs = new("--epochs") { Description = "Epochs (the article trains 100).", DefaultValueFactory = _ => 5 };
        Option<int?> maxRows = new("--max-rows") { Description = "Train on the first N MNIST rows only (default: all 60,000)." };
        Option<int> batchSize = new("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => defaults.BatchSize };
        Option<int> hiddenSize = new("--hidden-size") { Description = "The article's h (layers h, 2h, 4h).", DefaultValueFactory = _ => defaults.HiddenSize };
        Option<int> latentDimension = new("--latent-dim") { Description = "Size of z.", DefaultValueFactory = _ => defaults.LatentDimension };
        Option<float> learningRate = new("--lr") { Description = "Adam learning rate of both networks.", DefaultValueFactory = _ => defaults.GeneratorLearningRate };
        Option<LatentDistribution> distribution = new("--latent-distribution") { Description = "Distribution of z.", DefaultValueFactory = _ => defaults.LatentDistribution };
        Option<int> seed = new("--seed") { Description = "Training seed.", DefaultValueFactory = _ => 1 };
        Option<int> threads = new("--threads") { Description = "TorchSharp intra-op threads.", DefaultValueFactory = _ => defaults.Threads };

        var command = new Command("train", "Train the article's vanilla GAN on MNIST; write the model zip, per-epoch sample grids and the loss CSV.")
        {
            mnistDirectory, output, epochs, maxRows, batchSize, hiddenSize, latentDimension, learningRate, distribution, seed, threads, logLevel,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var options = new GanOptions
            {
                Epochs = result.GetValue(epochs),
                BatchSize = result.GetValue(batchSize),
                HiddenSize = result.GetValue(hiddenSize),
                LatentDimension = result.GetValue(latentDimension),
                GeneratorLearningRate = result.GetValue(learningRate),
                DiscriminatorLearningRate = result.GetValue(learningRate),
                LatentDistribution = result.GetValue(distribution),
                Seed = result.GetValue(seed),
                Threads = result.GetValue(threads),
            };
            return Task.FromResult(Run(options, result.GetValue(mnistDirectory), result.GetValue(maxRows), result.GetValue(output)!, result.GetValue(logLevel), cancellationToken));
        });
        return command;
    }

    private static int Run(GanOptions options, DirectoryInfo? mnistDirectory, int? maxRows, DirectoryInfo output, LogLevel logLevel, CancellationToken cancellationToken)
    {
        bool interactive = AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        // A live progress bar and log lines would overwrite each other; interactive runs show the bar and warnings only.
        using ILoggerFactory loggers = CommonOptions.CreateLoggerFactory(interactive ? LogLevel.Warning : logLevel);
        ILogger logger = loggers.CreateLogger("train");
        var ml = new MLContext(seed: options.Seed);
        IDataView train = ml.Gan().LoadMnist(MnistSplit.Train, CommonOptions.Mnist(mnistDirectory, logger, maxRows));

        string samplesDirectory = Path.Combine(output.FullName, "samples");
        Directory.CreateDirectory(samplesDirectory);
        options.Logger = logger;
        var epochWriter = new EpochSampleWriter(samplesDirectory);

        GanTransformer gan = interactive
            ? TrainWithProgressBar(ml, train, options, epochWriter, cancellationToken)
            : Train(ml, train, options, epochWriter, cancellationToken);
        using (gan)
        {
            string model = Path.Combine(output.FullName, "mnist-gan.zip");
            gan.Save(model);
            string losses = Path.Combine(output.FullName, "losses.csv");
            gan.History.SaveLossesCsv(losses);
            GanEpochSummary last = gan.History.Epochs[^1];
            Console.WriteLine($"Trained {gan.History.Epochs.Count} epochs (seed {gan.History.Seed}): d_loss {last.DiscriminatorLoss:F4}, g_loss {last.GeneratorLoss:F4}, " +
                              $"{gan.History.Epochs.Average(e => e.Duration.TotalSeconds):F1} s per epoch");
            Console.WriteLine($"Wrote {model}");
            Console.WriteLine($"Wrote {losses}");
            Console.WriteLine($"Wrote {gan.History.Epochs.Count} sample grids to {samplesDirectory}");
        }

        return 0;
    }

    private static GanTransformer Train(MLContext ml, IDataView train, GanOptions options, EpochSampleWriter epochWriter, CancellationToken cancellationToken)
    {
        options.Progress = new SynchronousProgress<GanTrainingProgress>(epochWriter.Write);
        return ml.Gan().Train(options).Fit(train, cancellationToken);
    }

    private static GanTransformer TrainWithProgressBar(MLContext ml, IDataView train, GanOptions options, EpochSampleWriter epochWriter, CancellationToken cancellationToken)
    {
        GanTransformer? gan = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask("Reading MNIST", maxValue: options.Epochs);
                options.LogEveryNSteps = 50;
                options.Progress = new SynchronousProgress<GanTrainingProgress>(report =>
                {
                    epochWriter.Write(report);
                    task.Value = report.Epoch - 1 + ((double)report.Step / report.StepsPerEpoch);
                    task.Description = string.Create(CultureInfo.InvariantCulture,
                        $"Epoch {report.Epoch}/{report.Epochs}  d_loss {report.DiscriminatorLoss:F3}  g_loss {report.GeneratorLoss:F3}");
                });
                gan = ml.Gan().Train(options).Fit(train, cancellationToken);
            });
        return gan!;
    }

    /// <summary>Writes the grid of an epoch's fixed-latent samples when the epoch closes.</summary>
    private sealed class EpochSampleWriter(string directory)
    {
        public void Write(GanTrainingProgress report)
        {
            if (report.Samples is { Count: > 0 } samples)
            {
                int side = (int)Math.Round(Math.Sqrt(samples[0].Length));
                using MLImage grid = GanImages.Grid(samples, side, side, columns: (int)Math.Ceiling(Math.Sqrt(samples.Count)));
                GanImages.SavePng(grid, Path.Combine(directory, $"epoch-{report.Epoch:D3}.png"));
            }
        }
    }
}
