using System.CommandLine;
using Gan.Samples.Commands;

// The samples CLI: every command is one file under Commands/. Only this app prints; the library logs.
Option<bool> verbose = new("--verbose") { Description = "On an error, print the whole exception with its stack trace.", Recursive = true };
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
root.Options.Add(verbose);

ParseResult parsed = root.Parse(args);
try
{
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("Cancelled.");
    return 130;
}
catch (Exception e)
{
    // Every failure is one line naming its cause; the stack trace only with --verbose. ML.NET wraps failures
    // inside its cursors ("Event we were waiting on was subject to an exception"): the innermost cause is named.
    Exception cause = e;
    while (cause.InnerException is not null && cause is not (ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException))
    {
        cause = cause.InnerException;
    }

    bool expected = cause is ArgumentException or IOException or InvalidOperationException or InvalidDataException or UnauthorizedAccessException or NotSupportedException;
    Console.Error.WriteLine(expected ? $"error: {cause.Message}" : $"error: {cause.GetType().Name}: {cause.Message} (run with --verbose for the stack trace)");
    if (parsed.GetValue(verbose))
    {
        Console.Error.WriteLine(e);
    }

    return 1;
}
