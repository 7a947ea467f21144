using System.Globalization;

namespace Microsoft.ML.Gan;

/// <summary>
/// How long a GAN trains: a number of passes over the data (<see cref="OfEpochs"/>) or of generator steps
/// (<see cref="OfSteps"/>), never both. One value holds the choice, so a run cannot be given two budgets.
/// </summary>
public sealed record TrainingBudget
{
    private TrainingBudget(int? epochs, int? steps)
    {
        Epochs = epochs;
        Steps = steps;
    }

    /// <summary>Passes over the training data; null when the budget is counted in <see cref="Steps"/>.</summary>
    public int? Epochs { get; }

    /// <summary>
    /// Generator steps, whatever the dataset size; null when the budget is counted in <see cref="Epochs"/>. Training then runs
    /// ⌈steps / generator steps per epoch⌉ epochs, the last one cut short. With 1,000 images and batch 64 an epoch is 16 steps,
    /// so epochs say little there; steps are what a GAN's quality follows.
    /// </summary>
    public int? Steps { get; }

    /// <summary>Train <paramref name="epochs"/> passes over the data (the article trains 100).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epochs"/> is below 1.</exception>
    public static TrainingBudget OfEpochs(int epochs)
    {
        OptionChecks.AtLeast(epochs, 1, nameof(TrainingBudget), nameof(Epochs));
        return new TrainingBudget(epochs, null);
    }

    /// <summary>Train exactly <paramref name="steps"/> generator steps.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is below 1.</exception>
    public static TrainingBudget OfSteps(int steps)
    {
        OptionChecks.AtLeast(steps, 1, nameof(TrainingBudget), nameof(Steps));
        return new TrainingBudget(null, steps);
    }

    /// <summary>"100 epochs" or "1,500 generator steps".</summary>
    public override string ToString()
        => Epochs is int epochs ? string.Create(CultureInfo.InvariantCulture, $"{epochs:N0} epoch{(epochs == 1 ? "" : "s")}")
            : string.Create(CultureInfo.InvariantCulture, $"{Steps:N0} generator steps");
}
