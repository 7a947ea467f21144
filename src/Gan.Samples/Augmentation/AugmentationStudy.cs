using System.Globalization;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
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
            Architecture = GanArchitecture.Dcgan,
            Conditional = true,
            DcganWidth = plan.DcganWidth,
            DiffAugment = plan.DiffAugment,
            GeneratorEmaDecay = plan.GeneratorEma,
            ModeSeekingWeight = plan.ModeSeeking,
            AuxiliaryClassifier = plan.AuxiliaryClassifier,
            MaxSteps = ganSteps,
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
        using LeNetClassifier judge = ml.Gan().TrainClassifier(ml.Gan().AppendRows(realRows, ml.Data.TakeRows(classic, regime * 5)), CnnRecipe(seed), logger);
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
            filteredAgreement = MnistFeatureNetwork.Accuracy(filtered);   // reads (and caches) every filtered row
        }
        catch (InvalidOperationException e)
        {
            // A GAN too poor for the filter: arm (d) is left out of this run, and the report says so.
            Notes.Add($"{regime:N0} labels, seed {seed}: arm (d) left out, {Innermost(e).Message}");
            filteredAgreement = double.NaN;
        }

        logger.LogInformation("{Regime} labels, seed {Seed}: {Rows:N0} filtered rows made and checked in {Seconds:F1} s", regime, seed, maxRows, stage.Elapsed.TotalSeconds);
        stage.Restart();
        double agreement = MnistFeatureNetwork.Accuracy(synthetic);   // reads (and caches) every GAN row
        logger.LogInformation("{Regime} labels, seed {Seed}: {Rows:N0} GAN rows made and checked in {Seconds:F1} s; peak resident set while making rows {Megabytes} MB",
            regime, seed, maxRows, stage.Elapsed.TotalSeconds, measurePeak ? NativeHeap.PeakMegabytes()?.ToString("N0", CultureInfo.InvariantCulture) ?? "n/a" : "n/a");
        Gans.Add(new GanRun(regime, seed, ganSeconds, clock.Elapsed.TotalSeconds, agreement, filteredAgreement));

        foreach ((Arm arm, int ratio) in plan.Arms())
        {
            if (arm == Arm.FilteredGan && double.IsNaN(filteredAgreement))
            {
                continue;
            }

            int extra = regime * ratio;
            IDataView data = arm switch
            {
                Arm.Real => realRows,
                Arm.Classic => ml.Gan().AppendRows(realRows, ml.Data.TakeRows(classic, extra)),
                Arm.Gan => ml.Gan().AppendRows(realRows, ml.Data.TakeRows(synthetic, extra)),
                Arm.FilteredGan => ml.Gan().AppendRows(realRows, ml.Data.TakeRows(filtered, extra)),
                _ => ml.Gan().AppendRows(realRows, ml.Data.TakeRows(classic, extra / 2), ml.Data.TakeRows(synthetic, extra / 2)),
            };
            foreach (StudyClassifier classifier in plan.Classifiers)
            {
                cancellationToken.ThrowIfCancellationRequested();
                status($"{regime:N0} labels, seed {seed}: {classifier} on {Describe(arm, ratio)}");
                clock.Restart();
                bool measureFitPeak = NativeHeap.ResetPeak();
                (double validationAccuracy, double testAccuracy) = Fit(ml, classifier, data, validation, test, seed);
                if (measureFitPeak)
                {
                    logger.LogDebug("{Classifier} on {Arm}: {Seconds:F1} s, peak resident set {Megabytes:N0} MB", classifier, Describe(arm, ratio), clock.Elapsed.TotalSeconds, NativeHeap.PeakMegabytes());
                }

                Measurements.Add(new Measurement(regime, seed, classifier, arm, ratio, validationAccuracy, testAccuracy, clock.Elapsed.TotalSeconds));
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

    private LeNetClassifierOptions CnnRecipe(int seed) => new() { MaxSteps = plan.CnnSteps, BatchSize = 64, Seed = seed, Threads = plan.Threads };

    private (double Validation, double Test) Fit(MLContext ml, StudyClassifier classifier, IDataView data, IDataView validation, IDataView test, int seed)
    {
        if (classifier == StudyClassifier.Cnn)
        {
            using LeNetClassifier cnn = ml.Gan().TrainClassifier(data, CnnRecipe(seed));
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
