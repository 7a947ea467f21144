using Microsoft.ML.Gan.Tabular;

namespace Microsoft.ML.Gan.Tests.Tabular;

/// <summary>
/// A column of more categories than a one-hot takes (<see cref="TableEncoder.MaxOneHotCategories"/>) is frequency-encoded
/// (<see cref="FrequencyEncodedColumn"/>): a fixed width whatever its categories, every training row decodes back to its
/// own category, generated rows hold only training values, it is never a condition, and a saved generator writes it back.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class FrequencyEncodingTests
{
    private const int Categories = 1_500;

    private sealed class Sale
    {
        public float Price { get; set; }

        public string Product { get; set; } = "";

        public string Shop { get; set; } = "";
    }

    /// <summary>Sales of 1,500 products, the first ones far more often (a Zipf-like spread), in three shops; prices by product.</summary>
    private static IDataView Sales(MLContext ml, int count)
    {
        var random = new Random(2);
        return ml.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i =>
        {
            int product = i < Categories ? i : (int)(Categories * Math.Pow(random.NextDouble(), 3));
            return new Sale { Price = 10 + (product % 50) + (float)random.NextDouble(), Product = $"p{product}", Shop = i % 3 == 0 ? "north" : "south" };
        }).ToArray());
    }

    [Test]
    public void EveryTrainingRowDecodesToItsOwnCategoryAtAWidthThatDoesNotGrowWithThem()
    {
        var ml = new MLContext(seed: 1);
        IDataView sales = Sales(ml, 6_000);
        TableEncoder encoder = TableEncoder.Fit(sales, TableSchema.Create(sales.Schema, []), seed: 3);
        var product = (FrequencyEncodedColumn)encoder.Columns[1];
        string[] truth = [.. sales.GetColumn<string>(nameof(Sale.Product))];
        var random = new Random(1);
        var encoded = new float[product.Width];
        int same = 0;
        for (int row = 0; row < truth.Length; row++)
        {
            product.Encode(row, random, encoded);
            same += ((ReadOnlyMemory<char>)product.Decode(encoded)).ToString() == truth[row] ? 1 : 0;
        }

        Assert.That(encoder.Columns[2], Is.InstanceOf<DiscreteEncodedColumn>(), "two shops stay a one-hot");
        Assert.That(product.Categories, Has.Count.EqualTo(Categories));
        Assert.That(product.Width, Is.LessThanOrEqualTo(1 + 10 + 20), "α and at most the mixture's 10 modes and the point masses");
        Assert.That(product.Categories[0].Label, Is.EqualTo("p0"), "most frequent first");
        Assert.That(product.Starts[0], Is.Zero);
        Assert.That(product.Starts, Is.Ordered.Ascending);
        Assert.That(same, Is.GreaterThanOrEqualTo(truth.Length * 99 / 100), "a position decodes to the interval it was drawn in (α clipped at 0.99 only in a mode's far tail)");
    }

    [Test]
    public void GeneratedRowsHoldTrainingValuesNeverAConditionAndSurviveSaving()
    {
        var ml = new MLContext(seed: 1);
        IDataView sales = Sales(ml, 3_000);
        var options = new TabularGanOptions
        {
            Budget = TrainingBudget.OfEpochs(2),
            BatchSize = 100,
            LatentDimension = 8,
            GeneratorWidth = 32,
            CriticWidth = 32,
            Threads = 1,
            Seed = 5,
            LabelColumnName = nameof(Sale.Shop),
        };
        using TabularGanTransformer generator = ml.Gan().TableGenerator(options).Fit(sales);
        IDataView rows = generator.Generate(500, seed: 2);
        var seen = new HashSet<string>(sales.GetColumn<string>(nameof(Sale.Product)));
        string[] products = [.. rows.GetColumn<string>(nameof(Sale.Product))];

        Assert.That(products, Has.Length.EqualTo(500));
        Assert.That(products, Is.All.Matches<string>(seen.Contains), "only products of the training rows");
        Assert.That(products.Distinct().Count(), Is.GreaterThan(10), "many products, not one");
        var condition = Assert.Throws<ArgumentException>(() => generator.Generate(10, seed: 1, nameof(Sale.Product), "p3"))!;
        Assert.That(condition.Message, Does.Contain("'Product'").And.Contain("frequency-encoded"));
        var label = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Gan().TableGenerator(new TabularGanOptions { LabelColumnName = nameof(Sale.Product) }).Fit(sales))!;
        Assert.That(label.Message, Does.Contain("'Product'").And.Contain("1500 values"));

        string folder = TestFiles.NewDirectory();
        try
        {
            string path = Path.Combine(folder, "sales.zip");
            generator.Save(path);
            IDataView latent = generator.SampleLatent(300, seed: 6);
            string[] fromZip = [.. ml.LoadModel(path, out _).Transform(latent).GetColumn<string>(nameof(Sale.Product))];
            string[] inProcess = [.. generator.Transform(latent).GetColumn<string>(nameof(Sale.Product))];
            Assert.That(fromZip, Is.EqualTo(inProcess), "the saved graph finds the same intervals");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
