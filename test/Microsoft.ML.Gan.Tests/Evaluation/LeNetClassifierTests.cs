namespace Microsoft.ML.Gan.Tests.Evaluation;

/// <summary>The LeNet classifier behind the CNN CAS and the synthetic-row filter, on small synthetic images.</summary>
[Category(TestCategories.Fast)]
public sealed class LeNetClassifierTests
{
    private sealed class WeightedRow
    {
        [KeyType(4)]
        public uint Label { get; set; }

        [VectorType(SyntheticImages.Side, SyntheticImages.Side)]
        public float[] Pixels { get; set; } = [];

        public float Weight { get; set; }
    }

    private static LeNetClassifierOptions Recipe => new() { Epochs = 30, BatchSize = 16, LearningRate = 0.005f };

    [Test]
    public void LearnsFourSquaresAndIsReproducible()
    {
        var ml = new MLContext(1);
        IDataView squares = SyntheticImages.LoadLabelled(ml, 64);

        using LeNetClassifier first = ml.Gan().TrainClassifier(squares, Recipe);
        using LeNetClassifier second = ml.Gan().TrainClassifier(squares, Recipe);

        Assert.That(first.ImageShape, Is.EqualTo(new ImageShape(1, 8, 8)));
        Assert.That(first.ClassCount, Is.EqualTo(4));
        Assert.That(first.Accuracy(squares), Is.EqualTo(1.0));
        float[] pixels = squares.GetColumn<float[]>("Pixels").SelectMany(p => p).ToArray();
        Assert.That(second.Probabilities(pixels, 64), Is.EqualTo(first.Probabilities(pixels, 64)), "same seed, same network");
    }

    [Test]
    public void RowsOfWeightZeroAreIgnored()
    {
        var ml = new MLContext(1);
        // Half the rows of every class carry a wrong label; they weigh 0 in one set and 1 in the other.
        WeightedRow Row(int i, float wrongWeight) => (i / 4) % 2 == 0
            ? new WeightedRow { Label = (uint)(i % 4), Pixels = SyntheticImages.Square(i % 4), Weight = 1 }
            : new WeightedRow { Label = (uint)((i + 1) % 4), Pixels = SyntheticImages.Square(i % 4), Weight = wrongWeight };
        IDataView ignored = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 128).Select(i => Row(i, 0f)));
        IDataView counted = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 128).Select(i => Row(i, 1f)));
        LeNetClassifierOptions weighted = Recipe;
        weighted.ExampleWeightColumnName = "Weight";

        using LeNetClassifier clean = ml.Gan().TrainClassifier(ignored, weighted);
        using LeNetClassifier confused = ml.Gan().TrainClassifier(counted, weighted);
        IDataView truth = SyntheticImages.LoadLabelled(ml, 64);

        Assert.That(clean.Accuracy(truth), Is.EqualTo(1.0));
        Assert.That(confused.Accuracy(truth), Is.LessThan(1.0));
    }

    [Test]
    public void ColumnsAndOptionsAreCheckedByName()
    {
        var ml = new MLContext(1);
        IDataView squares = SyntheticImages.LoadLabelled(ml, 16);

        var noLabel = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Gan().TrainClassifier(squares, new LeNetClassifierOptions { LabelColumnName = "Digit" }));
        var noWeight = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Gan().TrainClassifier(squares, new LeNetClassifierOptions { ExampleWeightColumnName = "W" }));
        var badRate = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Gan().TrainClassifier(squares, new LeNetClassifierOptions { LearningRate = float.NaN }));

        Assert.That(noLabel!.Message, Does.Contain("Label column 'Digit' not found"));
        Assert.That(noWeight!.Message, Does.Contain("Weight column 'W'"));
        Assert.That(badRate!.Message, Does.Contain("LearningRate"));
    }

    [Test]
    public void MaxStepsGivesDifferentSizedSetsTheSameNumberOfSteps()
    {
        var ml = new MLContext(1);
        var logger = new ListLogger();
        var budget = new LeNetClassifierOptions { MaxSteps = 6, BatchSize = 16, Logger = logger };

        using LeNetClassifier small = ml.Gan().TrainClassifier(SyntheticImages.LoadLabelled(ml, 32), budget);   // 2 steps a pass: 3 passes
        using LeNetClassifier large = ml.Gan().TrainClassifier(SyntheticImages.LoadLabelled(ml, 128), budget);  // 8 steps a pass: 1 pass, cut at 6

        Assert.That(logger.Messages.Count(m => m.Contains("LeNet classifier epoch")), Is.EqualTo(3 + 1));
    }
}
