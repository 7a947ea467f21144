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
        Option<SemiSupervisedNetwork> network = new("--network")
        {
            Description = "The classifier's network: Mlp (the Improved GAN paper's dense layers) or Cnn (two strided convolutions and a dense layer).",
            DefaultValueFactory = _ => defaults.Network,
        };
        Option<float> consistency = new("--consistency") { Description = "Weight of the consistency term (0: the paper's recipe).", DefaultValueFactory = _ => defaults.ConsistencyWeight };
        Option<float> threshold = new("--confidence") { Description = "Confidence an unlabelled image needs to count in the consistency term.", DefaultValueFactory = _ => defaults.ConfidenceThreshold };
        Option<float> consistencyStart = new("--consistency-start")
        {
            Description = "Share of the GAN's budget, at its start, trained without the consistency term.",
            DefaultValueFactory = _ => defaults.ConsistencyStartShare,
        };
        Option<ConsistencyAugmentation> strong = new("--strong-augmentation")
        {
            Description = "The strong view of an unlabelled image in the consistency term: AffineAndCutOut (turn, scale, shear, shift, cut-out), ShiftAndCutOut, or Affine (no cut-out).",
            DefaultValueFactory = _ => defaults.StrongAugmentation,
        };
        Option<bool> noisyTargets = new("--noisy-targets")
        {
            Description = "Draw the consistency term's targets with the classifier's training noise on (true) or as it scores, without noise (false).",
            DefaultValueFactory = _ => defaults.NoisyConsistencyTargets,
        };
        Option<bool> alignment = new("--distribution-alignment")
        {
            Description = "Align the classifier's class distribution on unlabelled images with a uniform one before the consistency term picks its targets (ReMixMatch's distribution alignment).",
            DefaultValueFactory = _ => defaults.DistributionAlignment,
        };
        Option<int> selfTraining = new("--self-training-epochs")
        {
            Description = "Epochs of self-training after the GAN: a fresh CNN learns the labelled images and the unlabelled ones the GAN's classifier labels with probability at least --pseudo-label-confidence (0: keep the GAN's classifier).",
            DefaultValueFactory = _ => defaults.SelfTrainingEpochs,
        };
        Option<int> rounds = new("--self-training-rounds")
        {
            Description = "Rounds of self-training: after the first, the last student labels the unlabelled images again for a fresh one.",
            DefaultValueFactory = _ => defaults.SelfTrainingRounds,
        };
        Option<bool> studentConsistency = new("--student-consistency")
        {
            Description = "The student also learns every unlabelled image by consistency (FixMatch): its weight average labels the image shifted by a pixel, and a label at least --pseudo-label-confidence sure must come back from the strong view (--student-strong-augmentation). On by default; false turns it off.",
            DefaultValueFactory = _ => defaults.StudentConsistency,
        };
        Option<ConsistencyAugmentation> studentStrong = new("--student-strong-augmentation")
        {
            Description = "The strong view of an unlabelled image in the student's consistency term (--student-consistency): Affine (turn, scale, shear, shift; the default), AffineAndCutOut or ShiftAndCutOut.",
            DefaultValueFactory = _ => defaults.StudentStrongAugmentation,
        };
        Option<int> studentChannels = new("--student-channels")
        {
            Description = "Channels of each of the student's two convolutions (default 32; at most 8 or a multiple of 8); more give it room for more, at more time per epoch.",
            DefaultValueFactory = _ => defaults.StudentChannels,
        };
        Option<bool> propagate = new("--propagate-labels")
        {
            Description = "Each image the GAN's classifier labels for the student takes the class the classifier and label propagation agree on best (a graph linking every training image to its 10 most similar, slant-corrected pixels); off by default.",
            DefaultValueFactory = _ => defaults.PropagateLabels,
        };
        Option<float> decay = new("--lr-decay-share") { Description = "Share of the budget at its end over which the learning rates fall to 0.", DefaultValueFactory = _ => defaults.LearningRateDecayShare };
        Option<float?> average = new("--weight-average") { Description = $"Decay of the weight average that is measured and saved (default {defaults.WeightAverageDecay}; 0 turns it off)." };
        Option<float> learningRate = new("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => defaults.LearningRate };
        Option<int> threads = new("--threads") { Description = "TorchSharp intra-op threads; 0 chooses while training.", DefaultValueFactory = _ => defaults.Threads };
        Option<string> device = CommonOptions.Device("TorchSharp device to train on");
        Option<DirectoryInfo?> pseudoLabels = new("--pseudo-labels")
        {
            Description = "Also write the training images labelled by the trained classifier as MNIST IDX files (train-* and, as is, t10k-*) into this directory: " +
                "labelled images keep their label, an unlabelled one gets the predicted digit when its probability reaches --pseudo-label-confidence and is left out otherwise. " +
                "'train --synthetic-data-recipe --mnist-dir DIR' then trains a conditional generator of labelled synthetic rows on them.",
        };
        Option<float> pseudoLabelConfidence = new("--pseudo-label-confidence")
        {
            Description = "Probability an unlabelled image's predicted digit needs to join self-training, and to be written with --pseudo-labels.",
            DefaultValueFactory = _ => defaults.PseudoLabelConfidence,
        };

        Option<FileInfo?> model = new("--model")
        {
            Description = "Score this saved classifier zip instead of training one: accuracy on the test images (or, with --validation-rows, on the held-out ones), " +
                "where its errors are, and errors.png in --output.",
        };

        var command = new Command("semi-supervised",
            "Train a semi-supervised GAN classifier on MNIST with --labels-per-class labels and the other training images unlabelled; test accuracy per epoch, model zip, curves.")
        {
            mnistDirectory, output, labelsPerClass, labelSeed, seed, epochs, maxSteps, validationRows, network, consistency, threshold, consistencyStart, strong, noisyTargets, alignment, selfTraining, rounds, studentConsistency, studentStrong, studentChannels, propagate, decay, average, learningRate, threads, device, pseudoLabels, pseudoLabelConfidence, model, logLevel,
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

            if (result.GetValue(model) is FileInfo saved)
            {
                return Task.FromResult(Score(saved, held, result.GetValue(mnistDirectory), result.GetValue(output)!, result.GetValue(logLevel)));
            }

            float confidence = result.GetValue(pseudoLabelConfidence);
            if (!(confidence is >= 0 and <= 1))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--pseudo-label-confidence ({confidence}) must lie in [0, 1]."));
            }

            float? averageDecay = result.GetValue(average) is float a ? (a == 0 ? null : a) : defaults.WeightAverageDecay;
            var options = new SemiSupervisedGanOptions
            {
                Budget = result.GetValue(maxSteps) is int steps ? TrainingBudget.OfSteps(steps) : TrainingBudget.OfEpochs(result.GetValue(epochs) ?? defaults.Budget.Epochs!.Value),
                Network = result.GetValue(network),
                ConsistencyWeight = result.GetValue(consistency),
                ConfidenceThreshold = result.GetValue(threshold),
                StrongAugmentation = result.GetValue(strong),
                ConsistencyStartShare = result.GetValue(consistencyStart),
                NoisyConsistencyTargets = result.GetValue(noisyTargets),
                DistributionAlignment = result.GetValue(alignment),
                SelfTrainingEpochs = result.GetValue(selfTraining),
                SelfTrainingRounds = result.GetValue(rounds),
                StudentConsistency = result.GetValue(studentConsistency),
                StudentStrongAugmentation = result.GetValue(studentStrong),
                StudentChannels = result.GetValue(studentChannels),
                PseudoLabelConfidence = confidence,
                PropagateLabels = result.GetValue(propagate),
                LearningRateDecayShare = result.GetValue(decay),
                WeightAverageDecay = averageDecay,
                LearningRate = result.GetValue(learningRate),
                Threads = result.GetValue(threads),
                Seed = result.GetValue(seed),
                Device = result.GetValue(device)!.Trim().ToLowerInvariant(),
            };
            var pseudo = result.GetValue(pseudoLabels) is DirectoryInfo directory ? new PseudoLabelTarget(directory, confidence) : null;
            return Task.FromResult(Run(options, perClass, result.GetValue(labelSeed), held, result.GetValue(mnistDirectory), result.GetValue(output)!, pseudo, result.GetValue(logLevel), cancellationToken));
        });
        return command;
    }

    /// <summary>Where --pseudo-labels writes, and the confidence it asks for.</summary>
    private sealed record PseudoLabelTarget(DirectoryInfo Directory, float MinimumConfidence);

    private static int Run(SemiSupervisedGanOptions options, int perClass, int labelSeed, int held, DirectoryInfo? mnistDirectory, DirectoryInfo output, PseudoLabelTarget? pseudo,
        LogLevel logLevel, CancellationToken cancellationToken)
    {
        CommonOptions.EnsureWritableDirectory(output, "--output");
        if (pseudo is not null)
        {
            if (mnistDirectory is not null)
            {
                CommonOptions.RefuseOutputOverInput(pseudo.Directory, "--pseudo-labels", mnistDirectory, "--mnist-dir");
            }

            CommonOptions.EnsureWritableDirectory(pseudo.Directory, "--pseudo-labels");
        }

        using ILoggerFactory loggers = CommonOptions.CreateLoggerFactory(logLevel);
        ILogger logger = loggers.CreateLogger("semi-supervised");
        var ml = new MLContext(seed: options.Seed);
        ml.Gan().SemiSupervisedClassifier(options);   // checks every option before MNIST is read
        IDataView all = ml.Gan().Data.LoadMnist(MnistSplit.Train, CommonOptions.Mnist(mnistDirectory, logger));
        IDataView train = held == 0 ? all : ml.Data.TakeRows(all, 60_000 - held);
        (IDataView evaluation, string evaluated) = Evaluation(ml, () => all, held, mnistDirectory, logger);
        IDataView fewLabels = ml.Data.Cache(ml.Gan().Data.KeepLabels(train, perClass, labelSeed));
        options.Logger = logger;
        options.Progress = new SynchronousProgress<SemiSupervisedGanProgress>(p => Console.WriteLine(p.SelfTraining
            ? string.Create(CultureInfo.InvariantCulture,
                $"Epoch {p.Epoch}/{p.Epochs} (self-training): {evaluated} accuracy {p.ValidationAccuracy:P2} (loss {p.LabelledLoss:F3}; {p.Elapsed.TotalMinutes:F1} min)")
            : string.Create(CultureInfo.InvariantCulture,
                $"Epoch {p.Epoch}/{p.Epochs}: {evaluated} accuracy {p.ValidationAccuracy:P2} (labelled loss {p.LabelledLoss:F3}, unlabelled {p.UnlabelledLoss:F3}, " +
                $"generator {p.GeneratorLoss:F3}; {p.Elapsed.TotalMinutes:F1} min)")));

        using SemiSupervisedGanTransformer model = ml.Gan().SemiSupervisedClassifier(options).Fit(fewLabels, evaluation, cancellationToken);
        IDataView scored = model.Transform(evaluation);
        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(scored);
        Directory.CreateDirectory(output.FullName);
        string zip = Path.Combine(output.FullName, "classifier.zip");
        model.Save(zip);
        var csv = new StringBuilder("epoch,labelled_loss,unlabelled_loss,generator_loss,accuracy,seconds,self_training\n");
        foreach (SemiSupervisedGanEpoch e in model.History)
        {
            csv.Append(string.Create(CultureInfo.InvariantCulture,
                $"{e.Epoch},{e.LabelledLoss:R},{e.UnlabelledLoss:R},{e.GeneratorLoss:R},{e.ValidationAccuracy:R},{e.Duration.TotalSeconds:F2},{(e.SelfTraining ? 1 : 0)}\n"));
        }

        string accuracyCsv = ReportFile.Write(Path.Combine(output.FullName, "accuracy.csv"), csv.ToString());
        ChartSeries[] curves =
        [
            new($"{evaluated}, GAN", [.. model.History.Where(e => !e.SelfTraining).Select(e => ((double)e.Epoch, 100 * (e.ValidationAccuracy ?? double.NaN)))], OxyColors.SteelBlue),
            new($"{evaluated}, self-trained student", [.. model.History.Where(e => e.SelfTraining).Select(e => ((double)e.Epoch, 100 * (e.ValidationAccuracy ?? double.NaN)))], OxyColors.DarkOrange),
        ];
        PlotModel chart = Chart.Lines($"{evaluated} accuracy of the semi-supervised GAN ({model.LabelledRows} labels)", "epoch", "accuracy (%)",
            [.. curves.Where(c => c.Points.Count > 0)]);
        string png = ReportFile.Write(Path.Combine(output.FullName, "accuracy.png"), Chart.Png(chart));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{model.LabelledRows} labelled + {model.Rows - model.LabelledRows:N0} unlabelled images, seed {model.Seed}: {Accuracy(metrics, evaluation, evaluated)}, " +
            $"{model.History.Sum(e => e.Duration.TotalMinutes):F1} training minutes"));
        Console.WriteLine($"Wrote {zip}");
        Console.WriteLine($"Wrote {accuracyCsv}");
        Console.WriteLine($"Wrote {png}");
        string labelledPng = WriteClassGrid(model, fewLabels, predictedColumn: null, Path.Combine(output.FullName, "labelled.png"));
        Console.WriteLine($"Wrote {labelledPng} (up to {ImagesPerClass} of the labelled training images per class, a row per class, the first class on top)");
        ReportErrors(model, metrics, scored, output, evaluated);
        if (pseudo is not null)
        {
            WritePseudoLabels(ml, model, train, fewLabels, pseudo, mnistDirectory, logger);
        }

        return 0;
    }

    /// <summary>The images a classifier is scored on: the test split, or the last <paramref name="held"/> of the training images <paramref name="train"/> gives.</summary>
    private static (IDataView Rows, string Name) Evaluation(MLContext ml, Func<IDataView> train, int held, DirectoryInfo? mnistDirectory, ILogger logger) => held == 0
        ? (ml.Gan().Data.LoadMnist(MnistSplit.Test, CommonOptions.Mnist(mnistDirectory, logger)), "test")
        : (ml.Data.SkipRows(train(), 60_000 - held), "validation");

    /// <summary>"test accuracy 97.56 % (244 errors of 10,000)": the accuracy <paramref name="metrics"/> give on <paramref name="evaluation"/>.</summary>
    private static string Accuracy(MulticlassClassificationMetrics metrics, IDataView evaluation, string evaluated) => string.Create(CultureInfo.InvariantCulture,
        $"{evaluated} accuracy {metrics.MicroAccuracy:P2} ({Math.Round((1 - metrics.MicroAccuracy) * evaluation.GetRowCount()!.Value)} errors of {evaluation.GetRowCount():N0})");

    /// <summary>The error line and errors.png of <paramref name="scored"/>, the evaluation rows as <paramref name="model"/> scored them.</summary>
    private static void ReportErrors(SemiSupervisedGanTransformer model, MulticlassClassificationMetrics metrics, IDataView scored, DirectoryInfo output, string evaluated)
    {
        Console.WriteLine(ErrorSummary(metrics.ConfusionMatrix.Counts, model.Classes));
        string errorsPng = WriteClassGrid(model, scored, model.PredictedLabelColumnName, Path.Combine(output.FullName, "errors.png"));
        Console.WriteLine($"Wrote {errorsPng} (up to {ImagesPerClass} {evaluated} images per true class that the classifier got wrong, a row per class, the first class on top)");
    }

    /// <summary>--model: a saved classifier scored on the evaluation rows, without training.</summary>
    private static int Score(FileInfo saved, int held, DirectoryInfo? mnistDirectory, DirectoryInfo output, LogLevel logLevel)
    {
        if (!saved.Exists)
        {
            throw new FileNotFoundException($"--model: no classifier zip at '{saved.FullName}'.", saved.FullName);
        }

        CommonOptions.EnsureWritableDirectory(output, "--output");
        using ILoggerFactory loggers = CommonOptions.CreateLoggerFactory(logLevel);
        ILogger logger = loggers.CreateLogger("semi-supervised");
        var ml = new MLContext(1);
        using SemiSupervisedGanTransformer model = ml.Gan().LoadClassifier(saved.FullName);
        (IDataView evaluation, string evaluated) = Evaluation(ml, () => ml.Gan().Data.LoadMnist(MnistSplit.Train, CommonOptions.Mnist(mnistDirectory, logger)), held, mnistDirectory, logger);
        IDataView scored = model.Transform(evaluation);
        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(scored);
        Directory.CreateDirectory(output.FullName);
        Console.WriteLine($"{saved.Name}: {Accuracy(metrics, evaluation, evaluated)}");
        ReportErrors(model, metrics, scored, output, evaluated);
        return 0;
    }

    /// <summary>Images shown per class in labelled.png and errors.png.</summary>
    internal const int ImagesPerClass = 10;

    /// <summary>
    /// A PNG grid of the first <see cref="ImagesPerClass"/> labelled rows of <paramref name="rows"/> per class, a row per
    /// class (black where a class has fewer): with <paramref name="predictedColumn"/>, the rows <paramref name="model"/>
    /// classifies wrongly (errors.png; <paramref name="rows"/> scored by it), else every labelled one (labelled.png, what it
    /// was taught). One pass, copying only the images shown.
    /// </summary>
    private static string WriteClassGrid(SemiSupervisedGanTransformer model, IDataView rows, string? predictedColumn, string path)
    {
        ImageShape shape = model.ImageShape;
        int size = shape.Height * shape.Width;   // the first channel
        List<float[]>[] shown = [.. Enumerable.Range(0, model.ClassCount).Select(_ => new List<float[]>())];
        DataViewSchema.Column[] columns = [rows.Schema[model.LabelColumnName], rows.Schema[model.PixelsColumnName], .. predictedColumn is null ? [] : new[] { rows.Schema[predictedColumn] }];
        using (DataViewRowCursor cursor = rows.GetRowCursor(columns))
        {
            ValueGetter<uint> truthGetter = cursor.GetGetter<uint>(columns[0]);
            ValueGetter<VBuffer<float>> pixelsGetter = cursor.GetGetter<VBuffer<float>>(columns[1]);
            ValueGetter<uint>? predictedGetter = predictedColumn is null ? null : cursor.GetGetter<uint>(columns[2]);
            uint truth = 0, predicted = 0;
            VBuffer<float> pixels = default;
            while (cursor.MoveNext())
            {
                truthGetter(ref truth);
                predictedGetter?.Invoke(ref predicted);
                bool wanted = truth != 0 && (predictedGetter is null || truth != predicted);   // labelled; for errors.png, misclassified
                if (!wanted || shown[truth - 1].Count == ImagesPerClass)
                {
                    continue;
                }

                pixelsGetter(ref pixels);
                shown[truth - 1].Add([.. pixels.DenseValues().Take(size)]);
            }
        }

        var blank = new float[size];
        List<float[]> grid = [.. shown.SelectMany(images => images.Concat(Enumerable.Repeat(blank, ImagesPerClass - images.Count)))];
        using MLImage image = GanImages.Grid(grid, shape.Height, shape.Width, ImagesPerClass, scale: 2);
        GanImages.SavePng(image, path);
        return path;
    }

    /// <summary>
    /// Where the errors are, from a confusion matrix (<paramref name="counts"/>[true class][predicted class]): the
    /// <paramref name="top"/> most frequent pairs, then the errors of each true class, named by <paramref name="classes"/>.
    /// </summary>
    internal static string ErrorSummary(IReadOnlyList<IReadOnlyList<double>> counts, IReadOnlyList<string> classes, int top = 5)
    {
        var pairs = from truth in Enumerable.Range(0, counts.Count)
                    from predicted in Enumerable.Range(0, counts[truth].Count)
                    where truth != predicted && counts[truth][predicted] > 0
                    orderby counts[truth][predicted] descending, truth, predicted
                    select string.Create(CultureInfo.InvariantCulture, $"{classes[truth]} → {classes[predicted]}: {counts[truth][predicted]}");
        var perClass = Enumerable.Range(0, counts.Count).Select(truth =>
            string.Create(CultureInfo.InvariantCulture, $"{classes[truth]}: {counts[truth].Where((_, predicted) => predicted != truth).Sum()}"));
        string frequent = string.Join(", ", pairs.Take(top));
        return $"Most frequent errors (true → predicted): {(frequent.Length == 0 ? "none" : frequent)}; errors per true class: {string.Join(", ", perClass)}";
    }

    /// <summary>
    /// The training split with the classifier's confident labels on its unlabelled rows, as MNIST files, and how many of
    /// those labels are right (MNIST knows every label; the classifier did not see them).
    /// </summary>
    private static void WritePseudoLabels(MLContext ml, SemiSupervisedGanTransformer model, IDataView train, IDataView fewLabels, PseudoLabelTarget pseudo,
        DirectoryInfo? mnistDirectory, ILogger logger)
    {
        uint[] truth = [.. train.GetColumn<uint>("Label")];
        uint[] given = [.. fewLabels.GetColumn<uint>("Label")];
        IDataView scored = model.Transform(fewLabels);
        uint[] predicted = [.. scored.GetColumn<uint>("PredictedLabel")];
        float[] confidence = [.. scored.GetColumn<float[]>("Score").Select(p => p.Max())];
        int[] kept = [.. Enumerable.Range(0, truth.Length).Where(i => given[i] == 0 && confidence[i] >= pseudo.MinimumConfidence)];
        int right = kept.Count(i => predicted[i] == truth[i]);

        Directory.CreateDirectory(pseudo.Directory.FullName);
        IDataView labelled = model.LabelUnlabelledRows(fewLabels, pseudo.MinimumConfidence);
        string images = Path.Combine(pseudo.Directory.FullName, "train-images-idx3-ubyte");
        ml.Gan().Data.SaveAsIdx(labelled, images, labelsPath: Path.Combine(pseudo.Directory.FullName, "train-labels-idx1-ubyte"));
        IDataView test = ml.Gan().Data.LoadMnist(MnistSplit.Test, CommonOptions.Mnist(mnistDirectory, logger));
        ml.Gan().Data.SaveAsIdx(test, Path.Combine(pseudo.Directory.FullName, "t10k-images-idx3-ubyte"), labelsPath: Path.Combine(pseudo.Directory.FullName, "t10k-labels-idx1-ubyte"));
        int unlabelled = given.Count(k => k == 0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Pseudo-labels: {kept.Length:N0} of {unlabelled:N0} unlabelled images reached confidence {pseudo.MinimumConfidence} ({100.0 * kept.Length / unlabelled:F1} %), " +
            $"{100.0 * right / Math.Max(1, kept.Length):F2} % of them labelled right; with the {truth.Length - unlabelled} labelled images, " +
            $"{truth.Length - unlabelled + kept.Length:N0} rows written to {pseudo.Directory.FullName} (t10k-* is MNIST test as is)."));
        Console.WriteLine($"Next: gan-samples train --synthetic-data-recipe --mnist-dir {pseudo.Directory.FullName}");
    }
}
