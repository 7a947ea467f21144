using Microsoft.ML.Gan.Tabular;

namespace Microsoft.ML.Gan.Tests.Tabular;

/// <summary>
/// The SDMetrics-style quality report, on tables whose scores are known by hand: KS and TV complements per column,
/// correlation and contingency similarity per pair (a continuous column binned against a discrete one), the averages, and
/// reading both tables from views as a fitted encoder classifies their columns.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class TableQualityTests
{
    private sealed class Person
    {
        public float Height { get; set; }

        public int Age { get; set; }

        public int Rating { get; set; }

        public bool Member { get; set; }

        public string City { get; set; } = "";
    }

    private static ContinuousQualityColumn Numbers(string name, IEnumerable<double> values) => new(name, [.. values]);

    private static DiscreteQualityColumn Labels(string name, IEnumerable<string> labels) => DiscreteQualityColumn.FromLabels(name, labels);

    private static IEnumerable<string> Repeat(params (string Label, int Count)[] counts) => counts.SelectMany(c => Enumerable.Repeat(c.Label, c.Count));

    private static IDataView People(MLContext ml, int seed)
    {
        var random = new Random(seed);
        string[] cities = ["Oslo", "Lima", "Pune"];
        Person[] people = [.. Enumerable.Range(0, 150).Select(i => new Person
        {
            Height = i % 11 == 0 ? float.NaN : 150f + (40f * (float)random.NextDouble()),
            Age = 20 + random.Next(50),
            Rating = 1 + random.Next(5),
            Member = random.Next(3) == 0,
            City = i % 9 == 0 ? "" : cities[random.Next(3)],
        })];

        // An array, not the query: a view enumerates its source once per cursor, and the random draws must not change.
        return ml.Data.LoadFromEnumerable(people);
    }

    [Test]
    public void IdenticalTablesScoreOne()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = People(ml, seed: 1);
        TableEncoder encoder = TableEncoder.Fit(data, TableSchema.Create(data.Schema, []), seed: 1);

        TableQualityReport report = TableQuality.Evaluate(encoder, data, People(ml, seed: 1));

        Assert.That(report.ColumnShapes.Select(s => s.Column), Is.EqualTo(new[] { "Height", "Age", "Rating", "Member", "City" }));
        Assert.That(report.ColumnShapes.Select(s => s.Metric), Is.EqualTo(new[]
        {
            QualityMetric.KSComplement, QualityMetric.KSComplement, QualityMetric.TVComplement, QualityMetric.TVComplement, QualityMetric.TVComplement,
        }), "Age has 50 values, so is continuous; Rating has 5, so is discrete");
        Assert.That(report.ColumnPairTrends, Has.Count.EqualTo(10));
        Assert.That(report.ColumnPairTrends.Single(p => p.FirstColumn == "Height" && p.SecondColumn == "Age").Metric, Is.EqualTo(QualityMetric.CorrelationSimilarity));
        Assert.That(report.ColumnPairTrends.Where(p => p.FirstColumn != "Height" || p.SecondColumn != "Age").Select(p => p.Metric), Has.All.EqualTo(QualityMetric.ContingencySimilarity));
        Assert.That(report.ColumnShapes.Select(s => s.Score), Has.All.EqualTo(1).Within(1e-9));
        Assert.That(report.ColumnPairTrends.Select(p => p.Score), Has.All.EqualTo(1).Within(1e-9));
        Assert.That(report.OverallScore, Is.EqualTo(1).Within(1e-9));
    }

    [Test]
    public void ADecodedTableReadsBackWithItsDiscreteColumnsExact()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = People(ml, seed: 2);
        TableEncoder encoder = TableEncoder.Fit(data, TableSchema.Create(data.Schema, []), seed: 1);

        TableQualityReport report = TableQuality.Evaluate(encoder, data, encoder.CreateDataView(encoder.EncodeRows()));

        Assert.That(report.ColumnShapes.Where(s => s.Metric == QualityMetric.TVComplement).Select(s => s.Score), Has.All.EqualTo(1).Within(1e-9),
            "Rating, Member and City (with its missing texts) decode exactly");
        Assert.That(report.ColumnShapes.Single(s => s.Column == "Height").Score, Is.GreaterThan(0.95), "heights decode to within 1e-3");
    }

    [Test]
    public void AViewWithoutAColumnOrWithAnotherTypeIsNamed()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = People(ml, seed: 1);
        TableEncoder encoder = TableEncoder.Fit(data, TableSchema.Create(data.Schema, []), seed: 1);
        IDataView withoutCity = ml.Transforms.DropColumns("City").Fit(data).Transform(data);
        IDataView doubleAge = ml.Transforms.Conversion.ConvertType("Age", outputKind: DataKind.Double).Fit(data).Transform(data);

        var missing = Assert.Throws<ArgumentException>(() => TableQuality.Evaluate(encoder, data, withoutCity))!;
        var retyped = Assert.Throws<ArgumentException>(() => TableQuality.Evaluate(encoder, doubleAge, data))!;

        Assert.That(missing.Message, Does.StartWith("The synthetic data has no column 'City'"));
        Assert.That(retyped.Message, Does.StartWith("Column 'Age' of the real data holds Double; the table's holds Int32"));
    }

    [Test]
    public void AShiftedContinuousColumnLosesItsKsStatistic()
    {
        // 0…99 against 10…109: the empirical CDFs are 10 rows (0.1) apart from 10 to 99, so KS = 0.1.
        QualityColumn[] real = [Numbers("X", Enumerable.Range(0, 100).Select(i => (double)i)), Labels("C", Repeat(("a", 50), ("b", 50)))];
        QualityColumn[] synthetic = [Numbers("X", Enumerable.Range(10, 100).Select(i => (double)i)), Labels("C", Repeat(("a", 50), ("b", 50)))];

        TableQualityReport report = TableQuality.Evaluate(real, synthetic);

        Assert.That(report.ColumnShapes[0].Score, Is.EqualTo(0.9).Within(1e-9));
        Assert.That(report.ColumnShapes[1].Score, Is.EqualTo(1).Within(1e-9));
    }

    [Test]
    public void KsIgnoresMissingValuesAndCountsTiesTogether()
    {
        // Present values {1, 2, 2, 3} against {2, 2, 2, 3}: the CDFs are 1/4 apart below 2 and equal from 2 on.
        QualityColumn[] real = [Numbers("X", [1, 2, double.NaN, 2, 3, double.NaN])];
        QualityColumn[] synthetic = [Numbers("X", [2, 2, 2, 3])];

        TableQualityReport report = TableQuality.Evaluate(real, synthetic);

        Assert.That(report.ColumnShapes[0].Score, Is.EqualTo(0.75).Within(1e-9));
        Assert.That(report.ColumnPairTrends, Is.Empty);
        Assert.That(report.ColumnPairTrendsScore, Is.Null);
        Assert.That(report.OverallScore, Is.EqualTo(0.75).Within(1e-9), "a one-column table has only its shape");
    }

    [Test]
    public void SwappedCategoryFrequenciesGiveTheirTotalVariationDistance()
    {
        // 70/30 against 30/70: TVD = (0.4 + 0.4) / 2 = 0.4. Missing is a category: 60/20/20 against 60/40/0 is 0.2 apart.
        QualityColumn[] real = [Labels("C", Repeat(("a", 70), ("b", 30))), Labels("D", Repeat(("x", 60), ("y", 20), ("", 20)))];
        QualityColumn[] synthetic = [Labels("C", Repeat(("a", 30), ("b", 70))), Labels("D", Repeat(("x", 60), ("y", 40)))];

        TableQualityReport report = TableQuality.Evaluate(real, synthetic);

        Assert.That(report.ColumnShapes.Select(s => s.Score), Is.EqualTo(new[] { 0.6, 0.8 }).Within(1e-9));
    }

    [Test]
    public void AReversedCorrelationScoresThePairByHand()
    {
        // x = 1, 2, 3, 4 with y = 3, 4, 1, 2 (ρ = −0.6) in the real table and y = 2, 1, 4, 3 (ρ = 0.6) in the synthetic:
        // deviations ±0.5, ±1.5 give a covariance sum of ∓3 over variance sums of 5. Same marginals, so shapes are 1.
        double[] x = [.. Enumerable.Repeat(new double[] { 1, 2, 3, 4 }, 25).SelectMany(v => v)];
        QualityColumn[] real = [Numbers("X", x), Numbers("Y", Enumerable.Repeat(new double[] { 3, 4, 1, 2 }, 25).SelectMany(v => v))];
        QualityColumn[] synthetic = [Numbers("X", x), Numbers("Y", Enumerable.Repeat(new double[] { 2, 1, 4, 3 }, 25).SelectMany(v => v))];

        TableQualityReport report = TableQuality.Evaluate(real, synthetic);

        Assert.That(report.ColumnShapes.Select(s => s.Score), Has.All.EqualTo(1).Within(1e-9));
        Assert.That(report.ColumnPairTrends.Single().Metric, Is.EqualTo(QualityMetric.CorrelationSimilarity));
        Assert.That(report.ColumnPairTrends.Single().Score, Is.EqualTo(1 - (1.2 / 2)).Within(1e-9));
    }

    [Test]
    public void ACorrelationWithAConstantColumnIsUndefinedAndLeftOut()
    {
        QualityColumn[] real = [Numbers("X", [1, 2, 3, 4]), Numbers("Y", [5, 5, 5, 5]), Labels("C", ["a", "b", "a", "b"])];
        QualityColumn[] synthetic = [Numbers("X", [1, 2, 3, 4]), Numbers("Y", [5, 5, 5, 5]), Labels("C", ["a", "b", "a", "b"])];

        TableQualityReport report = TableQuality.Evaluate(real, synthetic);

        Assert.That(report.ColumnPairTrends.Single(p => p.SecondColumn == "Y").Score, Is.Null);
        Assert.That(report.ColumnPairTrends.Where(p => p.SecondColumn != "Y").Select(p => p.Score), Has.All.EqualTo(1).Within(1e-9),
            "a constant real column binned around its value (± 0.5) still has a contingency table");
        Assert.That(report.ColumnPairTrendsScore, Is.EqualTo(1).Within(1e-9));
    }

    [Test]
    public void IndependenceAgainstDependenceHalvesTheContingencyScore()
    {
        // Real: A and B agree in every row (a,x) 50 / (b,y) 50. Independent synthetic with the same marginals: each of
        // the four pairs 25. TVD = (0.25 + 0.25 + 0.25 + 0.25) / 2 = 0.5.
        QualityColumn[] real = [Labels("A", Repeat(("a", 50), ("b", 50))), Labels("B", Repeat(("x", 50), ("y", 50)))];
        QualityColumn[] dependent = [Labels("A", Repeat(("b", 50), ("a", 50))), Labels("B", Repeat(("y", 50), ("x", 50)))];
        QualityColumn[] independent = [Labels("A", Repeat(("a", 50), ("b", 50))), Labels("B", Repeat(("x", 25), ("y", 25), ("x", 25), ("y", 25)))];

        TableQualityReport same = TableQuality.Evaluate(real, dependent);
        TableQualityReport report = TableQuality.Evaluate(real, independent);

        Assert.That(same.ColumnPairTrends.Single().Score, Is.EqualTo(1).Within(1e-9), "the same joint distribution in another row order");
        Assert.That(report.ColumnShapes.Select(s => s.Score), Has.All.EqualTo(1).Within(1e-9));
        Assert.That(report.ColumnPairTrends.Single().Score, Is.EqualTo(0.5).Within(1e-9));
    }

    [Test]
    public void AMixedPairBinsTheContinuousColumnOverTheRealRange()
    {
        // Real X = 0…99 cuts into ten bins of 9.9 with ten rows each; C is "low" in bins 0–4, "high" in 5–9 (0.1 a cell).
        // Synthetic X = 1000 lands past the real range, in bin 9, with half the rows low: cells (9, low) 0.5 and
        // (9, high) 0.5. TVD = (0.4 + 0.5 + 9 × 0.1) / 2 = 0.9.
        string[] c = [.. Enumerable.Range(0, 100).Select(i => i < 50 ? "low" : "high")];
        QualityColumn[] real = [Numbers("X", Enumerable.Range(0, 100).Select(i => (double)i)), Labels("C", c)];
        QualityColumn[] synthetic = [Numbers("X", Enumerable.Repeat(1000.0, 100)), Labels("C", c)];
        QualityColumn[] withinBins = [Numbers("X", Enumerable.Range(0, 100).Select(i => i + 0.05)), Labels("C", c)];

        TableQualityReport report = TableQuality.Evaluate(real, synthetic);

        Assert.That(report.ColumnPairTrends.Single().Metric, Is.EqualTo(QualityMetric.ContingencySimilarity));
        Assert.That(report.ColumnPairTrends.Single().Score, Is.EqualTo(0.1).Within(1e-9));
        Assert.That(TableQuality.Evaluate(real, withinBins).ColumnPairTrends.Single().Score, Is.EqualTo(1).Within(1e-9), "shifts within a bin do not count");
    }

    [Test]
    public void AMissingContinuousValueIsABinOfItsOwn()
    {
        // Real: 20 rows missing with "a", 80 present with "b". Synthetic: the same values, the labels of 20 present rows
        // moved to "a". Cells (missing, a) 0.2 both; (present bins, b) 0.8 → 0.6; (present bins, a) 0 → 0.2. TVD = 0.2.
        double[] x = [.. Enumerable.Range(0, 100).Select(i => i < 20 ? double.NaN : i)];
        QualityColumn[] real = [Numbers("X", x), Labels("C", Repeat(("a", 20), ("b", 80)))];
        QualityColumn[] synthetic = [Numbers("X", x), Labels("C", Repeat(("a", 40), ("b", 60)))];

        TableQualityReport report = TableQuality.Evaluate(real, synthetic);

        Assert.That(report.ColumnPairTrends.Single().Score, Is.EqualTo(0.8).Within(1e-9));
    }

    [Test]
    public void TheOverallScoreIsTheMeanOfTheTwoPropertyScores()
    {
        var random = new Random(3);
        QualityColumn[] real =
        [
            Numbers("X", Enumerable.Range(0, 200).Select(_ => random.NextDouble())),
            Numbers("Y", Enumerable.Range(0, 200).Select(i => i + random.NextDouble())),
            Labels("C", Enumerable.Range(0, 200).Select(i => i % 3 == 0 ? "a" : "b")),
            Labels("D", Enumerable.Range(0, 200).Select(_ => random.Next(4).ToString(System.Globalization.CultureInfo.InvariantCulture))),
        ];
        QualityColumn[] synthetic =
        [
            Numbers("X", Enumerable.Range(0, 120).Select(_ => random.NextDouble() * 1.3)),
            Numbers("Y", Enumerable.Range(0, 120).Select(i => 200 - i + random.NextDouble())),
            Labels("C", Enumerable.Range(0, 120).Select(i => i % 2 == 0 ? "a" : "b")),
            Labels("D", Enumerable.Range(0, 120).Select(_ => random.Next(3).ToString(System.Globalization.CultureInfo.InvariantCulture))),
        ];

        TableQualityReport report = TableQuality.Evaluate(real, synthetic);

        Assert.That(report.ColumnPairTrends.Select(p => (p.FirstColumn, p.SecondColumn)), Is.EqualTo(new[]
        {
            ("X", "Y"), ("X", "C"), ("X", "D"), ("Y", "C"), ("Y", "D"), ("C", "D"),
        }));
        Assert.That(report.ColumnShapes.Select(s => s.Score).Concat(report.ColumnPairTrends.Select(p => p.Score!.Value)), Has.All.InRange(0.0, 1.0));
        Assert.That(report.ColumnShapes.Select(s => s.Score), Has.Some.LessThan(0.9), "the tables differ");
        Assert.That(report.ColumnShapesScore, Is.EqualTo(report.ColumnShapes.Average(s => s.Score)).Within(1e-12));
        Assert.That(report.ColumnPairTrendsScore, Is.EqualTo(report.ColumnPairTrends.Average(p => p.Score!.Value)).Within(1e-12));
        Assert.That(report.OverallScore, Is.EqualTo((report.ColumnShapesScore + report.ColumnPairTrendsScore!.Value) / 2).Within(1e-12));
    }

    [Test]
    public void TablesWithOtherColumnsOrNoRowsAreNamed()
    {
        QualityColumn[] real = [Numbers("X", [1, 2, 3]), Labels("C", ["a", "b", "a"])];

        var kind = Assert.Throws<ArgumentException>(() => TableQuality.Evaluate(real, [Numbers("X", [1, 2]), Numbers("C", [1, 2])]))!;
        var count = Assert.Throws<ArgumentException>(() => TableQuality.Evaluate(real, [Numbers("X", [1, 2])]))!;
        var empty = Assert.Throws<ArgumentException>(() => TableQuality.Evaluate(real, [Numbers("X", []), Labels("C", [])]))!;
        var uneven = Assert.Throws<ArgumentException>(() => TableQuality.Evaluate(real, [Numbers("X", [1, 2]), Labels("C", ["a"])]))!;

        Assert.That(kind.Message, Does.StartWith("Column 2 is 'C' (discrete) in the real table but 'C' (continuous) in the synthetic one"));
        Assert.That(count.Message, Does.StartWith("The synthetic table must have the real table's columns; the real has 'X', 'C', the synthetic 'X'"));
        Assert.That(empty.Message, Does.StartWith("The synthetic table has no rows"));
        Assert.That(uneven.Message, Does.StartWith("Column 'C' of the synthetic table has 1 rows; column 'X' has 2"));
    }
}
