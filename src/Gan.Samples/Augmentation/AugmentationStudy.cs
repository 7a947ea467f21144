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

    public List<SemiSupervisedRun> SemiSupervised { get; } = [];

    /// <summary>Where finished runs are kept, and found again when the same study is run again; null keeps nothing.</summary>
    public StudyRuns? Runs { get; init; }

    /// <summary>The seconds the runs reused from <see cref="Runs"/> took when they ran.</summary>
    public double ReusedSeconds { get; private set; }

    /// <summary>What the report should say about runs that could not measure everything.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Raised after every run (one regime and seed), with the number of runs done so far.</summary>
    public event Action<int>? RunFinished;

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);

    public void Run(CancellationToken cancellationToken)
    {
        var ml = new MLContext(seed: 1);
        LabelledDigits train = LabelledDigits.Read(ml.Gan().Data.LoadMnist(MnistSplit.Train, mnist));
        LabelledDigits pool = train.Take(TrainRows - plan.ValidationRows);
        IDataView poolRows = ml.Data.Cache(pool.ToDataView(ml));
        IDataView validation = ml.Data.Cache(train.Select(Enumerable.Range(TrainRows - plan.ValidationRows, plan.ValidationRows)).ToDataView(ml));
        IDataView test = ml.Data.Cache(ml.Gan().Data.LoadMnist(MnistSplit.Test, mnist));
        var finished = new HashSet<(int Regime, int Seed)>();
        foreach (StudyRunRecord kept in Runs?.Load() ?? [])
        {
            Measurements.AddRange(kept.Measurements);
            Gans.AddRange(kept.Gans);
            SemiSupervised.AddRange(kept.SemiSupervised);
            Notes.AddRange(kept.Notes);
            finished.Add((kept.Regime, kept.Seed));
            ReusedSeconds += kept.Seconds;
        }

        if (finished.Count > 0)
        {
            logger.LogInformation("Reusing {Runs} finished run(s) of this plan from {Directory}", finished.Count, Runs!.Directory);
        }

        int done = 0;
        for (int r = 0; r < plan.Regimes.Length; r++)
        {
            foreach (int seed in plan.Seeds)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (finished.Contains((plan.Regimes[r], seed)))
                {
                    RunFinished?.Invoke(++done);
                    continue;
                }

                (int measurements, int gans, int semiSupervised, int notes) = (Measurements.Count, Gans.Count, SemiSupervised.Count, Notes.Count);
                var clock = Stopwatch.StartNew();
                RunOne(plan.Regimes[r], plan.GanSteps[r], seed, pool, poolRows, validation, test, cancellationToken);
                Runs?.Save(plan.Regimes[r], seed, clock.Elapsed.TotalSeconds, Measurements[measurements..], Gans[gans..], SemiSupervised[semiSupervised..], Notes[notes..]);
                // A run's cached views, GAN, classifiers and native buffers are garbage now; free them before the next run.
                // Native memory (TorchSharp, ONNX Runtime, LightGbm) does not count towards the GC's budget.
                NativeHeap.Release();
                logger.LogInformation("After {Regime} labels, seed {Seed}: working set {Megabytes:N0} MB", plan.Regimes[r], seed, Environment.WorkingSet / (1024 * 1024));
                RunFinished?.Invoke(++done);
            }
        }
    }

    /// <summary>The seed of a run's labelled rows: other rows for every regime and seed.</summary>
    private static int LabelSeed(int regime, int seed) => (seed * 1_000_003) + regime;

    private GanOptions GanRecipe(int steps, int seed) => new()
    {
        Network = new DcganNetworkOptions { Width = plan.DcganWidth },
        Conditional = true,
        DiffAugment = plan.DiffAugment,
        GeneratorEmaDecay = plan.GeneratorEma,
        ModeSeekingWeight = plan.ModeSeeking,
        AuxiliaryClassifier = plan.AuxiliaryClassifier,
        Budget = TrainingBudget.OfSteps(steps),
        Seed = seed,
        Threads = plan.Threads,
        SampleCount = 0,
        Logger = logger,
    };

    /// <summary>
    /// The pipeline's generator: the README's, <see cref="GanOptions.SyntheticDataRecipe"/>, for its step budget. It trains on tens
    /// of thousands of images, where the recipe for full data applies (the few-image recipe above would hold it back).
    /// </summary>
    private GanOptions PipelineRecipe(int seed)
    {
        GanOptions recipe = GanOptions.SyntheticDataRecipe();
        recipe.Budget = TrainingBudget.OfSteps(plan.SemiSupervisedGanSteps);
        recipe.Seed = seed;
        recipe.Threads = plan.Threads;
        recipe.SampleCount = 0;
        recipe.Logger = logger;
        return recipe;
    }

    private void RunOne(int regime, int ganSteps, int seed, LabelledDigits pool, IDataView poolRows, IDataView validation, IDataView test, CancellationToken cancellationToken)
    {
        var ml = new MLContext(seed);
        // The labelled rows are the ones mlContext.Gan().Data.KeepLabels keeps, so the setting with unlabelled rows (the same
        // view, its other labels missing) pairs with the labelled-only arms on the very same real rows.
        IDataView kept = ml.Gan().Data.KeepLabels(poolRows, regime / LabelledDigits.Classes, LabelSeed(regime, seed));
        int[] labelled = [.. kept.GetColumn<uint>("Label").Select((key, row) => (Key: key, Row: row)).Where(k => k.Key != 0).Select(k => k.Row)];
        LabelledDigits real = pool.Select(labelled);
        IDataView realRows = ml.Data.Cache(real.ToDataView(ml));
        int maxRows = regime * plan.Ratios.Max();

        status($"{regime:N0} labels, seed {seed}: training the GAN ({ganSteps:N0} steps)");
        var clock = Stopwatch.StartNew();
        using GanTransformer gan = ml.Gan().Generator(GanRecipe(ganSteps, seed)).Fit(realRows, cancellationToken);
        double ganSeconds = clock.Elapsed.TotalSeconds;

        status($"{regime:N0} labels, seed {seed}: making synthetic rows");
        clock.Restart();
        bool measurePeak = NativeHeap.ResetPeak();
        IDataView classic = ml.Data.Cache(ClassicAugmentation.Make(real, maxRows, seed).ToDataView(ml));
        IDataView synthetic = ml.Data.Cache(gan.GenerateTrainingRows(maxRows, seed, options: new SyntheticRowOptions { LatentScale = plan.LatentScale }));
        var stage = Stopwatch.StartNew();
        // The filter may use only what a user with these labels has: a CNN trained on the real rows and their classic augmentation.
        LeNetClassifierOptions judgeRecipe = CnnRecipe(seed, plan.Threads);
        judgeRecipe.Logger = logger;
        using LeNetClassifier judge = ml.Gan().TrainClassifier(ml.Gan().Data.AppendRows(realRows, ml.Data.TakeRows(classic, regime * 5)), judgeRecipe);
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
                Arm.Classic => ml.Gan().Data.AppendRows(realRows, ml.Data.TakeRows(classic, extra)),
                Arm.Gan => ml.Gan().Data.AppendRows(realRows, ml.Data.TakeRows(synthetic, extra)),
                Arm.FilteredGan => ml.Gan().Data.AppendRows(realRows, ml.Data.TakeRows(filtered, extra)),
                _ => ml.Gan().Data.AppendRows(realRows, ml.Data.TakeRows(classic, extra / 2), ml.Data.TakeRows(synthetic, extra / 2)),
            }));
        }

        if (plan.UnlabelledRegimes.Contains(regime))
        {
            arms.AddRange(SemiSupervisedArms(ml, regime, seed, kept, pool, labelled, realRows, validation, test, cancellationToken));
        }

        // One fit at a time, each with every core. With oneDNN held to AVX2 (the library's module initializer) a CNN fit on
        // one thread is slow (scoring the validation and test images is most of it), and at 100 and 1,000 labels the
        // ML.NET fits are too short to hide it: running the two side by side no longer pays (the CSV has every fit's seconds).
        // Every fit is seeded and alone, so results do not depend on the order.
        FitAll(ml, plan.Classifiers, arms, regime, seed, validation, test, plan.Threads, cancellationToken);
    }

    /// <summary>
    /// The setting with unlabelled rows: the semi-supervised classifier trains on <paramref name="kept"/> (the run's labels,
    /// every other pool row unlabelled) and is measured itself (the reference row); it labels the unlabelled rows it is
    /// sure of, a conditional GAN trains on those and the real rows and makes arm (f); the rows of it the classifier gives
    /// their own label make arm (g); the labelled rows themselves make arm (h).
    /// </summary>
    private List<(Arm Arm, int Ratio, IDataView Data)> SemiSupervisedArms(MLContext ml, int regime, int seed, IDataView kept, LabelledDigits pool, int[] labelled,
        IDataView realRows, IDataView validation, IDataView test, CancellationToken cancellationToken)
    {
        int unlabelled = pool.Count - labelled.Length;
        string run = string.Create(CultureInfo.InvariantCulture, $"{regime:N0} labels + {unlabelled:N0} unlabelled, seed {seed}");
        status($"{run}: training the semi-supervised classifier ({plan.SemiSupervisedSteps:N0} steps)");
        var clock = Stopwatch.StartNew();
        var options = new SemiSupervisedGanOptions
        {
            Budget = TrainingBudget.OfSteps(plan.SemiSupervisedSteps), SelfTrainingEpochs = plan.SemiSupervisedSelfTrainingEpochs,
            DistributionAlignment = plan.SemiSupervisedDistributionAlignment, Seed = seed, Threads = plan.Threads, Logger = logger,
        };
        using SemiSupervisedGanTransformer classifier = ml.Gan().SemiSupervisedClassifier(options).Fit(kept, validation: null, cancellationToken);
        double classifierSeconds = clock.Elapsed.TotalSeconds;
        double Accuracy(IDataView rows) => ml.MulticlassClassification.Evaluate(classifier.Transform(rows), labelColumnName: "Label").MicroAccuracy;
        double validationAccuracy = Accuracy(validation);
        double testAccuracy = Accuracy(test);

        // How many labels it gives and how many MNIST agrees with (the pool's true labels; the classifier never saw them).
        var isLabelled = new HashSet<int>(labelled);
        int confident = 0, right = 0, row = 0;
        foreach (float[] scores in classifier.Transform(kept).GetColumn<float[]>(classifier.ScoreColumnName))
        {
            int best = Array.IndexOf(scores, scores.Max());
            if (!isLabelled.Contains(row) && scores[best] >= plan.PseudoLabelConfidence)
            {
                confident++;
                right += best == pool.Labels[row] ? 1 : 0;
            }

            row++;
        }

        IDataView pseudo = ml.Data.Cache(classifier.LabelUnlabelledRows(kept, plan.PseudoLabelConfidence));
        CachedRows.Fill(pseudo);
        logger.LogInformation("{Run}: classifier trained in {Seconds:F0} s, test accuracy {Accuracy:P2}; it labelled {Confident:N0} unlabelled rows, {Right:P2} of them right",
            run, classifierSeconds, testAccuracy, confident, confident == 0 ? double.NaN : (double)right / confident);

        status($"{run}: training the GAN ({plan.SemiSupervisedGanSteps:N0} steps)");
        clock.Restart();
        using GanTransformer gan = ml.Gan().Generator(PipelineRecipe(seed)).Fit(pseudo, cancellationToken);
        double ganSeconds = clock.Elapsed.TotalSeconds;

        status($"{run}: making synthetic rows");
        clock.Restart();
        int maxRows = regime * plan.Ratios.Max();
        LabelledDigits rows = LabelledDigits.Read(gan.GenerateTrainingRows(maxRows, seed, options: new SyntheticRowOptions { LatentScale = plan.LatentScale }));
        LabelledDigits? filteredRows = Confirmed(ml, gan, classifier, maxRows, seed, cancellationToken);
        IDataView rowsView = ml.Data.Cache(rows.ToDataView(ml));
        IDataView? filteredView = filteredRows is null ? null : ml.Data.Cache(filteredRows.ToDataView(ml));
        double rowSeconds = clock.Elapsed.TotalSeconds;
        if (filteredRows is null)
        {
            Notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{run}: arm (g) left out, the classifier gave fewer than {maxRows / LabelledDigits.Classes:N0} rows of a class their label with probability ≥ {plan.FilterConfidence} in {FilterRounds} rounds of {maxRows:N0} candidates"));
        }

        SemiSupervised.Add(new SemiSupervisedRun(regime, seed, classifierSeconds, validationAccuracy, testAccuracy, unlabelled, confident, confident == 0 ? double.NaN : (double)right / confident,
            ganSeconds, rowSeconds, MnistFeatureNetwork.Accuracy(ml.Data.TakeRows(rowsView, AgreementRows)),
            filteredView is null ? double.NaN : MnistFeatureNetwork.Accuracy(ml.Data.TakeRows(filteredView, AgreementRows))));
        CachedRows.Fill(rowsView);
        if (filteredView is not null)
        {
            CachedRows.Fill(filteredView);
        }

        var arms = new List<(Arm Arm, int Ratio, IDataView Data)>();
        foreach (int ratio in plan.Ratios)
        {
            arms.Add((Arm.SemiSupervisedGan, ratio, ml.Gan().Data.AppendRows(realRows, ml.Data.TakeRows(rowsView, regime * ratio))));
            if (filteredView is not null)
            {
                arms.Add((Arm.FilteredSemiSupervisedGan, ratio, ml.Gan().Data.AppendRows(realRows, ml.Data.TakeRows(filteredView, regime * ratio))));
            }
        }

        arms.Add((Arm.PseudoLabelled, 0, pseudo));   // the labelled rows keep their own labels in it
        return arms;
    }

    /// <summary>Rounds of candidates (each as many as asked for) <see cref="Confirmed"/> draws before it gives up.</summary>
    private const int FilterRounds = 20;

    /// <summary>
    /// <paramref name="count"/> rows of the conditional <paramref name="gan"/> that <paramref name="classifier"/> gives their own
    /// label with at least the filter's probability, as many of each class and in class-interleaved order (so any first k rows
    /// are balanced); null when a class does not fill within <see cref="FilterRounds"/> rounds of candidates. The filter a
    /// user with few labels and many unlabelled images has: the semi-supervised classifier is the best judge they can train.
    /// </summary>
    private LabelledDigits? Confirmed(MLContext ml, GanTransformer gan, SemiSupervisedGanTransformer classifier, int count, int seed, CancellationToken cancellationToken)
    {
        int perClass = (count + LabelledDigits.Classes - 1) / LabelledDigits.Classes;
        List<float[]>[] kept = [.. Enumerable.Range(0, LabelledDigits.Classes).Select(_ => new List<float[]>())];
        for (int round = 1; round <= FilterRounds && kept.Any(k => k.Count < perClass); round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            LabelledDigits candidates = LabelledDigits.Read(gan.GenerateTrainingRows(count, seed + round, options: new SyntheticRowOptions { LatentScale = plan.LatentScale }));
            int row = 0;
            foreach (float[] scores in classifier.Transform(candidates.ToDataView(ml)).GetColumn<float[]>(classifier.ScoreColumnName))
            {
                int label = candidates.Labels[row];
                if (scores[label] >= plan.FilterConfidence && kept[label].Count < perClass)
                {
                    kept[label].Add(candidates.Pixels[row]);
                }

                row++;
            }
        }

        if (kept.Any(k => k.Count < perClass))
        {
            return null;
        }

        int[] order = [.. Enumerable.Range(0, count).Select(i => ((i % LabelledDigits.Classes) * perClass) + (i / LabelledDigits.Classes))];
        float[][] all = [.. kept.SelectMany(k => k)];
        return new LabelledDigits([.. order.Select(i => all[i])], [.. order.Select(i => i / perClass)]);
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
        Arm.ClassicAndGan => $"real + {ratio}x half classic, half GAN",
        Arm.SemiSupervisedGan => $"real + {ratio}x semi-supervised pipeline GAN",
        Arm.FilteredSemiSupervisedGan => $"real + {ratio}x semi-supervised pipeline GAN, filtered by the classifier",
        _ => "real + the unlabelled rows the classifier labelled",
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
