using System.CommandLine;
using System.Globalization;
using Gan.Samples.Reporting;
using Gan.Samples.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Gan;

namespace Gan.Samples.Commands;

/// <summary>
/// <c>table-study</c>: the table generator on UCI Adult (SDGym's split): machine-learning efficacy of ML.NET classifiers
/// trained on synthetic rows, SDMetrics' quality score and upsampling of the minority class, over several seeds, as a
/// Markdown report (docs/TABULAR.md).
/// </summary>
internal static class TableStudyCommand
{
    public static Command Create()
    {
        Option<FileInfo> train = new("--train") { Description = "Training rows (CSV with a header).", DefaultValueFactory = _ => new FileInfo(Path.Combine("data", "adult", "adult-train.csv")) };
        Option<FileInfo> test = new("--test") { Description = "Held-out rows, the same columns.", DefaultValueFactory = _ => new FileInfo(Path.Combine("data", "adult", "adult-test.csv")) };
        Option<string> label = new("--label") { Description = "The 0/1 integer label column.", DefaultValueFactory = _ => "label(IsOver50K)" };
        Option<int?> epochs = new("--epochs") { Description = "Generator epochs per seed (default 300, CTGAN's; 10 with --quick)." };
        Option<int> batchSize = new("--batch-size") { Description = "Generator batch (a multiple of 10).", DefaultValueFactory = _ => 500 };
        Option<int[]?> seeds = new("--seeds") { Description = "Seeds (default 1 2 3 4 5; 1 2 with --quick).", AllowMultipleArgumentsPerToken = true };
        Option<int> threads = new("--threads") { Description = "TorchSharp threads of the generator.", DefaultValueFactory = _ => 1 };
        Option<float?> ema = CommonOptions.Ema();
        Option<bool> emaWarmup = CommonOptions.EmaWarmup();
        Option<bool> tvae = CommonOptions.Tvae();
        Option<bool> residualDecoder = CommonOptions.TvaeResidualDecoder();
        Option<bool> quick = new("--quick") { Description = "A small study for checks: 10 epochs, seeds 1 and 2 (options given explicitly still apply)." };
        Option<DirectoryInfo> output = CommonOptions.Output("out/table-study");
        Option<FileInfo?> report = new("--report") { Description = "Where to write the Markdown report (default: <output>/tabular.md); the pictures go next to it." };
        Option<LogLevel> logLevel = CommonOptions.Verbosity();
        var command = new Command("table-study", "Efficacy, quality and upsampling of the table generator on Adult over several seeds, as a Markdown report (docs/TABULAR.md).")
        {
            train, test, label, epochs, batchSize, seeds, threads, ema, emaWarmup, tvae, residualDecoder, quick, output, report, logLevel,
        };
        command.SetAction((result, cancellationToken) =>
        {
            bool small = result.GetValue(quick);
            TvaeOptions? vae = CommonOptions.TvaeFrom(result.GetValue(tvae), result.GetValue(residualDecoder));
            var plan = new TableStudyPlan(result.GetValue(train)!.FullName, result.GetValue(test)!.FullName, result.GetValue(label)!,
                result.GetValue(epochs) ?? (small ? 10 : 300), result.GetValue(batchSize), result.GetValue(seeds) is { Length: > 0 } given ? given : small ? [1, 2] : [1, 2, 3, 4, 5],
                result.GetValue(threads), small, result.GetValue(ema), result.GetValue(emaWarmup), vae is not null, vae?.ResidualDecoder ?? false);
            DirectoryInfo folder = result.GetValue(output)!;
            CommonOptions.EnsureWritableDirectory(folder, "--output");
            string reportPath = result.GetValue(report)?.FullName ?? Path.Combine(folder.FullName, "tabular.md");
            using ILoggerFactory loggers = CommonOptions.CreateLoggerFactory(result.GetValue(logLevel));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            IReadOnlyList<TableStudyRun> runs = TableStudy.Run(plan, folder.FullName, loggers.CreateLogger("table-study"),
                line => Console.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] {line}"), cancellationToken);
            string reportFolder = Path.GetDirectoryName(reportPath)!;
            Directory.CreateDirectory(reportFolder);
            var pictures = new List<string>();
            foreach (Marginal marginal in runs[0].Marginals)
            {
                string name = $"{Path.GetFileNameWithoutExtension(reportPath).ToLowerInvariant()}-{marginal.Column}.png";
                ReportFile.Write(Path.Combine(reportFolder, name), Marginals.Chart(marginal, runs[0].Seed));
                pictures.Add(name);
            }

            string commandLine = "./build.sh run table-study" + (small ? " --quick" : "") + (plan.Tvae ? " --tvae" : "") + (plan.TvaeResidualDecoder ? " --tvae-residual-decoder" : "")
                + (plan.Ema is float decay ? string.Create(CultureInfo.InvariantCulture, $" --ema {decay}") + (plan.EmaWarmup ? " --ema-warmup" : "") : "") + $" --report {Relative(reportPath)} --output {Relative(folder.FullName)}";
            string machine = string.Create(CultureInfo.InvariantCulture,
                $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, TorchSharp {Version(typeof(TorchSharp.torch))}, ML.NET {Version(typeof(Microsoft.ML.MLContext))}, generator threads {plan.Threads}");
            ReportFile.Write(reportPath, TableStudyReport.Write(plan, runs, commandLine, machine, pictures));
            Console.WriteLine($"Report: {reportPath}");
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>The package version an assembly was built as (its informational version without the commit).</summary>
    private static string Version(Type type)
        => (System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(type.Assembly)?.InformationalVersion ?? "?").Split('+')[0];

    private static string Relative(string path) => Path.GetRelativePath(Environment.CurrentDirectory, path).Replace('\\', '/');
}
