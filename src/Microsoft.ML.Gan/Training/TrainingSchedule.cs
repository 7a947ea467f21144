namespace Microsoft.ML.Gan.Training;

/// <summary>
/// How long training runs, resolved once from <see cref="GanOptions.Epochs"/> or <see cref="GanOptions.MaxSteps"/>:
/// the number of epochs, the batches (discriminator steps) of a full epoch, and those of the last epoch, which a
/// step budget cuts short so that exactly <see cref="GanOptions.MaxSteps"/> generator steps are made.
/// </summary>
internal readonly record struct TrainingSchedule(int Epochs, int StepsPerEpoch, int LastEpochSteps)
{
    public static TrainingSchedule For(TrainingPlan plan, int rows, int stepsPerEpoch)
    {
        int batch = plan.Step.BatchSize;
        if (plan.Run.Budget.Steps is not int generatorSteps)
        {
            return new TrainingSchedule(plan.Run.Budget.Epochs!.Value, stepsPerEpoch, stepsPerEpoch);
        }

        int k = plan.Step.CriticSteps;
        int generatorStepsPerEpoch = stepsPerEpoch / k;
        if (generatorStepsPerEpoch == 0)
        {
            throw new ArgumentException(
                $"{nameof(GanOptions)}.{nameof(GanOptions.Budget)} ({plan.Run.Budget}) counts generator steps, but {rows} rows in batches of {batch} make {stepsPerEpoch} " +
                $"discriminator steps per epoch, fewer than {nameof(GanOptions.DiscriminatorStepsPerGeneratorStep)} ({k}); lower one of those two options.",
                nameof(plan));
        }

        int epochs = (generatorSteps + generatorStepsPerEpoch - 1) / generatorStepsPerEpoch;
        int lastEpochSteps = (generatorSteps - ((epochs - 1) * generatorStepsPerEpoch)) * k;
        return new TrainingSchedule(epochs, stepsPerEpoch, lastEpochSteps);
    }

    /// <summary>Discriminator steps (batches) in <paramref name="epoch"/> (1-based).</summary>
    public int StepsIn(int epoch) => epoch == Epochs ? LastEpochSteps : StepsPerEpoch;
}
