using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gan.Samples.Reporting;
using Gan.Samples.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Gan;

namespace Gan.Samples.Commands;

/// <summary>
/// <c>table</c>: a generator of table rows (CTGAN) trained on a CSV file; writes as many synthetic rows (or --rows) to a CSV with
/// the same header, and the per-epoch losses.
/// </summary>
internal static class TableCommand
{
    public static Command Create()
    {
        var defaults = new TabularGanOptions();
        Option<FileInfo> csv = new("--csv") { Description = "The table: a CSV file with a header row.", Required = true };
        Option<char> separator = new("--separator") { Description = "The CSV's separator.", DefaultValueFactory = _ => ',' };
        Option<string?> label = new("--label") { Description = "A discrete label column (text, Boolean or an integer with few values), for --label-value." };
        Option<string?> labelValue = new("--label-value") { Description = "Generate only rows with this --label value (upsampling a minority class)." };
        Option<string[]> exclude = new("--exclude") { Description = "Columns to leave out (neither learned nor generated).", AllowMultipleArgumentsPerToken = true };
        Option<int> epochs = new("--epochs") { Description = "Passes over the rows (⌊rows / batch⌋ steps each).", DefaultValueFactory = _ => defaults.Budget.Epochs!.Value };
        Option<int> batchSize = new("--batch-size") { Description = "Rows per step; a multiple of 10 (the critic's pack) for CTGAN.", DefaultValueFactory = _ => defaults.BatchSize };
        Option<long?> rows = new("--rows") { Description = "Synthetic rows to write (default: as many as the CSV has)." };
        Option<int> seed = new("--seed") { Description = "Training seed.", DefaultValueFactory = _ => 1 };
        Option<float?> ema = CommonOptions.Ema();
        Option<bool> emaWarmup = CommonOptions.EmaWarmup();
        Option<bool> tvae = CommonOptions.Tvae();
        Option<bool> residualDecoder = CommonOptions.TvaeResidualDecoder();
        Option<int> generationSeed = new("--generation-seed") { Description = "Seed of the synthetic rows.", DefaultValueFactory = _ => 7 };
        Option<int> threads = new("--threads") { Description = "TorchSharp intra-op threads; 0 chooses while training.", DefaultValueFactory = _ => defaults.Threads };
        Option<string> device = CommonOptions.Device("TorchSharp device to train on");
        Option<DirectoryInfo?> checkpoints = new("--checkpoint-dir") { Description = "Write checkpoints here (every 10 epochs and on Ctrl+C)." };
        Option<bool> resume = new("--resume") { Description = "Continue the run whose checkpoints are in --checkpoint-dir." };
        Option<DirectoryInfo> output = CommonOptions.Output("out/table");
        Option<LogLevel> logLevel = CommonOptions.Verbosity();
        var command = new Command("table", "Train a generator of table rows (CTGAN, or TVAE with --tvae) on a CSV file and write synthetic rows with the same columns to a CSV.")
        {
            csv, separator, label, labelValue, exclude, epochs, batchSize, rows, seed, ema, emaWarmup, tvae, residualDecoder, generationSeed, threads, device, checkpoints, resume, output, logLevel,
        };
        command.SetAction((result, cancellationToken) =>
        {
            if (result.GetValue(labelValue) is not null && result.GetValue(label) is null)
            {
                throw new ArgumentException("--label-value needs --label: the column whose value the rows should have.");
            }

            if (result.GetValue(resume) && result.GetValue(checkpoints) is null)
            {
                throw new ArgumentException("--resume needs --checkpoint-dir: the directory of the run to continue.");
            }

            var options = new TabularGanOptions
            {
                LabelColumnName = result.GetValue(label),
                ExcludedColumnNames = result.GetValue(exclude) ?? [],
                Budget = TrainingBudget.OfEpochs(result.GetValue(epochs)),
                BatchSize = result.GetValue(batchSize),
                Seed = result.GetValue(seed),
                GeneratorEmaDecay = result.GetValue(ema),
                GeneratorEmaWarmup = result.GetValue(emaWarmup),
                Tvae = CommonOptions.TvaeFrom(result.GetValue(tvae), result.GetValue(residualDecoder)),
                Threads = result.GetValue(threads),
                Device = result.GetValue(device)!.Trim().ToLowerInvariant(),
                CheckpointDirectory = result.GetValue(checkpoints)?.FullName,
                Resume = result.GetValue(resume),
            };
            return Task.FromResult(Run(options, result.GetValue(csv)!, result.GetValue(separator), result.GetValue(rows), result.GetValue(generationSeed),
                result.GetValue(labelValue), result.GetValue(output)!, result.GetValue(logLevel), cancellationToken));
        });
        return command;
    }

    private static int Run(TabularGanOptions options, FileInfo csv, char separator, long? rows, int generationSeed, string? labelValue, DirectoryInfo output,
        LogLevel logLevel, CancellationToken cancellationToken)
    {
        CommonOptions.EnsureWritableDirectory(output, "--output");
        using ILoggerFactory loggers = CommonOptions.CreateLoggerFactory(logLevel);
        var ml = new MLContext(seed: options.Seed);
        ml.Gan().TableGenerator(options);   // checks every option before the file is read
        (IDataView table, IReadOnlyList<(string Name, Microsoft.ML.Data.DataKind Kind)> columns) = CsvTable.Load(ml, csv.FullName, separator);
        Console.WriteLine($"{csv.Name}: {string.Join(", ", columns.Select(c => $"{c.Name} ({c.Kind})"))}");
        options.Logger = loggers.CreateLogger("table");
        var clock = Stopwatch.StartNew();
        options.Progress = new SynchronousProgress<GanTrainingProgress>(p =>
        {
            if (p.EpochCompleted)
            {
                double perEpoch = p.Elapsed.TotalSeconds / p.Epoch;
                string losses = options.Tvae is null
                    ? string.Create(CultureInfo.InvariantCulture, $"critic loss {p.DiscriminatorLoss:F3}, generator loss {p.GeneratorLoss:F3}")
                    : string.Create(CultureInfo.InvariantCulture, $"reconstruction loss {p.DiscriminatorLoss:F3}, KL divergence {p.GeneratorLoss:F3}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Epoch {p.Epoch}/{p.Epochs}: {losses}; {p.Elapsed.TotalMinutes:F1} min, about {perEpoch * (p.Epochs - p.Epoch) / 60:F1} min left"));
            }
        });

        using TabularGanTransformer generator = ml.Gan().TableGenerator(options).Fit(table, cancellationToken);
        Directory.CreateDirectory(output.FullName);
        long count = rows ?? table.GetRowCount() ?? CsvTable.CountRows(table);
        IDataView synthetic = labelValue is null ? generator.Generate(count, generationSeed) : generator.Generate(count, generationSeed, labelValue);
        string syntheticCsv = Path.Combine(output.FullName, "synthetic.csv");
        CsvTable.Save(synthetic, syntheticCsv, separator, cancellationToken);
        var losses = new StringBuilder(options.Tvae is null ? "epoch,critic_loss,generator_loss,seconds\n" : "epoch,reconstruction_loss,kl_divergence,seconds\n");
        foreach (GanEpochSummary e in generator.Epochs)
        {
            losses.Append(string.Create(CultureInfo.InvariantCulture, $"{e.Epoch},{e.DiscriminatorLoss:R},{e.GeneratorLoss:R},{e.Duration.TotalSeconds:F3}\n"));
        }

        string lossesCsv = ReportFile.Write(Path.Combine(output.FullName, "losses.csv"), losses.ToString());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Trained {generator.Epochs.Count} epochs in {clock.Elapsed.TotalMinutes:F1} min; wrote {count:N0} synthetic rows to {syntheticCsv} and the losses to {lossesCsv}."));
        TableQualityReport quality = generator.EvaluateQuality(table, CsvTable.LoadWith(ml, syntheticCsv, separator, columns));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Quality of the synthetic rows against the CSV's (SDMetrics): {quality.OverallScore:F4} (column shapes {quality.ColumnShapesScore:F4}, pair trends {quality.ColumnPairTrendsScore:F4})"));
        string model = Path.Combine(output.FullName, "generator.zip");
        try
        {
            generator.Save(model);
            Console.WriteLine($"Saved the generator to {model}: mlContext.Model.Load maps a '{options.LatentColumnName}' column of {generator.LatentWidth} floats to rows of these columns.");
        }
        catch (NotSupportedException e)
        {
            Console.WriteLine($"The generator was not saved: {e.Message}");
        }

        return 0;
    }
}
