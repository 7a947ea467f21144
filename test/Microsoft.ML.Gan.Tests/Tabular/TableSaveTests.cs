namespace Microsoft.ML.Gan.Tests.Tabular;

/// <summary>
/// A saved table generator writes every integer type back as itself: the stock chain's conversions (the expression language
/// to Int32 or Int64, then ConvertType; MapValue for few-valued columns) give each column its training type and values.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class TableSaveTests
{
    private sealed class Counts
    {
        public short Small { get; set; }

        public uint Large { get; set; }

        public long Huge { get; set; }

        public byte Code { get; set; }

        public ulong Flag { get; set; }

        public sbyte Signed { get; set; }
    }

    [Test]
    public void EveryIntegerTypeComesBackAsItselfFromTheSavedChain()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(3);
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 400).Select(i => new Counts
        {
            Small = (short)random.Next(-500, 500),
            Large = (uint)random.Next(0, 3_000_000),
            Huge = random.NextInt64(-5_000_000, 5_000_000),
            Code = (byte)(i % 5),
            Flag = (ulong)(i % 2),
            Signed = (sbyte)random.Next(-100, 100),
        }).ToArray());
        var options = new TabularGanOptions { Budget = TrainingBudget.OfEpochs(2), BatchSize = 50, LatentDimension = 8, GeneratorWidth = 16, CriticWidth = 16, Threads = 1, Seed = 4 };
        using TabularGanTransformer generator = ml.Gan().TableGenerator(options).Fit(data);
        string folder = TestFiles.NewDirectory();
        try
        {
            string path = Path.Combine(folder, "counts.zip");
            generator.Save(path);
            IDataView latent = generator.SampleLatent(100, seed: 3);
            IDataView expected = generator.Transform(latent);
            IDataView actual = ml.LoadModel(path, out _).Transform(latent);

            foreach (DataViewSchema.Column column in generator.GeneratedSchema)
            {
                Assert.That(actual.Schema[column.Name].Type, Is.EqualTo(column.Type), column.Name);
            }

            Assert.That(actual.GetColumn<short>("Small"), Is.EqualTo(expected.GetColumn<short>("Small")).Using<short>((a, b) => Math.Abs(a - b) <= 1));
            Assert.That(actual.GetColumn<uint>("Large"), Is.EqualTo(expected.GetColumn<uint>("Large")).Using<uint>((a, b) => Math.Abs((long)a - b) <= 1));
            Assert.That(actual.GetColumn<long>("Huge"), Is.EqualTo(expected.GetColumn<long>("Huge")).Using<long>((a, b) => Math.Abs(a - b) <= 1));
            Assert.That(actual.GetColumn<sbyte>("Signed"), Is.EqualTo(expected.GetColumn<sbyte>("Signed")).Using<sbyte>((a, b) => Math.Abs(a - b) <= 1));
            Assert.That(actual.GetColumn<byte>("Code"), Is.EqualTo(expected.GetColumn<byte>("Code")));
            Assert.That(actual.GetColumn<ulong>("Flag"), Is.EqualTo(expected.GetColumn<ulong>("Flag")));
            Assert.That(expected.GetColumn<uint>("Large").Distinct().Count(), Is.GreaterThan(10), "Large is continuous: many values");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
