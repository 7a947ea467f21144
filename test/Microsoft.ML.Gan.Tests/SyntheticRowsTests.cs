namespace Microsoft.ML.Gan.Tests;

/// <summary><see cref="GanTransformer.GenerateTrainingRows"/> with a classifier's filter and weight column.</summary>
[Category(TestCategories.Fast)]
public sealed class SyntheticRowsTests
{
    private static (MLContext Ml, GanTransformer Gan, LeNetClassifier Classifier) Trained(int ganEpochs)
    {
        var ml = new MLContext(1);
        IDataView squares = SyntheticImages.LoadLabelled(ml, 128);
        GanOptions options = SyntheticImages.FastOptions(architecture: GanArchitecture.Dcgan);
        options.Conditional = true;
        options.Budget = TrainingBudget.OfEpochs(ganEpochs);
        options.Network = new DcganNetworkOptions { Width = 8 };
        GanTransformer gan = ml.Gan().Generator(options).Fit(squares);
        LeNetClassifier classifier = ml.Gan().TrainClassifier(squares, new LeNetClassifierOptions { Epochs = 30, BatchSize = 16, LearningRate = 0.005f });
        return (ml, gan, classifier);
    }

    private static float[] LabelProbabilities(LeNetClassifier classifier, IDataView rows)
    {
        float[][] pixels = rows.GetColumn<float[]>("Pixels").ToArray();
        uint[] keys = rows.GetColumn<uint>("Label").ToArray();
        float[] probabilities = classifier.Probabilities(pixels.SelectMany(p => p).ToArray(), pixels.Length);
        return keys.Select((k, i) => probabilities[(i * 4) + (int)k - 1]).ToArray();
    }

    [Test]
    public void FilteredRowsAllReachTheConfidenceKeepTheLabelPlanAndCarryTheirWeight()
    {
        (MLContext ml, GanTransformer gan, LeNetClassifier classifier) = Trained(ganEpochs: 20);
        using (gan)
        using (classifier)
        {
            // A briefly trained GAN: pick the class whose rows vary most in confidence and filter at their median,
            // so about half the candidates must be dropped.
            int[] OnlyClass(int c, int count) => Enumerable.Range(0, 4).Select(k => k == c ? count : 0).ToArray();
            float[][] confidences = Enumerable.Range(0, 4).Select(c => LabelProbabilities(classifier, gan.GenerateTrainingRows(200, 9, OnlyClass(c, 200)))).ToArray();
            int chosen = Enumerable.Range(0, 4).MaxBy(c => confidences[c].Max() - confidences[c].Min());
            float median = confidences[chosen].Order().ElementAt(100);
            var filter = new SyntheticRowOptions { MinimumConfidence = median, Classifier = classifier, WeightColumnName = "Weight" };
            int[] plan = OnlyClass(chosen, 60);

            IDataView unfiltered = gan.GenerateTrainingRows(60, seed: 5, plan);
            float[] before = LabelProbabilities(classifier, unfiltered);
            IDataView filtered = gan.GenerateTrainingRows(60, seed: 5, plan, filter);
            float[] after = LabelProbabilities(classifier, filtered);

            TestContext.Out.WriteLine($"class {chosen}, threshold {filter.MinimumConfidence:F3}: {before.Count(p => p < filter.MinimumConfidence)} of 60 below before filtering");
            Assert.That(before.Count(p => p < filter.MinimumConfidence), Is.GreaterThan(5), "the filter has rows to drop");
            Assert.That(after, Has.All.GreaterThanOrEqualTo(filter.MinimumConfidence));
            Assert.That(filtered.GetColumn<uint>("Label"), Is.EqualTo(unfiltered.GetColumn<uint>("Label")), "same classes, row for row");
            Assert.That(filtered.GetColumn<float>("Weight"), Is.EqualTo(after).Within(1e-6));
            Assert.That(filtered.Schema.Select(c => $"{c.Name}:{c.Type}"), Is.EqualTo(new[] { "Label:Key<UInt32, 0-3>", "Pixels:Vector<Single, 8, 8>", "Weight:Single" }));
            Assert.That(gan.GenerateTrainingRows(60, seed: 5, plan, filter).GetColumn<float[]>("Pixels"), Is.EqualTo(filtered.GetColumn<float[]>("Pixels")),
                "the seed fixes the kept rows");
        }
    }

    [Test]
    public void WeightsAloneKeepTheUnfilteredRows()
    {
        (MLContext ml, GanTransformer gan, LeNetClassifier classifier) = Trained(ganEpochs: 20);
        using (gan)
        using (classifier)
        {
            IDataView weighted = gan.GenerateTrainingRows(20, seed: 5, options: new SyntheticRowOptions { Classifier = classifier, WeightColumnName = "Weight" });

            Assert.That(weighted.GetColumn<float[]>("Pixels"), Is.EqualTo(gan.GenerateTrainingRows(20, seed: 5).GetColumn<float[]>("Pixels")));
            Assert.That(weighted.GetColumn<float>("Weight"), Is.EqualTo(LabelProbabilities(classifier, weighted)).Within(1e-6));
        }
    }

    [Test]
    public void AnUnreachableConfidenceStopsWithAnErrorNamingTheClass()
    {
        (MLContext ml, GanTransformer gan, LeNetClassifier classifier) = Trained(ganEpochs: 1);
        using (gan)
        using (classifier)
        {
            IDataView rows = gan.GenerateTrainingRows(8, seed: 5, options: new SyntheticRowOptions { MinimumConfidence = 0.99999f, Classifier = classifier, MaxCandidatesPerRow = 1 });

            var error = Assert.Throws<InvalidOperationException>(() => rows.GetColumn<float[]>("Pixels").ToList());
            Assert.That(error!.Message, Does.Contain("of class").And.Contain("MinimumConfidence"));
        }
    }

    [Test]
    public void TheShippedNetworkJudgesOnlyMnistShapedGenerators()
    {
        (MLContext ml, GanTransformer gan, LeNetClassifier classifier) = Trained(ganEpochs: 1);
        using (gan)
        using (classifier)
        {
            var error = Assert.Throws<ArgumentException>(() => gan.GenerateTrainingRows(8, seed: 1, options: new SyntheticRowOptions { MinimumConfidence = 0.5f }));
            var clash = Assert.Throws<ArgumentException>(() => gan.GenerateTrainingRows(8, seed: 1, options: new SyntheticRowOptions { Classifier = classifier, WeightColumnName = "Pixels" }));
            var range = Assert.Throws<ArgumentOutOfRangeException>(() => gan.GenerateTrainingRows(8, seed: 1, options: new SyntheticRowOptions { MinimumConfidence = 1.5f }));

            Assert.That(error!.Message, Does.Contain("1 x 28 x 28").And.Contain("1 x 8 x 8").And.Contain("TrainClassifier"));
            Assert.That(clash!.Message, Does.Contain("WeightColumnName 'Pixels'"));
            Assert.That(range!.Message, Does.Contain("MinimumConfidence"));
        }
    }

    [Test]
    public void ALatentScaleGeneratesFromScaledLatentsAndIsChecked()
    {
        (MLContext ml, GanTransformer gan, LeNetClassifier classifier) = Trained(ganEpochs: 1);
        using (gan)
        using (classifier)
        {
            DataViewSchema inputs = ml.Gan().Data.SampleLatent(gan, 0, seed: 0).Schema;
            float[][] plain = ml.Gan().Data.SampleLatent(inputs, 12, seed: 4).GetColumn<float[]>("Latent").ToArray();
            IDataView scaledLatents = ml.Gan().Data.SampleLatent(inputs, 12, seed: 4, latentScale: 1.5f);

            Assert.That(scaledLatents.GetColumn<float[]>("Latent"), Is.EqualTo(plain.Select(v => v.Select(x => x * 1.5f).ToArray())));
            float[][] viaTransform = gan.Transform(scaledLatents).GetColumn<float[]>("GeneratedPixels").ToArray();
            float[][] rows = gan.GenerateTrainingRows(12, seed: 4, options: new SyntheticRowOptions { LatentScale = 1.5f }).GetColumn<float[]>("Pixels").ToArray();
            Assert.That(rows.Zip(viaTransform).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second))), Is.LessThan(1e-6f));
            Assert.That(rows, Is.Not.EqualTo(gan.GenerateTrainingRows(12, seed: 4).GetColumn<float[]>("Pixels").ToArray()));
            Assert.Throws<ArgumentOutOfRangeException>(() => gan.GenerateTrainingRows(12, seed: 4, options: new SyntheticRowOptions { LatentScale = 0 }));
        }
    }
}
