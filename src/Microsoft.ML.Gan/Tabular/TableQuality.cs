using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Tabular;

/// <summary>
/// One column of a table as the quality report compares it, named <paramref name="Name"/>: numbers for a continuous
/// column, labels for a discrete or key one.
/// </summary>
internal abstract record QualityColumn(string Name)
{
    /// <summary>How many rows the column has.</summary>
    public abstract int Count { get; }
}

/// <summary>A continuous column's <paramref name="Values"/>, one per row; NaN is missing.</summary>
internal sealed record ContinuousQualityColumn(string Name, double[] Values) : QualityColumn(Name)
{
    public override int Count => Values.Length;
}

/// <summary>
/// A discrete or key column: per row a code into <paramref name="Categories"/>, the labels in order of first appearance
/// (<see cref="EncodedColumn.MissingLabel"/> is missing's). Codes rather than a label per row, so a table of a million rows
/// holds 4 MB per column instead of a string per cell.
/// </summary>
internal sealed record DiscreteQualityColumn(string Name, int[] Codes, string[] Categories) : QualityColumn(Name)
{
    public override int Count => Codes.Length;

    /// <summary>The column of <paramref name="labels"/>, one per row.</summary>
    public static DiscreteQualityColumn FromLabels(string name, IEnumerable<string> labels)
    {
        var coder = new CategoryCoder();
        int[] codes = [.. labels.Select(coder.Code)];
        return new(name, codes, coder.Categories);
    }
}

/// <summary>Numbers labels in order of first appearance; looks text up without making a string of it when it was seen before.</summary>
internal sealed class CategoryCoder
{
    private readonly Dictionary<string, int> _codes = new(StringComparer.Ordinal);
    private readonly List<string> _labels = [];

    public string[] Categories => [.. _labels];

    public int Code(string label)
    {
        if (!_codes.TryGetValue(label, out int code))
        {
            code = _labels.Count;
            _codes.Add(label, code);
            _labels.Add(label);
        }

        return code;
    }

    public int Code(ReadOnlySpan<char> label)
        => _codes.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(label, out int code) ? code : Code(label.ToString());
}

/// <summary>
/// How close a synthetic table is to a real one, as SDMetrics' single-table quality report measures it
/// (docs.sdv.dev/sdmetrics: KSComplement, TVComplement, CorrelationSimilarity, ContingencySimilarity), so numbers here
/// can be read against numbers reported for CTGAN. Continuous columns are compared on their present values; a discrete
/// column's missing values are one more category. A mixed pair cuts its continuous column into
/// <see cref="ContingencyBins"/> equal-width bins over the real data's range (values beyond it fall in the outer bins,
/// missing values in a bin of their own), as SDMetrics' report does.
/// </summary>
internal static class TableQuality
{
    /// <summary>How many equal-width bins a continuous column is cut into for a contingency table: SDMetrics' default.</summary>
    public const int ContingencyBins = 10;

    /// <summary>
    /// Reads the columns of <paramref name="encoder"/>'s schema from both views by name, each as the encoder classified it
    /// (so an integer column is continuous or discrete as it was in training), and compares them. Throws
    /// <see cref="ArgumentException"/>, naming the column, when a view lacks a column or has it with another type.
    /// </summary>
    public static TableQualityReport Evaluate(TableEncoder encoder, IDataView real, IDataView synthetic)
        => Evaluate(
            [.. encoder.Columns.Select(c => Read(real, c.Column, c.Kind, "real"))],
            [.. encoder.Columns.Select(c => Read(synthetic, c.Column, c.Kind, "synthetic"))]);

    /// <summary>
    /// Compares the columns of <paramref name="schema"/> (made from the real view) without a fitted encoder, each classified as
    /// <see cref="TableEncoder"/> would: Single and Double continuous, integers discrete when the real rows hold at most
    /// <see cref="TableEncoder.MaxDiscreteIntegerValues"/> values, Booleans, text and keys discrete.
    /// </summary>
    public static TableQualityReport Evaluate(TableSchema schema, IDataView real, IDataView synthetic)
    {
        TableColumnKind[] kinds = [.. schema.Columns.Select(c => KindOf(real, c))];
        return Evaluate(
            [.. schema.Columns.Select((c, i) => Read(real, c, kinds[i], "real"))],
            [.. schema.Columns.Select((c, i) => Read(synthetic, c, kinds[i], "synthetic"))]);
    }

    private static TableColumnKind KindOf(IDataView real, TableColumn column) => column.Type switch
    {
        TableColumnType.Floating => TableColumnKind.Continuous,
        TableColumnType.Key => TableColumnKind.Key,
        TableColumnType.Integer => Values(real, column.Source).Distinct().Take(TableEncoder.MaxDiscreteIntegerValues + 1).Count() > TableEncoder.MaxDiscreteIntegerValues
            ? TableColumnKind.Continuous
            : TableColumnKind.Discrete,
        _ => TableColumnKind.Discrete,
    };

    /// <summary>
    /// Compares <paramref name="synthetic"/> with <paramref name="real"/>: the same columns, by name, kind and order, each
    /// table's columns of one length. Throws <see cref="ArgumentException"/>, naming the column, when they differ, and
    /// when either table has no rows.
    /// </summary>
    public static TableQualityReport Evaluate(IReadOnlyList<QualityColumn> real, IReadOnlyList<QualityColumn> synthetic)
    {
        CheckShape(real, synthetic);
        ColumnShapeScore[] shapes = [.. real.Select((column, i) => Shape(column, synthetic[i]))];
        // Each column's categories for the contingency tables, made once (bins of a continuous column only when a pair needs them).
        var categories = new Lazy<Coded>[real.Count];
        for (int i = 0; i < real.Count; i++)
        {
            (QualityColumn r, QualityColumn s) = (real[i], synthetic[i]);
            categories[i] = new Lazy<Coded>(() => Categories(r, s));
        }

        var pairs = new List<ColumnPairTrendScore>();
        for (int i = 0; i < real.Count; i++)
        {
            for (int j = i + 1; j < real.Count; j++)
            {
                pairs.Add(PairTrend(real[i], real[j], synthetic[i], synthetic[j], categories[i], categories[j]));
            }
        }

        double shapesScore = shapes.Average(s => s.Score);
        double[] defined = [.. pairs.Where(p => p.Score.HasValue).Select(p => p.Score!.Value)];
        double? pairsScore = defined.Length == 0 ? null : defined.Average();
        return new TableQualityReport(shapes, pairs, shapesScore, pairsScore, pairsScore is { } p ? (shapesScore + p) / 2 : shapesScore);
    }

    private static ColumnShapeScore Shape(QualityColumn real, QualityColumn synthetic) => (real, synthetic) switch
    {
        (ContinuousQualityColumn r, ContinuousQualityColumn s) => new(r.Name, QualityMetric.KSComplement, 1 - KolmogorovSmirnov(r.Values, s.Values)),
        (DiscreteQualityColumn r, DiscreteQualityColumn s) => new(r.Name, QualityMetric.TVComplement, 1 - TotalVariation(Aligned(r, s))),
        _ => throw new UnreachableException(),
    };

    private static ColumnPairTrendScore PairTrend(QualityColumn realA, QualityColumn realB, QualityColumn syntheticA, QualityColumn syntheticB, Lazy<Coded> a, Lazy<Coded> b)
    {
        if (realA is ContinuousQualityColumn ra && realB is ContinuousQualityColumn rb)
        {
            double? real = Pearson(ra.Values, rb.Values);
            double? synthetic = Pearson(((ContinuousQualityColumn)syntheticA).Values, ((ContinuousQualityColumn)syntheticB).Values);
            double? score = real is { } r && synthetic is { } s ? 1 - (Math.Abs(r - s) / 2) : null;
            return new ColumnPairTrendScore(realA.Name, realB.Name, QualityMetric.CorrelationSimilarity, score);
        }

        double distance = PairTotalVariation(a.Value, b.Value);
        return new ColumnPairTrendScore(realA.Name, realB.Name, QualityMetric.ContingencySimilarity, 1 - distance);
    }

    /// <summary>
    /// A column's categories in both tables as codes of one numbering (<see cref="Count"/> codes): the real table's categories
    /// first, in order of first appearance, then those only the synthetic table has.
    /// </summary>
    private readonly record struct Coded(int[] Real, int[] Synthetic, int Count);

    /// <summary>The synthetic column's codes renumbered into the real column's, its new categories after the real ones.</summary>
    private static Coded Aligned(DiscreteQualityColumn real, DiscreteQualityColumn synthetic)
    {
        var codes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < real.Categories.Length; i++)
        {
            codes.Add(real.Categories[i], i);
        }

        int[] map = new int[synthetic.Categories.Length];
        for (int j = 0; j < map.Length; j++)
        {
            if (!codes.TryGetValue(synthetic.Categories[j], out map[j]))
            {
                map[j] = codes.Count;
                codes.Add(synthetic.Categories[j], map[j]);
            }
        }

        return new Coded(real.Codes, [.. synthetic.Codes.Select(c => map[c])], codes.Count);
    }

    /// <summary>A column's categories for a contingency table: its own for a discrete column, bins of the real range for a continuous one.</summary>
    private static Coded Categories(QualityColumn real, QualityColumn synthetic)
    {
        if (real is DiscreteQualityColumn r)
        {
            return Aligned(r, (DiscreteQualityColumn)synthetic);
        }

        double[] values = ((ContinuousQualityColumn)real).Values;
        double[] present = [.. values.Where(x => !double.IsNaN(x))];
        double[] innerEdges = [];
        if (present.Length > 0)
        {
            // numpy's histogram_bin_edges, which SDMetrics bins with: a constant column spans ± 0.5 around its value.
            double min = present.Min(), max = present.Max();
            (min, max) = min == max ? (min - 0.5, max + 0.5) : (min, max);
            innerEdges = [.. Enumerable.Range(1, ContingencyBins - 1).Select(k => min + ((max - min) * k / ContingencyBins))];
        }

        // Bins 0 .. ContingencyBins - 1, missing values in bin ContingencyBins.
        int Bin(double x) => double.IsNaN(x) ? ContingencyBins : innerEdges.Count(edge => edge <= x);

        return new Coded([.. values.Select(Bin)], [.. ((ContinuousQualityColumn)synthetic).Values.Select(Bin)], ContingencyBins + 1);
    }

    /// <summary>
    /// The two-sample Kolmogorov–Smirnov statistic of the present values: the largest gap between the two empirical CDFs.
    /// With no present value on one side only, 1 (nothing in common); on neither side, 0.
    /// </summary>
    private static double KolmogorovSmirnov(double[] first, double[] second)
    {
        double[] a = [.. first.Where(x => !double.IsNaN(x)).Order()];
        double[] b = [.. second.Where(x => !double.IsNaN(x)).Order()];
        if (a.Length == 0 || b.Length == 0)
        {
            return a.Length == b.Length ? 0 : 1;
        }

        double largest = 0;
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            // Step both CDFs past every value equal to the smaller next value, so ties move together.
            double x = Math.Min(a[i], b[j]);
            while (i < a.Length && a[i] <= x)
            {
                i++;
            }

            while (j < b.Length && b[j] <= x)
            {
                j++;
            }

            largest = Math.Max(largest, Math.Abs(((double)i / a.Length) - ((double)j / b.Length)));
        }

        return largest;
    }

    /// <summary>Half the summed absolute difference of the two tables' frequencies of each category.</summary>
    private static double TotalVariation(Coded column)
    {
        int[] realCounts = new int[column.Count], syntheticCounts = new int[column.Count];
        foreach (int code in column.Real)
        {
            realCounts[code]++;
        }

        foreach (int code in column.Synthetic)
        {
            syntheticCounts[code]++;
        }

        // Categories in the order they first appear, the real table's before the synthetic-only ones (the codes' order).
        double sum = 0;
        for (int code = 0; code < column.Count; code++)
        {
            if (realCounts[code] > 0 || syntheticCounts[code] > 0)
            {
                sum += Math.Abs(((double)realCounts[code] / column.Real.Length) - ((double)syntheticCounts[code] / column.Synthetic.Length));
            }
        }

        return sum / 2;
    }

    /// <summary>
    /// <see cref="TotalVariation(Coded)"/> of the pairs of categories of two columns, each pair counted under one number;
    /// summed over the pairs in the order they first appear in the real table, then the synthetic-only ones in theirs.
    /// </summary>
    private static double PairTotalVariation(Coded a, Coded b)
    {
        Dictionary<long, int> Count(int[] first, int[] second)
        {
            var counts = new Dictionary<long, int>();
            for (int row = 0; row < first.Length; row++)
            {
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, ((long)first[row] * b.Count) + second[row], out _)++;
            }

            return counts;
        }

        Dictionary<long, int> real = Count(a.Real, b.Real), synthetic = Count(a.Synthetic, b.Synthetic);
        double sum = 0;
        foreach ((long pair, int count) in real)
        {
            sum += Math.Abs(((double)count / a.Real.Length) - ((double)synthetic.GetValueOrDefault(pair) / a.Synthetic.Length));
        }

        foreach ((long pair, int count) in synthetic)
        {
            if (!real.ContainsKey(pair))
            {
                sum += (double)count / a.Synthetic.Length;
            }
        }

        return sum / 2;
    }

    /// <summary>Pearson's correlation over the rows where both values are present; null when it is undefined.</summary>
    private static double? Pearson(double[] x, double[] y)
    {
        (double X, double Y)[] rows = [.. x.Zip(y).Where(p => !double.IsNaN(p.First) && !double.IsNaN(p.Second))];
        if (rows.Length < 2)
        {
            return null;
        }

        double meanX = rows.Average(r => r.X), meanY = rows.Average(r => r.Y);
        double covariance = 0, varianceX = 0, varianceY = 0;
        foreach ((double a, double b) in rows)
        {
            covariance += (a - meanX) * (b - meanY);
            varianceX += (a - meanX) * (a - meanX);
            varianceY += (b - meanY) * (b - meanY);
        }

        return varianceX == 0 || varianceY == 0 ? null : Math.Clamp(covariance / Math.Sqrt(varianceX * varianceY), -1, 1);
    }

    private static void CheckShape(IReadOnlyList<QualityColumn> real, IReadOnlyList<QualityColumn> synthetic)
    {
        if (real.Count == 0 || real.Count != synthetic.Count)
        {
            throw new ArgumentException(
                $"The synthetic table must have the real table's columns; the real has {Describe(real)}, the synthetic {Describe(synthetic)}.", nameof(synthetic));
        }

        for (int i = 0; i < real.Count; i++)
        {
            if (real[i].Name != synthetic[i].Name || real[i].GetType() != synthetic[i].GetType())
            {
                throw new ArgumentException(
                    $"Column {i + 1} is '{real[i].Name}' ({KindOf(real[i])}) in the real table but '{synthetic[i].Name}' ({KindOf(synthetic[i])}) in the synthetic one.", nameof(synthetic));
            }
        }

        foreach ((IReadOnlyList<QualityColumn> table, string role) in new[] { (real, "real"), (synthetic, "synthetic") })
        {
            if (table[0].Count == 0)
            {
                throw new ArgumentException($"The {role} table has no rows to compare.", role);
            }

            if (table.FirstOrDefault(c => c.Count != table[0].Count) is { } uneven)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Column '{uneven.Name}' of the {role} table has {uneven.Count} rows; column '{table[0].Name}' has {table[0].Count}."), role);
            }
        }
    }

    /// <summary>
    /// The column of <paramref name="data"/> named as <paramref name="column"/>'s, read as its kind: numbers (NaN missing)
    /// or labels (missing text and key 0 as <see cref="EncodedColumn.MissingLabel"/>).
    /// </summary>
    private static QualityColumn Read(IDataView data, TableColumn column, TableColumnKind kind, string role)
    {
        string name = column.Name;
        DataViewType type = column.Source.Type;
        DataViewSchema.Column source = data.Schema.GetColumnOrNull(name) ?? throw new ArgumentException(
            $"The {role} data has no column '{name}'; it needs every column of the table ({type}).", role);
        if (!source.Type.Equals(type))
        {
            throw new ArgumentException($"Column '{name}' of the {role} data holds {source.Type}; the table's holds {type}.", role);
        }

        IEnumerable<object> values = Values(data, source);
        if (kind == TableColumnKind.Continuous)
        {
            return new ContinuousQualityColumn(name, [.. values.Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture))]);
        }

        bool key = kind == TableColumnKind.Key;
        var coder = new CategoryCoder();
        int Code(object value) => value switch
        {
            ReadOnlyMemory<char> text => text.Span.IsWhiteSpace() ? coder.Code(EncodedColumn.MissingLabel) : coder.Code(text.Span),
            _ when key && Convert.ToUInt64(value, CultureInfo.InvariantCulture) == 0 => coder.Code(EncodedColumn.MissingLabel),
            _ => coder.Code(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
        };

        int[] codes = [.. values.Select(Code)];
        return new DiscreteQualityColumn(name, codes, coder.Categories);
    }

    /// <summary>Every value of <paramref name="column"/>, boxed in its raw type: one of the types <see cref="TableSchema"/> takes.</summary>
    private static IEnumerable<object> Values(IDataView data, DataViewSchema.Column column)
    {
        Type raw = column.Type.RawType;
        return raw switch
        {
            _ when raw == typeof(float) => Boxed<float>(data, column),
            _ when raw == typeof(double) => Boxed<double>(data, column),
            _ when raw == typeof(sbyte) => Boxed<sbyte>(data, column),
            _ when raw == typeof(byte) => Boxed<byte>(data, column),
            _ when raw == typeof(short) => Boxed<short>(data, column),
            _ when raw == typeof(ushort) => Boxed<ushort>(data, column),
            _ when raw == typeof(int) => Boxed<int>(data, column),
            _ when raw == typeof(uint) => Boxed<uint>(data, column),
            _ when raw == typeof(long) => Boxed<long>(data, column),
            _ when raw == typeof(ulong) => Boxed<ulong>(data, column),
            _ when raw == typeof(bool) => Boxed<bool>(data, column),
            _ => Boxed<ReadOnlyMemory<char>>(data, column),
        };
    }

    private static IEnumerable<object> Boxed<T>(IDataView data, DataViewSchema.Column column) => data.GetColumn<T>(column).Select(v => (object)v!);

    private static string KindOf(QualityColumn column) => column is ContinuousQualityColumn ? "continuous" : "discrete";

    private static string Describe(IReadOnlyList<QualityColumn> table)
        => table.Count == 0 ? "no columns" : string.Join(", ", table.Select(c => $"'{c.Name}'"));
}
