using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.ML.Gan;
using OxyPlot;

namespace Gan.Samples.Reporting;

/// <summary>
/// What <c>train</c> writes at the end besides the model: loss and FID curves (OxyPlot, see <see cref="Chart"/>) as
/// PNG files, and one self-contained HTML report with the same curves as inline SVG, the last grid of fixed samples,
/// every epoch's grid (PNG, embedded as base64) and the per-epoch table.
/// </summary>
internal static class TrainingReport
{
    private static readonly OxyColor DiscriminatorColor = OxyColors.SteelBlue;
    private static readonly OxyColor GeneratorColor = OxyColors.OrangeRed;

    public static IReadOnlyList<string> Write(string directory, GanTrainingHistory history, GanOptions options, string samplesDirectory, StepLosses steps)
    {
        var written = new List<string>();
        PlotModel losses = Losses(history, steps);
        written.Add(ReportFile.Write(Path.Combine(directory, "losses.png"), Chart.Png(losses)));
        PlotModel? fid = Fid(history);
        if (fid is not null)
        {
            written.Add(ReportFile.Write(Path.Combine(directory, "fid.png"), Chart.Png(fid)));
        }

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>GAN training report</title>")
            .Append("<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:right}img{image-rendering:pixelated}</style></head><body>")
            .Append("<h1>GAN training report</h1>")
            .Append(CultureInfo.InvariantCulture, $"<p>{Encode(Describe(options, history))}</p>")
            .Append("<h2>Curves</h2>").Append("<div>").Append(Chart.Svg(losses)).Append("</div>");
        if (fid is not null)
        {
            html.Append("<div>").Append(Chart.Svg(fid)).Append("</div>");
        }

        string[] grids = Directory.GetFiles(samplesDirectory, "epoch-*.png").Order(StringComparer.Ordinal).ToArray();
        if (grids.Length > 0)
        {
            html.Append("<h2>Fixed latent vectors after the last epoch</h2>").Append(Image(File.ReadAllBytes(grids[^1]), "last grid"));
        }

        html.Append("<h2>Every epoch</h2><table><tr><th>epoch</th><th>d_loss</th><th>g_loss</th><th>FID</th><th>KID</th><th>seconds</th><th>samples</th></tr>");
        foreach (GanEpochSummary epoch in history.Epochs)
        {
            string grid = Path.Combine(samplesDirectory, $"epoch-{epoch.Epoch:D3}.png");
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{epoch.Epoch}</td><td>{epoch.DiscriminatorLoss:F4}</td><td>{epoch.GeneratorLoss:F4}</td><td>{epoch.Fid:F2}</td><td>{epoch.Kid:F4}</td><td>{epoch.Duration.TotalSeconds:F1}</td><td>")
                .Append(File.Exists(grid) ? Image(File.ReadAllBytes(grid), $"epoch {epoch.Epoch}", width: "12em") : "")
                .Append("</td></tr>");
        }

        html.Append("</table></body></html>");
        written.Add(ReportFile.Write(Path.Combine(directory, "report.html"), html.ToString()));
        return written;
    }

    /// <summary>
    /// Window means of both losses, faint, under their exponential moving average (<see cref="StepLosses.Smooth"/>); a
    /// run without step reports (resumed past its last epoch) falls back to the history's epoch means.
    /// </summary>
    internal static PlotModel Losses(GanTrainingHistory history, StepLosses steps)
    {
        string weight = StepLosses.SmoothingWeight.ToString(CultureInfo.InvariantCulture);
        if (steps.Windows.Count == 0)
        {
            return Chart.Lines("Losses (means over each epoch's steps)", "epoch", "loss",
            [
                new ChartSeries("discriminator", history.Epochs.Select(e => ((double)e.Epoch, e.DiscriminatorLoss)).ToList(), DiscriminatorColor),
                new ChartSeries("generator", history.Epochs.Select(e => ((double)e.Epoch, e.GeneratorLoss)).ToList(), GeneratorColor),
            ]);
        }

        var discriminator = steps.Windows.Select(w => (w.Epoch, w.Discriminator)).ToList();
        var generator = steps.Windows.Select(w => (w.Epoch, w.Generator)).ToList();
        return Chart.Lines($"Losses (means over windows of steps; bold: exponential moving average, weight {weight})", "epoch", "loss",
        [
            new ChartSeries("discriminator, window means", discriminator, DiscriminatorColor, Faint: true),
            new ChartSeries("generator, window means", generator, GeneratorColor, Faint: true),
            new ChartSeries("discriminator, smoothed", StepLosses.Smooth(discriminator), DiscriminatorColor),
            new ChartSeries("generator, smoothed", StepLosses.Smooth(generator), GeneratorColor),
        ]);
    }

    /// <summary>FID per evaluated epoch on a log axis (it falls by orders of magnitude early on), or null when no epoch was evaluated.</summary>
    internal static PlotModel? Fid(GanTrainingHistory history)
    {
        var points = history.Epochs.Where(e => e.Fid is not null).Select(e => ((double)e.Epoch, e.Fid!.Value)).ToList();
        return points.Count == 0
            ? null
            : Chart.Lines("FID against training images (MNIST feature network; lower is better)", "epoch", "FID", [new ChartSeries("FID", points, OxyColors.SeaGreen)], logarithmicY: true);
    }

    private static string Describe(GanOptions options, GanTrainingHistory history) => string.Create(CultureInfo.InvariantCulture,
        $"{options.Network.Architecture}{(options.Network is DcganNetworkOptions dcgan ? $" width {dcgan.Width}" : "")}{(options.Conditional ? ", conditional" : "")}, loss {options.AdversarialLoss.Kind}, " +
        $"{(options.GeneratorEmaDecay is float ema ? $"EMA {ema}, " : "")}{(options.ModeSeekingWeight > 0 ? $"mode seeking {options.ModeSeekingWeight}, " : "")}" +
        $"{(options.DiffAugment != DiffAugmentPolicy.None ? $"DiffAugment {options.DiffAugment}, " : "")}{history.Epochs.Count} epochs, batch {options.BatchSize}, " +
        $"z {options.LatentDimension}, seed {history.Seed}, images {history.ImageShape}.");

    private static string Image(byte[] png, string alt, string? width = null)
        => $"<img alt=\"{Encode(alt)}\" {(width is null ? "" : $"style=\"width:{width}\"")} src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
