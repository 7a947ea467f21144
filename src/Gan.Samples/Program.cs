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
    // ML.NET wraps failures inside its cursors ("Event we were waiting on was subject to an exception"): name the cause.
    Exception cause = e;
    while (cause.InnerException is not null)
    {
        cause = cause.InnerException;
    }

    Console.Error.WriteLine(ReferenceEquals(cause, e) ? $"error: {e.Message}" : $"error: {cause.Message}");
    return 1;
}
