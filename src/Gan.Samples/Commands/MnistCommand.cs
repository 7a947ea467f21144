using System.CommandLine;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan;

namespace Gan.Samples.Commands;

/// <summary><c>mnist</c>: fetches MNIST if needed, prints schema and row counts, renders one digit.</summary>
internal static class MnistCommand
{
    public static Command Create()
    {
        Option<DirectoryInfo?> mnistDirectory = CommonOptions.MnistDirectory();
        Option<DirectoryInfo> output = CommonOptions.Output("out/mnist");
        Option<LogLevel> logLevel = CommonOptions.Verbosity();
        Option<int> row = new("--row")
        {
            Description = "Index of the training image to render.",
            DefaultValueFactory = _ => 0,
        };

        var command = new Command("mnist", "Load MNIST through ML.NET, print its schema and row counts, render one digit as ASCII and PNG.")
        {
            mnistDirectory, output, row, logLevel,
        };
        command.SetAction(result => Run(
            result.GetValue(mnistDirectory),
            result.GetValue(output)!,
            result.GetValue(row),
            result.GetValue(logLevel)));
        return command;
    }

    private static int Run(DirectoryInfo? mnistDirectory, DirectoryInfo output, int row, LogLevel logLevel)
    {
        using ILoggerFactory loggers = CommonOptions.CreateLoggerFactory(logLevel);
        ILogger logger = loggers.CreateLogger("mnist");
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Gan().Data.LoadMnist(MnistSplit.Train, CommonOptions.Mnist(mnistDirectory, logger));
        IDataView test = ml.Gan().Data.LoadMnist(MnistSplit.Test, CommonOptions.Mnist(mnistDirectory, logger));

        Console.WriteLine("Schema:");
        foreach (DataViewSchema.Column column in train.Schema)
        {
            Console.WriteLine($"  {column.Name}: {column.Type}");
        }

        Console.WriteLine($"Rows: train {train.GetRowCount()}, test {test.GetRowCount()}");

        (uint label, float[] pixels) = ReadRow(train, row);
        Console.WriteLine($"Training image {row} (label {label - 1}):");
        Console.WriteLine(Ascii.Render(pixels, 28, 28));

        output.Create();
        string png = Path.Combine(output.FullName, $"mnist-train-{row}.png");
        using (MLImage image = GanImages.FromGrayscale(pixels, 28, 28))
        {
            GanImages.SavePng(image, png);
        }

        Console.WriteLine($"Wrote {png}");
        Console.WriteLine(BackendReport.Describe());
        return 0;
    }

    private static (uint Label, float[] Pixels) ReadRow(IDataView data, int index)
    {
        if (index < 0 || index >= data.GetRowCount())
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"--row must be in 0..{data.GetRowCount() - 1}.");
        }

        using DataViewRowCursor cursor = data.GetRowCursor(data.Schema);
        ValueGetter<uint> labelGetter = cursor.GetGetter<uint>(data.Schema["Label"]);
        ValueGetter<VBuffer<float>> pixelsGetter = cursor.GetGetter<VBuffer<float>>(data.Schema["Pixels"]);
        while (cursor.MoveNext() && cursor.Position < index)
        {
        }

        uint label = 0;
        VBuffer<float> pixels = default;
        labelGetter(ref label);
        pixelsGetter(ref pixels);
        return (label, pixels.DenseValues().ToArray());
    }
}
