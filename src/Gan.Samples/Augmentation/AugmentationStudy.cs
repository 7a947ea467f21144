using System.Globalization;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.LightGbm;

namespace Gan.Samples.Augmentation;

/// <summary>
/// The augmentation study: for every regime (labelled real rows) and seed, take a balanced random set of real rows
/// from MNIST train (without its last <see cref="StudyPlan.ValidationRows"/>, the validation split), train a
/// conditional GAN on those rows only, make the arms' training sets, fit every classifier on every arm, and measure
/// each on the validation split (to choose settings) and on the MNIST test split (to report).
/// </summary>
internal sealed class AugmentationStudy(StudyPlan plan, MnistOptions mnist, ILogger logger, Action<string> status)
{
    private const int TrainRows = 60_000;

    /// <summary>Label agreement (a diagnostic) is measured on the first this many rows of each GAN's output.</summary>
    internal const int AgreementRows = 10_000;

    public List<Measurement> Measurements { get; } = [];

    public List<GanRun> Gans { get; } = [];

    /// <summary>What the report should say about runs that could not measure everything.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Raised after every run (one regime and seed), with the number of runs done so far.</summary>
    public event Action<int>? RunFinished;

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);

    public void Run(CancellationToken cancellationToken)
    {
        var ml = new MLContext(seed: 1);
        LabelledDigits train = LabelledDigits.Read(ml.Gan().LoadMnist(MnistSplit.Train, mnist));
        LabelledDigits pool = train.Take(TrainRows - plan.ValidationRows);
        IDataView validation = ml.Data.Cache(train.Select(Enumerable.Range(TrainRows - plan.ValidationRows, plan.ValidationRows)).ToDataView(ml));
        IDataView test = ml.Data.Cache(ml.Gan().LoadMnist(MnistSplit.Test, mnist));
        int done = 0;
        for (int r = 0; r < plan.Regimes.Length; r++)
        {
            foreach (int seed in plan.Seeds)
            {
                cancellationToken.ThrowIfCancellationRequested();
                RunOne(plan.Regimes[r], plan.GanSteps[r], seed, pool, validation, test, cancellationToken);
                // A run's cached views, GAN, classifiers and native buffers are garbage now; free them before the next run.
                // Native memory (TorchSharp, ONNX Runtime, LightGbm) does not count towards the GC's budget.
                NativeHeap.Release();
                logger.LogInformation("After {Regime} labels, seed {Seed}: working set {Megabytes:N0} MB", plan.Regimes[r], seed, Environment.WorkingSet / (1024 * 1024));
                RunFinished?.Invoke(++done);
            }
        }
    }

    private void RunOne(int regime, int ganSteps, int seed, LabelledDigits pool, IDataView validation, IDataView test, CancellationToken cancellationToken)
    {
        var ml = new MLContext(seed);
        LabelledDigits real = pool.Balanced(regime / LabelledDigits.Classes, new Random((seed * 1_000_003) + regime));
        IDataView realRows = ml.Data.Cache(real.ToDataView(ml));
        int maxRows = regime * plan.Ratios.Max();

        status($"{regime:N0} labels, seed {seed}: training the GAN ({ganSteps:N0} steps)");
        var clock = Stopwatch.StartNew();
        var options = new GanOptions
        {
            Network = new DcganNetworkOptions { Width = plan.DcganWidth },
            Conditional = true,
            DiffAugment = plan.DiffAugment,
            GeneratorEmaDecay = plan.GeneratorEma,
            ModeSeekingWeight = plan.ModeSeeking,
            AuxiliaryClassifier = plan.AuxiliaryClassifier,
            Budget = TrainingBudget.OfSteps(ganSteps),
            Seed = seed,
            Threads = plan.Threads,
            SampleCount = 0,
            Logger = logger,
        };
        using GanTransformer gan = ml.Gan().Train(options).Fit(realRows, cancellationToken);
        double ganSeconds = clock.Elapsed.TotalSeconds;

        status($"{regime:N0} labels, seed {seed}: making synthetic rows");
        clock.Restart();
        bool measurePeak = NativeHeap.ResetPeak();
        IDataView classic = ml.Data.Cache(ClassicAugmentation.Make(real, maxRows, seed).ToDataView(ml));
        IDataView synthetic = ml.Data.Cache(gan.GenerateTrainingRows(maxRows, seed, options: new SyntheticRowOptions { LatentScale = plan.LatentScale }));
        var stage = Stopwatch.StartNew();
        // The filter may use only what a user with these labels has: a CNN trained on the real rows and their classic augmentation.
        using LeNetClassifier judge = ml.Gan().TrainClassifier(ml.Gan().AppendRows(realRows, ml.Data.TakeRows(classic, regime * 5)), CnnRecipe(seed, plan.Threads), logger);
        IDataView filtered = ml.Data.Cache(gan.GenerateTrainingRows(maxRows, seed, options: new SyntheticRowOptions
        {
            MinimumConfidence = plan.FilterConfidence,
            Classifier = judge,
            MaxCandidatesPerRow = 200,
            LatentScale = plan.LatentScale,
        }));
        logger.LogInformation("{Regime} labels, seed {Seed}: the filter's CNN trained in {Seconds:F1} s", regime, seed, stage.Elapsed.TotalSeconds);
        stage.Restart();
        double filteredAgreement;
        try
        {
            CachedRows.Fill(filtered);   // makes (and caches) every filtered row, so a GAN too poor for the filter fails here
            filteredAgreement = MnistFeatureNetwork.Accuracy(ml.Data.TakeRows(filtered, AgreementRows));
        }
        catch (InvalidOperationException e)
        {
            // A GAN too poor for the filter: arm (d) is left out of this run, and the report says so.
            Notes.Add($"{regime:N0} labels, seed {seed}: arm (d) left out, {Innermost(e).Message}");
            filteredAgreement = double.NaN;
        }

        logger.LogInformation("{Regime} labels, seed {Seed}: {Rows:N0} filtered rows made and checked in {Seconds:F1} s", regime, seed, maxRows, stage.Elapsed.TotalSeconds);
        stage.Restart();
        CachedRows.Fill(synthetic);   // makes (and caches) every GAN row, so the fits below time training only
        double agreement = MnistFeatureNetwork.Accuracy(ml.Data.TakeRows(synthetic, AgreementRows));
        logger.LogInformation("{Regime} labels, seed {Seed}: {Rows:N0} GAN rows made and checked in {Seconds:F1} s; peak resident set while making rows {Megabytes} MB",
            regime, seed, maxRows, stage.Elapsed.TotalSeconds, measurePeak ? NativeHeap.PeakMegabytes()?.ToString("N0", CultureInfo.InvariantCulture) ?? "n/a" : "n/a");
        Gans.Add(new GanRun(regime, seed, ganSeconds, clock.Elapsed.TotalSeconds, agreement, filteredAgreement));

        var arms = new List<(Arm Arm, int Ratio, IDataView Data)>();
        foreach ((Arm arm, int ratio) in plan.Arms())
        {
            if (arm == Arm.FilteredGan && double.IsNaN(filteredAgreement))
            {
                continue;
            }

            int extra = regime * ratio;
            arms.Add((arm, ratio, arm switch
            {
                Arm.Real => realRows,
                Arm.Classic => ml.Gan().AppendRows(realRows, ml.Data.TakeRows(classic, extra)),
                Arm.Gan => ml.Gan().AppendRows(realRows, ml.Data.TakeRows(synthetic, extra)),
                Arm.FilteredGan => ml.Gan().AppendRows(realRows, ml.Data.TakeRows(filtered, extra)),
                _ => ml.Gan().AppendRows(realRows, ml.Data.TakeRows(classic, extra / 2), ml.Data.TakeRows(synthetic, extra / 2)),
            }));
        }

        // The CNN fits (TorchSharp on one thread, batch 64: a second thread buys little) run beside the ML.NET fits, which
        // use every core, so the two cores stay busy. Every view is cached and filled by now, and only the CNN fits use
        // TorchSharp's generator, so results do not depend on the interleaving.
        StudyClassifier[] mlNet = [.. plan.Classifiers.Where(c => c != StudyClassifier.Cnn)];
        bool cnnBeside = mlNet.Length > 0 && plan.Classifiers.Contains(StudyClassifier.Cnn);
        Task cnnFits = cnnBeside
            ? Task.Factory.StartNew(() => FitAll(ml, [StudyClassifier.Cnn], arms, regime, seed, validation, test, threads: 1, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            : Task.CompletedTask;
        try
        {
            FitAll(ml, cnnBeside ? mlNet : plan.Classifiers, arms, regime, seed, validation, test, plan.Threads, cancellationToken);
        }
        finally
        {
            // Wait for the CNN fits even when the ML.NET ones failed: they read this run's views.
            cnnFits.GetAwaiter().GetResult();
        }
    }

    private void FitAll(MLContext ml, StudyClassifier[] classifiers, List<(Arm Arm, int Ratio, IDataView Data)> arms, int regime, int seed,
        IDataView validation, IDataView test, int threads, CancellationToken cancellationToken)
    {
        foreach ((Arm arm, int ratio, IDataView data) in arms)
        {
            foreach (StudyClassifier classifier in classifiers)
            {
                cancellationToken.ThrowIfCancellationRequested();
                status($"{regime:N0} labels, seed {seed}: {classifier} on {Describe(arm, ratio)}");
                var clock = Stopwatch.StartNew();
                (double validationAccuracy, double testAccuracy) = Fit(ml, classifier, data, validation, test, seed, threads);
                logger.LogDebug("{Classifier} on {Arm}: {Seconds:F1} s", classifier, Describe(arm, ratio), clock.Elapsed.TotalSeconds);
                lock (Measurements)
                {
                    Measurements.Add(new Measurement(regime, seed, classifier, arm, ratio, validationAccuracy, testAccuracy, clock.Elapsed.TotalSeconds));
                }

                if (classifier == StudyClassifier.LightGbm)
                {
                    NativeHeap.Release();   // LightGbm's training buffers are gigabytes on the largest arms
                }
            }
        }
    }

    public static string Describe(Arm arm, int ratio) => arm switch
    {
        Arm.Real => "real only",
        Arm.Classic => $"real + {ratio}x classic",
        Arm.Gan => $"real + {ratio}x GAN",
        Arm.FilteredGan => $"real + {ratio}x filtered GAN",
        _ => $"real + {ratio}x half classic, half GAN",
    };

    private LeNetClassifierOptions CnnRecipe(int seed, int threads) => new() { MaxSteps = plan.CnnSteps, BatchSize = 64, Seed = seed, Threads = threads };

    private (double Validation, double Test) Fit(MLContext ml, StudyClassifier classifier, IDataView data, IDataView validation, IDataView test, int seed, int threads)
    {
        if (classifier == StudyClassifier.Cnn)
        {
            using LeNetClassifier cnn = ml.Gan().TrainClassifier(data, CnnRecipe(seed, threads));
            return (cnn.Accuracy(validation), cnn.Accuracy(test));
        }

        IEstimator<ITransformer> trainer = classifier == StudyClassifier.Lbfgs
            ? ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = "Label",
                FeatureColumnName = "Features",
                MaximumNumberOfIterations = plan.LbfgsIterations,
            })
            : ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
            {
                LabelColumnName = "Label",
                FeatureColumnName = "Features",
                NumberOfIterations = plan.LightGbmIterations,
                NumberOfLeaves = 16,
                MaximumBinCountPerFeature = 32,   // pixels: 32 intensity levels are plenty, and histograms get 8x cheaper
                Seed = seed,
                Silent = true,
            });
        ITransformer model = ml.Transforms.CopyColumns("Features", "Pixels").Append(trainer).Fit(data);
        double Accuracy(IDataView rows) => ml.MulticlassClassification.Evaluate(model.Transform(rows), labelColumnName: "Label").MicroAccuracy;
        return (Accuracy(validation), Accuracy(test));
    }
}
