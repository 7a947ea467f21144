namespace Microsoft.ML.Gan.Training;

/// <summary>
/// How long training runs, resolved once from <see cref="GanOptions.Epochs"/> or <see cref="GanOptions.MaxSteps"/>:
/// the number of epochs, the batches (discriminator steps) of a full epoch, and those of the last epoch, which a
/// step budget cuts short so that exactly <see cref="GanOptions.MaxSteps"/> generator steps are made.
/// </summary>
internal readonly record struct TrainingSchedule(int Epochs, int StepsPerEpoch, int LastEpochSteps)
{
    public static TrainingSchedule For(GanOptions options, int rows)
    {
        int stepsPerEpoch = (rows + options.BatchSize - 1) / options.BatchSize;
        if (options.MaxSteps is not int generatorSteps)
        {
            return new TrainingSchedule(options.Epochs, stepsPerEpoch, stepsPerEpoch);
        }

        int k = options.DiscriminatorStepsPerGeneratorStep;
        int generatorStepsPerEpoch = stepsPerEpoch / k;
        if (generatorStepsPerEpoch == 0)
        {
            throw new ArgumentException(
                $"{nameof(GanOptions)}.{nameof(GanOptions.MaxSteps)} counts generator steps, but {rows} rows in batches of {options.BatchSize} make {stepsPerEpoch} " +
                $"discriminator steps per epoch, fewer than {nameof(GanOptions.DiscriminatorStepsPerGeneratorStep)} ({k}); lower one of those two options.",
                nameof(options));
        }

        int epochs = (generatorSteps + generatorStepsPerEpoch - 1) / generatorStepsPerEpoch;
        int lastEpochSteps = (generatorSteps - ((epochs - 1) * generatorStepsPerEpoch)) * k;
        return new TrainingSchedule(epochs, stepsPerEpoch, lastEpochSteps);
    }

    /// <summary>Discriminator steps (batches) in <paramref name="epoch"/> (1-based).</summary>
    public int StepsIn(int epoch) => epoch == Epochs ? LastEpochSteps : StepsPerEpoch;
}
