using System.Globalization;

namespace Microsoft.ML.Gan.Tests.Tabular;

/// <summary>
/// The table generator end to end (<see cref="TabularGanEstimator"/> and <see cref="TabularGanTransformer"/>): generated rows
/// have exactly the training schema and values of the training columns, missing values included; seeding and batching;
/// conditional generation; the errors that name their column; the transformer's twins of input rows and latent rows; the
/// recorded losses; the quality report. Two generators are trained once for the fixture (a few epochs of a few hundred
/// rows), one without and one with a label column; generation is a pure function of the seed, so tests can share them.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class TabularGanTests
{
    private const int Rows = 300;
    private const int Epochs = 5;
    private const int TrainingSeed = 11;
    private const string Excluded = nameof(Person.Embedding);

    private MLContext _ml = null!;
    private IDataView _data = null!;
    private TabularGanTransformer _gan = null!;
    private TabularGanTransformer _labelled = null!;
    private TabularGanTransformer _vae = null!;
    private TabularGanTransformer _residualVae = null!;

    /// <summary>
    /// One training row: a float, a double with missing values, an integer with many values (continuous) and one with three
    /// (discrete), a Boolean, text with missing values, text made a key column, and a vector column the tests exclude.
    /// </summary>
    private sealed class Person
    {
        public float Height { get; set; }

        public double Income { get; set; }

        public int Age { get; set; }

        public int Rating { get; set; }

        public bool Member { get; set; }

        public string City { get; set; } = "";

        public string Colour { get; set; } = "";

        [VectorType(2)]
        public float[] Embedding { get; set; } = new float[2];
    }

    private sealed class FixedLatent
    {
        [VectorType(3)]
        public float[] Latent { get; set; } = new float[3];
    }

    private sealed class VariableLatent
    {
        public float[] Latent { get; set; } = [];
    }

    private sealed class Sized
    {
        public float Size { get; set; }

        public string Kind { get; set; } = "";
    }

    /// <summary>
    /// <paramref name="count"/> people: Income two-mode and NaN in 30 % of rows, ages 18–79, ratings 1–3 (or all
    /// <paramref name="rating"/>), a third members,
    /// City empty in 2 rows of 7, Colour a key column over red, green, blue (in that order of appearance).
    /// </summary>
    private static IDataView People(MLContext ml, int count = Rows, int seed = 5, int? rating = null)
    {
        var random = new Random(seed);
        string[] cities = ["Oslo", "Lima", "Pune"];
        string[] colours = ["red", "green", "blue"];
        Person[] people = [.. Enumerable.Range(0, count).Select(i => new Person
        {
            Height = 150f + (40f * (float)random.NextDouble()),
            Income = i % 10 < 3 ? double.NaN : i % 3 == 0 ? 90_000 + (5_000 * random.NextDouble()) : 20_000 + (3_000 * random.NextDouble()),
            Age = 18 + random.Next(62),
            Rating = rating ?? 1 + (i % 3 == 0 ? 0 : random.Next(3)),
            Member = i % 3 == 0,
            City = i % 7 < 2 ? "" : cities[random.Next(cities.Length)],
            Colour = colours[(i / 2) % colours.Length],
            Embedding = [i, -i],
        })];
        IDataView data = ml.Data.LoadFromEnumerable(people);
        return ml.Transforms.Conversion.MapValueToKey(nameof(Person.Colour)).Fit(data).Transform(data);
    }

    private static TabularGanOptions Options(string? label = null, string[]? excluded = null) => new()
    {
        LabelColumnName = label,
        ExcludedColumnNames = excluded ?? [Excluded],
        Budget = TrainingBudget.OfEpochs(Epochs),
        BatchSize = 50,
        PackSize = 10,
        LatentDimension = 16,
        GeneratorWidth = 32,
        CriticWidth = 32,
        Threads = 1,
        Seed = TrainingSeed,
    };

    [OneTimeSetUp]
    public void TrainGenerators()
    {
        _ml = new MLContext(seed: 1);
        _data = People(_ml);
        _gan = _ml.Gan().TableGenerator(Options()).Fit(_data);
        _labelled = _ml.Gan().TableGenerator(Options(label: nameof(Person.City))).Fit(_data);
        _vae = _ml.Gan().TableGenerator(VaeOptions()).Fit(_data);
        _residualVae = _ml.Gan().TableGenerator(ResidualVaeOptions()).Fit(_data);
    }

    /// <summary>TVAE on the same rows, labelled with City, small networks; long enough to learn something.</summary>
    private static TabularGanOptions VaeOptions()
    {
        TabularGanOptions options = WithSmallTvae(Options(label: nameof(Person.City)));
        options.Budget = TrainingBudget.OfEpochs(4 * Epochs);
        return options;
    }

    /// <summary><paramref name="options"/> training a small TVAE: the GAN's widths back at their defaults (TVAE refuses them), its own at 32.</summary>
    private static TabularGanOptions WithSmallTvae(TabularGanOptions options)
    {
        var defaults = new TabularGanOptions();
        options.GeneratorWidth = defaults.GeneratorWidth;
        options.CriticWidth = defaults.CriticWidth;
        options.Tvae = new TvaeOptions { EncoderWidth = 32, DecoderWidth = 32 };
        return options;
    }

    /// <summary><see cref="VaeOptions"/> with CTGAN's residual blocks as the decoder.</summary>
    private static TabularGanOptions ResidualVaeOptions()
    {
        TabularGanOptions options = VaeOptions();
        options.Tvae!.ResidualDecoder = true;
        return options;
    }

    [OneTimeTearDown]
    public void DisposeGenerators()
    {
        _gan?.Dispose();
        _labelled?.Dispose();
        _vae?.Dispose();
        _residualVae?.Dispose();
    }

    /// <summary>Every row of <paramref name="columns"/> of <paramref name="view"/>, read with one cursor: numbers, Booleans and keys as themselves, text as strings, vectors as arrays.</summary>
    private static List<object[]> ReadRows(IDataView view, IEnumerable<DataViewSchema.Column> columns)
    {
        DataViewSchema.Column[] read = [.. columns];
        var rows = new List<object[]>();
        using DataViewRowCursor cursor = view.GetRowCursor(read);
        Func<object>[] getters = [.. read.Select(c => Getter(cursor, c))];
        while (cursor.MoveNext())
        {
            rows.Add([.. getters.Select(get => get())]);
        }

        return rows;
    }

    private static List<object[]> ReadRows(IDataView view) => ReadRows(view, view.Schema);

    private static Func<object> Getter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        Type raw = column.Type.RawType;
        return raw switch
        {
            _ when raw == typeof(float) => Boxed<float>(cursor, column),
            _ when raw == typeof(double) => Boxed<double>(cursor, column),
            _ when raw == typeof(int) => Boxed<int>(cursor, column),
            _ when raw == typeof(uint) => Boxed<uint>(cursor, column),
            _ when raw == typeof(bool) => Boxed<bool>(cursor, column),
            _ when raw == typeof(ReadOnlyMemory<char>) => Converted<ReadOnlyMemory<char>>(cursor, column, text => text.ToString()),
            _ when raw == typeof(VBuffer<float>) => Converted<VBuffer<float>>(cursor, column, vector => vector.DenseValues().ToArray()),
            _ => throw new NotSupportedException($"Column '{column.Name}' has type {column.Type}, which these tests do not read."),
        };
    }

    private static Func<object> Boxed<T>(DataViewRowCursor cursor, DataViewSchema.Column column) => Converted<T>(cursor, column, value => value!);

    private static Func<object> Converted<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, object> convert)
    {
        ValueGetter<T> getter = cursor.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return convert(value);
        };
    }

    /// <summary>Each row as a string that is equal for two rows exactly when their values are bit for bit (NaN included).</summary>
    private static string[] Bits(IEnumerable<object[]> rows) => [.. rows.Select(row => string.Join("|", row.Select(Bits)))];

    private static string[] Bits(IDataView view) => Bits(ReadRows(view));

    private static string Bits(object value) => value switch
    {
        float f => "f" + BitConverter.SingleToInt32Bits(f).ToString("X8", CultureInfo.InvariantCulture),
        double d => "d" + BitConverter.DoubleToInt64Bits(d).ToString("X16", CultureInfo.InvariantCulture),
        float[] vector => string.Join(",", vector.Select(f => Bits(f))),
        _ => $"{value.GetType().Name}:{Convert.ToString(value, CultureInfo.InvariantCulture)}",
    };

    /// <summary>The generated columns of a transformer's output: those after the input's.</summary>
    private static IEnumerable<DataViewSchema.Column> GeneratedColumns(IDataView output, IDataView input) => output.Schema.Skip(input.Schema.Count);

    private static string[] KeyValues(DataViewSchema.Column column)
    {
        VBuffer<ReadOnlyMemory<char>> values = default;
        column.GetKeyValues(ref values);
        return [.. values.DenseValues().Select(v => v.ToString())];
    }

    /// <summary>Each column's name and type.</summary>
    private static string[] Describe(IEnumerable<DataViewSchema.Column> columns) => [.. columns.Select(c => $"{c.Name}: {c.Type}")];

    private static object[] Column(List<object[]> rows, DataViewSchema schema, string name)
    {
        int index = schema[name].Index;
        return [.. rows.Select(r => r[index])];
    }

    [Test]
    public void GeneratedRowsHaveTheTrainingSchemaAndTheTrainingValues()
    {
        const int Count = 1000;
        DataViewSchema.Column[] training = [.. _data.Schema.Where(c => !c.IsHidden && c.Name != Excluded)];

        IDataView generated = _gan.Generate(Count, seed: 5);

        Assert.That(Describe(_gan.GeneratedSchema), Is.EqualTo(Describe(training)), "names, order and types of the training columns, less the excluded one");
        Assert.That(Describe(generated.Schema), Is.EqualTo(Describe(_gan.GeneratedSchema)));
        Assert.That(KeyValues(_gan.GeneratedSchema["Colour"]), Is.EqualTo(new[] { "red", "green", "blue" }));
        Assert.That(KeyValues(generated.Schema["Colour"]), Is.EqualTo(KeyValues(_data.Schema["Colour"])));
        Assert.That(generated.GetRowCount(), Is.EqualTo(Count));

        List<object[]> rows = ReadRows(generated);
        List<object[]> real = ReadRows(_data, training);
        Assert.That(rows, Has.Count.EqualTo(Count));
        DataViewSchema schema = generated.Schema;
        foreach (string discrete in new[] { "Rating", "Member", "City", "Colour" })
        {
            object[] seen = [.. Column(real, schema, discrete).Distinct()];
            Assert.That(Column(rows, schema, discrete).Distinct(), Is.SubsetOf(seen), $"{discrete} takes the training values only");
        }

        Assert.That(Column(rows, schema, "Colour"), Has.None.EqualTo(0u), "no key was missing in training");
        Assert.That(Column(rows, schema, "Height").Cast<float>(), Has.All.Matches<float>(float.IsFinite), "no height was missing in training");
        Assert.That(Column(rows, schema, "Age").Cast<int>().Distinct().Count(), Is.GreaterThan(20), "Age has 62 values: continuous, not categories");
        Assert.That(Column(rows, schema, "Income").Cast<double>().Where(x => !double.IsNaN(x)), Has.All.Matches<double>(double.IsFinite));

        // 30 % of incomes and 2 in 7 cities were missing; a generator of a few epochs draws missing values at some rate
        // between, not never nor always.
        double missingIncome = Column(rows, schema, "Income").Cast<double>().Count(double.IsNaN) / (double)Count;
        double missingCity = Column(rows, schema, "City").Cast<string>().Count(c => c.Length == 0) / (double)Count;
        Assert.That(missingIncome, Is.InRange(0.03, 0.9), "NaN incomes");
        Assert.That(missingCity, Is.InRange(0.03, 0.9), "empty cities");

        Assert.That(ReadRows(_gan.Generate(0, seed: 5)), Is.Empty);
        Assert.Throws<ArgumentOutOfRangeException>(() => _gan.Generate(-1, seed: 5));
    }

    [Test]
    public void TheSameSeedGivesTheSameRowsHoweverTheyAreReadAndAnotherSeedOthers()
    {
        string[] first = Bits(_gan.Generate(200, seed: 7));

        using (TabularGanTransformer again = _ml.Gan().TableGenerator(Options()).Fit(_data))
        {
            Assert.That(again.Seed, Is.EqualTo(TrainingSeed));
            Assert.That(again.Epochs.Select(e => (e.DiscriminatorLoss, e.GeneratorLoss)), Is.EqualTo(_gan.Epochs.Select(e => (e.DiscriminatorLoss, e.GeneratorLoss))),
                "a second fit of the same seed trains the same");
            Assert.That(Bits(again.Generate(200, seed: 7)), Is.EqualTo(first), "a second fit of the same seed generates the same rows");
        }

        string[] other = Bits(_gan.Generate(200, seed: 8));
        Assert.That(Bits(_gan.Generate(200, seed: 7)), Is.EqualTo(first), "one generator, one seed, twice");
        Assert.That(first.Zip(other).Count(p => p.First != p.Second), Is.GreaterThan(190), "another seed gives other rows");
        Assert.That(Bits(_ml.Data.TakeRows(_gan.Generate(200, seed: 7), 10)), Is.EqualTo(first[..10]), "the first rows alone");

        // Rows are generated 1024 at a time: rows 1000–1099 of 1100 straddle two batches; the same latent rows
        // transformed make one batch of 100, and the first 200 of 1100 are rows of a batch of 1024, not of 200.
        string[] long1100 = Bits(_gan.Generate(1100, seed: 7));
        IDataView lastLatent = _ml.Data.SkipRows(_gan.SampleLatent(1100, seed: 7), 1000);
        IDataView lastRows = _gan.Transform(lastLatent);
        Assert.That(long1100[..200], Is.EqualTo(first), "the first 200 rows of 1100");
        Assert.That(Bits(ReadRows(lastRows, GeneratedColumns(lastRows, lastLatent))), Is.EqualTo(long1100[1000..]), "rows 1000–1099 generated in another batch");
    }

    [Test]
    public void ConditionalRowsAllHaveTheValueAskedFor()
    {
        IDataView lima = _labelled.Generate(200, seed: 3, "City", "Lima");
        IDataView missing = _labelled.Generate(100, seed: 3, "City", "");
        IDataView rating = _gan.Generate(100, seed: 3, "Rating", "2");
        IDataView member = _gan.Generate(100, seed: 3, "Member", "True");
        IDataView green = _gan.Generate(100, seed: 3, "Colour", "green");

        Assert.That(lima.GetColumn<ReadOnlyMemory<char>>("City").Select(c => c.ToString()).ToArray(), Has.Length.EqualTo(200).And.All.EqualTo("Lima"));
        Assert.That(Bits(_labelled.Generate(200, seed: 3, "Lima")), Is.EqualTo(Bits(lima)), "the label overload is the same");
        Assert.That(Bits(lima), Is.Not.EqualTo(Bits(_labelled.Generate(200, seed: 3))), "rows of one city are not the unconditioned rows");
        Assert.That(missing.GetColumn<ReadOnlyMemory<char>>("City").Select(c => c.ToString()), Has.All.Empty, "the missing city is empty text");
        Assert.That(rating.GetColumn<int>("Rating"), Has.All.EqualTo(2));
        Assert.That(member.GetColumn<bool>("Member"), Has.All.True);
        Assert.That(green.GetColumn<uint>("Colour"), Has.All.EqualTo(2u), "green is the second key value");

        var unseen = Assert.Throws<ArgumentException>(() => _labelled.Generate(10, seed: 3, "City", "Paris"))!;
        var unseenLabel = Assert.Throws<ArgumentException>(() => _labelled.Generate(10, seed: 3, "Paris"))!;
        var continuous = Assert.Throws<ArgumentException>(() => _labelled.Generate(10, seed: 3, "Height", "170"))!;
        var unknown = Assert.Throws<ArgumentException>(() => _labelled.Generate(10, seed: 3, "Town", "Lima"))!;
        var noLabel = Assert.Throws<InvalidOperationException>(() => _gan.Generate(10, seed: 3, "Lima"))!;

        Assert.That(unseen.Message, Does.Contain("'City'").And.Contain("'Paris'").And.Contain("'Lima'"));
        Assert.That(unseenLabel.Message, Does.Contain("'City'").And.Contain("'Paris'"));
        Assert.That(continuous.Message, Does.Contain("'Height'").And.Contain("continuous"));
        Assert.That(unknown.Message, Does.Contain("'Town'"));
        Assert.That(noLabel.Message, Does.Contain("LabelColumnName"));
    }

    [Test]
    public void DataAGeneratorCannotLearnIsAnErrorNamingTheColumn()
    {
        var ml = new MLContext(seed: 1);
        IDataView small = People(ml, count: 40);
        IDataView oneRating = People(ml, count: 40, rating: 2);
        TabularGanEstimator Estimator(TabularGanOptions options) => ml.Gan().TableGenerator(options);

        var empty = Assert.Throws<ArgumentException>(() => Estimator(Options()).Fit(ml.Data.LoadFromEnumerable(Array.Empty<Person>())))!;
        var single = Assert.Throws<ArgumentException>(() => Estimator(Options()).Fit(oneRating))!;
        var vector = Assert.Throws<ArgumentException>(() => Estimator(Options(excluded: [])).Fit(small))!;
        var continuousLabel = Assert.Throws<ArgumentOutOfRangeException>(() => Estimator(Options(label: "Height")).Fit(small))!;
        var unknownLabel = Assert.Throws<ArgumentOutOfRangeException>(() => Estimator(Options(label: "Town")).Fit(small))!;

        Assert.That(empty.Message, Does.Contain("no rows"));
        Assert.That(single.Message, Does.Contain("Column 'Rating' has the single value '2' in every row"));
        Assert.That(vector.Message, Does.Contain("Column 'Embedding' has type Vector<Single, 2>").And.Contain("exclude it"));
        Assert.That(continuousLabel.Message, Does.Contain("'Height'").And.Contain("continuous"));
        Assert.That(unknownLabel.Message, Does.Contain("'Town'"));
    }

    [Test]
    public void InvalidOptionsAreNamedWhenTheEstimatorIsMade()
    {
        TabularGanOptions uneven = Options();
        uneven.BatchSize = 55;
        TabularGanOptions excludedLabel = Options(label: "City");
        excludedLabel.ExcludedColumnNames = [Excluded, "City"];

        TabularGanOptions fullDecay = Options();
        fullDecay.GeneratorEmaDecay = 1f;
        TabularGanOptions warmupAlone = Options();
        warmupAlone.GeneratorEmaWarmup = true;

        TabularGanOptions averagedVae = VaeOptions();
        averagedVae.GeneratorEmaDecay = 0.99f;
        TabularGanOptions slowVae = VaeOptions();
        slowVae.Tvae!.LearningRate = 0;
        TabularGanOptions unevenVae = VaeOptions();
        unevenVae.BatchSize = 55;
        TabularGanOptions widerGanVae = VaeOptions();
        widerGanVae.GeneratorWidth = 64;
        TabularGanOptions penaltyVae = VaeOptions();
        penaltyVae.GradientPenaltyWeight = 5;

        var batch = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Gan().TableGenerator(uneven))!;
        var averaged = Assert.Throws<ArgumentException>(() => _ml.Gan().TableGenerator(averagedVae))!;
        var slow = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Gan().TableGenerator(slowVae))!;
        Assert.That(() => _ml.Gan().TableGenerator(unevenVae), Throws.Nothing, "a VAE judges no packs: any batch size");
        var wider = Assert.Throws<ArgumentException>(() => _ml.Gan().TableGenerator(widerGanVae))!;
        var penalty = Assert.Throws<ArgumentException>(() => _ml.Gan().TableGenerator(penaltyVae))!;
        var label = Assert.Throws<ArgumentException>(() => _ml.Gan().TableGenerator(excludedLabel))!;
        var decay = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Gan().TableGenerator(fullDecay))!;
        var warmup = Assert.Throws<ArgumentException>(() => _ml.Gan().TableGenerator(warmupAlone))!;

        Assert.That(batch.ParamName, Is.EqualTo("BatchSize"));
        Assert.That(batch.Message, Does.Contain("BatchSize").And.Contain("PackSize").And.Contain("55"));
        Assert.That(label.Message, Does.Contain("LabelColumnName").And.Contain("'City'"));
        Assert.That(decay.ParamName, Is.EqualTo("GeneratorEmaDecay"));
        Assert.That(warmup.ParamName, Is.EqualTo("GeneratorEmaWarmup"));
        Assert.That(warmup.Message, Does.Contain("TabularGanOptions.GeneratorEmaDecay is not set"));
        Assert.That(averaged.Message, Does.Contain("TabularGanOptions.GeneratorEmaDecay").And.Contain("TabularGanOptions.Tvae"));
        Assert.That(slow.Message, Does.Contain("TvaeOptions.LearningRate"));
        Assert.That(wider.ParamName, Is.EqualTo("GeneratorWidth"));
        Assert.That(wider.Message, Does.Contain("TabularGanOptions.GeneratorWidth").And.Contain("ignored").And.Contain("TvaeOptions.DecoderWidth"));
        Assert.That(penalty.Message, Does.Contain("TabularGanOptions.GradientPenaltyWeight").And.Contain("TVAE has no such setting"));
    }

    [Test]
    public void TransformAppendsATwinOfEachInputRowWithItsLabel()
    {
        const int Count = 120;
        IDataView input = _ml.Data.SkipRows(_data, Rows - Count);

        IDataView twins = _labelled.Transform(input);
        IDataView unlabelled = _gan.Transform(input);

        DataViewSchema.Column[] generated = [.. GeneratedColumns(twins, input)];
        Assert.That(Describe(twins.Schema.Take(input.Schema.Count)), Is.EqualTo(Describe(input.Schema)), "the input's columns first");
        Assert.That(Describe(generated), Is.EqualTo(Describe(_labelled.GeneratedSchema)), "then the generated ones");
        Assert.That(generated, Has.None.Matches<DataViewSchema.Column>(c => c.IsHidden), "the generated columns are the visible ones");
        DataViewSchema expected = _labelled.GetOutputSchema(input.Schema);
        Assert.That(Describe(expected), Is.EqualTo(Describe(twins.Schema)));
        Assert.That(expected.Select(c => c.IsHidden), Is.EqualTo(twins.Schema.Select(c => c.IsHidden)));
        Assert.That(twins.GetRowCount(), Is.EqualTo(Count));

        List<object[]> inputRows = ReadRows(input);
        List<object[]> rows = ReadRows(twins);
        Assert.That(rows, Has.Count.EqualTo(Count));
        Assert.That(Bits(rows.Select(r => r[..input.Schema.Count])), Is.EqualTo(Bits(inputRows)), "the input's values pass through");
        object[] cities = Column(inputRows, input.Schema, "City");
        Assert.That(twins.Schema["City"].Index, Is.GreaterThanOrEqualTo(input.Schema.Count));
        Assert.That(Column(rows, twins.Schema, "City"), Is.EqualTo(cities), "each twin has its row's city (the label)");
        Assert.That(cities, Has.Some.Empty.And.Some.EqualTo("Lima"), "the label values include a missing one");

        // Without a label (or without the label column) a row's latent row is row i of the training seed's stream.
        IDataView noCity = _ml.Transforms.DropColumns("City").Fit(input).Transform(input);
        IDataView noCityTwins = _labelled.Transform(noCity);
        Assert.That(Bits(ReadRows(unlabelled, GeneratedColumns(unlabelled, input))), Is.EqualTo(Bits(_gan.Generate(Count, _gan.Seed))));
        Assert.That(Bits(ReadRows(noCityTwins, GeneratedColumns(noCityTwins, noCity))), Is.EqualTo(Bits(_labelled.Generate(Count, _labelled.Seed))));
    }

    [Test]
    public void ATwinOfALabelTrainingNeverSawIsAnErrorNamingTheColumnAndTheValue()
    {
        IDataView paris = _ml.Data.LoadFromEnumerable(new[] { new Person { City = "Oslo", Embedding = [0, 0] }, new Person { City = "Paris", Embedding = [0, 0] } });
        IDataView twins = _labelled.Transform(paris);

        var error = Assert.Throws<InvalidOperationException>(() => ReadRows(twins))!;

        Assert.That(error.Message, Does.Contain("'City'").And.Contain("'Paris'").And.Contain("never saw"));
    }

    [Test]
    public void TransformOfLatentRowsIsGenerateOfTheirSeed()
    {
        const int Count = 150;
        IDataView latent = _gan.SampleLatent(Count, seed: 9);

        IDataView rows = _gan.Transform(latent);
        IDataView labelledLatent = _labelled.SampleLatent(Count, seed: 9);
        IDataView labelledRows = _labelled.Transform(labelledLatent);

        Assert.That(Describe(latent.Schema), Is.EqualTo(new[] { $"Latent: Vector<Single, {_gan.LatentWidth}>" }));
        Assert.That(_gan.LatentWidth, Is.GreaterThan(16), "z, a uniform per one-hot group and two for the condition");
        Assert.That(rows.Schema[0].Name, Is.EqualTo("Latent"));
        Assert.That(Bits(ReadRows(rows, GeneratedColumns(rows, latent))), Is.EqualTo(Bits(_gan.Generate(Count, seed: 9))));
        Assert.That(Bits(ReadRows(labelledRows, GeneratedColumns(labelledRows, labelledLatent))), Is.EqualTo(Bits(_labelled.Generate(Count, seed: 9))));

        IDataView fixedSize = _ml.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(_ => new FixedLatent()));
        IDataView variable = _ml.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(_ => new VariableLatent { Latent = new float[3] }));
        var wrongSize = Assert.Throws<ArgumentOutOfRangeException>(() => _gan.Transform(fixedSize))!;
        var wrongLength = Assert.Throws<InvalidOperationException>(() => ReadRows(_gan.Transform(variable)))!;

        Assert.That(wrongSize.Message, Does.Contain("'Latent'").And.Contain($"Vector<Single, {_gan.LatentWidth}>").And.Contain("Vector<Single, 3>"));
        Assert.That(wrongLength.Message, Does.Contain("'Latent'").And.Contain("3 values"));
    }

    [TestCase("ctgan")]
    [TestCase("ctgan with an EMA")]
    [TestCase("tvae")]
    public void ATableRunResumedFromACheckpointEndsWhereAnUninterruptedOneDoes(string model)
    {
        bool ema = model == "ctgan with an EMA";
        string directory = Path.Combine(Path.GetTempPath(), "gan-table-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            TabularGanOptions Budgeted(int epochs, bool resume)
            {
                TabularGanOptions options = Options();
                options.Budget = TrainingBudget.OfEpochs(epochs);
                options.CheckpointDirectory = directory;
                options.CheckpointEveryEpochs = 1;
                options.Resume = resume;
                options.OverwriteCheckpoints = !resume;
                options.GeneratorEmaDecay = ema ? 0.9f : null;
                options.GeneratorEmaWarmup = ema;
                return model == "tvae" ? WithSmallTvae(options) : options;
            }

            using TabularGanTransformer straight = _ml.Gan().TableGenerator(Budgeted(Epochs, resume: false)).Fit(_data);
            double[] firstDurations;
            using (TabularGanTransformer first = _ml.Gan().TableGenerator(Budgeted(2, resume: false)).Fit(_data))
            {
                Assert.That(first.Epochs, Has.Count.EqualTo(2));
                firstDurations = [.. first.Epochs.Select(e => e.Duration.TotalMilliseconds)];
            }

            using TabularGanTransformer resumed = _ml.Gan().TableGenerator(Budgeted(Epochs, resume: true)).Fit(_data);

            Assert.That(resumed.Epochs.Take(2).Select(e => e.Duration.TotalMilliseconds), Is.EqualTo(firstDurations).Within(0.001),
                "epochs 1 and 2 come from the checkpoint (their recorded times), not trained again");

            Assert.That(resumed.Epochs.Select(e => (e.DiscriminatorLoss, e.GeneratorLoss)), Is.EqualTo(straight.Epochs.Select(e => (e.DiscriminatorLoss, e.GeneratorLoss))),
                "the same losses, epoch by epoch");
            Assert.That(Bits(resumed.Generate(100, 3)), Is.EqualTo(Bits(straight.Generate(100, 3))), "the same rows, bit for bit");
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Test]
    public void AnEmaGeneratorIsWhatGeneratesAndTheSameSeedRepeatsIt()
    {
        TabularGanOptions Averaged()
        {
            TabularGanOptions options = Options();
            options.GeneratorEmaDecay = 0.9f;
            options.GeneratorEmaWarmup = true;
            return options;
        }

        using TabularGanTransformer averaged = _ml.Gan().TableGenerator(Averaged()).Fit(_data);
        using TabularGanTransformer again = _ml.Gan().TableGenerator(Averaged()).Fit(_data);

        Assert.That(averaged.Epochs.Select(e => e.GeneratorLoss), Is.EqualTo(_gan.Epochs.Select(e => e.GeneratorLoss)),
            "the average only watches: training takes the same steps");
        Assert.That(Bits(averaged.Generate(200, 3)), Is.Not.EqualTo(Bits(_gan.Generate(200, 3))), "the average, not the last weights, generates");
        Assert.That(Bits(again.Generate(200, 3)), Is.EqualTo(Bits(averaged.Generate(200, 3))), "the same seed, the same rows");
        Assert.That(Describe(averaged.Generate(10, 3).Schema), Is.EqualTo(Describe(_gan.Generate(10, 3).Schema)));
    }

    [Test]
    public void TrainingRecordsAFiniteLossPairPerEpoch()
    {
        foreach (TabularGanTransformer gan in new[] { _gan, _labelled })
        {
            Assert.That(gan.Seed, Is.EqualTo(TrainingSeed));
            Assert.That(gan.Epochs, Has.Count.EqualTo(Epochs));
            Assert.That(gan.Epochs.Select(e => e.DiscriminatorLoss).Concat(gan.Epochs.Select(e => e.GeneratorLoss)), Has.All.Matches<double>(double.IsFinite));
            Assert.That(gan.Epochs.Select(e => e.GeneratorLoss).Distinct().Count(), Is.GreaterThan(1), "the generator's loss moves as it trains");
        }

        Assert.That(_labelled.LabelColumnName, Is.EqualTo("City"));
        Assert.That(_gan.LabelColumnName, Is.Null);
    }

    [Test]
    public void ATvaeLearnsTheRowsAndGeneratesAndConditionsThemAsTheGanDoes()
    {
        double[] reconstruction = [.. _vae.Epochs.Select(e => e.DiscriminatorLoss)];
        double[] divergence = [.. _vae.Epochs.Select(e => e.GeneratorLoss)];
        Assert.That(_vae.Epochs, Has.Count.EqualTo(4 * Epochs));
        Assert.That(reconstruction.Concat(divergence), Has.All.Matches<double>(double.IsFinite));
        Assert.That(divergence, Has.All.GreaterThanOrEqualTo(0), "a KL divergence");
        Assert.That(reconstruction[^1], Is.LessThan(reconstruction[0] - 1), "the reconstruction improves as it trains");

        IDataView generated = _vae.Generate(500, seed: 5);
        Assert.That(Describe(generated.Schema), Is.EqualTo(Describe(_labelled.GeneratedSchema)), "the GAN's schema: the training columns");
        List<object[]> rows = ReadRows(generated);
        List<object[]> real = ReadRows(_data, _data.Schema.Where(c => !c.IsHidden && c.Name != Excluded));
        foreach (string discrete in new[] { "Rating", "Member", "City", "Colour" })
        {
            Assert.That(Column(rows, generated.Schema, discrete).Distinct(), Is.SubsetOf(Column(real, generated.Schema, discrete).Distinct()), $"{discrete} takes the training values only");
        }

        Assert.That(_vae.Generate(200, seed: 3, "Lima").GetColumn<ReadOnlyMemory<char>>("City").Select(c => c.ToString()), Has.All.EqualTo("Lima"));
        using TabularGanTransformer again = _ml.Gan().TableGenerator(VaeOptions()).Fit(_data);
        Assert.That(Bits(again.Generate(200, seed: 7)), Is.EqualTo(Bits(_vae.Generate(200, seed: 7))), "the same seed trains and generates the same rows");
        Assert.That(Bits(_vae.Generate(200, seed: 7)), Is.Not.EqualTo(Bits(_labelled.Generate(200, seed: 7))), "another model");
    }

    [Test]
    public void TvaesDecoderIsLinearReluLayersUnlessTheResidualOneIsAskedFor()
    {
        TabularGanTransformer residual = _residualVae;

        Assert.That(new TvaeOptions().ResidualDecoder, Is.False, "TVAE's own decoder is the default");
        Assert.That(residual.Epochs.Select(e => e.DiscriminatorLoss), Has.All.Matches<double>(double.IsFinite));
        Assert.That(residual.Epochs.Select(e => e.DiscriminatorLoss), Is.Not.EqualTo(_vae.Epochs.Select(e => e.DiscriminatorLoss)),
            "another decoder learns otherwise from the same seed");
        Assert.That(Bits(residual.Generate(200, seed: 7)), Is.Not.EqualTo(Bits(_vae.Generate(200, seed: 7))));
        Assert.That(residual.Generate(100, seed: 3, "Lima").GetColumn<ReadOnlyMemory<char>>("City").Select(c => c.ToString()), Has.All.EqualTo("Lima"),
            "it conditions as the default decoder does");
    }

    [Test]
    public void TheQualityReportScoresGeneratedRowsBelowTheRealOnes()
    {
        TableQualityReport synthetic = _gan.EvaluateQuality(_data, _gan.Generate(Rows, seed: 4));
        TableQualityReport itself = _gan.EvaluateQuality(_data, _data);

        Assert.That(synthetic.ColumnShapes.Select(s => s.Column), Is.EqualTo(_gan.GeneratedSchema.Select(c => c.Name)));
        Assert.That(synthetic.OverallScore, Is.GreaterThan(0).And.LessThan(1));
        Assert.That(itself.OverallScore, Is.EqualTo(1).Within(1e-9));
        Assert.That(itself.ColumnShapes.Select(s => s.Score), Has.All.EqualTo(1).Within(1e-9));
    }

    [Test]
    public void AnyTwoTablesAreComparedAsTheGeneratorWouldClassifyTheirColumns()
    {
        IDataView synthetic = _gan.Generate(Rows, seed: 4);
        TableQualityReport fromGenerator = _gan.EvaluateQuality(_data, synthetic);

        TableQualityReport standalone = _ml.Gan().EvaluateTable(_data, synthetic, Excluded);

        Assert.That(standalone.ColumnShapes.Select(s => (s.Column, s.Metric)), Is.EqualTo(fromGenerator.ColumnShapes.Select(s => (s.Column, s.Metric))),
            "the same columns, each continuous or discrete as the generator had it (Age continuous, Rating discrete)");
        Assert.That(standalone.OverallScore, Is.EqualTo(fromGenerator.OverallScore).Within(1e-12));
        var missing = Assert.Throws<ArgumentException>(() => _ml.Gan().EvaluateTable(_data, _ml.Transforms.DropColumns("City").Fit(synthetic).Transform(synthetic), Excluded))!;
        Assert.That(missing.Message, Does.Contain("'City'"));
        var vector = Assert.Throws<ArgumentException>(() => _ml.Gan().EvaluateTable(_data, synthetic))!;
        Assert.That(vector.Message, Does.Contain($"'{Excluded}'"), "a vector column must be excluded");
    }

    [TestCase("ctgan")]
    [TestCase("tvae")]
    [TestCase("tvae with a residual decoder")]
    public void ASavedGeneratorLoadedWithStockMlNetMapsLatentRowsToTheSameRows(string model)
    {
        bool tvae = model != "ctgan";
        TabularGanTransformer generator = model switch { "ctgan" => _labelled, "tvae" => _vae, _ => _residualVae };
        string folder = TestFiles.NewDirectory();
        try
        {
            string path = Path.Combine(folder, "table.zip");
            generator.Save(path);
            ITransformer loaded = _ml.LoadModel(path, out DataViewSchema input);
            IDataView latent = generator.SampleLatent(200, seed: 9);

            IDataView expected = generator.Transform(latent);
            IDataView actual = loaded.Transform(latent);

            Assert.That(Describe(input), Is.EqualTo(new[] { $"Latent: Vector<Single, {generator.LatentWidth}>" }));
            Assert.That(loaded, Is.InstanceOf<TransformerChain<ITransformer>>(), "a chain of stock transforms");
            Assert.That(Describe(actual.Schema.Where(c => !c.IsHidden)), Is.EqualTo(Describe(expected.Schema)), "the latent column, then the training columns with their types");
            Assert.That(KeyValues(actual.Schema[nameof(Person.Colour)]), Is.EqualTo(KeyValues(_data.Schema[nameof(Person.Colour)])));
            List<object[]> want = ReadRows(expected, GeneratedColumns(expected, latent));
            List<object[]> got = ReadRows(actual, GeneratedColumns(expected, latent).Select(c => actual.Schema[c.Name]));
            foreach (string discrete in new[] { nameof(Person.Rating), nameof(Person.Member), nameof(Person.City), nameof(Person.Colour) })
            {
                int index = generator.GeneratedSchema[discrete].Index;
                Assert.That(got.Select(r => r[index]), Is.EqualTo(want.Select(r => r[index])), $"{discrete}: the categories drawn in process");
            }

            int height = generator.GeneratedSchema[nameof(Person.Height)].Index, income = generator.GeneratedSchema[nameof(Person.Income)].Index, age = generator.GeneratedSchema[nameof(Person.Age)].Index;
            for (int row = 0; row < want.Count; row++)
            {
                Assert.That((float)got[row][height], Is.EqualTo((float)want[row][height]).Within(1e-4).Percent, $"row {row}'s Height");
                Assert.That((double)got[row][income], double.IsNaN((double)want[row][income]) ? Is.NaN : Is.EqualTo((double)want[row][income]).Within(1e-4).Percent, $"row {row}'s Income (float precision)");
                Assert.That((int)got[row][age], Is.EqualTo((int)want[row][age]).Within(1), $"row {row}'s Age");
            }

            Assert.That(want.Count(r => double.IsNaN((double)r[income])), Is.InRange(1, want.Count - 1), "both paths of the missing-value head compared: some rows drawn missing, some not");
            Dictionary<string, string> metadata = SavedGraphMetadata(path);
            Assert.That(metadata["gan.data.kind"], Is.EqualTo("table"));
            Assert.That(metadata["gan.latent.width"], Is.EqualTo(generator.LatentWidth.ToString(CultureInfo.InvariantCulture)));
            Assert.That(metadata["gan.label.column"], Is.EqualTo(nameof(Person.City)));
            Assert.That(metadata["gan.training.model"], Is.EqualTo(tvae ? "Tvae" : "Ctgan"));
            Assert.That(metadata["gan.training.generator_network"], Is.EqualTo(model == "tvae" ? "LinearRelu" : "Residual"));
            Assert.That(metadata["gan.table.columns"], Does.StartWith("Height: Single (Continuous); Income: Double (Continuous)"));
            var imageLoader = Assert.Throws<InvalidDataException>(() => _ml.Gan().LoadGenerator(path))!;
            Assert.That(imageLoader.Message, Does.Contain("table generator").And.Contain("mlContext.Model.Load"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The <c>metadata_props</c> of the ONNX graph inside a saved chain (an <c>OnnxModel</c> entry: a 32-bit length, then the graph).</summary>
    private static Dictionary<string, string> SavedGraphMetadata(string zip)
    {
        using var archive = System.IO.Compression.ZipFile.OpenRead(zip);
        System.IO.Compression.ZipArchiveEntry entry = archive.Entries.Single(e => e.Name == "OnnxModel");
        using var reader = new BinaryReader(entry.Open());
        int length = reader.ReadInt32();
        var model = global::Onnx.ModelProto.Parser.ParseFrom(reader.ReadBytes(length));
        return model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
    }

    [Test]
    public void AColumnTheSavedChainCannotRebuildIsNamedWhenSaving()
    {
        var ml = new MLContext(seed: 1);
        TabularGanOptions options = Options(excluded: []);
        options.Budget = TrainingBudget.OfEpochs(1);
        IDataView sized = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 100).Select(i => new Sized { Size = i, Kind = i % 3 == 0 ? "a" : "b" }));
        IDataView scored = ml.Transforms.CopyColumns("Score", nameof(Sized.Size)).Fit(sized).Transform(sized);
        using TabularGanTransformer numberKeys = ml.Gan().TableGenerator(options).Fit(ml.Transforms.Conversion.MapValueToKey(nameof(Sized.Size)).Fit(sized).Transform(sized));
        using TabularGanTransformer scoreColumn = ml.Gan().TableGenerator(options).Fit(scored);
        string folder = TestFiles.NewDirectory();
        try
        {
            var keyError = Assert.Throws<NotSupportedException>(() => numberKeys.Save(Path.Combine(folder, "keys.zip")))!;
            var nameError = Assert.Throws<NotSupportedException>(() => scoreColumn.Save(Path.Combine(folder, "score.zip")))!;

            Assert.That(keyError.Message, Does.Contain("'Size'").And.Contain("text key value"));
            Assert.That(nameError.Message, Does.Contain("'Score'").And.Contain("rename"));
            Assert.That(Directory.GetFiles(folder), Is.Empty, "nothing half-written");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        Assert.Throws<NotSupportedException>(() => _gan.GetRowToRowMapper(_data.Schema));
    }

    [Test]
    public void ADisposedGeneratorGeneratesNothing()
    {
        var ml = new MLContext(seed: 1);
        TabularGanOptions options = Options(excluded: []);
        options.Budget = TrainingBudget.OfEpochs(1);
        TabularGanTransformer gan = ml.Gan().TableGenerator(options).Fit(ml.Data.LoadFromEnumerable(
            Enumerable.Range(0, 100).Select(i => new Sized { Size = i, Kind = i % 3 == 0 ? "a" : "b" })));
        Assert.That(ReadRows(gan.Generate(10, seed: 1)), Has.Count.EqualTo(10));

        gan.Dispose();
        gan.Dispose();

        Assert.Throws<ObjectDisposedException>(() => gan.Generate(10, seed: 1));
        Assert.Throws<ObjectDisposedException>(() => gan.Transform(gan.SampleLatent(10, seed: 1)));
    }
}
