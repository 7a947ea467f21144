using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Training;
using TorchSharp;

namespace Microsoft.ML.Gan.Tests.Evaluation;

/// <summary>Evaluation with the shipped feature network, on real MNIST.</summary>
[Category(TestCategories.Slow)]
public sealed class EvaluationTests
{
    private const int Samples = 2000;

    private sealed class ImageRow
    {
        [VectorType(28, 28)]
        public float[] GeneratedPixels { get; set; } = [];
    }

    private sealed class SmallRow
    {
        [VectorType(8, 8)]
        public float[] GeneratedPixels { get; set; } = [];
    }

    private static GanEvaluationOptions Options(IDataView? floor = null) => new() { SampleCount = Samples, FloorReference = floor, CasSampleCount = 0 };

    private static IDataView AsGenerated(MLContext ml, IEnumerable<float[]> images)
        => ml.Data.LoadFromEnumerable(images.Select(p => new ImageRow { GeneratedPixels = p }));

    private static IDataView RealAsGenerated(MLContext ml, IDataView real)
        => ml.Transforms.CopyColumns("GeneratedPixels", "Pixels").Fit(real).Transform(real);

    [Test]
    public void ShippedFeatureNetworkClassifiesTheTestSplitAtLeast99Percent()
    {
        double accuracy = MnistFeatureNetwork.Accuracy(RealMnist.Load(new MLContext(), MnistSplit.Test));
        TestContext.Out.WriteLine($"feature network test accuracy: {accuracy:P2}");
        Assert.That(accuracy, Is.GreaterThanOrEqualTo(0.99));
    }

    [Test]
    public void RealVersusRealSitsAtTheFloorFarBelowAnUntrainedGenerator()
    {
        var ml = new MLContext(1);
        IDataView test = RealMnist.Load(ml, MnistSplit.Test, Samples);
        IDataView trainSubset = RealMnist.Load(ml, MnistSplit.Train, Samples);
        torch.manual_seed(3);
        using var untrained = new MlpGenerator(100, 32, 784, 0.3, 0.2);
        using torch.Tensor z = LatentSampler.Draw(Samples, new LatentSpace(100, LatentDistribution.Uniform), torch.CPU);
        IDataView noise = AsGenerated(ml, untrained.Render(z, null, 784));

        GanEvaluationResult realVsReal = ml.Gan().Evaluate(RealAsGenerated(ml, trainSubset), test, Options(floor: trainSubset));
        GanEvaluationResult untrainedVsReal = ml.Gan().Evaluate(noise, test, Options());

        TestContext.Out.WriteLine($"FID real/real {realVsReal.Fid:F3} (floor {realVsReal.FloorFid:F3}), untrained {untrainedVsReal.Fid:F1}; KID {realVsReal.Kid:F5} vs {untrainedVsReal.Kid:F3}");
        Assert.That(realVsReal.Fid, Is.EqualTo(realVsReal.FloorFid).Within(1e-9), "the floor is exactly this comparison");
        Assert.That(untrainedVsReal.Fid, Is.GreaterThan(20 * realVsReal.Fid!.Value));
        Assert.That(untrainedVsReal.Kid, Is.GreaterThan(20 * Math.Max(realVsReal.Kid, 1e-4)));
        Assert.That(realVsReal.ClassEntropyBits, Is.GreaterThan(3.2), "real digits are balanced");
        Assert.That(realVsReal.MeanConfidence, Is.GreaterThan(0.95));
    }

    [Test]
    public void AGeneratorThatAlwaysDrawsOneDigitHasLowClassEntropy()
    {
        var ml = new MLContext(1);
        IDataView test = RealMnist.Load(ml, MnistSplit.Test);
        var threes = test.GetColumn<uint>("Label").Zip(test.GetColumn<float[]>("Pixels")).Where(p => p.First == 4).Select(p => p.Second).Take(500).ToList();

        GanEvaluationResult result = ml.Gan().Evaluate(AsGenerated(ml, threes), RealMnist.Load(ml, MnistSplit.Test, 1000), Options());

        Assert.That(result.ClassEntropyBits, Is.LessThan(0.3));
        Assert.That(result.ClassHistogram[3], Is.GreaterThan(0.95));
        Assert.That(result.Fid, Is.GreaterThan(1), "one digit is far from all ten");
    }

    [Test]
    public void JsonRoundTrips()
    {
        var result = new GanEvaluationResult
        {
            GeneratedCount = 10, RealCount = 20, Fid = 1.25, Kid = 0.0125, KidStandardDeviation = 0.001, FloorFid = 0.5, FloorKid = 0.0001,
            ClassHistogram = [0.1, 0.2, 0.7], ClassEntropyBits = 1.16, MeanConfidence = 0.9, LabelAgreement = 0.8, ClassificationAccuracyScore = 0.75, CasTrainingRows = 100,
            CasCeiling = 0.8, CnnClassificationAccuracyScore = 0.9, CnnCasCeiling = 0.95,
        };
        GanEvaluationResult again = GanEvaluationResult.FromJson(result.ToJson());
        Assert.That(again, Is.EqualTo(result));
        Assert.That(result.ToJson(), Does.Contain("\"Fid\": 1.25"));
        Assert.Throws<System.Text.Json.JsonException>(() => GanEvaluationResult.FromJson("null"));
    }

    [Test]
    public void WrongImageSizeIsNamed()
    {
        var ml = new MLContext(1);
        IDataView small = ml.Data.LoadFromEnumerable([new SmallRow { GeneratedPixels = new float[64] }]);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Gan().Evaluate(small, RealMnist.Load(ml, MnistSplit.Test, 10), Options()));
        Assert.That(error!.Message, Does.Contain("'GeneratedPixels'").And.Contain("1 x 8 x 8").And.Contain("1 x 28 x 28"));
    }

    [Test]
    public void TooFewSamplesForFidFallBackToKidWithAWarning()
    {
        var ml = new MLContext(1);
        var logger = new ListLogger();
        IDataView real = RealMnist.Load(ml, MnistSplit.Test, 100);
        GanEvaluationOptions options = Options();
        options.Logger = logger;

        GanEvaluationResult result = ml.Gan().Evaluate(RealAsGenerated(ml, RealMnist.Load(ml, MnistSplit.Train, 100)), real, options);

        Assert.That(result.Fid, Is.Null);
        Assert.That(double.IsFinite(result.Kid), Is.True, "KID still reported");
        Assert.That(logger.Messages, Has.Some.Contains("FID left out").And.Contains("100 rows"));
    }

    [Test]
    public void ConditionalGeneratorGetsLabelAgreementAndCas()
    {
        var ml = new MLContext(1);
        GanOptions options = new() { Conditional = true, Budget = TrainingBudget.OfEpochs(2), Seed = 2 };
        using GanTransformer gan = ml.Gan().Generator(options).Fit(RealMnist.Load(ml, MnistSplit.Train, 6000));

        GanEvaluationResult result = ml.Gan().Evaluate(gan, RealMnist.Load(ml, MnistSplit.Test, 2000),
            new GanEvaluationOptions { SampleCount = 1000, CasSampleCount = 1000 });

        TestContext.Out.WriteLine(result.ToJson());
        Assert.That(result.LabelAgreement, Is.InRange(0.0, 1.0));
        Assert.That(result.ClassificationAccuracyScore, Is.InRange(0.0, 1.0));
        Assert.That(result.CasTrainingRows, Is.EqualTo(1000));
        Assert.That(result.GeneratedCount, Is.EqualTo(1000));
    }

    private sealed class LabelledImageRow
    {
        [KeyType(10)]
        public uint Label { get; set; }

        [VectorType(28, 28)]
        public float[] GeneratedPixels { get; set; } = [];
    }

    [Test]
    public void CnnCasOfRealRowsEqualsItsCeilingAndWrongLabelsScoreNearZero()
    {
        var ml = new MLContext(1);
        IDataView train = RealMnist.Load(ml, MnistSplit.Train, 2000);
        IDataView test = RealMnist.Load(ml, MnistSplit.Test, 2000);
        var options = new GanEvaluationOptions { SampleCount = 2000, CasSampleCount = 2000, FloorReference = train, CnnCasEpochs = 5 };
        // Every digit labelled as the next one: a classifier that learns the labels is wrong on every real digit.
        IDataView shifted = ml.Data.LoadFromEnumerable(train.GetColumn<uint>("Label").Zip(train.GetColumn<float[]>("Pixels"))
            .Select(p => new LabelledImageRow { Label = p.First % 10, GeneratedPixels = p.Second }));   // keys 1..10 → zero-based 1..9, 0

        GanEvaluationResult real = ml.Gan().Evaluate(RealAsGenerated(ml, train), test, options);
        GanEvaluationResult wrong = ml.Gan().Evaluate(shifted, test, options);

        TestContext.Out.WriteLine($"CNN CAS real {real.CnnClassificationAccuracyScore:P2} (ceiling {real.CnnCasCeiling:P2}), shifted labels {wrong.CnnClassificationAccuracyScore:P2}");
        Assert.That(real.CnnClassificationAccuracyScore, Is.EqualTo(real.CnnCasCeiling), "same rows, same recipe, same seed");
        Assert.That(real.CnnClassificationAccuracyScore, Is.GreaterThan(0.85), "2,000 real rows, 5 epochs");
        Assert.That(real.CasCeiling, Is.EqualTo(real.ClassificationAccuracyScore));
        Assert.That(wrong.CnnClassificationAccuracyScore, Is.LessThan(0.05));
        Assert.That(wrong.CnnCasCeiling, Is.EqualTo(real.CnnCasCeiling), "the ceiling depends on the real rows only");
    }

    [Test]
    public void CnnCasIsLeftOutWhenTurnedOffOrWithoutLabelledFloor()
    {
        var ml = new MLContext(1);
        IDataView train = RealMnist.Load(ml, MnistSplit.Train, 500);
        IDataView test = RealMnist.Load(ml, MnistSplit.Test, 500);

        GanEvaluationResult off = ml.Gan().Evaluate(RealAsGenerated(ml, train), test, new GanEvaluationOptions { SampleCount = 500, CasSampleCount = 500, CnnCasEpochs = 0 });
        GanEvaluationResult noFloor = ml.Gan().Evaluate(RealAsGenerated(ml, train), test, new GanEvaluationOptions { SampleCount = 500, CasSampleCount = 500, CnnCasEpochs = 1 });

        Assert.That(off.CnnClassificationAccuracyScore, Is.Null);
        Assert.That(off.ClassificationAccuracyScore, Is.Not.Null);
        Assert.That(noFloor.CnnClassificationAccuracyScore, Is.Not.Null);
        Assert.That(noFloor.CnnCasCeiling, Is.Null);
        Assert.That(noFloor.CasCeiling, Is.Null);

        var logger = new ListLogger();
        GanEvaluationResult smallFloor = ml.Gan().Evaluate(RealAsGenerated(ml, train), test,
            new GanEvaluationOptions { SampleCount = 500, CasSampleCount = 500, CnnCasEpochs = 1, FloorReference = RealMnist.Load(ml, MnistSplit.Train, 300), Logger = logger });
        Assert.That(smallFloor.CnnCasCeiling, Is.Null, "a ceiling on fewer real rows would not compare");
        Assert.That(logger.Messages, Has.Some.Contains("300 rows, fewer than the 500"));
    }

    [Test]
    public void CasWithoutRealLabelsIsAnError()
    {
        var ml = new MLContext(1);
        using GanTransformer gan = ml.Gan().Generator(new GanOptions { Conditional = true, Budget = TrainingBudget.OfEpochs(1), Seed = 2 }).Fit(RealMnist.Load(ml, MnistSplit.Train, 500));
        IDataView unlabelled = ml.Transforms.DropColumns("Label").Fit(RealMnist.Load(ml, MnistSplit.Test, 500)).Transform(RealMnist.Load(ml, MnistSplit.Test, 500));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Gan().Evaluate(gan, unlabelled, new GanEvaluationOptions { SampleCount = 300, CasSampleCount = 300 }));

        Assert.That(error!.Message, Does.Contain("label column 'Label'").And.Contain("CasSampleCount = 0"));
    }
}
