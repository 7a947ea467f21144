using Microsoft.Extensions.Logging;
using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Tests;

public sealed class GanEstimatorTests
{
    private sealed class TextRow
    {
        public string Pixels { get; set; } = "";
    }

    private sealed class VariableRow
    {
        public float[] Pixels { get; set; } = [];
    }

    private sealed class OddRow
    {
        [VectorType(10)]
        public float[] Pixels { get; set; } = [];
    }

    private static float[] Pixels(GanTransformer gan, IDataView latent)
        => gan.Transform(latent).GetColumn<float[]>(gan.GeneratedPixelsColumnName).SelectMany(p => p).ToArray();

    [Category(TestCategories.Fast)]
    [Test]
    public void MissingPixelColumnNamesItAndListsTheColumns()
    {
        var ml = new MLContext(1);
        IDataView data = SyntheticImages.Load(ml, 4);
        var options = SyntheticImages.FastOptions();
        options.PixelsColumnName = "Image";

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Gan().Generator(options).Fit(data));

        Assert.That(error!.Message, Does.Contain("'Image' not found").And.Contain("Pixels (Vector<Single, 8, 8>)").And.Contain("PixelsColumnName"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void TextPixelColumnIsRejectedWithItsType()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable([new TextRow { Pixels = "not pixels" }]);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Gan().Generator(SyntheticImages.FastOptions()).Fit(data));
        Assert.That(error!.Message, Does.Contain("'Pixels' has type String").And.Contain("expected a known-size Vector<Single>"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void VariableSizeVectorIsRejected()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable([new VariableRow { Pixels = new float[64] }]);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Gan().Generator(SyntheticImages.FastOptions()).Fit(data));
        Assert.That(error!.Message, Does.Contain("variable size"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void NonSquareFlatVectorIsRejected()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable([new OddRow { Pixels = new float[10] }]);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Gan().Generator(SyntheticImages.FastOptions()).Fit(data));
        Assert.That(error!.Message, Does.Contain("dimensions 10").And.Contain("square"));
    }

    [Category(TestCategories.Fast)]
    [TestCase(float.NaN, "non-finite")]
    [TestCase(float.PositiveInfinity, "non-finite")]
    [TestCase(1.5f, "value 1.5")]
    [TestCase(-0.25f, "value -0.25")]
    public void BadPixelValueNamesColumnRowAndRange(float bad, string expected)
    {
        var ml = new MLContext(1);
        IDataView data = SyntheticImages.LoadWith(ml, i => i == 3 ? [.. SyntheticImages.Square(i)[..^1], bad] : SyntheticImages.Square(i));

        var error = Assert.Throws<InvalidDataException>(() => ml.Gan().Generator(SyntheticImages.FastOptions()).Fit(data));

        Assert.That(error!.Message, Does.Contain(expected).And.Contain("'Pixels'").And.Contain("row 3").And.Contain("[0, 1]"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void EmptyDataIsRejected()
    {
        var ml = new MLContext(1);
        IDataView empty = SyntheticImages.Load(ml, 0);
        var error = Assert.Throws<ArgumentException>(() => ml.Gan().Generator(SyntheticImages.FastOptions()).Fit(empty));
        Assert.That(error!.Message, Does.Contain("no rows").And.Contain("'Pixels'"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void SameSeedGivesIdenticalOutputsAndAnotherSeedDifferentOnes()
    {
        var ml = new MLContext(1);
        IDataView data = SyntheticImages.Load(ml);
        using GanTransformer first = ml.Gan().Generator(SyntheticImages.FastOptions(seed: 5)).Fit(data);
        using GanTransformer second = ml.Gan().Generator(SyntheticImages.FastOptions(seed: 5)).Fit(data);
        using GanTransformer other = ml.Gan().Generator(SyntheticImages.FastOptions(seed: 6)).Fit(data);
        IDataView latent = ml.Gan().Data.SampleLatent(first, 10, seed: 3);

        Assert.That(Pixels(second, latent), Is.EqualTo(Pixels(first, latent)));
        Assert.That(second.History.Epochs.Select(e => e.GeneratorLoss), Is.EqualTo(first.History.Epochs.Select(e => e.GeneratorLoss)));
        Assert.That(Pixels(other, latent), Is.Not.EqualTo(Pixels(first, latent)));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void SeedComesFromTheMlContextWhenNotGiven()
    {
        IDataView Data(MLContext ml) => SyntheticImages.Load(ml, 32);
        GanOptions Options()
        {
            GanOptions options = SyntheticImages.FastOptions();
            options.Seed = null;
            options.Budget = TrainingBudget.OfEpochs(1);
            return options;
        }

        var a = new MLContext(seed: 11);
        var b = new MLContext(seed: 11);
        using GanTransformer fromA = a.Gan().Generator(Options()).Fit(Data(a));
        using GanTransformer fromB = b.Gan().Generator(Options()).Fit(Data(b));

        Assert.That(fromB.History.Seed, Is.EqualTo(fromA.History.Seed));
        IDataView latent = a.Gan().Data.SampleLatent(fromA, 4, seed: 1);
        Assert.That(Pixels(fromB, latent), Is.EqualTo(Pixels(fromA, latent)));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void ByteVectorsTrainLikeTheirScaledFloats()
    {
        var ml = new MLContext(1);
        IDataView floats = SyntheticImages.Load(ml, 64);
        IDataView bytes = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 64).Select(i => new SyntheticImages.ByteRow
        {
            Pixels = SyntheticImages.Square(i).Select(v => (byte)(v * 255)).ToArray(),
        }));

        using GanTransformer fromFloats = ml.Gan().Generator(SyntheticImages.FastOptions()).Fit(floats);
        using GanTransformer fromBytes = ml.Gan().Generator(SyntheticImages.FastOptions()).Fit(bytes);

        IDataView latent = ml.Gan().Data.SampleLatent(fromFloats, 4, seed: 2);
        Assert.That(Pixels(fromBytes, latent), Is.EqualTo(Pixels(fromFloats, latent)));
        Assert.That(fromBytes.Transform(latent).Schema[fromBytes.GeneratedPixelsColumnName].Type.ToString(), Is.EqualTo("Vector<Single, 64>"),
            "the output is shaped like the training column");
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void CancellationStopsTraining()
    {
        var ml = new MLContext(1);
        using var cancel = new CancellationTokenSource();
        var options = SyntheticImages.FastOptions();
        options.Budget = TrainingBudget.OfEpochs(1000);
        options.Progress = new ActionProgress(report =>
        {
            if (report.Epoch == 2)
            {
                cancel.Cancel();
            }
        });

        Assert.That(() => ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml), cancel.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void ProgressAndLogsReportEveryEpochWithLossesAndSamples()
    {
        var ml = new MLContext(1);
        var reports = new List<GanTrainingProgress>();
        var logger = new ListLogger();
        var options = SyntheticImages.FastOptions();
        options.Budget = TrainingBudget.OfEpochs(3);
        options.LogEveryNSteps = 2;
        options.Logger = logger;
        options.Progress = new ActionProgress(reports.Add);

        using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml));

        List<GanTrainingProgress> epochs = reports.Where(r => r.EpochCompleted).ToList();
        Assert.That(epochs.Select(r => r.Epoch), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(epochs.All(r => r.Samples!.Count == 4 && r.Samples.All(s => s.Length == 64)));
        Assert.That(reports.Count(r => !r.EpochCompleted), Is.EqualTo(3), "4 steps per epoch, one mid-epoch report each");
        Assert.That(epochs.Select(r => r.GeneratorLoss), Is.EqualTo(gan.History.Epochs.Select(e => e.GeneratorLoss)));
        Assert.That(gan.History.Epochs.SelectMany(e => e.Samples).SelectMany(s => s).All(v => v is >= 0 and <= 1));
        Assert.That(logger.Messages.Count(m => m.StartsWith("Epoch 3/3: d_loss", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(logger.Messages, Has.Some.StartsWith("Training on 128 images of 1 x 8 x 8 for 3 epochs"));
    }

    [Category(TestCategories.Slow)]
    [Test]
    public void EstimatorOutputSchemaAddsTheGeneratedColumns()
    {
        var ml = new MLContext(1);
        IDataView data = RealMnist.Load(ml, MnistSplit.Test, maxRows: 10);
        SchemaShape input = GanEstimator.ShapeOf(data.Schema);
        SchemaShape output = ml.Gan().Generator().GetOutputSchema(input);

        Assert.That(output.Select(c => c.Name), Is.EqualTo(new[] { "Label", "Pixels", "Latent", "GeneratedPixels", "GeneratedImage" }));
        SchemaShape.Column label = output.Single(c => c.Name == "Label");
        Assert.That(label.IsKey, Is.True);
        Assert.That(label.Annotations.Select(a => a.Name), Does.Contain("KeyValues"), "annotations carry through");
        Assert.That(output.Single(c => c.Name == "GeneratedImage").ItemType, Is.InstanceOf<Microsoft.ML.Transforms.Image.ImageDataViewType>());
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Gan().Generator(new GanOptions { PixelsColumnName = "Label" }).GetOutputSchema(input));
        Assert.That(error!.Message, Does.Contain("'Label'"));
    }
}

/// <summary>Synchronous progress sink for tests.</summary>
internal sealed class ActionProgress(Action<GanTrainingProgress> handler) : IProgress<GanTrainingProgress>
{
    public void Report(GanTrainingProgress value) => handler(value);
}

/// <summary>Collects formatted log messages.</summary>
internal sealed class ListLogger : ILogger
{
    public List<string> Messages { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Messages.Add(formatter(state, exception));
}
