using System.Globalization;
using SkiaSharp;

namespace Gan.Samples.Reporting;

/// <summary>One named series of (x, y) points.</summary>
internal sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points, SKColor Color);

/// <summary>
/// A small line chart drawn with SkiaSharp 2.88 (the version ML.NET's image support is built on; ScottPlot 5
/// would pull in SkiaSharp 3, which breaks MLImage): axes with a few round ticks, one line per series, a legend.
/// </summary>
internal static class LineChart
{
    private const int Width = 720;
    private const int Height = 400;
    private const float Left = 70, Right = 20, Top = 40, Bottom = 50;

    public static byte[] RenderPng(string title, string xLabel, string yLabel, IReadOnlyList<Series> series)
    {
        using var bitmap = new SKBitmap(Width, Height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var text = new SKPaint { Color = SKColors.Black, TextSize = 14, IsAntialias = true, Typeface = Typeface() };
        using var axis = new SKPaint { Color = SKColors.Gray, StrokeWidth = 1, IsAntialias = true };

        var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.Y)).ToList();
        if (points.Count == 0)
        {
            canvas.DrawText($"{title}: no data", Left, Top, text);
            return Encode(bitmap);
        }

        (double xMin, double xMax) = Range(points.Select(p => p.X));
        (double yMin, double yMax) = Range(points.Select(p => p.Y));
        float plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        float X(double x) => Left + (float)((x - xMin) / (xMax - xMin) * plotWidth);
        float Y(double y) => Top + plotHeight - (float)((y - yMin) / (yMax - yMin) * plotHeight);

        canvas.DrawText(title, Left, Top - 15, text);
        canvas.DrawLine(Left, Top + plotHeight, Left + plotWidth, Top + plotHeight, axis);
        canvas.DrawLine(Left, Top, Left, Top + plotHeight, axis);
        foreach (double tick in Ticks(xMin, xMax))
        {
            canvas.DrawLine(X(tick), Top + plotHeight, X(tick), Top + plotHeight + 5, axis);
            canvas.DrawText(Format(tick), X(tick) - 10, Top + plotHeight + 20, text);
        }

        foreach (double tick in Ticks(yMin, yMax))
        {
            canvas.DrawLine(Left - 5, Y(tick), Left, Y(tick), axis);
            canvas.DrawText(Format(tick), 5, Y(tick) + 5, text);
        }

        canvas.DrawText(xLabel, Left + (plotWidth / 2) - 20, Height - 10, text);
        canvas.DrawText(yLabel, Width - Right - 150, Top - 15, text);

        float legendY = Top + 5;
        foreach (Series line in series)
        {
            using var paint = new SKPaint { Color = line.Color, StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.Stroke };
            var finite = line.Points.Where(p => double.IsFinite(p.Y)).ToList();
            for (int i = 1; i < finite.Count; i++)
            {
                canvas.DrawLine(X(finite[i - 1].X), Y(finite[i - 1].Y), X(finite[i].X), Y(finite[i].Y), paint);
            }

            foreach ((double x, double y) in finite)
            {
                canvas.DrawCircle(X(x), Y(y), 2.5f, paint);
            }

            canvas.DrawLine(Width - Right - 150, legendY, Width - Right - 125, legendY, paint);
            canvas.DrawText(line.Name, Width - Right - 118, legendY + 5, text);
            legendY += 20;
        }

        return Encode(bitmap);
    }

    private static SKTypeface Typeface() => SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;

    private static (double Min, double Max) Range(IEnumerable<double> values)
    {
        double min = values.Min(), max = values.Max();
        if (max - min < 1e-12)
        {
            return (min - 1, max + 1);
        }

        double pad = (max - min) * 0.05;
        return (min - pad, max + pad);
    }

    private static IEnumerable<double> Ticks(double min, double max)
    {
        double step = Math.Pow(10, Math.Floor(Math.Log10((max - min) / 4)));
        if ((max - min) / step > 8)
        {
            step *= (max - min) / step > 16 ? 5 : 2;
        }

        for (double tick = Math.Ceiling(min / step) * step; tick <= max; tick += step)
        {
            yield return tick;
        }
    }

    private static string Format(double value) => Math.Abs(value) >= 100 || value == Math.Round(value)
        ? value.ToString("0", CultureInfo.InvariantCulture)
        : value.ToString("0.##", CultureInfo.InvariantCulture);

    private static byte[] Encode(SKBitmap bitmap)
    {
        using SKImage image = SKImage.FromBitmap(bitmap);
        using SKData data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
