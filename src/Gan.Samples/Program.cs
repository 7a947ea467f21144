using System.CommandLine;
using Gan.Samples.Commands;

// The samples CLI: every command is one file under Commands/. Only this app prints; the library logs.
var root = new RootCommand("Microsoft.ML.Gan samples: GANs on MNIST with ML.NET and TorchSharp.")
{
    MnistCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
