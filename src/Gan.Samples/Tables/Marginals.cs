using System.Globalization;
using Gan.Samples.Reporting;
using Microsoft.ML;
using Microsoft.ML.Data;
using OxyPlot;

namespace Gan.Samples.Tables;

/// <summary>Real against synthetic marginals: shares per bin of a number column, per category of a text column, and their chart.</summary>
internal static class Marginals
{
    private const int Bins = 20;
    private const int Categories = 16;

    public static Marginal Of(IDataView real, IDataView synthetic, string column, DataKind kind)
    {
        if (kind == DataKind.String)
        {
            string[] realValues = Texts(real, column);
            string[] syntheticValues = Texts(synthetic, column);
            List<string> categories = [.. realValues.GroupBy(v => v).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(Categories).Select(g => g.Key)];
            return new Marginal(column, categories,
                [.. categories.Select(c => (double)realValues.Count(v => v == c) / realValues.Length)],
                [.. categories.Select(c => (double)syntheticValues.Count(v => v == c) / syntheticValues.Length)]);
        }

        double[] realNumbers = Numbers(real, column);
        double[] syntheticNumbers = Numbers(synthetic, column);
        double min = realNumbers.Min(), max = realNumbers.Max();
        double width = Math.Max((max - min) / Bins, double.Epsilon);
        int BinOf(double x) => Math.Clamp((int)Math.Floor((x - min) / width), 0, Bins - 1);
        double[] Shares(double[] values)
        {
            var counts = new double[Bins];
            foreach (double x in values.Where(double.IsFinite))
            {
                counts[BinOf(x)]++;
            }

            return [.. counts.Select(c => c / values.Length)];
        }

        return new Marginal(column, [.. Enumerable.Range(0, Bins).Select(b => (min + ((b + 0.5) * width)).ToString("G4", CultureInfo.InvariantCulture))],
            [.. Shares(realNumbers)], [.. Shares(syntheticNumbers)]);
    }

    /// <summary>A line chart of the two shares: over bin centres for a number column, over categories (by real frequency, x = rank) for text.</summary>
    public static byte[] Chart(Marginal marginal, int seed)
    {
        bool numeric = marginal.Bins.All(b => double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        double X(int i) => numeric ? double.Parse(marginal.Bins[i], CultureInfo.InvariantCulture) : i + 1;
        string xTitle = numeric ? marginal.Column : $"{marginal.Column}: categories by real frequency (1 = {marginal.Bins[0]})";
        PlotModel model = Reporting.Chart.Lines($"{marginal.Column}: real and synthetic rows (seed {seed})", xTitle, "share of rows",
        [
            new ChartSeries("real", [.. marginal.Real.Select((y, i) => (X(i), y))], OxyColors.SteelBlue),
            new ChartSeries("synthetic", [.. marginal.Synthetic.Select((y, i) => (X(i), y))], OxyColors.OrangeRed),
        ]);
        return Reporting.Chart.Png(model);
    }

    private static string[] Texts(IDataView data, string column)
    {
        var values = new List<string>();
        DataViewSchema.Column source = data.Schema[column];
        using DataViewRowCursor cursor = data.GetRowCursor([source]);
        ValueGetter<ReadOnlyMemory<char>> get = cursor.GetGetter<ReadOnlyMemory<char>>(source);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            get(ref value);
            values.Add(value.ToString());
        }

        return [.. values];
    }

    private static double[] Numbers(IDataView data, string column)
    {
        var values = new List<double>();
        DataViewSchema.Column source = data.Schema[column];
        using DataViewRowCursor cursor = data.GetRowCursor([source]);
        if (source.Type.RawType == typeof(int))
        {
            ValueGetter<int> get = cursor.GetGetter<int>(source);
            int value = 0;
            while (cursor.MoveNext())
            {
                get(ref value);
                values.Add(value);
            }
        }
        else
        {
            ValueGetter<float> get = cursor.GetGetter<float>(source);
            float value = 0;
            while (cursor.MoveNext())
            {
                get(ref value);
                values.Add(value);
            }
        }

        return [.. values];
    }
}
