using Gan.Samples.Reporting;
using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan;

namespace Gan.Samples.Commands;

/// <summary>
/// <c>evaluate</c>: a model zip (loaded by <see cref="SavedGenerator"/>, with its latent distribution) or an IDX file of images in;
/// FID, KID, the real-vs-real floor, class entropy, confidence (and, for conditional models, label
/// agreement and CAS) out, as text and JSON.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        Option<FileInfo?> model = new("--model", "-m") { Description = "A model zip written by 'train'." };
        Option<FileInfo?> idx = new("--idx") { Description = "An IDX file of generated 28 x 28 images instead of a model." };
        Option<FileInfo?> idxLabels = new("--idx-labels") { Description = "Labels of the IDX images (for label agreement and CAS)." };
        Option<DirectoryInfo?> mnistDirectory = CommonOptions.MnistDirectory();
        Option<DirectoryInfo> output = CommonOptions.Output("out/evaluate");
        Option<LogLevel> logLevel = CommonOptions.Verbosity();
        Option<int> samples = new("--samples") { Description = "Images compared from each side.", DefaultValueFactory = _ => 10_000 };
        Option<int> cas = new("--cas-samples") { Description = "Generated rows the CAS classifier trains on (labelled models only); 0 skips CAS.", DefaultValueFactory = _ => 10_000 };
        Option<int> cnnEpochs = new("--cnn-cas-epochs") { Description = "Epochs of the CNN (LeNet) CAS classifier and its real ceiling; 0 skips them.", DefaultValueFactory = _ => 3 };
        Option<int> cnnChannels = new("--cnn-cas-channels") { Description = "Channels of the CNN CAS classifier's first convolution (16: the shipped LeNet; 32: a wider one).", DefaultValueFactory = _ => 16 };
        Option<float> latentScale = CommonOptions.LatentScale();
        Option<float?> filterConfidence = new("--filter-confidence")
        {
            Description = "Evaluate the rows GenerateTrainingRows hands a trainer with a filter: keep generated rows that a LeNet (32/64 channels) trained on "
                + "the 60,000 MNIST train rows gives their label with at least this probability (conditional models saved by this version only).",
        };
        Option<int> maxCandidates = new("--filter-max-candidates")
        {
            Description = "With --filter-confidence: give up (naming the class) when a class needs more than this many generated candidates per row kept.",
            DefaultValueFactory = _ => new SyntheticRowOptions().MaxCandidatesPerRow,
        };
        Option<int> judgeRows = new("--filter-judge-rows") { Description = "MNIST train rows the filter's LeNet learns from (the first N).", DefaultValueFactory = _ => 60_000 };
        Option<int> seed = new("--seed") { Description = "Seed of generation and KID subsets.", DefaultValueFactory = _ => 1 };
        Option<LatentDistribution?> distribution = CommonOptions.LatentDistribution();

        var command = new Command("evaluate", "FID, KID, class entropy (and CAS for conditional models) of a model zip or an IDX file against MNIST test.")
        {
            model, idx, idxLabels, mnistDirectory, output, samples, cas, cnnEpochs, cnnChannels, seed, latentScale, filterConfidence, maxCandidates, judgeRows, distribution, logLevel,
        };
        command.SetAction((result, cancellationToken) =>
        {
            using ILoggerFactory loggers = CommonOptions.CreateLoggerFactory(result.GetValue(logLevel));
            ILogger logger = loggers.CreateLogger("evaluate");
            CommonOptions.EnsureWritableDirectory(result.GetValue(output)!, "--output");
            if (result.GetValue(samples) < 2 || result.GetValue(cas) < 0 || result.GetValue(cnnEpochs) < 0 || result.GetValue(cnnChannels) < 1 || result.GetValue(judgeRows) < 1)
            {
                throw new ArgumentException("--samples must be at least 2, --cas-samples and --cnn-cas-epochs at least 0, --cnn-cas-channels and --filter-judge-rows at least 1.");
            }
            if (result.GetValue(maxCandidates) < 1)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--filter-max-candidates must be at least 1; got {result.GetValue(maxCandidates)}."));
            }

            var ml = new MLContext(seed: result.GetValue(seed));
            int count = result.GetValue(samples);
            DirectoryInfo? directory = result.GetValue(mnistDirectory);
            IDataView real = ml.Gan().Data.LoadMnist(MnistSplit.Test, CommonOptions.Mnist(directory, logger));
            IDataView floor = ml.Gan().Data.LoadMnist(MnistSplit.Train, CommonOptions.Mnist(directory, logger, maxRows: Math.Min(Math.Max(count, result.GetValue(cas)), 60_000)));
            var options = new GanEvaluationOptions { SampleCount = count, CasSampleCount = result.GetValue(cas), CnnCasEpochs = result.GetValue(cnnEpochs), CnnCasChannels = result.GetValue(cnnChannels), Seed = result.GetValue(seed), FloorReference = floor, Logger = logger };
            RowFilter? filter = result.GetValue(filterConfidence) is float minimum
                ? new RowFilter(minimum, result.GetValue(maxCandidates), ml.Gan().Data.LoadMnist(MnistSplit.Train, CommonOptions.Mnist(directory, logger, maxRows: result.GetValue(judgeRows))), logger)
                : null;
            (IDataView generated, string source, SavedGenerator? loaded) = Generated(ml, result.GetValue(model), result.GetValue(idx), result.GetValue(idxLabels), options,
                result.GetValue(distribution), result.GetValue(latentScale), filter);
            using SavedGenerator? disposeAfterwards = loaded;

            GanEvaluationResult metrics = ml.Gan().Evaluate(generated, real, options, cancellationToken);
            DirectoryInfo target = result.GetValue(output)!;
            target.Create();
            string json = Path.Combine(target.FullName, "metrics.json");
            ReportFile.Write(json, metrics.ToJson());
            Console.WriteLine(Describe(metrics, source));
            Console.WriteLine($"Wrote {json}");
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>
    /// <c>--filter-confidence</c>: the minimum probability, the candidates a row may take (<c>--filter-max-candidates</c>), and where the judge's training rows come from. The judge is trained on
    /// the real labelled rows, as a user would, and is not the shipped feature network that measures label agreement.
    /// </summary>
    private sealed record RowFilter(float MinimumConfidence, int MaxCandidatesPerRow, IDataView RealRows, ILogger Logger);

    private static (IDataView Generated, string Source, SavedGenerator? Loaded) Generated(MLContext ml, FileInfo? model, FileInfo? idx, FileInfo? labels, GanEvaluationOptions options,
        LatentDistribution? distribution, float latentScale, RowFilter? filter)
    {
        if ((model is null) == (idx is null))
        {
            throw new ArgumentException("Pass exactly one of --model or --idx.");
        }

        if (filter is not null && (idx is not null || filter.MinimumConfidence is not (> 0 and < 1)))
        {
            throw new ArgumentException($"--filter-confidence needs --model (not --idx) and a value in (0, 1); got {filter.MinimumConfidence}.");
        }

        if (idx is not null)
        {
            options.GeneratedPixelsColumnName = "Pixels";
            return (ml.Gan().Data.LoadIdx(idx.FullName, labels?.FullName), idx.FullName, null);
        }

        // The rows are cached once (FID, KID and both CAS read them); the caller disposes the generator afterwards.
        SavedGenerator saved = SavedGenerator.Load(ml, model!, distribution);
        options.GeneratedPixelsColumnName = saved.PixelsColumnName;
        if (saved.Label is DataViewSchema.Column label)
        {
            options.LabelColumnName = label.Name;
        }

        int count = Math.Max(options.SampleCount, options.CasSampleCount);
        if (filter is null)
        {
            return (ml.Data.Cache(saved.Generate(count, options.Seed, latentScale)), model!.FullName, saved);
        }

        try
        {
            if (saved.ClassCount == 0)
            {
                // Said before the judge spends a minute learning MNIST.
                throw new ArgumentException($"--filter-confidence keeps rows whose label a classifier confirms; '{model!.FullName}' is not a conditional model.");
            }

            using LeNetClassifier judge = ml.Gan().TrainClassifier(filter.RealRows, new LeNetClassifierOptions { Channels = 32, Seed = options.Seed + 1, Threads = 2, Logger = filter.Logger });
            IDataView rows = saved.GenerateTrainingRows(count, options.Seed, new SyntheticRowOptions
            {
                MinimumConfidence = filter.MinimumConfidence,
                MaxCandidatesPerRow = filter.MaxCandidatesPerRow,
                Classifier = judge,
                LatentScale = latentScale,
            });
            // The training schema: the label column and the pixel column (the one vector column).
            options.GeneratedPixelsColumnName = rows.Schema.Single(c => c.Type is VectorDataViewType).Name;
            options.LabelColumnName = rows.Schema.Single(c => c.Type is not VectorDataViewType).Name;
            IDataView cached = ml.Data.Cache(rows);
            CachedRows.Fill(cached, options.GeneratedPixelsColumnName);   // every row made and judged now, while the judge is alive

            return (cached, $"{model!.FullName} (rows kept at confidence >= {filter.MinimumConfidence.ToString(CultureInfo.InvariantCulture)})", saved);
        }
        catch
        {
            saved.Dispose();
            throw;
        }
    }

    private static string Describe(GanEvaluationResult m, string source) => string.Create(CultureInfo.InvariantCulture, $"""
        Evaluated {source}: {m.GeneratedCount:N0} generated vs {m.RealCount:N0} MNIST test images ({m.FeatureNetwork} features)
          FID {m.Fid?.ToString("F2", CultureInfo.InvariantCulture) ?? "n/a"} (floor, MNIST train vs test: {m.FloorFid?.ToString("F2", CultureInfo.InvariantCulture) ?? "n/a"})
          KID {m.Kid:F4} ± {m.KidStandardDeviation:F4} (floor {m.FloorKid?.ToString("F4", CultureInfo.InvariantCulture) ?? "n/a"})
          class entropy {m.ClassEntropyBits:F3} bits of 3.322; mean confidence {m.MeanConfidence:P1}
          classes: {string.Join(" ", m.ClassHistogram.Select((p, i) => $"{i}:{p:P0}"))}
          label agreement {m.LabelAgreement?.ToString("P2", CultureInfo.InvariantCulture) ?? "n/a"}
          CAS on {m.CasTrainingRows?.ToString("N0", CultureInfo.InvariantCulture) ?? "n/a"} rows: LbfgsMaximumEntropy {Percent(m.ClassificationAccuracyScore)} (real ceiling {Percent(m.CasCeiling)}), LeNet CNN {Percent(m.CnnClassificationAccuracyScore)} (real ceiling {Percent(m.CnnCasCeiling)})
        """);

    private static string Percent(double? value) => value?.ToString("P2", CultureInfo.InvariantCulture) ?? "n/a";
}
