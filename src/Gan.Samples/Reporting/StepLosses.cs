using Microsoft.ML.Gan;

namespace Gan.Samples.Reporting;

/// <summary>
/// Loss curves finer than one point per epoch, recovered from the progress reports <c>train</c> asks for every
/// <see cref="GanOptions.LogEveryNSteps"/> steps. A report carries the mean loss from the start of its epoch; two
/// consecutive reports give the mean over the steps between them ((m₂·n₂ − m₁·n₁) / (n₂ − n₁)), so each point is
/// the mean of one window of steps (the last window of an epoch may be shorter). The generator's count is that of
/// generator steps, one after every k-th discriminator step (<see cref="GanOptions.DiscriminatorStepsPerGeneratorStep"/>).
/// </summary>
internal sealed class StepLosses(int discriminatorStepsPerGeneratorStep)
{
    /// <summary>Weight of the previous smoothed value in <see cref="Smooth"/> (TensorBoard's smoothing slider, at 0.8).</summary>
    public const double SmoothingWeight = 0.8;

    private readonly List<(double Epoch, double Discriminator, double Generator)> windows = [];
    private (int Epoch, int Step, double Discriminator, double Generator) previous;

    /// <summary>Window means: x is the fractional epoch at the window's end (epoch 1 ends at 1.0).</summary>
    public IReadOnlyList<(double Epoch, double Discriminator, double Generator)> Windows => windows;

    public void Add(GanTrainingProgress report)
    {
        (int previousStep, double previousD, double previousG) = previous.Epoch == report.Epoch ? (previous.Step, previous.Discriminator, previous.Generator) : (0, 0, 0);
        int generatorSteps = report.Step / discriminatorStepsPerGeneratorStep, previousGeneratorSteps = previousStep / discriminatorStepsPerGeneratorStep;
        if (report.Step > previousStep)
        {
            double discriminator = ((report.DiscriminatorLoss * report.Step) - (previousD * previousStep)) / (report.Step - previousStep);
            double generator = generatorSteps > previousGeneratorSteps
                ? ((report.GeneratorLoss * generatorSteps) - (previousG * previousGeneratorSteps)) / (generatorSteps - previousGeneratorSteps)
                : double.NaN;
            windows.Add((report.Epoch - 1 + ((double)report.Step / report.StepsPerEpoch), discriminator, generator));
        }

        previous = (report.Epoch, report.Step, report.DiscriminatorLoss, report.GeneratorLoss);
    }

    /// <summary>
    /// Exponential moving average, s₀ = x₀ and sᵢ = w·sᵢ₋₁ + (1 − w)·xᵢ with w = <see cref="SmoothingWeight"/>; NaN
    /// values (windows without a generator step) are skipped.
    /// </summary>
    public static IReadOnlyList<(double X, double Y)> Smooth(IEnumerable<(double X, double Y)> points)
    {
        var smoothed = new List<(double X, double Y)>();
        double? last = null;
        foreach ((double x, double y) in points.Where(p => double.IsFinite(p.Y)))
        {
            last = last is double s ? (SmoothingWeight * s) + ((1 - SmoothingWeight) * y) : y;
            smoothed.Add((x, last.Value));
        }

        return smoothed;
    }
}
