using Gan.Samples.Commands;

namespace Microsoft.ML.Gan.Tests.Samples;

/// <summary>Library messages, as the CLI prints them: API names become the flags a CLI user types.</summary>
[Category(TestCategories.Fast)]
public sealed class CliMessagesTests
{
    [TestCase("TrainingBudget.Epochs must be at least 1; got 0.", "--epochs must be at least 1; got 0.")]
    [TestCase("TrainingBudget.Steps must be at least 1; got 0.", "--max-steps must be at least 1; got 0.")]
    [TestCase("DcganNetworkOptions.Width must be at least 1; got 0.", "--dcgan-width must be at least 1; got 0.")]
    [TestCase("GanOptions.Resume = true needs GanOptions.CheckpointDirectory.", "--resume needs --checkpoint-dir.")]
    [TestCase("GanOptions.TensorBoardDirectory 'runs' is an existing file; expected a directory.", "--tensorboard 'runs' is an existing file; expected a directory.")]
    [TestCase("lower SyntheticRowOptions.MinimumConfidence, raise SyntheticRowOptions.MaxCandidatesPerRow or train the generator longer.",
        "lower --filter-confidence, raise --filter-max-candidates or train the generator longer.")]
    [TestCase("SemiSupervisedGanOptions.LearningRate must be a finite value > 0; got -1.", "--lr must be a finite value > 0; got -1.")]
    [TestCase("GanOptions.Device is 'cuda' but CUDA is not available; reference a TorchSharp CUDA backend package or use 'cpu'.",
        "--device is 'cuda' but CUDA is not available; reference a TorchSharp CUDA backend package or use 'cpu'.")]
    public void ApiNamesBecomeFlags(string message, string expected)
        => Assert.That(CliMessages.ForCommandLine(message), Is.EqualTo(expected));

    [Test]
    public void AnOutOfRangeValueIsSaidOnceWithItsDecimals()
    {
        var error = new ArgumentOutOfRangeException("ConfidenceThreshold", 1.5f, "SemiSupervisedGanOptions.ConfidenceThreshold must lie in [0, 1]; got 1.5.");
        Assert.That(CliMessages.ForCommandLine(error.Message), Is.EqualTo("--confidence must lie in [0, 1]; got 1.5."));
    }

    [Test]
    public void AResumeNamesEveryChangedSettingByItsFlag()
    {
        string message = "Checkpoint 'ck/checkpoint-epoch-0002.gan' was written by another run, for different options or data: "
            + "Step.DiffAugment: checkpoint None, now Translation; Ema.Warmup: checkpoint false, now true; "
            + "Networks.Architecture.SpectralNormalization: checkpoint false, now true; Seed: checkpoint 2, now 3; Shape.Height: checkpoint 28, now 32.";

        Assert.That(CliMessages.ForCommandLine(message), Is.EqualTo(
            "Checkpoint 'ck/checkpoint-epoch-0002.gan' was written by another run, for different options or data: "
            + "--diff-augment: checkpoint None, now Translation; --ema-warmup: checkpoint false, now true; "
            + "--spectral-norm: checkpoint false, now true; --seed: checkpoint 2, now 3; Shape.Height: checkpoint 28, now 32."));
    }
}
