using System.CommandLine;
using Microsoft.ML;
using Microsoft.ML.Gan;

namespace Gan.Samples.Commands;

/// <summary>
/// <c>import</c>: a generator trained in PyTorch (<c>torch.save(G.state_dict(), path)</c> of the article's Generator or the DCGAN
/// generator of bench/pytorch/gan_reference.py) becomes an ordinary model zip that <c>generate</c> and stock ML.NET read.
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        Option<FileInfo> weights = new("--pytorch-generator")
        {
            Description = "The generator's state_dict saved by PyTorch (torch.save(G.state_dict(), path)), or a .safetensors file.",
            Required = true,
        };
        Option<FileInfo> output = new("--output", "-o") { Description = "The model zip to write.", Required = true };
        Option<GanArchitecture> architecture = new("--architecture") { Description = "The generator class: Mlp (the article's Generator) or Dcgan.", DefaultValueFactory = _ => GanArchitecture.Mlp };
        Option<int?> hiddenSize = new("--hidden-size") { Description = "The article's h; read from fc1.weight when left out (checked when given)." };
        Option<int?> dcganWidth = new("--dcgan-width") { Description = "Dcgan base width w; read from deconv1.weight when left out." };
        Option<int?> latentDimension = new("--latent-dim") { Description = "Size of z; read from the first layer's weight when left out." };
        Option<LatentDistribution> distribution = new("--latent-distribution")
        {
            Description = "Distribution of z the generator was trained with (the weights do not say); the model records it.",
            DefaultValueFactory = _ => LatentDistribution.Uniform,
        };

        var command = new Command("import", "Turn a generator state_dict saved by PyTorch into a model zip (for generate, evaluate, or an ML.NET app).")
        {
            weights, output, architecture, hiddenSize, dcganWidth, latentDimension, distribution,
        };
        command.SetAction(result => Run(result.GetValue(weights)!, result.GetValue(output)!, new PyTorchGeneratorOptions
        {
            Architecture = result.GetValue(architecture),
            HiddenSize = result.GetValue(hiddenSize),
            DcganWidth = result.GetValue(dcganWidth),
            LatentDimension = result.GetValue(latentDimension),
            LatentDistribution = result.GetValue(distribution),
        }));
        return command;
    }

    private static int Run(FileInfo weights, FileInfo output, PyTorchGeneratorOptions options)
    {
        CommonOptions.RefuseOutputOverInput(output, "--output", weights, "--pytorch-generator");
        CommonOptions.EnsureWritableDirectory(output.Directory!, "--output");
        var ml = new MLContext(seed: 1);
        using GanTransformer gan = ml.Gan().ImportPyTorchGenerator(weights.FullName, options);
        gan.Save(output.FullName);
        Console.WriteLine($"Imported a {options.Architecture} generator from {weights.Name}: z = {gan.LatentDimension} ({gan.LatentDistribution}), images {gan.ImageShape}");
        Console.WriteLine($"Wrote {output.FullName}");
        return 0;
    }
}
