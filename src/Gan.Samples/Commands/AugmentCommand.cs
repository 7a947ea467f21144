using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using Gan.Samples.Augmentation;
using Gan.Samples.Reporting;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Gan;
using Spectre.Console;

namespace Gan.Samples.Commands;

/// <summary>
/// <c>augment</c>: does synthetic data help a classifier trained on few labels? Runs the augmentation study
/// (<see cref="AugmentationStudy"/>) and writes its Markdown report and chart. <c>--quick</c> is a small version for
/// CI-size checks.
/// </summary>
internal static class AugmentCommand
{
    /// <summary>GAN generator steps per regime unless --gan-steps says otherwise.</summary>
    internal static int DefaultGanSteps(int regime) => regime <= 100 ? 1_000 : 1_500;

    public static Command Create()
    {
        Option<DirectoryInfo?> mnistDirectory = CommonOptions.MnistDirectory();
        Option<DirectoryInfo> output = CommonOptions.Output("out/augment");
        Option<LogLevel> logLevel = CommonOptions.Verbosity();
        logLevel.DefaultValueFactory = _ => LogLevel.Warning;
        Option<FileInfo?> report = new("--report") { Description = "Where to write the Markdown report (default: <output>/augment.md); the chart goes next to it." };
        Option<DirectoryInfo?> runsDirectory = new("--runs")
        {
            Description = "Where each finished run (one regime and seed) is kept and reused by a later invocation of the same plan (default: <output>/runs). A folder in the repository lets a study longer than one sitting go on from another clone.",
        };
        Option<bool> quick = new("--quick") { Description = "A small study for CI-size checks (under 5 minutes on 2 cores): 100 labels with and without the unlabelled rows, seeds 1 and 2, ratio 5, small budgets (options given explicitly still apply)." };
        Option<int[]> regimes = new("--regimes") { Description = "Labelled real rows per run (multiples of 10).", DefaultValueFactory = _ => [100, 1_000], AllowMultipleArgumentsPerToken = true };
        Option<int[]> seeds = new("--seeds") { Description = "Seeds; each gives other real rows, another GAN and other classifiers.", DefaultValueFactory = _ => [1, 2, 3, 4, 5], AllowMultipleArgumentsPerToken = true };
        Option<int[]> ratios = new("--ratios") { Description = "Synthetic rows per real row.", DefaultValueFactory = _ => [1, 5, 20], AllowMultipleArgumentsPerToken = true };
        Option<StudyClassifier[]> classifiers = new("--classifiers") { Description = "Classifiers trained on every arm.", DefaultValueFactory = _ => [StudyClassifier.Lbfgs, StudyClassifier.LightGbm, StudyClassifier.Cnn], AllowMultipleArgumentsPerToken = true };
        Option<int[]?> ganSteps = new("--gan-steps") { Description = "Generator steps per regime (one value, or one per regime; default 1,000 up to 100 labels, 1,500 above).", AllowMultipleArgumentsPerToken = true };
        Option<int> width = new("--dcgan-width") { Description = "Width of the GAN's DCGAN networks.", DefaultValueFactory = _ => 32 };
        Option<DiffAugmentPolicy> diffAugment = new("--diff-augment") { Description = "DiffAugment policy of the GAN.", DefaultValueFactory = _ => DiffAugmentPolicy.Translation | DiffAugmentPolicy.Cutout };
        Option<float?> ema = new("--ema") { Description = "EMA decay of the GAN's generator (0.995: the average spans about 200 steps; after 1,500 steps it keeps 0.05 % of the untrained weights, where 0.999 keeps 22 %).", DefaultValueFactory = _ => 0.995f };
        Option<float> modeSeeking = new("--mode-seeking") { Description = "Weight of the GAN's mode-seeking (diversity) term; 0 is off.", DefaultValueFactory = _ => 0f };
        Option<bool> auxiliary = new("--aux-classifier") { Description = "Let the GAN's discriminator also classify real images, and reward the generator for images of their label (AC-GAN); --aux-classifier false turns it off.", DefaultValueFactory = _ => true };
        Option<float> latentScale = CommonOptions.LatentScale();
        Option<float> filterConfidence = new("--filter-confidence") { Description = "Arm (d): keep GAN rows the real-row CNN gives their label with at least this probability (0.5: its most probable class is the label).", DefaultValueFactory = _ => 0.5f };
        Option<int> cnnSteps = new("--cnn-steps") { Description = "Adam steps (batch 64) of every CNN fit.", DefaultValueFactory = _ => 250 };
        Option<int> lightGbmIterations = new("--lightgbm-iterations") { Description = "Boosting iterations of LightGbm (16 leaves, 32 bins per pixel).", DefaultValueFactory = _ => 15 };
        Option<int> lbfgsIterations = new("--lbfgs-iterations") { Description = "L-BFGS iterations of LbfgsMaximumEntropy (the same budget on every arm).", DefaultValueFactory = _ => 100 };
        Option<int> validationRows = new("--validation-rows") { Description = "MNIST train rows held out (the last ones) to choose the best arms on.", DefaultValueFactory = _ => 2_000 };
        Option<int> threads = new("--threads") { Description = "TorchSharp threads for the GAN and the CNN.", DefaultValueFactory = _ => 2 };
        Option<int[]?> unlabelledRegimes = new("--unlabelled-regimes")
        {
            Description = "Regimes (of --regimes) that also run the setting \"N labels + the rest of MNIST train unlabelled\": the semi-supervised classifier, the rows of its pipeline, and the classifier itself as a reference (default: 100 and 1,000 when among --regimes).",
            AllowMultipleArgumentsPerToken = true,
        };
        Option<int> sslSelfTraining = new("--ssl-self-training-epochs")
        {
            Description = "Self-training epochs of the semi-supervised classifier (the library's default, 20).",
            DefaultValueFactory = _ => new SemiSupervisedGanOptions().SelfTrainingEpochs,
        };
        Option<bool> sslAlignment = new("--ssl-distribution-alignment")
        {
            Description = "Whether the semi-supervised classifier aligns its class distribution on unlabelled images (the library's default, true; docs/augmentation-runs were made with false).",
            DefaultValueFactory = _ => new SemiSupervisedGanOptions().DistributionAlignment,
        };
        Option<int> sslSteps = new("--ssl-steps") { Description = "Training steps of the semi-supervised classifier (600 are one epoch of its 100 labelled + 100 unlabelled batches).", DefaultValueFactory = _ => 3_000 };
        Option<int> sslGanSteps = new("--ssl-gan-steps")
        {
            Description = "Generator steps of the GAN (the synthetic-data recipe) trained on the real rows and the unlabelled rows the classifier labelled.",
            DefaultValueFactory = _ => StudyPlan.DefaultSemiSupervisedGanSteps,
        };
        Option<float> pseudoLabelConfidence = new("--pseudo-label-confidence") { Description = "An unlabelled row takes the semi-supervised classifier's label when it gives that label at least this probability.", DefaultValueFactory = _ => 0.95f };

        var command = new Command("augment", "The augmentation study: classifiers trained on few real MNIST labels, with and without classic and GAN-made rows.")
        {
            mnistDirectory, output, report, runsDirectory, quick, regimes, seeds, ratios, classifiers, ganSteps, width, diffAugment, ema, modeSeeking, auxiliary, latentScale, filterConfidence,
            cnnSteps, lightGbmIterations, lbfgsIterations, validationRows, threads, unlabelledRegimes, sslSteps, sslSelfTraining, sslAlignment, sslGanSteps, pseudoLabelConfidence, logLevel,
        };
        command.SetAction((result, cancellationToken) =>
        {
            bool small = result.GetValue(quick);
            T Pick<T>(Option<T> option, T quickValue) => small && result.GetResult(option) is not { Implicit: false } ? quickValue : result.GetValue(option)!;
            int[] chosenRegimes = Pick(regimes, [100]);
            int[]? steps = result.GetValue(ganSteps) is { Length: > 0 } given ? given : null;
            var plan = new StudyPlan
            {
                Regimes = chosenRegimes,
                Seeds = Pick(seeds, [1, 2]),
                Ratios = Pick(ratios, [5]),
                Classifiers = result.GetValue(classifiers)!,
                GanSteps = steps is { Length: 1 } ? [.. chosenRegimes.Select(_ => steps[0])]
                    : steps ?? [.. chosenRegimes.Select(r => small ? 300 : DefaultGanSteps(r))],
                DcganWidth = result.GetValue(width),
                DiffAugment = result.GetValue(diffAugment),
                GeneratorEma = result.GetValue(ema),
                ModeSeeking = result.GetValue(modeSeeking),
                AuxiliaryClassifier = result.GetValue(auxiliary),
                LatentScale = result.GetValue(latentScale),
                FilterConfidence = result.GetValue(filterConfidence),
                CnnSteps = Pick(cnnSteps, 100),
                LightGbmIterations = Pick(lightGbmIterations, 10),
                LbfgsIterations = Pick(lbfgsIterations, 50),
                ValidationRows = Pick(validationRows, 2_000),
                Threads = result.GetValue(threads),
                UnlabelledRegimes = result.GetValue(unlabelledRegimes) is { Length: > 0 } unlabelled ? unlabelled : [.. chosenRegimes.Where(r => r is 100 or 1_000)],
                SemiSupervisedSteps = Pick(sslSteps, 300),
                SemiSupervisedSelfTrainingEpochs = Pick(sslSelfTraining, 2),
                SemiSupervisedDistributionAlignment = result.GetValue(sslAlignment),
                SemiSupervisedGanSteps = Pick(sslGanSteps, 300),
                PseudoLabelConfidence = result.GetValue(pseudoLabelConfidence),
            };
            plan.Validate();
            DirectoryInfo outputDirectory = result.GetValue(output)!;
            DirectoryInfo runs = result.GetValue(runsDirectory) ?? new DirectoryInfo(Path.Combine(outputDirectory.FullName, "runs"));
            return Task.FromResult(Run(plan, result.GetValue(mnistDirectory), outputDirectory, runs, result.GetValue(report), result.GetValue(logLevel), cancellationToken));
        });
        return command;
    }

    private static int Run(StudyPlan plan, DirectoryInfo? mnistDirectory, DirectoryInfo output, DirectoryInfo runsDirectory, FileInfo? reportFile, LogLevel logLevel, CancellationToken cancellationToken)
    {
        string path = reportFile?.FullName ?? Path.Combine(output.FullName, "augment.md");
        string directory = Path.GetDirectoryName(path)!;
        CommonOptions.EnsureWritableDirectory(new DirectoryInfo(directory), reportFile is null ? "--output" : "--report");
        CommonOptions.EnsureWritableDirectory(output, "--output");
        CommonOptions.EnsureWritableDirectory(runsDirectory, "--runs");
        using ILoggerFactory loggers = CommonOptions.CreateLoggerFactory(logLevel);
        ILogger logger = loggers.CreateLogger("augment");
        MnistOptions mnist = CommonOptions.Mnist(mnistDirectory, logger);
        int fits = plan.Regimes.Sum(regime => plan.Seeds.Length * plan.Arms(regime).Count() * plan.Classifiers.Length);
        int runs = plan.Regimes.Length * plan.Seeds.Length;
        string command = "gan-samples " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
        string chartName = Path.GetFileNameWithoutExtension(path);
        var clock = Stopwatch.StartNew();
        AugmentationStudy study = null!;
        var kept = new StudyRuns(runsDirectory.FullName, plan);
        if (kept.Load().Count is int reused and > 0)
        {
            Console.WriteLine($"Reusing {reused} finished run(s) of this study kept in {kept.Directory} (delete it to measure them again).");
        }

        // After every run a partial report shows what is measured so far. It goes to the output folder, not to --report: a
        // study stopped by the user or the machine leaves the report it would replace as it was (its runs are kept anyway).
        string partialPath = Path.Combine(output.FullName, "partial", Path.GetFileName(path));
        string WriteReport(string? partial)
        {
            var results = new StudyResults(study.Measurements, study.Gans, study.SemiSupervised, study.Notes);
            TimeSpan elapsed = clock.Elapsed + TimeSpan.FromSeconds(study.ReusedSeconds);
            (string file, string folder) = partial is null ? (path, directory) : (partialPath, Path.GetDirectoryName(partialPath)!);
            System.IO.Directory.CreateDirectory(folder);
            string markdown = AugmentationReport.Write(plan, results, command, elapsed, folder, chartName, partial);
            ReportFile.Write(file, markdown);
            ReportFile.Write(Path.ChangeExtension(file, ".csv"), AugmentationReport.Csv(study.Measurements));
            return markdown;
        }

        AugmentationStudy Create(Action<string> status)
        {
            var created = new AugmentationStudy(plan, mnist, logger, status) { Runs = kept };
            created.RunFinished += done =>
            {
                if (done < runs)
                {
                    WriteReport($"{done} of {runs} runs, {(clock.Elapsed + TimeSpan.FromSeconds(created.ReusedSeconds)).TotalMinutes:F1} minutes (kept runs included)");
                    Console.WriteLine($"{done} of {runs} runs done; what they measured so far: {partialPath}");
                }
            };
            return created;
        }

        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(context =>
                {
                    ProgressTask task = context.AddTask("Reading MNIST", maxValue: fits);
                    study = Create(status =>
                    {
                        task.Description = Markup.Escape(status);
                        task.Value = study?.Measurements.Count ?? 0;
                    });
                    study.Run(cancellationToken);
                    task.Value = fits;
                });
        }
        else
        {
            study = Create(status =>
            {
                // Without a terminal, one line per GAN and per stage, not per fit.
                if (!status.Contains(" on real", StringComparison.Ordinal))
                {
                    Console.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] {status}");
                }
            });
            study.Run(cancellationToken);
        }

        string markdown = WriteReport(partial: null);
        Console.Write(markdown);
        Console.WriteLine($"Wrote {path}, every fit in {Path.ChangeExtension(path, ".csv")} and the charts ({chartName}-*.png) in {clock.Elapsed.TotalMinutes:F1} minutes ({fits} classifier fits).");
        return 0;
    }
}
