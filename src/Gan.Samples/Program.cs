using System.CommandLine;
using Gan.Samples.Commands;

// The samples CLI: every command is one file under Commands/. Only this app prints; the library logs.
var root = new RootCommand("Microsoft.ML.Gan samples: GANs on MNIST with ML.NET and TorchSharp.")
{
    MnistCommand.Create(),
    TrainCommand.Create(),
    GenerateCommand.Create(),
    BenchCommand.Create(),
    AugmentCommand.Create(),
    FeatureNetCommand.Create(),
    EvaluateCommand.Create(),
};

try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("Cancelled.");
    return 130;
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidOperationException or InvalidDataException or UnauthorizedAccessException)
{
    // Expected failures (bad options, missing or corrupt files) get one clear line, not a stack trace.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
