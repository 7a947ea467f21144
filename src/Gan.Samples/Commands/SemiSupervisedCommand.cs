using System.CommandLine;
using System.Globalization;
using System.Text;
using Gan.Samples.Reporting;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan;
using OxyPlot;

namespace Gan.Samples.Commands;

/// <summary>
/// <c>semi-supervised</c>: a semi-supervised GAN classifier on MNIST with N labels per class and every other training image
/// unlabelled; test (or validation) accuracy after every epoch, the model zip, the accuracy CSV and curves.
/// </summary>
internal static class SemiSupervisedCommand
{
    public static Command Create()
    {
        var defaults = new SemiSupervisedGanOptions();
        Option<DirectoryInfo?> mnistDirectory = CommonOptions.MnistDirectory();
        Option<DirectoryInfo> output = CommonOptions.Output("out/semi-supervised");
        Option<LogLevel> logLevel = CommonOptions.Verbosity();
        Option<int> labelsPerClass = new("--labels-per-class") { Description = "Labelled training images per digit (10 makes the paper's 100 labels).", DefaultValueFactory = _ => 10 };
        Option<int> labelSeed = new("--label-seed") { Description = "Seed of the choice of labelled images.", DefaultValueFactory = _ => 1 };
        Option<int> seed = new("--seed") { Description = "Training seed.", DefaultValueFactory = _ => 1 };
        Option<int?> epochs = new("--epochs") { Description = $"Epochs (passes over the 60,000 training images; default {defaults.Budget.Epochs})." };
        Option<int?> maxSteps = new("--max-steps") { Description = "Train this many steps instead of --epochs." };
        Option<int> validationRows = new("--validation-rows")
        {
            Description = "Hold out the last N training images (unlabelled in training) and report accuracy on them instead of on the test split: choose settings this way, never on test.",
            DefaultValueFactory = _ => 0,
        };
        Option<float> consistency = new("--consistency") { Description = "Weight of the consistency term (0: the paper's recipe).", DefaultValueFactory = _ => defaults.ConsistencyWeight };
        Option<float> threshold = new("--confidence") { Description = "Confidence an unlabelled image needs to count in the consistency term.", DefaultValueFactory = _ => defaults.ConfidenceThreshold };
        Option<float> decay = new("--lr-decay-share") { Description = "Share of the budget at its end over which the learning rates fall to 0.", DefaultValueFactory = _ => defaults.LearningRateDecayShare };
        Option<float?> average = new("--weight-average") { Description = $"Decay of the weight average that is measured and saved (default {defaults.WeightAverageDecay}; 0 turns it off)." };
        Option<float> learningRate = new("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => defaults.LearningRate };
        Option<int> threads = new("--threads") { Description = "TorchSharp intra-op threads; 0 chooses while training.", DefaultValueFactory = _ => defaults.Threads };
        Option<string> device = CommonOptions.Device("TorchSharp device to train on");

        var command = new Command("semi-supervised",
            "Train a semi-supervised GAN classifier on MNIST with --labels-per-class labels and the other training images unlabelled; test accuracy per epoch, model zip, curves.")
        {
            mnistDirectory, output, labelsPerClass, labelSeed, seed, epochs, maxSteps, validationRows, consistency, threshold, decay, average, learningRate, threads, device, logLevel,
        };
        command.SetAction((result, cancellationToken) =>
        {
            if (result.GetValue(epochs) is not null && result.GetValue(maxSteps) is not null)
            {
                throw new ArgumentException("--epochs and --max-steps are both given; a run is measured in one of them.");
            }

            int perClass = result.GetValue(labelsPerClass);
            int held = result.GetValue(validationRows);
            if (perClass < 1 || held < 0 || held > 50_000)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"--labels-per-class ({perClass}) must be at least 1 and --validation-rows ({held}) between 0 and 50,000."));
            }

            float? averageDecay = result.GetValue(average) is float a ? (a == 0 ? null : a) : defaults.WeightAverageDecay;
            var options = new SemiSupervisedGanOptions
            {
                Budget = result.GetValue(maxSteps) is int steps ? TrainingBudget.OfSteps(steps) : TrainingBudget.OfEpochs(result.GetValue(epochs) ?? defaults.Budget.Epochs!.Value),
                ConsistencyWeight = result.GetValue(consistency),
                ConfidenceThreshold = result.GetValue(threshold),
                LearningRateDecayShare = result.GetValue(decay),
                WeightAverageDecay = averageDecay,
                LearningRate = result.GetValue(learningRate),
                Threads = result.GetValue(threads),
                Seed = result.GetValue(seed),
                Device = result.GetValue(device)!.Trim().ToLowerInvariant(),
            };
            return Task.FromResult(Run(options, perClass, result.GetValue(labelSeed), held, result.GetValue(mnistDirectory), result.GetValue(output)!, result.GetValue(logLevel), cancellationToken));
        });
        return command;
    }

    private static int Run(SemiSupervisedGanOptions options, int perClass, int labelSeed, int held, DirectoryInfo? mnistDirectory, DirectoryInfo output, LogLevel logLevel, CancellationToken cancellationToken)
    {
        CommonOptions.EnsureWritableDirectory(output, "--output");
        using ILoggerFactory loggers = CommonOptions.CreateLoggerFactory(logLevel);
        ILogger logger = loggers.CreateLogger("semi-supervised");
        var ml = new MLContext(seed: options.Seed);
        ml.Gan().SemiSupervisedClassifier(options);   // checks every option before MNIST is read
        IDataView all = ml.Gan().LoadMnist(MnistSplit.Train, CommonOptions.Mnist(mnistDirectory, logger));
        IDataView train = held == 0 ? all : ml.Data.TakeRows(all, 60_000 - held);
        IDataView evaluation = held == 0
            ? ml.Gan().LoadMnist(MnistSplit.Test, CommonOptions.Mnist(mnistDirectory, logger))
            : ml.Data.SkipRows(all, 60_000 - held);
        string evaluated = held == 0 ? "test" : "validation";
        IDataView fewLabels = ml.Data.Cache(ml.Gan().KeepLabels(train, perClass, labelSeed));
        options.Logger = logger;
        options.Progress = new SynchronousProgress<SemiSupervisedGanProgress>(p => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Epoch {p.Epoch}/{p.Epochs}: {evaluated} accuracy {p.ValidationAccuracy:P2} (labelled loss {p.LabelledLoss:F3}, unlabelled {p.UnlabelledLoss:F3}, " +
            $"generator {p.GeneratorLoss:F3}; {p.Elapsed.TotalMinutes:F1} min)")));

        using SemiSupervisedGanTransformer model = ml.Gan().SemiSupervisedClassifier(options).Fit(fewLabels, evaluation, cancellationToken);
        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(model.Transform(evaluation));
        Directory.CreateDirectory(output.FullName);
        string zip = Path.Combine(output.FullName, "classifier.zip");
        model.Save(zip);
        var csv = new StringBuilder("epoch,labelled_loss,unlabelled_loss,generator_loss,accuracy,seconds\n");
        foreach (SemiSupervisedGanEpoch e in model.History)
        {
            csv.Append(string.Create(CultureInfo.InvariantCulture,
                $"{e.Epoch},{e.LabelledLoss:R},{e.UnlabelledLoss:R},{e.GeneratorLoss:R},{e.ValidationAccuracy:R},{e.Duration.TotalSeconds:F2}\n"));
        }

        string accuracyCsv = ReportFile.Write(Path.Combine(output.FullName, "accuracy.csv"), csv.ToString());
        PlotModel chart = Chart.Lines($"{evaluated} accuracy of the semi-supervised GAN ({model.LabelledRows} labels)", "epoch", "accuracy (%)",
            [new ChartSeries(evaluated, [.. model.History.Select(e => ((double)e.Epoch, 100 * (e.ValidationAccuracy ?? double.NaN)))], OxyColors.SteelBlue)]);
        string png = ReportFile.Write(Path.Combine(output.FullName, "accuracy.png"), Chart.Png(chart));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{model.LabelledRows} labelled + {model.Rows - model.LabelledRows:N0} unlabelled images, seed {model.Seed}: {evaluated} accuracy {metrics.MicroAccuracy:P2} " +
            $"({Math.Round((1 - metrics.MicroAccuracy) * evaluation.GetRowCount()!.Value)} errors of {evaluation.GetRowCount():N0}), " +
            $"{model.History.Sum(e => e.Duration.TotalMinutes):F1} training minutes"));
        Console.WriteLine($"Wrote {zip}");
        Console.WriteLine($"Wrote {accuracyCsv}");
        Console.WriteLine($"Wrote {png}");
        return 0;
    }
}
