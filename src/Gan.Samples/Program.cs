using System.CommandLine;
using System.Runtime.InteropServices;
using Gan.Samples.Commands;

// The samples CLI: every command is one file under Commands/. Only this app prints; the library logs.
Gan.Samples.NativeHeap.KeepFreedMemory();
Option<bool> verbose = new("--verbose") { Description = "On an error, print the whole exception with its stack trace.", Recursive = true };
Option<bool> mklIntelKernels = new("--mkl-intel-kernels")
{
    Description = "Make libtorch's Intel MKL run its Intel kernels on other vendors' processors (faster matrix products on AMD; other bits than without it). Off by default.",
    Recursive = true,
};
var root = new RootCommand("Microsoft.ML.Gan samples: GANs on MNIST with ML.NET and TorchSharp.")
{
    MnistCommand.Create(),
    TrainCommand.Create(),
    GenerateCommand.Create(),
    BenchCommand.Create(),
    AugmentCommand.Create(),
    FeatureNetCommand.Create(),
    EvaluateCommand.Create(),
    ImportCommand.Create(),
    ExportCommand.Create(),
    SemiSupervisedCommand.Create(),
    TableCommand.Create(),
    TableStudyCommand.Create(),
    TableEvaluateCommand.Create(),
};
root.Options.Add(verbose);
root.Options.Add(mklIntelKernels);

// The first Ctrl+C or SIGTERM asks the running command to stop at its next safe point (training: the next step,
// after writing a checkpoint when a folder is set); a second one ends the process at once.
using var stop = new CancellationTokenSource();
void RequestStop(Action keepRunning)
{
    if (stop.IsCancellationRequested)
    {
        Console.Error.WriteLine("Stopped.");
        Environment.Exit(130);
    }

    keepRunning();
    Console.Error.WriteLine("Stopping at the next step (press Ctrl+C again to quit at once)...");
    stop.Cancel();
}

Console.CancelKeyPress += (_, e) => RequestStop(() => e.Cancel = true);
using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => RequestStop(() => context.Cancel = true));

ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count == 0 && parsed.GetValue(mklIntelKernels))
{
    // Before the command: MKL picks its kernels at its first routine.
    Console.WriteLine($"MKL kernels on other vendors' processors: {Microsoft.ML.Gan.GanRuntime.UseMklIntelKernels()}");
}

try
{
    // Signals are handled above, so System.CommandLine's own handling (which ends the process after a timeout) is off.
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, stop.Token);
}
catch (OperationCanceledException e)
{
    Console.Error.WriteLine(e.Message.StartsWith("Training cancelled", StringComparison.Ordinal) ? CliMessages.ForCommandLine(e.Message) : "Cancelled.");
    return 130;
}
catch (Exception e)
{
    // Every failure is one line naming its cause; the stack trace only with --verbose. ML.NET wraps failures
    // inside its cursors ("Event we were waiting on was subject to an exception"): the innermost cause is named.
    Exception cause = e;
    while (cause.InnerException is not null && cause is not (ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException or NotSupportedException))
    {
        cause = cause.InnerException;
    }

    bool expected = cause is ArgumentException or IOException or InvalidOperationException or InvalidDataException or UnauthorizedAccessException or NotSupportedException;
    string message = CliMessages.ForCommandLine(cause.Message);
    Console.Error.WriteLine(expected ? $"error: {message}" : $"error: {cause.GetType().Name}: {message} (run with --verbose for the stack trace)");
    if (parsed.GetValue(verbose))
    {
        Console.Error.WriteLine(e);
    }

    return 1;
}
