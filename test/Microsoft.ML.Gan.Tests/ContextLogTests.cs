using Microsoft.Extensions.Logging;
using Microsoft.ML.Gan.Logging;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Gan.Tests;

/// <summary>Without a logger in the options, the library's messages reach <c>mlContext.Log</c>, as ML.NET's trainers' do.</summary>
[Category(TestCategories.Fast)]
public sealed class ContextLogTests
{
    private static List<LoggingEventArgs> Subscribe(MLContext ml)
    {
        var events = new List<LoggingEventArgs>();
        ml.Log += (_, e) =>
        {
            lock (events)
            {
                events.Add(e);
            }
        };
        return events;
    }

    [Test]
    public void TrainingWithoutALoggerWritesItsEpochsToTheContextsLog()
    {
        var ml = new MLContext(1);
        List<LoggingEventArgs> events = Subscribe(ml);
        GanOptions options = SyntheticImages.FastOptions();
        options.Budget = TrainingBudget.OfEpochs(3);

        using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml));

        LoggingEventArgs[] epochs = [.. events.Where(e => e.RawMessage.StartsWith("Epoch ", StringComparison.Ordinal) && e.RawMessage.Contains(": d_loss", StringComparison.Ordinal))];
        Assert.That(epochs.Select(e => e.RawMessage[..9]), Is.EqualTo(new[] { "Epoch 1/3", "Epoch 2/3", "Epoch 3/3" }));
        Assert.That(epochs.Select(e => (e.Kind, e.Source)), Is.All.EqualTo((ChannelMessageKind.Info, "GanEstimator; Training")));
        Assert.That(events.Select(e => e.RawMessage), Has.Some.StartsWith("Training on 128 images of 1 x 8 x 8 for 3 epochs"));
    }

    [Test]
    public void AGivenLoggerTakesTheMessagesInstead()
    {
        var ml = new MLContext(1);
        List<LoggingEventArgs> events = Subscribe(ml);
        var logger = new ListLogger();
        GanOptions options = SyntheticImages.FastOptions();
        options.Logger = logger;

        using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml));

        Assert.That(logger.Messages, Has.Some.StartsWith("Epoch 2/2: d_loss"));
        Assert.That(events.Select(e => e.RawMessage), Has.None.Contains("d_loss"));
    }

    [Test]
    public void TheSemiSupervisedClassifierWritesItsEpochsToTheContextsLog()
    {
        var ml = new MLContext(1);
        List<LoggingEventArgs> events = Subscribe(ml);
        IDataView few = ml.Gan().Data.KeepLabels(SyntheticImages.LoadLabelled(ml, 64), labelsPerClass: 2, seed: 3);

        using SemiSupervisedGanTransformer model = ml.Gan().SemiSupervisedClassifier(
            new SemiSupervisedGanOptions { Budget = TrainingBudget.OfSteps(8), BatchSize = 16, LatentDimension = 8, Seed = 1 }).Fit(few);

        Assert.That(events.Where(e => e.Source == "SemiSupervisedGanTrainer; Training").Select(e => e.RawMessage),
            Has.Some.StartsWith("Semi-supervised GAN: 64 images, 8 labelled").And.Some.StartsWith("Epoch 1/").And.None.Contains("NaN"));
    }

    [TestCase(LogLevel.Trace, ChannelMessageKind.Trace)]
    [TestCase(LogLevel.Debug, ChannelMessageKind.Trace)]
    [TestCase(LogLevel.Information, ChannelMessageKind.Info)]
    [TestCase(LogLevel.Warning, ChannelMessageKind.Warning)]
    [TestCase(LogLevel.Error, ChannelMessageKind.Error)]
    [TestCase(LogLevel.Critical, ChannelMessageKind.Error)]
    public void EachLevelBecomesTheMatchingMessageKind(LogLevel level, ChannelMessageKind kind)
    {
        var ml = new MLContext(1);
        List<LoggingEventArgs> events = Subscribe(ml);

        using (var log = ContextLog.Open(ml, null, "Component", "Work"))
        {
            log.Logger.Log(level, new EventId(1), "{Value} with {braces}", new InvalidOperationException("why"), (state, e) => $"{state} ({e!.Message})");
        }

        LoggingEventArgs message = events.Single(e => e.RawMessage.StartsWith("{Value}", StringComparison.Ordinal));
        Assert.That((message.Kind, message.Source), Is.EqualTo((kind, "Component; Work")));
        Assert.That(message.RawMessage, Is.EqualTo("{Value} with {braces} (why) (InvalidOperationException: why)"));
    }
}
