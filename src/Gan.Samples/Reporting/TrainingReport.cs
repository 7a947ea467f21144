using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.ML.Gan;
using SkiaSharp;

namespace Gan.Samples.Reporting;

/// <summary>
/// What <c>train</c> writes at the end besides the model: loss and metric curves as PNG, and one
/// self-contained HTML report (every image embedded as base64) with the curves, the last grid of fixed
/// samples, every epoch's grid and the per-epoch table.
/// </summary>
internal static class TrainingReport
{
    public static IReadOnlyList<string> Write(string directory, GanTrainingHistory history, GanOptions options, string samplesDirectory)
    {
        var written = new List<string>();
        byte[] losses = LineChart.RenderPng("Losses per epoch (means over the epoch's steps)", "epoch", "loss",
        [
            new Series("discriminator", history.Epochs.Select(e => ((double)e.Epoch, e.DiscriminatorLoss)).ToList(), SKColors.SteelBlue),
            new Series("generator", history.Epochs.Select(e => ((double)e.Epoch, e.GeneratorLoss)).ToList(), SKColors.OrangeRed),
        ]);
        written.Add(ReportFile.Write(Path.Combine(directory, "losses.png"), losses));

        byte[]? fid = null;
        if (history.Epochs.Any(e => e.Fid is not null))
        {
            fid = LineChart.RenderPng("FID against training images (MNIST feature network)", "epoch", "FID",
                [new Series("FID", history.Epochs.Where(e => e.Fid is not null).Select(e => ((double)e.Epoch, e.Fid!.Value)).ToList(), SKColors.SeaGreen)]);
            written.Add(ReportFile.Write(Path.Combine(directory, "fid.png"), fid));
        }

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>GAN training report</title>")
            .Append("<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:right}img{image-rendering:pixelated}</style></head><body>")
            .Append("<h1>GAN training report</h1>")
            .Append(CultureInfo.InvariantCulture, $"<p>{Encode(Describe(options, history))}</p>")
            .Append("<h2>Curves</h2>").Append(Image(losses, "losses"));
        if (fid is not null)
        {
            html.Append(Image(fid, "FID"));
        }

        string[] grids = Directory.GetFiles(samplesDirectory, "epoch-*.png").Order(StringComparer.Ordinal).ToArray();
        if (grids.Length > 0)
        {
            html.Append("<h2>Fixed latent vectors after the last epoch</h2>").Append(Image(File.ReadAllBytes(grids[^1]), "last grid", scale: 3));
        }

        html.Append("<h2>Every epoch</h2><table><tr><th>epoch</th><th>d_loss</th><th>g_loss</th><th>FID</th><th>KID</th><th>seconds</th><th>samples</th></tr>");
        foreach (GanEpochSummary epoch in history.Epochs)
        {
            string grid = Path.Combine(samplesDirectory, $"epoch-{epoch.Epoch:D3}.png");
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{epoch.Epoch}</td><td>{epoch.DiscriminatorLoss:F4}</td><td>{epoch.GeneratorLoss:F4}</td><td>{epoch.Fid:F2}</td><td>{epoch.Kid:F4}</td><td>{epoch.Duration.TotalSeconds:F1}</td><td>")
                .Append(File.Exists(grid) ? Image(File.ReadAllBytes(grid), $"epoch {epoch.Epoch}") : "")
                .Append("</td></tr>");
        }

        html.Append("</table></body></html>");
        written.Add(ReportFile.Write(Path.Combine(directory, "report.html"), html.ToString()));
        return written;
    }

    private static string Describe(GanOptions options, GanTrainingHistory history) => string.Create(CultureInfo.InvariantCulture,
        $"{options.Architecture}{(options.Architecture == GanArchitecture.Dcgan ? $" width {options.DcganWidth}" : "")}{(options.Conditional ? ", conditional" : "")}, loss {options.Loss}, " +
        $"{(options.GeneratorEmaDecay is float ema ? $"EMA {ema}, " : "")}{(options.ModeSeekingWeight > 0 ? $"mode seeking {options.ModeSeekingWeight}, " : "")}" +
        $"{(options.DiffAugment != DiffAugmentPolicy.None ? $"DiffAugment {options.DiffAugment}, " : "")}{history.Epochs.Count} epochs, batch {options.BatchSize}, " +
        $"z {options.LatentDimension}, seed {history.Seed}, images {history.ImageShape}.");

    private static string Image(byte[] png, string alt, int scale = 1)
        => $"<img alt=\"{Encode(alt)}\" {(scale > 1 ? "style=\"zoom:" + scale + "\"" : "")} src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
