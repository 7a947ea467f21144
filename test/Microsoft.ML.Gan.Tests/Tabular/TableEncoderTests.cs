using Microsoft.ML.Gan.Tabular;

namespace Microsoft.ML.Gan.Tests.Tabular;

/// <summary>
/// The table encoder: which columns it takes and how it classifies them, encode → decode round trips, the decoded view's
/// schema, missing values, the errors for what a generator cannot learn, and seeding.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class TableEncoderTests
{
    private const int Rows = 120;

    /// <summary>One training row: every column type the encoder takes (Colour becomes a key column).</summary>
    private sealed class Person
    {
        public float Height { get; set; }

        public double Income { get; set; }

        public int Age { get; set; }

        public int Rating { get; set; }

        public bool Member { get; set; }

        public string City { get; set; } = "";

        public string Colour { get; set; } = "";
    }

    /// <summary>A row as <c>CreateEnumerable</c> reads it back, the key column as its key index.</summary>
    private sealed class PersonWithKey
    {
        public float Height { get; set; }

        public double Income { get; set; }

        public int Age { get; set; }

        public int Rating { get; set; }

        public bool Member { get; set; }

        public string City { get; set; } = "";

        [KeyType(3)]
        public uint Colour { get; set; }
    }

    private sealed class Unsupported
    {
        public float Height { get; set; }

        [VectorType(4)]
        public float[] Pixels { get; set; } = new float[4];

        public DateTime Born { get; set; }
    }

    /// <summary>The one column of the key data that fixes Colour's keys (red, green, blue).</summary>
    private sealed class ColourName
    {
        public string Colour { get; set; } = "";
    }

    private sealed class ByteRow
    {
        public byte Level { get; set; }

        public bool Flag { get; set; }
    }

    /// <summary>
    /// <see cref="Rows"/> people: a two-mode Income, 50 distinct ages (continuous), ratings 1–5 (discrete); with
    /// <paramref name="missing"/>, every 7th Height is NaN, every 5th City empty or blank and every 6th Colour a value
    /// outside the key's values (key 0).
    /// </summary>
    private static IDataView People(MLContext ml, bool missing = false)
    {
        var random = new Random(4);
        string[] cities = ["Oslo", "Lima", "Pune", "Kyiv"];
        string[] colours = ["red", "green", "blue"];
        Person[] people = [.. Enumerable.Range(0, Rows).Select(i => new Person
        {
            Height = missing && i % 7 == 0 ? float.NaN : 150f + (40f * (float)random.NextDouble()),
            Income = i % 3 == 0 ? 90_000 + (5_000 * random.NextDouble()) : 20_000 + (3_000 * random.NextDouble()),
            Age = 20 + (i % 50),
            Rating = 1 + (i % 5),
            Member = i % 4 == 0,
            City = missing && i % 5 == 2 ? (i % 2 == 0 ? "" : "  ") : cities[i % cities.Length],
            Colour = missing && i % 6 == 1 ? "purple" : colours[(i / 2) % colours.Length],
        })];

        IDataView data = ml.Data.LoadFromEnumerable(people);
        return WithColourKey(ml, data);
    }

    /// <summary>Colour as a key column over red, green, blue; any other colour is key 0.</summary>
    private static IDataView WithColourKey(MLContext ml, IDataView data)
    {
        IDataView keyData = ml.Data.LoadFromEnumerable(new[] { "red", "green", "blue" }.Select(c => new ColourName { Colour = c }));
        return ml.Transforms.Conversion.MapValueToKey(nameof(Person.Colour), keyData: keyData).Fit(data).Transform(data);
    }

    private static TableEncoder Fit(IDataView data, int seed = 1, string[]? excluded = null)
        => TableEncoder.Fit(data, TableSchema.Create(data.Schema, excluded ?? []), seed);

    private static EncodedColumn ColumnNamed(TableEncoder encoder, string name) => encoder.Columns.Single(c => c.Column.Name == name);

    private static ArgumentException FitError(IDataView data) => Assert.Throws<ArgumentException>(() => Fit(data))!;

    [Test]
    public void TheSchemaTakesVisibleColumnsInOrderLessTheExcludedOnes()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = People(ml);

        TableSchema schema = TableSchema.Create(data.Schema, ["Income", "Rating"]);

        Assert.That(schema.Columns.Select(c => c.Name), Is.EqualTo(new[] { "Height", "Age", "Member", "City", "Colour" }),
            "the hidden text Colour that MapValueToKey replaced is not a column");
        Assert.That(schema.Columns.Select(c => c.Type), Is.EqualTo(new[]
        {
            TableColumnType.Floating, TableColumnType.Integer, TableColumnType.Boolean, TableColumnType.Text, TableColumnType.Key,
        }));
        Assert.That(schema.Columns[^1].Source.Type, Is.InstanceOf<KeyDataViewType>());
    }

    [Test]
    public void AColumnOfAnUnsupportedTypeIsNamedWithItsType()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable([new Unsupported()]);

        var vector = Assert.Throws<ArgumentException>(() => TableSchema.Create(data.Schema, ["Born"]))!;
        var date = Assert.Throws<ArgumentException>(() => TableSchema.Create(data.Schema, ["Pixels"]))!;

        Assert.That(vector.Message, Does.Contain("Column 'Pixels' has type Vector<Single, 4>").And.Contain("exclude it"));
        Assert.That(date.Message, Does.Contain("Column 'Born' has type DateTime").And.Contain("exclude it"));
        Assert.That(TableSchema.Create(data.Schema, ["Born", "Pixels"]).Columns.Select(c => c.Name), Is.EqualTo(new[] { "Height" }));
    }

    [Test]
    public void ExcludedNamesTheDataLacksAreNamed()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = People(ml);

        var unknown = Assert.Throws<ArgumentException>(() => TableSchema.Create(data.Schema, ["Age", "Salary", "Zip"]))!;
        var everything = Assert.Throws<ArgumentException>(() => TableSchema.Create(data.Schema, ["Height", "Income", "Age", "Rating", "Member", "City", "Colour"]))!;

        Assert.That(unknown.Message, Does.Contain("'Salary', 'Zip' are not in the data").And.Contain("Input columns: Height (Single)"));
        Assert.That(everything.Message, Does.StartWith("Every column of the data is excluded"));
    }

    [Test]
    public void IntegersWithFewValuesAreDiscreteAndWithManyContinuous()
    {
        var ml = new MLContext(seed: 1);

        TableEncoder encoder = Fit(People(ml));

        Assert.That(encoder.Columns.Select(c => c.Kind), Is.EqualTo(new[]
        {
            TableColumnKind.Continuous, TableColumnKind.Continuous, TableColumnKind.Continuous, TableColumnKind.Discrete,
            TableColumnKind.Discrete, TableColumnKind.Discrete, TableColumnKind.Key,
        }));
        Assert.That(ColumnNamed(encoder, "Rating").Width, Is.EqualTo(5), "one category per rating");
        Assert.That(ColumnNamed(encoder, "Colour").Width, Is.EqualTo(3), "one category per key seen");
    }

    [Test]
    public void AContinuousIntegerDecodesToTheNearestIntegerWithinItsTypesRange()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 100).Select(i => new ByteRow { Level = (byte)(i * 37 % 256), Flag = i % 2 == 0 }));
        TableEncoder encoder = Fit(data);
        EncodedColumn level = ColumnNamed(encoder, "Level");

        // α = ±1 in every mode: four deviations past each mode, beyond 0 and 255 for the outer ones.
        var decoded = new List<byte>();
        for (int mode = 1; mode < level.Width; mode++)
        {
            foreach (float alpha in new[] { -1f, -0.37f, 0.5f, 1f })
            {
                var encoded = new float[level.Width];
                encoded[0] = alpha;
                encoded[mode] = 1;
                decoded.Add((byte)level.Decode(encoded));
            }
        }

        Assert.That(level.Kind, Is.EqualTo(TableColumnKind.Continuous));
        Assert.That(decoded.Min(), Is.EqualTo(byte.MinValue));
        Assert.That(decoded.Max(), Is.EqualTo(byte.MaxValue));
    }

    [Test]
    public void SpansTileTheEncodedRow()
    {
        var ml = new MLContext(seed: 1);

        TableEncoder encoder = Fit(People(ml, missing: true));

        int next = 0;
        foreach (EncodedSpan span in encoder.Spans)
        {
            Assert.That(span.Offset, Is.EqualTo(next));
            Assert.That(span.Kind == EncodedSpanKind.Scalar ? span.Width == 1 : span.Width >= 1, $"span at {span.Offset}");
            next += span.Width;
        }

        Assert.That(next, Is.EqualTo(encoder.Width));
        foreach (EncodedColumn column in encoder.Columns)
        {
            EncodedSpan[] spans = [.. column.Spans];
            Assert.That(spans[0].Offset, Is.EqualTo(column.Offset));
            Assert.That(spans.Sum(s => s.Width), Is.EqualTo(column.Width));
            Assert.That(spans[0].Kind, Is.EqualTo(column.Kind == TableColumnKind.Continuous ? EncodedSpanKind.Scalar : EncodedSpanKind.Softmax), column.Column.Name);
        }

        EncodedSpan[] height = [.. ColumnNamed(encoder, "Height").Spans];
        EncodedSpan[] age = [.. ColumnNamed(encoder, "Age").Spans];
        Assert.That(height, Has.Length.EqualTo(3), "α, modes, present/missing");
        Assert.That(height[^1].Width, Is.EqualTo(2));
        Assert.That(age, Has.Length.EqualTo(2), "α and modes: an integer is never missing");
    }

    [Test]
    public void EncodedRowsAreOneHotWhereTheyShouldBeAndDecodeToTheTrainingRows()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = People(ml);
        TableEncoder encoder = Fit(data);

        float[] encoded = encoder.EncodeRows();
        List<object[]> decoded = [.. Enumerable.Range(0, Rows).Select(r => encoder.Decode(encoded.AsSpan(r * encoder.Width, encoder.Width)))];

        Assert.That(encoded, Has.Length.EqualTo(Rows * encoder.Width));
        for (int r = 0; r < Rows; r++)
        {
            foreach (EncodedSpan span in encoder.Spans.Where(s => s.Kind == EncodedSpanKind.Softmax))
            {
                float[] group = encoded[((r * encoder.Width) + span.Offset)..((r * encoder.Width) + span.Offset + span.Width)];
                Assert.That(group.Count(v => v == 1) == 1 && group.Count(v => v == 0) == span.Width - 1, $"row {r}: span at {span.Offset} is a one-hot");
            }
        }

        PersonWithKey[] original = [.. ml.Data.CreateEnumerable<PersonWithKey>(data, reuseRowObject: false)];
        Assert.That(decoded.Select(v => (float)v[0]), Is.EqualTo(original.Select(p => p.Height)).Within(1e-3));
        Assert.That(decoded.Select(v => (double)v[1]), Is.EqualTo(original.Select(p => p.Income)).Within(0.05));
        Assert.That(decoded.Select(v => (int)v[2]), Is.EqualTo(original.Select(p => p.Age)));
        Assert.That(decoded.Select(v => (int)v[3]), Is.EqualTo(original.Select(p => p.Rating)));
        Assert.That(decoded.Select(v => (bool)v[4]), Is.EqualTo(original.Select(p => p.Member)));
        Assert.That(decoded.Select(v => ((ReadOnlyMemory<char>)v[5]).ToString()), Is.EqualTo(original.Select(p => p.City)));
        Assert.That(decoded.Select(v => (uint)v[6]), Is.EqualTo(original.Select(p => p.Colour)));
    }

    [Test]
    public void TheDecodedViewHasTheTrainingSchemaAndReadsBack()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = People(ml);
        TableEncoder encoder = Fit(data, excluded: ["Rating"]);

        IDataView decoded = encoder.CreateDataView(encoder.EncodeRows());

        DataViewSchema.Column[] expected = [.. data.Schema.Where(c => !c.IsHidden && c.Name != "Rating")];
        Assert.That(decoded.Schema.Select(c => c.Name), Is.EqualTo(expected.Select(c => c.Name)));
        Assert.That(decoded.Schema.Select(c => c.Type), Is.EqualTo(expected.Select(c => c.Type)));
        Assert.That(decoded.GetRowCount(), Is.EqualTo(Rows));
        VBuffer<ReadOnlyMemory<char>> trainingKeys = default, decodedKeys = default;
        data.Schema["Colour"].GetKeyValues(ref trainingKeys);
        decoded.Schema["Colour"].GetKeyValues(ref decodedKeys);
        Assert.That(decodedKeys.DenseValues().Select(v => v.ToString()), Is.EqualTo(new[] { "red", "green", "blue" }));
        Assert.That(decodedKeys.DenseValues().Select(v => v.ToString()), Is.EqualTo(trainingKeys.DenseValues().Select(v => v.ToString())));

        PersonWithKey[] original = [.. ml.Data.CreateEnumerable<PersonWithKey>(data, reuseRowObject: false)];
        PersonWithKey[] back = [.. ml.Data.CreateEnumerable<PersonWithKey>(decoded, reuseRowObject: false, ignoreMissingColumns: true)];
        Assert.That(back.Select(p => (p.Age, p.Member, p.City, p.Colour, p.Rating)), Is.EqualTo(original.Select(p => (p.Age, p.Member, p.City, p.Colour, 0))),
            "Rating was excluded, so it reads as its default");
        Assert.That(back.Select(p => p.Height), Is.EqualTo(original.Select(p => p.Height)).Within(1e-3));
    }

    [Test]
    public void MissingValuesAreLearnedAtTheirRateAndDecodeAsMissing()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = People(ml, missing: true);
        TableEncoder encoder = Fit(data);
        string[] withMissing = ["Height", "City", "Colour"];

        Assert.That(ColumnNamed(encoder, "Height").MissingRate, Is.EqualTo(Enumerable.Range(0, Rows).Count(i => i % 7 == 0) / (double)Rows));
        Assert.That(ColumnNamed(encoder, "City").MissingRate, Is.EqualTo(Enumerable.Range(0, Rows).Count(i => i % 5 == 2) / (double)Rows), "empty and blank text");
        Assert.That(ColumnNamed(encoder, "Colour").MissingRate, Is.EqualTo(Enumerable.Range(0, Rows).Count(i => i % 6 == 1) / (double)Rows), "key 0");
        Assert.That(encoder.Columns.Where(c => !withMissing.Contains(c.Column.Name)).Select(c => c.MissingRate), Has.All.EqualTo(0));

        // Row 7 has every missing value (Height NaN, City blank, Colour key 0); row 3 none. Row 3 with row 7's
        // encoding of one column decodes that column as missing and leaves the rest.
        float[] encoded = encoder.EncodeRows();
        int width = encoder.Width;
        object[] missingRow = encoder.Decode(encoded.AsSpan(7 * width, width));
        Assert.That((float)missingRow[0], Is.NaN);
        Assert.That(((ReadOnlyMemory<char>)missingRow[5]).ToString(), Is.Empty);
        Assert.That((uint)missingRow[6], Is.Zero);
        object[] present = encoder.Decode(encoded.AsSpan(3 * width, width));
        foreach (string name in withMissing)
        {
            EncodedColumn column = ColumnNamed(encoder, name);
            float[] row = encoded[(3 * width)..(4 * width)];
            Array.Copy(encoded, (7 * width) + column.Offset, row, column.Offset, column.Width);
            object[] values = encoder.Decode(row);
            int index = encoder.Columns.ToList().IndexOf(column);
            Assert.That(values[index], Is.EqualTo(missingRow[index]), name);
            Assert.That(values.Where((_, i) => i != index), Is.EqualTo(present.Where((_, i) => i != index)), name);
        }

        // Setting only the present/missing pair makes a continuous value missing, whatever α and mode say.
        EncodedColumn height = ColumnNamed(encoder, "Height");
        float[] flagged = encoded[(3 * width)..(4 * width)];
        flagged[height.Offset + height.Width - 2] = 0;
        flagged[height.Offset + height.Width - 1] = 1;
        Assert.That((float)encoder.Decode(flagged)[0], Is.NaN);

        IDataView decoded = encoder.CreateDataView(encoded);
        Assert.That(decoded.GetColumn<float>("Height").Count(float.IsNaN), Is.EqualTo(Enumerable.Range(0, Rows).Count(i => i % 7 == 0)));
        Assert.That(decoded.GetColumn<ReadOnlyMemory<char>>("City").Count(c => c.IsEmpty), Is.EqualTo(Enumerable.Range(0, Rows).Count(i => i % 5 == 2)));
        Assert.That(decoded.GetColumn<uint>("Colour").Count(k => k == 0), Is.EqualTo(Enumerable.Range(0, Rows).Count(i => i % 6 == 1)));
    }

    [Test]
    public void AnEmptyViewIsAnError()
    {
        var ml = new MLContext(seed: 1);

        ArgumentException error = FitError(ml.Data.LoadFromEnumerable(Array.Empty<ByteRow>()));

        Assert.That(error.Message, Does.StartWith("The data has no rows"));
    }

    [Test]
    public void AColumnMissingInEveryRowIsNamed()
    {
        var ml = new MLContext(seed: 1);
        Person[] rows = [.. Enumerable.Range(0, 10).Select(i => new Person
        {
            Height = float.NaN, Income = i, Age = i, Rating = i % 3, Member = i % 2 == 0, City = i % 2 == 0 ? "" : " ", Colour = "c" + i,
        })];
        IDataView data = ml.Data.LoadFromEnumerable(rows);

        ArgumentException height = FitError(data);
        var city = Assert.Throws<ArgumentException>(() => Fit(data, excluded: ["Height"]))!;

        Assert.That(height.Message, Does.StartWith("Column 'Height' is missing (NaN) in all 10 rows").And.Contain("exclude it"));
        Assert.That(city.Message, Does.StartWith("Column 'City' is missing (empty text) in all 10 rows"));
    }

    [Test]
    public void AColumnWithOneValueIsNamedWithTheValue()
    {
        var ml = new MLContext(seed: 1);

        (string Column, string Value)[] cases = [("Income", "2.5"), ("Rating", "3"), ("Member", "True"), ("City", "Oslo"), ("Colour", "green")];
        foreach ((string column, string value) in cases)
        {
            Person[] rows = [.. Enumerable.Range(0, 12).Select(i => new Person
            {
                Height = i,
                Income = column == "Income" ? 2.5 : i,
                Age = i,
                Rating = column == "Rating" ? 3 : i % 2,
                Member = column == "Member" || i % 2 == 0,
                City = column == "City" ? "Oslo" : $"c{i % 3}",
                Colour = column == "Colour" ? "green" : "red",
            })];
            IDataView table = WithColourKey(ml, ml.Data.LoadFromEnumerable(rows));
            string[] excluded = column == "Colour" ? [] : ["Colour"];

            var error = Assert.Throws<ArgumentException>(() => Fit(table, excluded: excluded))!;

            Assert.That(error.Message, Does.StartWith($"Column '{column}' has the single value '{value}' in every row; a generator has nothing to learn from it, so exclude it."));
        }
    }

    [Test]
    public void AnInfiniteNumberIsNamedWithItsRow()
    {
        var ml = new MLContext(seed: 1);
        Person[] rows = [.. Enumerable.Range(0, 5).Select(i => new Person { Height = i == 2 ? float.PositiveInfinity : i, Income = i, Age = i, City = "a" + i, Colour = "c" + i, Member = i % 2 == 0 })];

        ArgumentException error = FitError(ml.Data.LoadFromEnumerable(rows));

        Assert.That(error.Message, Does.StartWith("Column 'Height' holds Infinity at row 2"));
    }

    [Test]
    public void TheSameSeedGivesTheSameEncoding()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = People(ml, missing: true);

        float[] first = Fit(data, seed: 3).EncodeRows();
        float[] again = Fit(data, seed: 3).EncodeRows();

        Assert.That(again, Is.EqualTo(first));
    }
}
