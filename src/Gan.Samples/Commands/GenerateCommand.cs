using System.CommandLine;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan;

namespace Gan.Samples.Commands;

/// <summary>
/// <c>generate</c>: loads a model zip with <c>mlContext.Model.Load</c> (no Microsoft.ML.Gan types needed to
/// score it) and writes N generated digits as a PNG grid and as an IDX image file.
/// </summary>
internal static class GenerateCommand
{
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
        Option<LatentDistribution> distribution = new("--latent-distribution")
        {
            Description = "Distribution of z; use the one the model was trained with.",
            DefaultValueFactory = _ => LatentDistribution.Uniform,
        };

        var command = new Command("generate", "Load a model zip and write N generated images as a PNG grid and an IDX file.")
        {
            model, output, count, seed, distribution,
        };
        command.SetAction(result => Run(result.GetValue(model)!, result.GetValue(output)!, result.GetValue(count), result.GetValue(seed), result.GetValue(distribution)));
        return command;
    }

    private static int Run(FileInfo modelFile, DirectoryInfo output, int count, int seed, LatentDistribution distribution)
    {
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "--count must be at least 1.");
        }

        var ml = new MLContext(seed: seed);
        (IDataView generated, DataViewSchema inputSchema, DataViewSchema.Column pixelColumn) = SavedGenerator.Generate(ml, modelFile, count, seed, distribution);
        DataViewSchema.Column? label = inputSchema.Cast<DataViewSchema.Column?>().FirstOrDefault(c => c!.Value.Type is KeyDataViewType);
        var dimensions = ((VectorDataViewType)pixelColumn.Type).Dimensions;
        int height = dimensions[^2], width = dimensions[^1];
        List<float[]> images = generated.GetColumn<float[]>(pixelColumn.Name).ToList();

        output.Create();
        string png = Path.Combine(output.FullName, "generated.png");
        int columns = label?.Type is KeyDataViewType key ? (int)key.Count : (int)Math.Ceiling(Math.Sqrt(count));
        using (MLImage grid = GanImages.Grid(images, height, width, columns))
        {
            GanImages.SavePng(grid, png);
        }

        string idx = Path.Combine(output.FullName, "generated-images-idx3-ubyte");
        string? labels = label is null ? null : Path.Combine(output.FullName, "generated-labels-idx1-ubyte");
        ml.Gan().SaveAsIdx(generated, idx, pixelColumn.Name, labels, label?.Name ?? "Label");
        Console.WriteLine($"Generated {count} images of {height} x {width} from {modelFile.Name} (inputs: {string.Join(", ", inputSchema.Select(c => $"{c.Name} {c.Type}"))}; seed {seed})");
        Console.WriteLine($"Wrote {png}");
        Console.WriteLine($"Wrote {idx}");
        if (labels is not null)
        {
            Console.WriteLine($"Wrote {labels} (row i has class i mod {((KeyDataViewType)label!.Value.Type).Count})");
        }
        return 0;
    }
}
