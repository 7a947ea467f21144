namespace Microsoft.ML.Gan.Tests;

/// <summary>Class-conditional generation: inputs, persistence, synthetic training rows, bad labels.</summary>
public sealed class ConditionalTests : ScratchDirectoryTest
{
    private sealed class FloatLabelRow
    {
        public float Label { get; set; }

        [VectorType(8, 8)]
        public float[] Pixels { get; set; } = [];
    }

    private static GanOptions Conditional(GanArchitecture architecture = GanArchitecture.Mlp)
    {
        GanOptions options = SyntheticImages.FastOptions(architecture: architecture);
        options.Conditional = true;
        return options;
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void SampleLatentAssignsLabelsRoundRobinOrByCounts()
    {
        var ml = new MLContext(1);
        using GanTransformer gan = ml.Gan().Generator(Conditional()).Fit(SyntheticImages.LoadLabelled(ml, 32));

        IDataView balanced = ml.Gan().Data.SampleLatent(gan, 10, seed: 1);
        IDataView counted = ml.Gan().Data.SampleLatent(gan, 6, seed: 1, countsPerClass: [0, 3, 1, 2]);

        Assert.That(balanced.Schema["Label"].Type, Is.EqualTo(gan.LabelColumnType));
        Assert.That(balanced.GetColumn<uint>("Label"), Is.EqualTo(new uint[] { 1, 2, 3, 4, 1, 2, 3, 4, 1, 2 }), "keys are class + 1");
        Assert.That(counted.GetColumn<uint>("Label"), Is.EqualTo(new uint[] { 2, 2, 2, 3, 4, 4 }));
        var error = Assert.Throws<ArgumentException>(() => ml.Gan().Data.SampleLatent(gan, 6, seed: 1, countsPerClass: [1, 1, 1]));
        Assert.That(error!.Message, Does.Contain("4 non-negative counts per class summing to 6"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void TransformNeedsTheLabelColumnWithItsType()
    {
        var ml = new MLContext(1);
        using GanTransformer gan = ml.Gan().Generator(Conditional()).Fit(SyntheticImages.LoadLabelled(ml, 32));
        IDataView latentOnly = ml.Gan().Data.SampleLatent(8, seed: 1, dimension: gan.LatentDimension);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => gan.Transform(latentOnly));

        Assert.That(error!.Message, Does.Contain("label column 'Label'").And.Contain("Key<UInt32, 0-3>").And.Contain("no such column"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void SavedConditionalModelLoadsAndTakesLatentAndLabel()
    {
        var ml = new MLContext(1);
        using GanTransformer gan = ml.Gan().Generator(Conditional(GanArchitecture.Dcgan)).Fit(SyntheticImages.LoadLabelled(ml, 32));
        string path = Path.Combine(Scratch, "conditional.zip");
        gan.Save(path);
        IDataView latent = ml.Gan().Data.SampleLatent(gan, 12, seed: 5);

        ITransformer loaded = ml.LoadModel(path, out DataViewSchema input);

        Assert.That(input.Select(c => c.Name), Is.EqualTo(new[] { "Latent", "Label" }));
        Assert.That(loaded.Transform(latent).GetColumn<float[]>("GeneratedPixels").ToArray(),
            Is.EqualTo(gan.Transform(latent).GetColumn<float[]>("GeneratedPixels").ToArray()));
    }

    [Category(TestCategories.Slow)]
    [Test]
    public void SyntheticTrainingRowsHaveExactlyTheTrainingSchemaAndFeedATrainer()
    {
        var ml = new MLContext(1);
        IDataView real = RealMnist.Load(ml, MnistSplit.Train, maxRows: 300);
        GanOptions options = Conditional();
        options.Budget = TrainingBudget.OfEpochs(1);
        using GanTransformer gan = ml.Gan().Generator(options).Fit(real);

        IDataView synthetic = gan.GenerateTrainingRows(200, seed: 1);

        Assert.That(synthetic.Schema.Select(c => $"{c.Name}: {c.Type}"), Is.EqualTo(real.Schema.Select(c => $"{c.Name}: {c.Type}")));
        VBuffer<ReadOnlyMemory<char>> realNames = default, syntheticNames = default;
        real.Schema["Label"].GetKeyValues(ref realNames);
        synthetic.Schema["Label"].GetKeyValues(ref syntheticNames);
        Assert.That(syntheticNames.DenseValues().Select(n => n.ToString()), Is.EqualTo(realNames.DenseValues().Select(n => n.ToString())));
        Assert.That(synthetic.GetColumn<uint>("Label").GroupBy(k => k).Select(g => g.Count()), Is.All.EqualTo(20), "balanced over the 10 digits");
        Assert.That(synthetic.GetColumn<float[]>("Pixels").SelectMany(p => p).All(v => v is >= 0 and <= 1));

        IDataView augmented = ml.Gan().Data.AppendRows(real, synthetic);
        Assert.That(augmented.GetRowCount(), Is.EqualTo(500));
        var model = ml.Transforms.CopyColumns("Features", "Pixels")
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new Microsoft.ML.Trainers.LbfgsMaximumEntropyMulticlassTrainer.Options { MaximumNumberOfIterations = 5 }))
            .Fit(augmented);
        Assert.That(ml.MulticlassClassification.Evaluate(model.Transform(real)).MicroAccuracy, Is.GreaterThan(0.1));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void AppendRowsRejectsADifferentSchema()
    {
        var ml = new MLContext(1);
        var error = Assert.Throws<ArgumentException>(() => ml.Gan().Data.AppendRows(SyntheticImages.LoadLabelled(ml, 4), SyntheticImages.LoadIntegerLabelled(ml, 4)));
        Assert.That(error!.Message, Does.Contain("'Label'").And.Contain("Int32"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void UnconditionalGeneratorCannotWriteLabelledRows()
    {
        var ml = new MLContext(1);
        using GanTransformer gan = ml.Gan().Generator(SyntheticImages.FastOptions()).Fit(SyntheticImages.Load(ml, 32));
        var error = Assert.Throws<InvalidOperationException>(() => gan.GenerateTrainingRows(10, seed: 1));
        Assert.That(error!.Message, Does.Contain("Conditional = true"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void ConditionalWithoutALabelColumnIsNamed()
    {
        var ml = new MLContext(1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Gan().Generator(Conditional()).Fit(SyntheticImages.Load(ml, 8)));
        Assert.That(error!.Message, Does.Contain("Label column 'Label' not found").And.Contain("LabelColumnName"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void NonIntegerLabelColumnIsRejected()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable([new FloatLabelRow { Label = 1, Pixels = SyntheticImages.Square(1) }]);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Gan().Generator(Conditional()).Fit(data));
        Assert.That(error!.Message, Does.Contain("'Label' has type Single").And.Contain("key type").And.Contain("integer"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void LabelsOutsideTheDeclaredClassesAreRejected()
    {
        var ml = new MLContext(1);
        GanOptions options = Conditional();
        options.ClassCount = 3;
        var error = Assert.Throws<InvalidDataException>(() => ml.Gan().Generator(options).Fit(SyntheticImages.LoadIntegerLabelled(ml, 8)));
        Assert.That(error!.Message, Does.Contain("value 3 at row 3").And.Contain("0..2"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void MissingKeyLabelIsRejected()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(i => new SyntheticImages.LabelledRow { Label = i == 2 ? 9u : 1u, Pixels = SyntheticImages.Square(i) }));
        var error = Assert.Throws<InvalidDataException>(() => ml.Gan().Generator(Conditional()).Fit(data));
        Assert.That(error!.Message, Does.Contain("missing key value at row 2"));
    }
}
