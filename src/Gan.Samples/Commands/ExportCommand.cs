using System.CommandLine;
using Microsoft.ML;
using Microsoft.ML.Gan;

namespace Gan.Samples.Commands;

/// <summary>
/// <c>export</c>: a model zip's generator as a PyTorch state_dict (or safetensors) that the article's Generator class loads
/// with <c>load_state_dict</c>, keys unchanged.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        Option<FileInfo> model = new("--model", "-m")
        {
            Description = "Model zip written by 'train' or 'import'.",
            DefaultValueFactory = _ => new FileInfo("out/train/mnist-gan.zip"),
        };
        Option<FileInfo> weights = new("--pytorch-generator")
        {
            Description = "The state_dict file to write: torch.save format, or safetensors when it ends in .safetensors.",
            Required = true,
        };

        var command = new Command("export", "Write a model zip's generator as PyTorch weights (state_dict or safetensors) for the article's Generator class.")
        {
            model, weights,
        };
        command.SetAction(result => Run(result.GetValue(model)!, result.GetValue(weights)!));
        return command;
    }

    private static int Run(FileInfo model, FileInfo weights)
    {
        CommonOptions.RefuseOutputOverInput(weights, "--pytorch-generator", model, "--model");
        CommonOptions.EnsureWritableDirectory(weights.Directory!, "--pytorch-generator");
        var ml = new MLContext(seed: 1);
        using GanTransformer gan = ml.Gan().LoadGenerator(model.FullName);
        ml.Gan().ExportPyTorchGenerator(gan, weights.FullName);
        Console.WriteLine($"Wrote {weights.FullName} (z = {gan.LatentDimension}, images {gan.ImageShape}; load it with G.load_state_dict(...))");
        return 0;
    }
}
