using System.Text.RegularExpressions;
using System.Xml.Linq;
using Gan.Samples.Reporting;
using OxyPlot.Axes;

namespace Microsoft.ML.Gan.Tests.Samples;

/// <summary>The training report's curves (OxyPlot), tested on a made-up history: no training needed.</summary>
[Category(TestCategories.Fast)]
public sealed class TrainingReportTests : ScratchDirectoryTest
{
    private static GanTrainingHistory History(params double?[] fids) => new(new ImageShape(1, 2, 2),
        fids.Select((fid, i) => new GanEpochSummary(i + 1, 1.2 - (0.1 * i), 0.8 + (0.1 * i), TimeSpan.FromSeconds(1), [new float[4]], fid, fid / 1000)).ToList(), seed: 1);

    private static GanTrainingProgress Report(int epoch, int step, double d, double g, bool completed = false) => new(epoch, 2, step, 100, d, g, completed, TimeSpan.Zero);

    [Test]
    public void StepWindowsAreRecoveredFromTheRunningMeansOfTheProgressReports()
    {
        var losses = new StepLosses(discriminatorStepsPerGeneratorStep: 2);
        losses.Add(Report(1, 50, d: 1.0, g: 2.0));         // steps 1-50: D mean 1.0; 25 generator steps, mean 2.0
        losses.Add(Report(1, 100, d: 1.5, g: 3.0, true));  // steps 1-100 mean 1.5, so steps 51-100 mean 2.0; G steps 26-50 mean 4.0
        losses.Add(Report(2, 50, d: 0.5, g: 1.0));         // a new epoch restarts the running means

        Assert.That(losses.Windows, Is.EqualTo(new[] { (0.5, 1.0, 2.0), (1.0, 2.0, 4.0), (1.5, 0.5, 1.0) }).Within(1e-12));
    }

    [Test]
    public void SmoothingIsAnExponentialMovingAverageThatSkipsMissingValues()
    {
        IReadOnlyList<(double X, double Y)> smoothed = StepLosses.Smooth([(1, 10), (2, double.NaN), (3, 0), (4, 0)]);
        double w = StepLosses.SmoothingWeight;
        Assert.That(smoothed, Is.EqualTo(new[] { (1.0, 10.0), (3.0, 10 * w), (4.0, 10 * w * w) }).Within(1e-12));
    }

    [Test]
    public void FidIsPlottedOnALogAxisAndUnevaluatedEpochsAreLeftOut()
    {
        OxyPlot.PlotModel fid = TrainingReport.Fid(History(200, null, 20, 2))!;
        Assert.That(fid.Axes.Single(a => a.Position == AxisPosition.Left), Is.InstanceOf<LogarithmicAxis>());
        var series = (OxyPlot.Series.LineSeries)fid.Series.Single();
        Assert.That(series.Points.Select(p => (p.X, p.Y)), Is.EqualTo(new[] { (1.0, 200.0), (3.0, 20.0), (4.0, 2.0) }));
        Assert.That(TrainingReport.Fid(History(null, null)), Is.Null, "no evaluated epoch, no FID chart");
    }

    [Test]
    public void ChartsDecodeAsPngOfTheChartSizeAndAsSvgWithTheSeriesTitles()
    {
        var steps = new StepLosses(1);
        for (int step = 50; step <= 100; step += 50)
        {
            steps.Add(Report(1, step, 1.0, 0.7, step == 100));
        }

        OxyPlot.PlotModel losses = TrainingReport.Losses(History(100, 10), steps);
        string png = Path.Combine(Scratch, "losses.png");
        File.WriteAllBytes(png, Chart.Png(losses));
        using (MLImage decoded = MLImage.CreateFromFile(png))
        {
            Assert.That((decoded.Width, decoded.Height), Is.EqualTo((Chart.Width, Chart.Height)));
            byte[] pixels = decoded.Pixels.ToArray();
            int distinct = Enumerable.Range(0, pixels.Length / 4).Select(i => (pixels[4 * i], pixels[(4 * i) + 1], pixels[(4 * i) + 2])).Distinct().Count();
            Assert.That(distinct, Is.GreaterThan(10), "lines, text and axes drawn on the white background");
        }

        XElement svg = XElement.Parse(Chart.Svg(losses));
        Assert.That(svg.Name.LocalName, Is.EqualTo("svg"));
        string text = string.Join("|", svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value));
        foreach (string title in new[] { "discriminator, window means", "generator, window means", "discriminator, smoothed", "generator, smoothed", "epoch", "loss" })
        {
            Assert.That(text, Does.Contain(title));
        }

        string fidSvg = Chart.Svg(TrainingReport.Fid(History(100, 10))!);
        Assert.That(fidSvg, Does.Contain("FID (log scale)"));
    }

    [Test]
    public void TheReportEmbedsBothCurvesAsSvgAndTheGridsAsPng()
    {
        string samples = Path.Combine(Scratch, "samples");
        Directory.CreateDirectory(samples);
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            using MLImage grid = GanImages.Grid([new float[4]], 2, 2, columns: 1, scale: 4);
            GanImages.SavePng(grid, Path.Combine(samples, $"epoch-{epoch:D3}.png"));
        }

        var steps = new StepLosses(1);
        steps.Add(Report(1, 100, 1.0, 0.7, true));
        steps.Add(Report(2, 100, 0.9, 0.8, true));
        IReadOnlyList<string> written = TrainingReport.Write(Scratch, History(100, 10), new GanOptions(), samples, steps);

        Assert.That(written.Select(Path.GetFileName), Is.EqualTo(new[] { "losses.png", "fid.png", "report.html" }));
        string html = File.ReadAllText(Path.Combine(Scratch, "report.html"));
        Assert.That(Regex.Matches(html, "<svg").Count, Is.EqualTo(2), "loss and FID curves");
        Assert.That(Regex.Matches(html, "data:image/png;base64,").Count, Is.EqualTo(1 + 2), "the last grid and one grid per epoch");
    }
}
