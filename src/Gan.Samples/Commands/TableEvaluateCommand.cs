using System.CommandLine;
using System.Globalization;
using Gan.Samples.Tables;
using Microsoft.ML;
using Microsoft.ML.Gan;

namespace Gan.Samples.Commands;

/// <summary>
/// <c>table-evaluate</c>: SDMetrics' quality report of synthetic table rows against real ones, two CSV files with the same
/// header (from any generator): the overall score, column shapes and pair trends, and a score per column.
/// </summary>
internal static class TableEvaluateCommand
{
    public static Command Create()
    {
        Option<FileInfo> real = new("--real") { Description = "The real rows: a CSV file with a header.", Required = true };
        Option<FileInfo> synthetic = new("--synthetic") { Description = "The synthetic rows: a CSV file with the same header.", Required = true };
        Option<char> separator = new("--separator") { Description = "The CSVs' separator.", DefaultValueFactory = _ => ',' };
        Option<string[]> exclude = new("--exclude") { Description = "Columns to leave out of the comparison.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("table-evaluate", "SDMetrics' quality score of synthetic table rows against real ones (two CSV files with the same header).")
        {
            real, synthetic, separator, exclude,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var ml = new MLContext(seed: 1);
            char sep = result.GetValue(separator);
            (IDataView realRows, IReadOnlyList<(string Name, Microsoft.ML.Data.DataKind Kind)> columns) = CsvTable.Load(ml, result.GetValue(real)!.FullName, sep);
            string syntheticPath = result.GetValue(synthetic)!.FullName;
            string realHeader = File.ReadLines(result.GetValue(real)!.FullName).First();
            string syntheticHeader = File.Exists(syntheticPath) ? File.ReadLines(syntheticPath).FirstOrDefault() ?? "" : throw new FileNotFoundException($"--synthetic '{syntheticPath}' does not exist.", syntheticPath);
            if (syntheticHeader != realHeader)
            {
                throw new InvalidDataException($"--synthetic '{syntheticPath}' has the header '{syntheticHeader}'; the real rows' is '{realHeader}'.");
            }

            // The synthetic rows are read with the real rows' column types, so a generator's rows compare column for column.
            IDataView syntheticRows = CsvTable.LoadWith(ml, syntheticPath, sep, columns);
            TableQualityReport report = ml.Gan().EvaluateTable(ml.Data.Cache(realRows), ml.Data.Cache(syntheticRows), result.GetValue(exclude) ?? []);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Quality {report.OverallScore:F4} (column shapes {report.ColumnShapesScore:F4}, column pair trends {report.ColumnPairTrendsScore:F4})"));
            foreach (ColumnShapeScore shape in report.ColumnShapes)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {shape.Column}: {shape.Metric} {shape.Score:F4}"));
            }

            return Task.FromResult(0);
        });
        return command;
    }
}
