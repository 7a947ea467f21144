using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using OxyPlot.SkiaSharp;

namespace Gan.Samples.Reporting;

/// <summary>One line of a chart: its legend title, its (x, y) points, its colour, and whether it is drawn thin and faint (raw data under a smoothed line).</summary>
internal sealed record ChartSeries(string Title, IReadOnlyList<(double X, double Y)> Points, OxyColor Color, bool Faint = false);

/// <summary>
/// Line charts through OxyPlot: a plot model with titled axes and a legend, written as PNG (OxyPlot.SkiaSharp, on
/// SkiaSharp 2.88, the version ML.NET's MLImage is built on) or as SVG text (OxyPlot.Core's exporter) for embedding in HTML.
/// </summary>
internal static class Chart
{
    public const int Width = 800;
    public const int Height = 450;

    /// <summary>A line chart; <paramref name="logarithmicY"/> puts y on a log10 axis (FID spans orders of magnitude while training).</summary>
    public static PlotModel Lines(string title, string xTitle, string yTitle, IReadOnlyList<ChartSeries> series, bool logarithmicY = false)
    {
        var model = new PlotModel
        {
            Title = title,
            TitleFontSize = 14,
            DefaultFont = "sans-serif",
            Background = OxyColors.White,
        };
        model.Legends.Add(new Legend { LegendPosition = LegendPosition.TopRight, LegendBackground = OxyColor.FromAColor(220, OxyColors.White), LegendBorder = OxyColors.LightGray });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = xTitle, MajorGridlineStyle = LineStyle.Dot, MajorGridlineColor = OxyColors.LightGray });
        Axis y = logarithmicY
            ? new LogarithmicAxis { Position = AxisPosition.Left, Title = $"{yTitle} (log scale)", MinorGridlineStyle = LineStyle.Dot, MinorGridlineColor = OxyColor.FromRgb(240, 240, 240) }
            : new LinearAxis { Position = AxisPosition.Left, Title = yTitle };
        y.MajorGridlineStyle = LineStyle.Dot;
        y.MajorGridlineColor = OxyColors.LightGray;
        model.Axes.Add(y);
        foreach (ChartSeries line in series)
        {
            var plotted = new LineSeries
            {
                Title = line.Title,
                Color = line.Faint ? OxyColor.FromAColor(90, line.Color) : line.Color,
                StrokeThickness = line.Faint ? 1 : 2,
                // Points of short curves are worth seeing one by one; hundreds of step means are a line.
                MarkerType = !line.Faint && line.Points.Count <= 50 ? MarkerType.Circle : MarkerType.None,
                MarkerSize = 3,
                MarkerFill = line.Color,
            };
            // A log axis cannot show zero or negative values, and NaN (a missing measurement) is a gap, not a point.
            plotted.Points.AddRange(line.Points.Where(p => double.IsFinite(p.Y) && (!logarithmicY || p.Y > 0)).Select(p => new DataPoint(p.X, p.Y)));
            model.Series.Add(plotted);
        }

        return model;
    }

    public static byte[] Png(PlotModel model)
    {
        // Text shaping would need HarfBuzz's native library, which SkiaSharp.HarfBuzz ships for Windows and macOS only.
        var exporter = new PngExporter { Width = Width, Height = Height, UseTextShaping = false };
        using var stream = new MemoryStream();
        exporter.Export(model, stream);
        return stream.ToArray();
    }

    /// <summary>An inline <c>&lt;svg&gt;</c> element (no XML declaration), text measured with the same Skia fonts as the PNG.</summary>
    public static string Svg(PlotModel model)
    {
        using var measurer = new SkiaRenderContext { UseTextShaping = false };
        return OxyPlot.SvgExporter.ExportToString(model, Width, Height, isDocument: false, textMeasurer: measurer);
    }
}
