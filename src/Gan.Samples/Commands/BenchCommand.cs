using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan;
using Microsoft.ML.OnnxRuntime;

namespace Gan.Samples.Commands;

/// <summary>
/// <c>bench</c>: measures Fit seconds per MNIST epoch (per thread setting), then scoring rows/s side by side: Transform
/// in memory, of the model loaded with LoadGenerator and of the stock <c>mlContext.Model.Load</c> chain, with the image
/// column, bulk Generate, and ONNX Runtime run directly on <c>gan.GetOnnxModel()</c> with the same batch size (the
/// practical limit); after a warm-up round, each repeated 3 times alternately, medians reported. Ends with the process's
/// peak working set.
/// Prints a Markdown table (and writes it with <c>--markdown</c>); <c>bench/run.sh</c> puts it next to PyTorch's numbers.
/// </summary>
internal static class BenchCommand
{
    private const int Repeats = 3;

    public static Command Create()
    {
        Option<DirectoryInfo?> mnistDirectory = CommonOptions.MnistDirectory();
        Option<int> epochs = new("--epochs") { Description = "Epochs per Fit measurement.", DefaultValueFactory = _ => 2 };
        Option<int[]> threads = new("--threads") { Description = "Intra-op thread settings to measure Fit with.", DefaultValueFactory = _ => [1, 2], AllowMultipleArgumentsPerToken = true };
        Option<int> rows = new("--rows") { Description = "Latent rows for the Transform and bulk measurements.", DefaultValueFactory = _ => 100_000 };
        Option<FileInfo?> markdown = new("--markdown") { Description = "Also write the result table to this file." };
        Option<bool> fitOnly = new("--fit-only") { Description = "Measure Fit only (no generation rates)." };
        Option<FileInfo?> model = new("--model") { Description = "Measure the scoring rates of this saved model zip instead of training one (no Fit and no in-memory row)." };
        Option<FileInfo?> saveModel = new("--save-model") { Description = "Keep the model trained for the scoring rates here (for a later --model run)." };
        Option<double?> timeToFid = new("--time-to-fid") { Description = "Instead: train with FID (2,000 samples) after every epoch until it falls below this value; report the minutes." };
        Option<int> maxEpochs = new("--max-epochs") { Description = "Epoch limit for --time-to-fid and --time-to-quality.", DefaultValueFactory = _ => 20 };
        Option<bool> timeToQuality = new("--time-to-quality")
        {
            Description = $"Instead: train the recommended recipe (--synthetic-data-recipe, 2 threads) an epoch at a time until label agreement >= {RecipeQualityBench.MinimumAgreement:P0} " +
                $"and FID <= {RecipeQualityBench.MaximumFidOverFloor}x the floor (10,000 rows vs MNIST test); report the training minutes.",
        };
        Option<bool> emaWarmup = new("--ema-warmup") { Description = "With --time-to-quality: the recipe with GanOptions.GeneratorEmaWarmup (a lever, not the recipe)." };
        Option<GanArchitecture> architecture = new("--architecture") { Description = "Networks to measure.", DefaultValueFactory = _ => GanArchitecture.Mlp };
        Option<string> label = new("--label") { Description = "Text added to every setting (e.g. the machine's load)." , DefaultValueFactory = _ => "" };

        var command = new Command("bench", "Measure training and generation speed of the article's GAN on MNIST.")
        {
            mnistDirectory, epochs, threads, rows, markdown, fitOnly, model, saveModel, label, architecture, timeToFid, maxEpochs, timeToQuality, emaWarmup,
        };
        command.SetAction((result, cancellationToken) => Task.FromResult(result.GetValue(timeToQuality)
            ? RecipeQuality(result.GetValue(mnistDirectory), result.GetValue(maxEpochs), result.GetValue(emaWarmup), result.GetValue(markdown))
            : result.GetValue(timeToFid) is double threshold
            ? TimeToQuality(result.GetValue(mnistDirectory), result.GetValue(architecture), threshold, result.GetValue(maxEpochs), result.GetValue(markdown))
            : Run(
            result.GetValue(mnistDirectory), result.GetValue(epochs), result.GetValue(threads)!, result.GetValue(rows), result.GetValue(markdown),
            result.GetValue(fitOnly), result.GetValue(model), result.GetValue(saveModel), result.GetValue(label)!, result.GetValue(architecture), cancellationToken)));
        return command;
    }

    private static int Run(DirectoryInfo? mnistDirectory, int epochs, int[] threadSettings, int rows, FileInfo? markdown, bool fitOnly, FileInfo? model,
        FileInfo? saveModel, string label, GanArchitecture architecture, CancellationToken cancellationToken)
    {
        if (rows < 1 || epochs < 1 || threadSettings.Length == 0 || threadSettings.Any(t => t < 1))
        {
            throw new ArgumentException($"--rows and --epochs must be at least 1 and --threads needs values of at least 1; got --rows {rows}, --epochs {epochs}, --threads {string.Join(' ', threadSettings)}.");
        }

        if (model is not null && (fitOnly || saveModel is not null))
        {
            throw new ArgumentException("--model measures a saved model's scoring rates; it cannot be combined with --fit-only or --save-model.");
        }

        if (model is { Exists: false })
        {
            throw new FileNotFoundException($"--model '{model.FullName}' does not exist.", model.FullName);
        }

        var table = new StringBuilder();
        if (model is not null)
        {
            Scoring(table, inMemory: null, model.FullName, rows, label);
            return Finish(table, markdown);
        }

        GanTransformer? gan = null;
        foreach (int threads in threadSettings)
        {
            var ml = new MLContext(seed: 1);
            IDataView train = ml.Gan().Data.LoadMnist(MnistSplit.Train, new MnistOptions { DataDirectory = mnistDirectory?.FullName, AllowNpmPackage = true });
            var clock = Stopwatch.StartNew();
            GanTransformer fitted = ml.Gan().Generator(new GanOptions { Network = GanNetworkOptions.For(architecture), Budget = TrainingBudget.OfEpochs(epochs), Seed = 1, Threads = threads }).Fit(train, cancellationToken);
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

        using (gan)
        {
            if (!fitOnly)
            {
                string zip = saveModel?.FullName ?? Path.Combine(Path.GetTempPath(), $"gan-bench-{Guid.NewGuid():N}.zip");
                gan!.Save(zip);
                try
                {
                    Scoring(table, gan, zip, rows, label);
                }
                finally
                {
                    if (saveModel is null)
                    {
                        File.Delete(zip);
                    }
                }
            }
        }

        return Finish(table, markdown);
    }

    /// <summary>
    /// The scoring rates of one model, each measurement run <see cref="Repeats"/> times in turn (so a busy moment of the
    /// machine hits all of them alike), medians reported with the single runs, then the ratios the goals are stated in.
    /// </summary>
    private static void Scoring(StringBuilder table, GanTransformer? inMemory, string zip, int rows, string label)
    {
        var context = new MLContext(seed: 1);
        using GanTransformer loaded = context.Gan().LoadGenerator(zip);
        // A context of its own, so the guard (which makes ML.NET ignore per-transform thread settings) leaves LoadGenerator's alone.
        ITransformer stock = new MLContext(seed: 1).Gan().ReadOnnxFilesAsOnnx().Model.Load(zip, out _);
        Dictionary<string, string> metadata;
        using (var session = new InferenceSession(loaded.GetOnnxModel()))
        {
            metadata = session.ModelMetadata.CustomMetadataMap;
        }

        string architecture = metadata.GetValueOrDefault("gan.training.architecture", "Generator");
        int threads = loaded.ScoringThreads;
        // The stock chain runs with ONNX Runtime's default threads (one per core); bulk generation with as many is the
        // like-for-like comparison to it.
        int cores = Environment.ProcessorCount;
        using GanTransformer? wide = cores == threads ? null : context.Gan().LoadGenerator(zip, threads: cores);
        int batch = loaded.BatchSize;
        string pixels = loaded.GeneratedPixelsColumnName;
        IDataView latent = context.Gan().Data.SampleLatent(loaded, rows, seed: 1);
        int imageRows = Math.Min(rows, 20_000);
        IDataView imageLatent = context.Gan().Data.SampleLatent(loaded, imageRows, seed: 1);
        using var direct = new DirectOnnxRuntime(loaded, latent, batch);

        var measurements = new List<Measurement>();
        if (inMemory is not null)
        {
            measurements.Add(new("in memory", $"{architecture} Transform in memory (batched: {batch:N0} rows per ONNX Runtime call), rows/s over {rows:N0} rows",
                $"GeneratedPixels only, {threads} intra-op thread(s){label}", rows, () => Drain(inMemory.Transform(latent), pixels)));
        }

        measurements.Add(new("loaded", $"{architecture} Transform of the model loaded with mlContext.Gan().LoadGenerator, rows/s over {rows:N0} rows",
            $"GeneratedPixels only, {threads} intra-op thread(s){label}", rows, () => Drain(loaded.Transform(latent), pixels)));
        measurements.Add(new("stock", $"{architecture} Transform of the stock mlContext.Model.Load chain (OnnxTransformer, one row per call), rows/s over {rows:N0} rows",
            $"GeneratedPixels only, ONNX Runtime default threads{label}", rows, () => Drain(stock.Transform(latent), pixels)));
        measurements.Add(new("image", $"{architecture} Transform with the image column, rows/s over {imageRows:N0} rows",
            $"GeneratedPixels + GeneratedImage, {(inMemory is null ? "loaded" : "in memory")}{label}", imageRows,
            () => Drain((inMemory ?? loaded).Transform(imageLatent), pixels, loaded.GeneratedImageColumnName)));
        measurements.Add(new("bulk", $"{architecture} bulk generation (gan.Generate, batches of {batch:N0}), rows/s over {rows:N0} rows",
            $"GeneratedPixels, {threads} intra-op thread(s){label}", rows, () => Drain((inMemory ?? loaded).Generate(rows, seed: 1), pixels)));
        if (wide is not null)
        {
            measurements.Add(new("bulk wide", $"{architecture} bulk generation (gan.Generate, batches of {batch:N0}), rows/s over {rows:N0} rows",
                $"GeneratedPixels, {cores} intra-op threads (LoadGenerator(path, threads: {cores})){label}", rows, () => Drain(wide.Generate(rows, seed: 1), pixels)));
        }

        measurements.Add(new("direct", $"{architecture} ONNX Runtime run directly on gan.GetOnnxModel() (batches of {batch:N0}, latent batches made beforehand), rows/s over {rows:N0} rows",
            $"1 intra-op thread{label}", rows, direct.Run));

        // One untimed round first: JIT compilation, ONNX Runtime sessions and first-touch memory are not what is measured.
        foreach (Measurement measurement in measurements)
        {
            measurement.Run();
        }

        var rates = measurements.ToDictionary(m => m.Key, _ => new List<double>());
        for (int repeat = 0; repeat < Repeats; repeat++)
        {
            foreach (Measurement measurement in measurements)
            {
                var clock = Stopwatch.StartNew();
                measurement.Run();
                rates[measurement.Key].Add(measurement.Rows / clock.Elapsed.TotalSeconds);
            }
        }

        double Median(string key) => rates[key].Order().ElementAt(Repeats / 2);
        foreach (Measurement measurement in measurements)
        {
            Row(table, measurement.Name, measurement.Setting, string.Create(CultureInfo.InvariantCulture,
                $"{Median(measurement.Key):N0} rows/s (median of {Repeats} alternating runs: {string.Join(", ", rates[measurement.Key].Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))})"));
        }

        string Ratio(string numerator, string denominator) => string.Create(CultureInfo.InvariantCulture, $"{Median(numerator) / Median(denominator):F2}x");
        if (inMemory is not null)
        {
            Row(table, $"{architecture} LoadGenerator-loaded / in-memory Transform", "ratio of the medians above", Ratio("loaded", "in memory"));
        }

        Row(table, $"{architecture} bulk Generate / direct ONNX Runtime", "ratio of the medians above", Ratio("bulk", "direct"));
        Row(table, $"{architecture} bulk Generate / one-row stock Transform", $"ratio of the medians above ({threads} vs ONNX Runtime's default threads)", Ratio("bulk", "stock"));
        if (wide is not null)
        {
            Row(table, $"{architecture} bulk Generate / one-row stock Transform", $"ratio of the medians above ({cores} threads each)", Ratio("bulk wide", "stock"));
        }
        Row(table, "Peak working set of this process", $"after all of the above ({architecture})", $"{Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):F0} MiB");
        (stock as IDisposable)?.Dispose();
    }

    private sealed record Measurement(string Key, string Name, string Setting, int Rows, Action Run);

    /// <summary>
    /// The generator's batched graph in a bare ONNX Runtime session (1 intra-op thread), fed latent batches made before
    /// timing and writing into one output buffer: what a hand-written scorer would get, the limit for this graph here.
    /// </summary>
    private sealed class DirectOnnxRuntime : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly RunOptions _runOptions = new();
        private readonly List<(OrtValue[] Inputs, OrtValue Output)> _batches = [];
        private readonly string[] _inputNames;
        private readonly string[] _outputNames;

        public DirectOnnxRuntime(GanTransformer gan, IDataView latent, int batch)
        {
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
            _session = new InferenceSession(gan.GetOnnxModel(), options);
            _inputNames = [.. _session.InputMetadata.Keys];
            _outputNames = [gan.GeneratedPixelsColumnName];
            float[][] vectors = latent.GetColumn<float[]>(gan.LatentColumnName).ToArray();
            long[] pixelDims = [.. _session.OutputMetadata[gan.GeneratedPixelsColumnName].Dimensions.Skip(1).Select(d => (long)d)];
            var pixels = new float[batch * gan.ImageShape.Size];
            for (int start = 0; start < vectors.Length; start += batch)
            {
                int count = Math.Min(batch, vectors.Length - start);
                float[] values = vectors.Skip(start).Take(count).SelectMany(v => v).ToArray();
                var inputs = new List<OrtValue> { OrtValue.CreateTensorValueFromMemory(values, [count, gan.LatentDimension]) };
                if (gan.IsConditional)
                {
                    // Classes round robin, as the other measurements' latent rows have them: one-hot floats or int64 indices.
                    long[] classes = Enumerable.Range(start, count).Select(i => (long)(i % gan.ClassCount)).ToArray();
                    inputs.Add(_session.InputMetadata[_inputNames[1]].ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64
                        ? OrtValue.CreateTensorValueFromMemory(classes, [count])
                        : OrtValue.CreateTensorValueFromMemory(classes.SelectMany(c => Enumerable.Range(0, gan.ClassCount).Select(k => k == c ? 1f : 0f)).ToArray(), [count, gan.ClassCount]));
                }

                _batches.Add(([.. inputs], OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, pixels.AsMemory(0, count * gan.ImageShape.Size), [count, .. pixelDims])));
            }
        }

        public void Run()
        {
            foreach ((OrtValue[] inputs, OrtValue output) in _batches)
            {
                _session.Run(_runOptions, _inputNames, inputs, _outputNames, [output]);
            }
        }

        public void Dispose()
        {
            foreach ((OrtValue[] inputs, OrtValue output) in _batches)
            {
                output.Dispose();
                foreach (OrtValue input in inputs)
                {
                    input.Dispose();
                }
            }

            _runOptions.Dispose();
            _session.Dispose();
        }
    }

    private static int RecipeQuality(DirectoryInfo? mnistDirectory, int maxEpochs, bool emaWarmup, FileInfo? markdown)
    {
        (string measurement, string setting, string result) =
            RecipeQualityBench.Measure(mnistDirectory, threads: 2, Math.Min(maxEpochs, GanOptions.SyntheticDataEpochs), samples: 10_000, emaWarmup);
        var table = new StringBuilder();
        Row(table, measurement, setting, result);
        return Finish(table, markdown);
    }

    private static int Finish(StringBuilder rows, FileInfo? markdown)
    {
        string table = "| measurement | setting | result |\n|---|---|---|\n" + rows;
        Console.Write(table);
        if (markdown is not null)
        {
            Reporting.ReportFile.Write(markdown.FullName, table);
        }

        return 0;
    }

    /// <summary>Minutes since training started (1 thread; the per-epoch evaluation included) until FID against training images falls below the threshold.</summary>
    private static int TimeToQuality(DirectoryInfo? mnistDirectory, GanArchitecture architecture, double threshold, int maxEpochs, FileInfo? markdown)
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Gan().Data.LoadMnist(MnistSplit.Train, new MnistOptions { DataDirectory = mnistDirectory?.FullName, AllowNpmPackage = true });
        var trajectory = new List<(int Epoch, double Minutes, double Fid)>();
        using var stop = new CancellationTokenSource();
        var options = new GanOptions
        {
            Network = GanNetworkOptions.For(architecture),
            Budget = TrainingBudget.OfEpochs(maxEpochs),
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
            using GanTransformer gan = ml.Gan().Generator(options).Fit(train, stop.Token);
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
