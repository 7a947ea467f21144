using System.CommandLine;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan;

namespace Gan.Samples.Commands;

/// <summary>
/// <c>generate</c>: loads a model zip (<see cref="SavedGenerator"/>: with its latent distribution and classes, or an
/// earlier zip through <c>mlContext.Model.Load</c>) and writes N generated digits as an IDX file, streamed so memory
/// does not grow with N, and the first (at most <see cref="GridLimit"/>) as a PNG grid.
/// </summary>
internal static class GenerateCommand
{
    /// <summary>Images shown in the PNG grid at most (a grid of every image of a large run would be hundreds of megabytes).</summary>
    public const int GridLimit = 1024;

    public static Command Create()
    {
        Option<FileInfo> model = new("--model", "-m")
        {
            Description = "Model zip written by 'train'.",
            DefaultValueFactory = _ => new FileInfo("out/train/mnist-gan.zip"),
        };
        Option<DirectoryInfo> output = CommonOptions.Output("out/generate");
        Option<int> count = new("--count", "-n") { Description = "Images to generate.", DefaultValueFactory = _ => 64 };
        Option<int> seed = new("--seed") { Description = "Seed of the latent vectors.", DefaultValueFactory = _ => 7 };
        Option<LatentDistribution?> distribution = CommonOptions.LatentDistribution();

        Option<float> latentScale = CommonOptions.LatentScale();
        Option<int> gridScale = CommonOptions.GridScale();
        Option<string> device = CommonOptions.Device("ONNX Runtime device to generate on (MLContext.GpuDeviceId; no fallback to the CPU)");
        var command = new Command("generate", "Load a model zip and write N generated images as an IDX file and a PNG grid (of the first 1,024).")
        {
            model, output, count, seed, distribution, latentScale, gridScale, device,
        };
        command.SetAction((result, cancellationToken) => Task.FromResult(Run(result.GetValue(model)!, result.GetValue(output)!, result.GetValue(count), result.GetValue(seed),
            result.GetValue(distribution), result.GetValue(latentScale), result.GetValue(gridScale), CommonOptions.CudaDeviceIndex(result.GetValue(device)).Index, cancellationToken)));
        return command;
    }

    /// <summary>The saved generator on the context's device; a CUDA device this ONNX Runtime cannot use is named as the option.</summary>
    private static SavedGenerator Load(MLContext ml, FileInfo modelFile, LatentDistribution? distribution)
    {
        try
        {
            return SavedGenerator.Load(ml, modelFile, distribution);
        }
        catch (NotSupportedException e) when (ml.GpuDeviceId is int device)
        {
            throw new NotSupportedException(
                $"--device cuda:{device}: ONNX Runtime cannot run on CUDA here ({e.InnerException?.Message ?? e.Message}). This build has the CPU-only ONNX Runtime (README, GPUs, says how to build one with CUDA); use --device cpu.", e);
        }
    }

    /// <remarks>Ctrl+C or SIGTERM stops the IDX writing at the next row; its temporary files are removed (exit code 130).</remarks>
    private static int Run(FileInfo modelFile, DirectoryInfo output, int count, int seed, LatentDistribution? distribution, float latentScale, int gridScale, int? gpuDeviceId,
        CancellationToken cancellationToken)
    {
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"--count must be at least 1; got {count}.");
        }

        CommonOptions.EnsureWritableDirectory(output, "--output");
        var ml = new MLContext(seed: seed) { GpuDeviceId = gpuDeviceId, FallbackToCpu = false };
        using SavedGenerator generator = Load(ml, modelFile, distribution);
        IDataView generated = generator.Generate(count, seed, latentScale);
        int shown = Math.Min(count, GridLimit);
        List<float[]> gridImages = ml.Data.TakeRows(generated, shown).GetColumn<float[]>(generator.PixelsColumnName).ToList();

        string png = Path.Combine(output.FullName, "generated.png");
        int columns = generator.ClassCount > 0 ? generator.ClassCount : (int)Math.Ceiling(Math.Sqrt(shown));
        using (MLImage grid = GanImages.Grid(gridImages, generator.Height, generator.Width, columns, scale: gridScale))
        {
            GanImages.SavePng(grid, png);
        }

        string idx = Path.Combine(output.FullName, "generated-images-idx3-ubyte");
        // IDX label files hold key classes (SaveAsIdx writes Key<UInt32> columns); an integer label column is not written.
        bool writeLabels = generator.Label?.Type is KeyDataViewType { RawType: var raw } && raw == typeof(uint);
        string? labels = writeLabels ? Path.Combine(output.FullName, "generated-labels-idx1-ubyte") : null;
        ml.Gan().Data.SaveAsIdx(generated, idx, generator.PixelsColumnName, labels, generator.Label?.Name ?? "Label", cancellationToken);
        Console.WriteLine($"Generated {count:N0} images of {generator.Height} x {generator.Width} from {modelFile.Name} " +
                          $"(inputs: {string.Join(", ", generator.InputSchema.Select(c => $"{c.Name} {c.Type}"))}; " +
                          $"{generator.Distribution} latent vectors{(generator.SelfDescribing ? " as the model records" : "")}; seed {seed})");
        Console.WriteLine(shown < count ? $"Wrote {png} (the first {shown:N0} images)" : $"Wrote {png}");
        Console.WriteLine($"Wrote {idx}");
        if (labels is not null)
        {
            Console.WriteLine($"Wrote {labels} (row i has class i mod {generator.ClassCount})");
        }
        else if (generator.Label is DataViewSchema.Column label)
        {
            Console.WriteLine($"No label file: label column '{label.Name}' is {label.Type}, and IDX label files are written from Key<UInt32> columns (row i has class i mod {generator.ClassCount}).");
        }

        return 0;
    }
}
