using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan;

namespace Gan.Samples.Commands;

/// <summary>
/// <c>bench</c>: measures Fit seconds per MNIST epoch (per thread setting), Transform rows/s through
/// OnnxTransformer, bulk generation rows/s, and the process's peak working set. Prints a Markdown table
/// (and writes it with <c>--markdown</c>); <c>bench/run.sh</c> puts it next to PyTorch's numbers.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        Option<DirectoryInfo?> mnistDirectory = CommonOptions.MnistDirectory();
        Option<int> epochs = new("--epochs") { Description = "Epochs per Fit measurement.", DefaultValueFactory = _ => 2 };
        Option<int[]> threads = new("--threads") { Description = "Intra-op thread settings to measure Fit with.", DefaultValueFactory = _ => [1, 2], AllowMultipleArgumentsPerToken = true };
        Option<int> rows = new("--rows") { Description = "Latent rows for the Transform and bulk measurements.", DefaultValueFactory = _ => 100_000 };
        Option<FileInfo?> markdown = new("--markdown") { Description = "Also write the result table to this file." };
        Option<bool> fitOnly = new("--fit-only") { Description = "Measure Fit only (no generation rates)." };
        Option<double?> timeToFid = new("--time-to-fid") { Description = "Instead: train with FID (2,000 samples) after every epoch until it falls below this value; report the minutes." };
        Option<int> maxEpochs = new("--max-epochs") { Description = "Epoch limit for --time-to-fid.", DefaultValueFactory = _ => 20 };
        Option<GanArchitecture> architecture = new("--architecture") { Description = "Networks to measure.", DefaultValueFactory = _ => GanArchitecture.Mlp };
        Option<string> label = new("--label") { Description = "Text added to every setting (e.g. the machine's load)." , DefaultValueFactory = _ => "" };

        var command = new Command("bench", "Measure training and generation speed of the article's GAN on MNIST.")
        {
            mnistDirectory, epochs, threads, rows, markdown, fitOnly, label, architecture, timeToFid, maxEpochs,
        };
        command.SetAction((result, cancellationToken) => Task.FromResult(result.GetValue(timeToFid) is double threshold
            ? TimeToQuality(result.GetValue(mnistDirectory), result.GetValue(architecture), threshold, result.GetValue(maxEpochs), result.GetValue(markdown))
            : Run(
            result.GetValue(mnistDirectory), result.GetValue(epochs), result.GetValue(threads)!, result.GetValue(rows), result.GetValue(markdown),
            result.GetValue(fitOnly), result.GetValue(label)!, result.GetValue(architecture), cancellationToken)));
        return command;
    }

    private static int Run(DirectoryInfo? mnistDirectory, int epochs, int[] threadSettings, int rows, FileInfo? markdown, bool fitOnly, string label,
        GanArchitecture architecture, CancellationToken cancellationToken)
    {
        if (rows < 1 || epochs < 1 || threadSettings.Length == 0 || threadSettings.Any(t => t < 1))
        {
            throw new ArgumentException($"--rows and --epochs must be at least 1 and --threads needs values of at least 1; got --rows {rows}, --epochs {epochs}, --threads {string.Join(' ', threadSettings)}.");
        }

        var table = new StringBuilder();
        GanTransformer? gan = null;
        foreach (int threads in threadSettings)
        {
            var ml = new MLContext(seed: 1);
            IDataView train = ml.Gan().LoadMnist(MnistSplit.Train, new MnistOptions { DataDirectory = mnistDirectory?.FullName });
            var clock = Stopwatch.StartNew();
            GanTransformer fitted = ml.Gan().Train(new GanOptions { Architecture = architecture, Epochs = epochs, Seed = 1, Threads = threads }).Fit(train, cancellationToken);
            double fitSeconds = clock.Elapsed.TotalSeconds;
            double[] perEpoch = fitted.History.Epochs.Select(e => e.Duration.TotalSeconds).ToArray();
            double mean = perEpoch.Average();
            Row(table, $"{architecture} Fit, s per MNIST epoch (60,000 images, batch 64)", $"{threads} intra-op thread(s){label}",
                string.Create(CultureInfo.InvariantCulture, $"{mean:F2} s = {938 / mean:F0} steps/s, {60_000 / mean:N0} images/s (epochs: {string.Join(", ", perEpoch.Select(s => s.ToString("F2", CultureInfo.InvariantCulture)))}; whole Fit incl. reading and ONNX export {fitSeconds:F1} s)"));
            if (gan is null)
            {
                gan = fitted;
            }
            else
            {
                fitted.Dispose();
            }
        }

        if (fitOnly)
        {
            gan!.Dispose();
            return Finish(table, markdown);
        }

        var context = new MLContext(seed: 1);
        IDataView latent = context.Gan().SampleLatent(gan!, rows, seed: 1);
        Row(table, $"{architecture} Transform (OnnxTransformer, one row per call), rows/s over {rows:N0} rows", "GeneratedPixels only, in memory (1 ONNX Runtime thread)",
            Rate(rows, () => Drain(gan!.Transform(latent), gan.GeneratedPixelsColumnName)));
        string zip = Path.Combine(Path.GetTempPath(), $"gan-bench-{Guid.NewGuid():N}.zip");
        gan!.Save(zip);
        ITransformer loaded = context.Model.Load(zip, out _);
        Row(table, $"{architecture} Transform of the loaded model (mlContext.Model.Load), rows/s over {rows:N0} rows", "GeneratedPixels only, ONNX Runtime default threads",
            Rate(rows, () => Drain(loaded.Transform(latent), gan.GeneratedPixelsColumnName)));
        (loaded as IDisposable)?.Dispose();
        File.Delete(zip);
        int imageRows = Math.Min(rows, 20_000);
        Row(table, $"{architecture} Transform with the image column, rows/s over {imageRows:N0} rows", "GeneratedPixels + GeneratedImage, in memory",
            Rate(imageRows, () => Drain(gan!.Transform(context.Gan().SampleLatent(gan, imageRows, seed: 1)), gan.GeneratedPixelsColumnName, gan.GeneratedImageColumnName)));
        Row(table, $"{architecture} bulk generation (gan.Generate: ONNX Runtime, batches of 1,000), rows/s over {rows:N0} rows", "GeneratedPixels, 1 intra-op thread",
            Rate(rows, () => Drain(gan!.Generate(rows, seed: 1), gan.GeneratedPixelsColumnName)));
        Row(table, "Peak working set of this process", $"after all of the above ({architecture})", $"{Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):F0} MiB");
        gan!.Dispose();
        return Finish(table, markdown);
    }

    private static int Finish(StringBuilder rows, FileInfo? markdown)
    {
        string table = "| measurement | setting | result |\n|---|---|---|\n" + rows;
        Console.Write(table);
        if (markdown is not null)
        {
            File.WriteAllText(markdown.FullName, table);
        }

        return 0;
    }

    /// <summary>Minutes since training started (1 thread; the per-epoch evaluation included) until FID against training images falls below the threshold.</summary>
    private static int TimeToQuality(DirectoryInfo? mnistDirectory, GanArchitecture architecture, double threshold, int maxEpochs, FileInfo? markdown)
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Gan().LoadMnist(MnistSplit.Train, new MnistOptions { DataDirectory = mnistDirectory?.FullName });
        var trajectory = new List<(int Epoch, double Minutes, double Fid)>();
        using var stop = new CancellationTokenSource();
        var options = new GanOptions
        {
            Architecture = architecture,
            Epochs = maxEpochs,
            Seed = 1,
            EvaluateEveryEpochs = 1,
            EvaluationSampleCount = 2000,
            Progress = new SynchronousProgress<GanTrainingProgress>(report =>
            {
                if (report.EpochCompleted && report.Fid is double fid)
                {
                    trajectory.Add((report.Epoch, report.Elapsed.TotalMinutes, fid));
                    if (fid < threshold)
                    {
                        stop.Cancel();
                    }
                }
            }),
        };
        try
        {
            using GanTransformer gan = ml.Gan().Train(options).Fit(train, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        (int Epoch, double Minutes, double Fid)? reached = trajectory.Cast<(int, double, double)?>().FirstOrDefault(t => t!.Value.Item3 < threshold);
        string result = reached is { } r
            ? string.Create(CultureInfo.InvariantCulture, $"{r.Minutes:F1} min (epoch {r.Epoch}, FID {r.Fid:F1})")
            : string.Create(CultureInfo.InvariantCulture, $"not reached in {maxEpochs} epochs ({trajectory[^1].Minutes:F1} min)");
        string path = string.Join(", ", trajectory.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Epoch}: {t.Fid:F0}")));
        var table = new StringBuilder();
        Row(table, $"{architecture} time to quality: training minutes until FID < {threshold} (2,000 samples vs training images)", "1 intra-op thread",
            $"{result}; FID by epoch: {path}");
        return Finish(table, markdown);
    }

    private static void Row(StringBuilder table, string measurement, string setting, string result)
    {
        table.AppendLine($"| {measurement} | {setting} | {result} |");
        Console.Error.WriteLine($"{measurement} [{setting}]: {result}");
    }

    private static string Rate(int rows, Action run)
    {
        var clock = Stopwatch.StartNew();
        run();
        return string.Create(CultureInfo.InvariantCulture, $"{rows / clock.Elapsed.TotalSeconds:N0} rows/s ({clock.Elapsed.TotalSeconds:F2} s)");
    }

    /// <summary>Reads every value of the given columns, as a consumer would.</summary>
    private static void Drain(IDataView data, params string[] columns)
    {
        DataViewSchema.Column[] active = columns.Select(c => data.Schema[c]).ToArray();
        using DataViewRowCursor cursor = data.GetRowCursor(active);
        var getters = active.Select(c => c.Type is VectorDataViewType
            ? (Action)MakeVectorReader(cursor, c)
            : MakeImageReader(cursor, c)).ToArray();
        while (cursor.MoveNext())
        {
            foreach (Action read in getters)
            {
                read();
            }
        }
    }

    private static Action MakeVectorReader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        return () => getter(ref buffer);
    }

    private static Action MakeImageReader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        ValueGetter<MLImage> getter = cursor.GetGetter<MLImage>(column);
        MLImage image = null!;
        return () =>
        {
            getter(ref image);
            image.Dispose();
        };
    }
}
