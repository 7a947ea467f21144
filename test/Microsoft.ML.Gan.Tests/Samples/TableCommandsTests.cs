using Microsoft.ML.Gan.Tests.PyTorch;

namespace Microsoft.ML.Gan.Tests.Samples;

/// <summary>
/// The samples app's table verbs on the repository's Adult copy (data/adult): <c>table</c> writes synthetic rows with the
/// CSV's header, and <c>table-study</c> writes its report from kept runs.
/// </summary>
[Category(TestCategories.Slow)]
public sealed class TableCommandsTests : ScratchDirectoryTest
{
    private const string Label = "label(IsOver50K)";

    private static string Adult(string file) => Path.Combine(PythonWithTorch.RepositoryRoot, "data", "adult", file);

    [Test]
    public void TableWritesRowsWithTheCsvsColumnsAndTheLabelAskedFor()
    {
        string output = Path.Combine(Scratch, "table");
        (int exitCode, string log) = SamplesApp.Run("table", "--csv", Adult("adult-train.csv"), "--label", Label, "--label-value", "1", "--epochs", "2",
            "--rows", "300", "--output", output, "--log-level", "Warning");

        Assert.That(exitCode, Is.Zero, log);
        string[] lines = File.ReadAllLines(Path.Combine(output, "synthetic.csv"));
        string header = File.ReadLines(Adult("adult-train.csv")).First();
        Assert.That(lines[0], Is.EqualTo(header), "the same columns in the same order");
        Assert.That(lines, Has.Length.EqualTo(301));
        Assert.That(lines.Skip(1).Select(l => l.Split(',')[^1]), Is.All.EqualTo("1"), "every row has the label value asked for");
        Assert.That(lines.Skip(1).Select(l => l.Split(',')[1]).Distinct().Count(), Is.GreaterThan(1), "a text column takes several values");
        Assert.That(File.ReadAllLines(Path.Combine(output, "losses.csv")), Has.Length.EqualTo(3), "a line per epoch");
        Assert.That(Directory.GetFiles(output, "*.tmp"), Is.Empty, "nothing half-written");
        var ml = new MLContext(1);
        ITransformer generator = ml.LoadModel(Path.Combine(output, "generator.zip"), out DataViewSchema latent);
        var width = (VectorDataViewType)latent["Latent"].Type;
        SchemaDefinition definition = SchemaDefinition.Create(typeof(LatentRow));
        definition["Latent"].ColumnType = width;
        IDataView rows = generator.Transform(ml.Data.LoadFromEnumerable(Enumerable.Range(0, 3).Select(_ => new LatentRow { Latent = new float[width.Size] }), definition));
        Assert.That(rows.Schema.Where(c => !c.IsHidden).Select(c => c.Name).Skip(1), Is.EqualTo(header.Split(',')), "the saved generator gives the CSV's columns");
        Assert.That(rows.GetColumn<int>(Label).ToArray(), Has.Length.EqualTo(3));
    }

    [Test]
    public void TableWithTvaeTrainsTheAutoencoderOnAdultAndSavesAGeneratorStockMlNetLoads()
    {
        string output = Path.Combine(Scratch, "tvae");
        (int exitCode, string log) = SamplesApp.Run("table", "--csv", Adult("adult-train.csv"), "--label", Label, "--tvae", "--epochs", "3",
            "--rows", "500", "--output", output, "--log-level", "Warning");

        Assert.That(exitCode, Is.Zero, log);
        string[] losses = File.ReadAllLines(Path.Combine(output, "losses.csv"));
        Assert.That(losses[0], Is.EqualTo("epoch,reconstruction_loss,kl_divergence,seconds"));
        double[] reconstruction = [.. losses.Skip(1).Select(l => double.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture))];
        Assert.That(reconstruction, Has.Length.EqualTo(3));
        Assert.That(reconstruction[2], Is.LessThan(reconstruction[0]), "it learns Adult's rows");
        Assert.That(log, Does.Contain("Epoch 3/3: reconstruction loss"), "progress names the VAE's losses");
        string[] lines = File.ReadAllLines(Path.Combine(output, "synthetic.csv"));
        Assert.That(lines, Has.Length.EqualTo(501));
        Assert.That(lines[0], Is.EqualTo(File.ReadLines(Adult("adult-train.csv")).First()));
        Assert.That(lines.Skip(1).Select(l => l.Split(',')[^1]).Distinct(), Is.EquivalentTo(new[] { "0", "1" }), "both labels, drawn at their rate");
        ITransformer generator = new MLContext(1).LoadModel(Path.Combine(output, "generator.zip"), out DataViewSchema latent);
        Assert.That(latent["Latent"].Type, Is.InstanceOf<VectorDataViewType>(), "stock ML.NET loads the saved chain");
    }

    private sealed class LatentRow
    {
        public float[] Latent { get; set; } = [];
    }

    [Test]
    public void TableEvaluateScoresTheRowsTableWroteAsTableDid()
    {
        string output = Path.Combine(Scratch, "evaluated");
        (int exitCode, string log) = SamplesApp.Run("table", "--csv", Adult("adult-train.csv"), "--epochs", "1", "--rows", "1000", "--output", output, "--log-level", "Warning");
        Assert.That(exitCode, Is.Zero, log);
        string written = System.Text.RegularExpressions.Regex.Match(log, @"against the CSV's \(SDMetrics\): ([\d.]+)").Groups[1].Value;

        (int evaluated, string report) = SamplesApp.Run("table-evaluate", "--real", Adult("adult-train.csv"), "--synthetic", Path.Combine(output, "synthetic.csv"));
        (int mismatched, string refused) = SamplesApp.Run("table-evaluate", "--real", Adult("adult-train.csv"), "--synthetic", Adult("adult.txt"));

        Assert.That(evaluated, Is.Zero, report);
        Assert.That(written, Is.Not.Empty, log);
        Assert.That(report, Does.StartWith($"Quality {written} "), "the same score from the files as from the generator");
        Assert.That(report, Does.Contain("  capital-gain: KSComplement").And.Contain("  education: TVComplement"));
        Assert.That(mismatched, Is.Not.Zero);
        Assert.That(refused, Does.Contain("does not exist"), "a missing synthetic file is named");
    }

    [Test]
    public void TableRefusesALabelColumnThatIsANumberNamingIt()
    {
        (int exitCode, string log) = SamplesApp.Run("table", "--csv", Adult("adult-train.csv"), "--label", "fnlwgt", "--epochs", "1",
            "--output", Path.Combine(Scratch, "refused"), "--log-level", "Warning");

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(log, Does.Contain("'fnlwgt'").And.Contain("discrete"));
    }

    [Test]
    public void TableStudyReportsEfficacyQualityAndUpsamplingAndKeepsItsRuns()
    {
        // A small study: 2,000 training rows and 1,000 test rows of Adult, 2 epochs.
        string train = Path.Combine(Scratch, "train.csv"), test = Path.Combine(Scratch, "test.csv");
        File.WriteAllLines(train, File.ReadLines(Adult("adult-train.csv")).Take(2001));
        File.WriteAllLines(test, File.ReadLines(Adult("adult-test.csv")).Take(1001));
        string output = Path.Combine(Scratch, "study"), report = Path.Combine(Scratch, "report", "TABULAR.md");
        string[] arguments = ["table-study", "--train", train, "--test", test, "--epochs", "2", "--seeds", "1", "--output", output, "--report", report, "--log-level", "Warning"];

        (int exitCode, string log) = SamplesApp.Run(arguments);

        Assert.That(exitCode, Is.Zero, log);
        string text = File.ReadAllText(report);
        Assert.That(text, Does.Contain("## Machine-learning efficacy").And.Contain("| FastTree |").And.Contain("| LightGbm |").And.Contain("| SdcaLogisticRegression |"));
        Assert.That(text, Does.Contain("## Upsampling the minority class").And.Contain("Synthetic / real F1, averaged over the three classifiers"));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(report)!, "*.png"), Has.Length.EqualTo(4), "the marginals of age, hours-per-week, education, occupation");
        Assert.That(File.Exists(Path.Combine(output, "runs", "seed-1.json")));

        (int again, string secondLog) = SamplesApp.Run(arguments);

        Assert.That(again, Is.Zero, secondLog);
        Assert.That(secondLog, Does.Contain("seed 1: kept from"), "the run is reused, not measured again");
        Assert.That(File.ReadAllText(report), Is.EqualTo(text), "the same report from the same runs");

        int seeds = Array.IndexOf(arguments, "--seeds");
        (int more, string thirdLog) = SamplesApp.Run([.. arguments[..(seeds + 2)], "2", .. arguments[(seeds + 2)..]]);

        Assert.That(more, Is.Zero, thirdLog);
        Assert.That(thirdLog, Does.Contain("seed 1: kept from").And.Contain("seed 2: training"), "another list of seeds keeps the seeds it shares");
        Assert.That(File.Exists(Path.Combine(output, "runs", "seed-2.json")));
    }
}
