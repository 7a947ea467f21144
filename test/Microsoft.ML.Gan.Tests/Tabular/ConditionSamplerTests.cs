using Microsoft.ML.Gan.Tabular;
using Microsoft.ML.Gan.Training;
using TorchSharp;

namespace Microsoft.ML.Gan.Tests.Tabular;

/// <summary>
/// CTGAN's training-by-sampling: the conditional vector's layout, log-frequency choice of a category in training and its
/// matching real row, training-frequency choice at generation (and for the EMA generator's standing statistics), fixed
/// conditions and their errors, and seeding.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class ConditionSamplerTests
{
    private const int Rows = 100;

    /// <summary>Label is "rare" in 10 rows and "common" in 90; Member is true in 25; Colour becomes a key column.</summary>
    private sealed class Patient
    {
        public float Height { get; set; }

        public string Label { get; set; } = "";

        public bool Member { get; set; }

        public string Colour { get; set; } = "";
    }

    private sealed class Measurement
    {
        public float Height { get; set; }

        public double Weight { get; set; }
    }

    private sealed class ColourName
    {
        public string Colour { get; set; } = "";
    }

    private static TableEncoder Patients()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(2);
        string[] colours = ["red", "green", "blue"];
        Patient[] patients = [.. Enumerable.Range(0, Rows).Select(i => new Patient
        {
            Height = 150f + (40f * (float)random.NextDouble()),
            Label = i % 10 == 3 ? "rare" : "common",
            Member = i % 4 == 0,
            Colour = colours[i % 3],
        })];
        IDataView data = ml.Data.LoadFromEnumerable(patients);
        IDataView keyData = ml.Data.LoadFromEnumerable(colours.Select(c => new ColourName { Colour = c }));
        data = ml.Transforms.Conversion.MapValueToKey(nameof(Patient.Colour), keyData: keyData).Fit(data).Transform(data);
        return TableEncoder.Fit(data, TableSchema.Create(data.Schema, []), seed: 1);
    }

    private static int EntryOf(ConditionBlock block, string display)
        => block.Column.OneHotCategories.ToList().FindIndex(c => c.Display == display);

    [Test]
    public void TheVectorHasABlockPerDiscreteColumnInTheColumnsOneHotOrder()
    {
        TableEncoder encoder = Patients();

        var sampler = new ConditionSampler(encoder, seed: 1);

        Assert.That(sampler.Blocks.Select(b => b.Column.Column.Name), Is.EqualTo(new[] { "Label", "Member", "Colour" }), "Height is continuous");
        Assert.That(sampler.Blocks.Select(b => (b.Offset, b.Width)), Is.EqualTo(new[] { (0, 2), (2, 2), (4, 3) }));
        Assert.That(sampler.Width, Is.EqualTo(7));
        Assert.That(sampler.Blocks[0].Column.OneHotCategories.Select(c => c.Display), Is.EqualTo(new[] { "common", "rare" }), "most frequent first, as the encoding");
        Assert.That(sampler.Blocks[1].Column.OneHotCategories.Select(c => c.Display), Is.EqualTo(new[] { "False", "True" }));
    }

    [Test]
    public void TrainingPicksAColumnUniformlyAndARareCategoryByItsLogFrequency()
    {
        var sampler = new ConditionSampler(Patients(), seed: 3);
        const int Draws = 30_000;

        TrainingConditions conditions = sampler.SampleForTraining(Draws);

        int[] perBlock = [.. Enumerable.Range(0, 3).Select(b => conditions.Blocks.Count(x => x == b))];
        Assert.That(perBlock.Select(n => n / (double)Draws), Has.All.EqualTo(1 / 3.0).Within(0.02));

        // 10 rare and 90 common rows: log 11 / (log 11 + log 91) ≈ 0.347, against a frequency of 0.1.
        int rare = EntryOf(sampler.Blocks[0], "rare");
        double rareShare = Enumerable.Range(0, Draws).Count(i => conditions.Blocks[i] == 0 && conditions.Categories[i] == rare) / (double)perBlock[0];
        Assert.That(rareShare, Is.EqualTo(Math.Log(11) / (Math.Log(11) + Math.Log(91))).Within(0.02));

        // Member: 25 true, 75 false.
        int member = EntryOf(sampler.Blocks[1], "True");
        double memberShare = Enumerable.Range(0, Draws).Count(i => conditions.Blocks[i] == 1 && conditions.Categories[i] == member) / (double)perBlock[1];
        Assert.That(memberShare, Is.EqualTo(Math.Log(26) / (Math.Log(26) + Math.Log(76))).Within(0.02));
    }

    [Test]
    public void EachTrainingRowHasTheChosenCategoryAndTheVectorAndMaskSayWhich()
    {
        TableEncoder encoder = Patients();
        var sampler = new ConditionSampler(encoder, seed: 4);
        float[] encoded = encoder.EncodeRows();
        const int Draws = 4_000;

        TrainingConditions conditions = sampler.SampleForTraining(Draws);

        Assert.That(conditions.Vectors, Has.Length.EqualTo(Draws * sampler.Width));
        Assert.That(conditions.Masks, Has.Length.EqualTo(Draws * 3));
        for (int i = 0; i < Draws; i++)
        {
            ConditionBlock block = sampler.Blocks[conditions.Blocks[i]];
            float[] vector = conditions.Vectors[(i * sampler.Width)..((i + 1) * sampler.Width)];
            float[] mask = conditions.Masks[(i * 3)..((i + 1) * 3)];
            Assert.That(vector.Sum(), Is.EqualTo(1));
            Assert.That(vector[block.Offset + conditions.Categories[i]], Is.EqualTo(1));
            Assert.That(mask.Sum() == 1 && mask[conditions.Blocks[i]] == 1, $"draw {i}: the mask names the chosen column");

            // The real row's own one-hot for the column is the condition's block.
            float[] rowOneHot = encoded[((conditions.Rows[i] * encoder.Width) + block.Column.Offset)..((conditions.Rows[i] * encoder.Width) + block.Column.Offset + block.Width)];
            Assert.That(rowOneHot, Is.EqualTo(vector[block.Offset..(block.Offset + block.Width)]), $"draw {i}: row {conditions.Rows[i]} has the category");
        }

        // The 10 rare rows are drawn about equally.
        int rare = EntryOf(sampler.Blocks[0], "rare");
        int[] rareRows = [.. Enumerable.Range(0, Draws).Where(i => conditions.Blocks[i] == 0 && conditions.Categories[i] == rare).Select(i => conditions.Rows[i])];
        Assert.That(rareRows.Distinct().Order(), Is.EqualTo(Enumerable.Range(0, Rows).Where(r => r % 10 == 3)));
        Assert.That(rareRows.CountBy(r => r).Select(g => g.Value / (double)rareRows.Length), Has.All.EqualTo(0.1).Within(0.05));
    }

    [Test]
    public void GenerationDrawsCategoriesAtTheirTrainingFrequency()
    {
        var sampler = new ConditionSampler(Patients(), seed: 5);
        const int Draws = 30_000;

        float[] vectors = sampler.SampleForGeneration(Draws);

        Assert.That(vectors, Has.Length.EqualTo(Draws * sampler.Width));
        float[][] rows = [.. vectors.Chunk(sampler.Width)];
        Assert.That(rows.Select(r => r.Sum()), Has.All.EqualTo(1), "one category of one column per row");
        ConditionBlock label = sampler.Blocks[0], colour = sampler.Blocks[2];
        float[][] labelRows = [.. rows.Where(r => r[label.Offset..(label.Offset + label.Width)].Sum() == 1)];
        float[][] colourRows = [.. rows.Where(r => r[colour.Offset..(colour.Offset + colour.Width)].Sum() == 1)];
        Assert.That(labelRows.Length / (double)Draws, Is.EqualTo(1 / 3.0).Within(0.02));
        Assert.That(labelRows.Count(r => r[label.Offset + EntryOf(label, "rare")] == 1) / (double)labelRows.Length, Is.EqualTo(0.1).Within(0.015));
        Assert.That(colourRows.Count(r => r[colour.Offset + EntryOf(colour, "blue")] == 1) / (double)colourRows.Length, Is.EqualTo(0.33).Within(0.02));
    }

    [Test]
    public void TheEmaGeneratorsStandingConditionsComeAtTheTrainingFrequencyFromTheirOwnStream()
    {
        TableEncoder encoder = Patients();
        var sampler = new ConditionSampler(encoder, seed: 5);
        var table = new TableRows(encoder, sampler);
        using GanBatches batches = table.Upload(TrainingPlan.ResolveTable(new TabularGanOptions(), table.Layout, "cpu"), torch.CPU);
        const int Draws = 30_000;
        using var random = new torch.Generator(7);
        using var again = new torch.Generator(7);
        torch.manual_seed(1);
        using torch.Tensor training = torch.rand(4);

        torch.manual_seed(1);
        using torch.Tensor conditions = batches.StandingConditions(Draws, random)!;
        using torch.Tensor trainingAgain = torch.rand(4);
        using torch.Tensor repeated = batches.StandingConditions(Draws, again)!;

        Assert.That(trainingAgain.data<float>().ToArray(), Is.EqualTo(training.data<float>().ToArray()), "the training stream is not drawn from");
        Assert.That(repeated.data<float>().ToArray(), Is.EqualTo(conditions.data<float>().ToArray()), "the same seed gives the same conditions");
        float[][] rows = [.. conditions.data<float>().ToArray().Chunk(sampler.Width)];
        Assert.That(rows, Has.Length.EqualTo(Draws));
        Assert.That(rows.Select(r => r.Sum()), Has.All.EqualTo(1), "one category of one column per row");
        ConditionBlock label = sampler.Blocks[0], member = sampler.Blocks[1];
        float[][] labelRows = [.. rows.Where(r => r[label.Offset..(label.Offset + label.Width)].Sum() == 1)];
        float[][] memberRows = [.. rows.Where(r => r[member.Offset..(member.Offset + member.Width)].Sum() == 1)];
        Assert.That(labelRows.Length / (double)Draws, Is.EqualTo(1 / 3.0).Within(0.02));
        // Training frequencies (10 % rare, 25 % members), not training-by-sampling's log-frequencies (0.347 and 0.43).
        Assert.That(labelRows.Count(r => r[label.Offset + EntryOf(label, "rare")] == 1) / (double)labelRows.Length, Is.EqualTo(0.1).Within(0.015));
        Assert.That(memberRows.Count(r => r[member.Offset + EntryOf(member, "True")] == 1) / (double)memberRows.Length, Is.EqualTo(0.25).Within(0.02));
    }

    [Test]
    public void ConditionOnSetsTheEntryOfTheValueAsShown()
    {
        var sampler = new ConditionSampler(Patients(), seed: 1);

        float[] rare = sampler.ConditionOn("Label", "rare");
        float[] member = sampler.ConditionOn("Member", "True");
        float[] blue = sampler.ConditionOn("Colour", "blue");

        Assert.That(rare, Has.Length.EqualTo(sampler.Width));
        Assert.That(Array.IndexOf(rare, 1f), Is.EqualTo(sampler.Blocks[0].Offset + EntryOf(sampler.Blocks[0], "rare")));
        Assert.That(Array.IndexOf(member, 1f), Is.EqualTo(sampler.Blocks[1].Offset + EntryOf(sampler.Blocks[1], "True")));
        Assert.That(sampler.Blocks[2].Column.OneHotCategories[Array.IndexOf(blue, 1f) - sampler.Blocks[2].Offset].Value, Is.EqualTo(3u), "blue is key 3");
        Assert.That(new[] { rare, member, blue }.Select(v => v.Sum()), Has.All.EqualTo(1));
    }

    [Test]
    public void ConditionOnNamesTheColumnAndTheValueItCannotTake()
    {
        var sampler = new ConditionSampler(Patients(), seed: 1);

        var unseen = Assert.Throws<ArgumentException>(() => sampler.ConditionOn("Label", "unknown"))!;
        var continuous = Assert.Throws<ArgumentException>(() => sampler.ConditionOn("Height", "170"))!;
        var absent = Assert.Throws<ArgumentException>(() => sampler.ConditionOn("Weight", "70"))!;
        var purple = Assert.Throws<ArgumentException>(() => sampler.ConditionOn("Colour", "purple"))!;

        Assert.That(unseen.Message, Does.StartWith("Column 'Label' never has the value 'unknown' in the training rows").And.Contain("'common', 'rare'"));
        Assert.That(purple.Message, Does.StartWith("Column 'Colour' never has the value 'purple'").And.Contain("'red'"));
        Assert.That(continuous.Message, Does.StartWith("Column 'Height' is continuous").And.Contain("'Label', 'Member', 'Colour'"));
        Assert.That(absent.Message, Does.StartWith("The table has no column 'Weight'"));
    }

    [Test]
    public void TheSameSeedGivesTheSameDraws()
    {
        TableEncoder encoder = Patients();

        TrainingConditions first = new ConditionSampler(encoder, seed: 7).SampleForTraining(200);
        TrainingConditions again = new ConditionSampler(encoder, seed: 7).SampleForTraining(200);
        TrainingConditions other = new ConditionSampler(encoder, seed: 8).SampleForTraining(200);

        Assert.That(again.Vectors, Is.EqualTo(first.Vectors));
        Assert.That(again.Rows, Is.EqualTo(first.Rows));
        Assert.That(other.Rows, Is.Not.EqualTo(first.Rows));
        Assert.That(new ConditionSampler(encoder, seed: 7).SampleForGeneration(200), Is.EqualTo(new ConditionSampler(encoder, seed: 7).SampleForGeneration(200)));
    }

    [Test]
    public void ATableWithoutDiscreteColumnsHasAnEmptyVectorAndSaysSo()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 40).Select(i => new Measurement { Height = 150 + i, Weight = 50 + (i % 7) }));
        TableEncoder encoder = TableEncoder.Fit(data, TableSchema.Create(data.Schema, []), seed: 1);

        var sampler = new ConditionSampler(encoder, seed: 1);

        Assert.That(sampler.Width, Is.Zero);
        Assert.That(sampler.Blocks, Is.Empty);
        var training = Assert.Throws<InvalidOperationException>(() => sampler.SampleForTraining(8))!;
        var generation = Assert.Throws<InvalidOperationException>(() => sampler.SampleForGeneration(8))!;
        var condition = Assert.Throws<ArgumentException>(() => sampler.ConditionOn("Height", "150"))!;
        Assert.That(training.Message, Does.StartWith("The table has no discrete or key column, so its conditional vector is empty (width 0)"));
        Assert.That(generation.Message, Does.Contain("SampleForGeneration has nothing to draw"));
        Assert.That(condition.Message, Does.StartWith("Column 'Height' is continuous").And.Contain("nothing can be conditioned on"));
    }
}
