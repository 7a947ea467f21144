using System.Globalization;
using System.Text;
using Gan.Samples.Reporting;
using OxyPlot;

namespace Gan.Samples.Augmentation;

/// <summary>
/// The study as Markdown: the set-up, a headline table per regime (real only, the best classic arm and the best
/// GAN arm, each chosen on the validation split, with paired 95 % intervals over seeds), every arm in full, GAN
/// diagnostics, and a chart of test accuracy against the synthetic-to-real ratio.
/// </summary>
internal static class AugmentationReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The headline regime and goals of issue 8: +2 points for LbfgsMaximumEntropy, a gain outside the interval for the CNN.</summary>
    private const int GoalRegime = 1_000;
    private const double LbfgsGoal = 0.02;

    public static string Write(StudyPlan plan, IReadOnlyList<Measurement> measurements, IReadOnlyList<GanRun> gans, IReadOnlyList<string> notes, string command,
        TimeSpan elapsed, string directory, string chartName, string? partial = null)
    {
        var text = new StringBuilder();
        text.AppendLine("# Does synthetic data help? The augmentation study");
        text.AppendLine();
        if (partial is not null)
        {
            text.AppendLine(Invariant, $"**Partial report: {partial}.** It is rewritten after every run; the complete study replaces it.");
            text.AppendLine();
        }

        text.AppendLine(Invariant, $"Produced by `{command}` on {DateTime.UtcNow:yyyy-MM-dd} in {elapsed.TotalMinutes:F1} minutes;");
        text.Append(Invariant, $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, ");
        text.AppendLine(Invariant, $"TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(3)}, {plan.Threads} TorchSharp thread(s) for the GAN; {CnnThreads(plan)}.");
        text.AppendLine();
        SetUp(text, plan);
        foreach (int regime in plan.Regimes)
        {
            Headline(text, plan, measurements, regime);
        }

        Goals(text, plan, measurements);
        int chartRegime = plan.Regimes.Contains(GoalRegime) ? GoalRegime : plan.Regimes[0];
        foreach (StudyClassifier classifier in plan.Classifiers)
        {
            string file = $"{chartName}-{classifier.ToString().ToLowerInvariant()}.png";
            ReportFile.Write(Path.Combine(directory, file), Chart(plan, measurements, chartRegime, classifier));
            text.AppendLine(Invariant, $"![{Short(classifier)}: test accuracy against synthetic rows per real row at {chartRegime:N0} labels]({file})");
        }

        text.AppendLine();
        GanDiagnostics(text, gans);
        foreach (int regime in plan.Regimes)
        {
            AllArms(text, plan, measurements, regime);
        }

        foreach (string note in notes)
        {
            text.AppendLine(Invariant, $"- Note: {note}");
        }

        if (notes.Count > 0)
        {
            text.AppendLine();
        }

        text.AppendLine("Seconds per classifier fit (training, then scoring the validation and test splits), mean over arms and seeds; the CNN fits run at the same time as the ML.NET ones, so the two share the cores:");
        text.AppendLine();
        text.AppendLine("| labels | " + string.Join(" | ", plan.Classifiers.Select(Short)) + " |");
        text.AppendLine("|---|" + string.Concat(plan.Classifiers.Select(_ => "---|")));
        foreach (int regime in plan.Regimes)
        {
            IEnumerable<string> seconds = plan.Classifiers.Select(c => measurements.Where(m => m.Regime == regime && m.Classifier == c).Select(m => m.Seconds).DefaultIfEmpty(double.NaN).Average().ToString("F1", Invariant));
            text.AppendLine(Invariant, $"| {regime:N0} | {string.Join(" | ", seconds)} |");
        }

        text.AppendLine();
        text.AppendLine(Invariant, $"Classifier fits took {measurements.Sum(m => m.Seconds) / 60:F1} minutes summed over fits (overlapping); GAN training {gans.Sum(g => g.Seconds) / 60:F1} minutes; making GAN and filtered rows {gans.Sum(g => g.RowSeconds) / 60:F1} minutes.");
        return text.ToString();
    }

    /// <summary>Every fit as a CSV row (accuracies as fractions), for analyses the report does not make.</summary>
    public static string Csv(IReadOnlyList<Measurement> measurements)
    {
        var text = new StringBuilder("regime,seed,classifier,arm,ratio,validation,test,seconds\n");
        foreach (Measurement m in measurements)
        {
            text.AppendLine(Invariant, $"{m.Regime},{m.Seed},{m.Classifier},{m.Arm},{m.Ratio},{m.Validation:R},{m.Test:R},{m.Seconds:F2}");
        }

        return text.ToString();
    }

    private static void SetUp(StringBuilder text, StudyPlan plan)
    {
        text.AppendLine("## Set-up");
        text.AppendLine();
        string regimes = string.Join(", ", plan.Regimes.Select(r => r.ToString("N0", Invariant)));
        string steps = string.Join(" / ", plan.Regimes.Zip(plan.GanSteps, (r, s) => string.Create(Invariant, $"{s:N0} generator steps at {r:N0} labels")));
        string ratios = string.Join(", ", plan.Ratios.Select(r => $"{r}x"));
        string ema = plan.GeneratorEma?.ToString(Invariant) ?? "off";
        text.AppendLine(Invariant, $"- Real rows: balanced random sets of {regimes} labelled images per seed from the first {60_000 - plan.ValidationRows:N0} MNIST train rows; seeds {string.Join(", ", plan.Seeds)}.");
        text.AppendLine(Invariant, $"- Validation: the last {plan.ValidationRows:N0} MNIST train rows. Every \"best\" arm below is chosen on it (mean over seeds); test accuracies (the MNIST test split, 10,000 rows) are only reported.");
        text.AppendLine(Invariant, $"- GAN, trained on each run's real rows only: conditional DCGAN (width {plan.DcganWidth}), DiffAugment {plan.DiffAugment}, EMA {ema}, mode seeking {(plan.ModeSeeking > 0 ? plan.ModeSeeking.ToString(Invariant) : "off")}, {(plan.AuxiliaryClassifier ? "auxiliary classifier (AC-GAN)" : "no auxiliary classifier")}, non-saturating loss, {steps}; rows drawn with latent scale {plan.LatentScale.ToString(Invariant)}.");
        text.AppendLine(Invariant, $"- Arms: (a) real only; (b) + classic augmentation (rotation ±{ClassicAugmentation.MaxDegrees}°, shift ±{ClassicAugmentation.MaxShift} px); (c) + GAN rows; (d) + GAN rows that a LeNet trained on the real rows and 5x their classic augmentation gives their label with probability ≥ {plan.FilterConfidence}; (e) + classic + GAN rows. Synthetic rows per real row: {ratios} (in (e), half classic and half GAN, so every arm at a ratio adds as many rows).");
        text.AppendLine(Invariant, $"- Classifiers: {string.Join("; ", plan.Classifiers.Select(c => Name(c, plan)))}.");
        text.AppendLine("- Differences are paired by seed (same real rows); ± is the sd over seeds, [..] the 95 % t interval of the mean difference.");
        text.AppendLine();
    }

    private static string Name(StudyClassifier classifier, StudyPlan plan) => classifier switch
    {
        StudyClassifier.Lbfgs => $"ML.NET LbfgsMaximumEntropy on the 784 pixels ({plan.LbfgsIterations} L-BFGS iterations, default regularisation)",
        StudyClassifier.LightGbm => $"ML.NET LightGbm multiclass on the 784 pixels ({plan.LightGbmIterations} iterations, 16 leaves, 32 bins)",
        _ => $"TorchSharp LeNet CNN (the shipped feature network's layers, from scratch), {plan.CnnSteps} Adam steps of 64 rows on every arm",
    };

    private static string Short(StudyClassifier classifier) => classifier switch
    {
        StudyClassifier.Lbfgs => "LbfgsMaximumEntropy",
        StudyClassifier.LightGbm => "LightGbm",
        _ => "LeNet CNN",
    };

    /// <summary>The measurements of one regime, classifier and arm, ordered by seed.</summary>
    private static double[] Tests(IReadOnlyList<Measurement> all, int regime, StudyClassifier classifier, Arm arm, int ratio)
        => all.Where(m => m.Regime == regime && m.Classifier == classifier && m.Arm == arm && m.Ratio == ratio).OrderBy(m => m.Seed).Select(m => m.Test).ToArray();

    private static double MeanValidation(IReadOnlyList<Measurement> all, int regime, StudyClassifier classifier, Arm arm, int ratio)
        => all.Where(m => m.Regime == regime && m.Classifier == classifier && m.Arm == arm && m.Ratio == ratio).Select(m => m.Validation).DefaultIfEmpty(double.NaN).Average();

    /// <summary>The arm (of <paramref name="arms"/>) and ratio with the best mean validation accuracy.</summary>
    private static (Arm Arm, int Ratio) BestOnValidation(StudyPlan plan, IReadOnlyList<Measurement> all, int regime, StudyClassifier classifier, params Arm[] arms)
        => plan.Arms().Where(a => arms.Contains(a.Arm)).MaxBy(a => MeanValidation(all, regime, classifier, a.Arm, a.Ratio));

    private static string Percent(double value) => (100 * value).ToString("F2", Invariant);

    private static string MeanSd(double[] values)
    {
        (double mean, double sd) = StudyStatistics.MeanSd(values);
        return $"{Percent(mean)} ± {Percent(sd)}";
    }

    private static string Difference(double[] a, double[] b)
    {
        (double mean, double half) = StudyStatistics.PairedDifference(a, b);
        return double.IsNaN(half) ? $"{Signed(mean)}" : $"{Signed(mean)} [{Signed(mean - half)}, {Signed(mean + half)}]";
    }

    private static string Signed(double value) => (100 * value).ToString("+0.00;-0.00;0.00", Invariant);

    private static void Headline(StringBuilder text, StudyPlan plan, IReadOnlyList<Measurement> all, int regime)
    {
        text.AppendLine(Invariant, $"## {regime:N0} labels: real only, best classic and best GAN arm (test accuracy, %)");
        text.AppendLine();
        text.AppendLine("| classifier | (a) real only | best classic (validation-chosen) | best GAN arm (validation-chosen) | GAN − real | GAN − classic |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (StudyClassifier classifier in plan.Classifiers)
        {
            double[] real = Tests(all, regime, classifier, Arm.Real, 0);
            (Arm classicArm, int classicRatio) = BestOnValidation(plan, all, regime, classifier, Arm.Classic);
            (Arm ganArm, int ganRatio) = BestOnValidation(plan, all, regime, classifier, Arm.Gan, Arm.FilteredGan, Arm.ClassicAndGan);
            double[] classic = Tests(all, regime, classifier, classicArm, classicRatio);
            double[] gan = Tests(all, regime, classifier, ganArm, ganRatio);
            if (real.Length == 0 || gan.Length != real.Length || classic.Length != real.Length)
            {
                continue;
            }

            text.Append(Invariant, $"| {Short(classifier)} | {MeanSd(real)} | {MeanSd(classic)} ({AugmentationStudy.Describe(classicArm, classicRatio)}) | ");
            text.AppendLine(Invariant, $"{MeanSd(gan)} ({AugmentationStudy.Describe(ganArm, ganRatio)}) | {Difference(gan, real)} | {Difference(gan, classic)} |");
        }

        text.AppendLine();
    }

    private static void Goals(StringBuilder text, StudyPlan plan, IReadOnlyList<Measurement> all)
    {
        if (!plan.Regimes.Contains(GoalRegime))
        {
            return;
        }

        text.AppendLine(Invariant, $"## The goals at {GoalRegime:N0} labels");
        text.AppendLine();
        foreach (StudyClassifier classifier in plan.Classifiers)
        {
            double[] real = Tests(all, GoalRegime, classifier, Arm.Real, 0);
            (Arm ganArm, int ganRatio) = BestOnValidation(plan, all, GoalRegime, classifier, Arm.Gan, Arm.FilteredGan, Arm.ClassicAndGan);
            (Arm classicArm, int classicRatio) = BestOnValidation(plan, all, GoalRegime, classifier, Arm.Classic);
            double[] gan = Tests(all, GoalRegime, classifier, ganArm, ganRatio);
            double[] classic = Tests(all, GoalRegime, classifier, classicArm, classicRatio);
            if (real.Length == 0 || gan.Length != real.Length || classic.Length != real.Length)
            {
                continue;
            }

            (double overReal, double halfReal) = StudyStatistics.PairedDifference(gan, real);
            (double overClassic, double halfClassic) = StudyStatistics.PairedDifference(gan, classic);
            string realGoal = classifier == StudyClassifier.Lbfgs
                ? (overReal >= LbfgsGoal ? $"met: {Signed(overReal)} points over real only (goal: at least +2)" : $"**not met**: {Signed(overReal)} points over real only (goal: at least +2)")
                : (overReal - halfReal > 0 ? $"met: {Signed(overReal)} points over real only, interval above 0" : $"**not met**: {Signed(overReal)} points over real only, interval [{Signed(overReal - halfReal)}, {Signed(overReal + halfReal)}] reaches 0");
            string classicGoal = overClassic >= 0 || overClassic + halfClassic >= 0
                ? $"beats or ties classic ({Signed(overClassic)} [{Signed(overClassic - halfClassic)}, {Signed(overClassic + halfClassic)}])"
                : $"**loses to classic** ({Signed(overClassic)} [{Signed(overClassic - halfClassic)}, {Signed(overClassic + halfClassic)}])";
            text.AppendLine(Invariant, $"- {Short(classifier)}, best GAN arm {AugmentationStudy.Describe(ganArm, ganRatio)}: {realGoal}; {classicGoal}.");
        }

        // Why, in the study's own numbers: on the largest GAN arm almost every training row is generated, so its accuracy
        // says what the GAN's rows teach; if that is below the real rows alone, adding them can only dilute the real ones.
        int largest = plan.Ratios.Max();
        var teach = plan.Classifiers
            .Select(c => (Classifier: c, Real: Tests(all, GoalRegime, c, Arm.Real, 0), Gan: Tests(all, GoalRegime, c, Arm.Gan, largest), Classic: Tests(all, GoalRegime, c, Arm.Classic, largest)))
            .Where(t => t.Real.Length > 0 && t.Gan.Length > 0 && t.Classic.Length > 0)
            .ToList();
        if (teach.Count > 0)
        {
            text.AppendLine();
            string accuracies = string.Join("; ", teach.Select(t => string.Create(Invariant,
                $"{Short(t.Classifier)} {t.Gan.Average() * 100:F1} % with GAN rows, {t.Classic.Average() * 100:F1} % with classic rows, {t.Real.Average() * 100:F1} % on the real rows alone")));
            text.AppendLine(Invariant, $"What the generated rows teach: on the {largest}x arms, {largest * 100 / (largest + 1)} % of the training rows are made. Test accuracy there: {accuracies}.");
            if (teach.All(t => t.Gan.Average() < t.Real.Average()))
            {
                text.AppendLine(Invariant, $"The rows of a GAN that saw {GoalRegime:N0} images teach every classifier less than those images themselves, so a GAN row added takes the place of a real or classic row that would have taught more.");
            }
        }

        text.AppendLine();
    }

    private static string CnnThreads(StudyPlan plan) => !plan.Classifiers.Contains(StudyClassifier.Cnn) ? "no CNN"
        : plan.Classifiers.Length > 1 ? "the CNN fits run on 1 thread beside the ML.NET fits (which use every core)"
        : string.Create(Invariant, $"the CNN fits on {plan.Threads} thread(s)");

    private static void GanDiagnostics(StringBuilder text, IReadOnlyList<GanRun> gans)
    {
        text.AppendLine("## The GANs");
        text.AppendLine();
        text.AppendLine($"Label agreement: the share of generated rows (the first {AugmentationStudy.AgreementRows:N0} of each run) the shipped MNIST network (trained on all of MNIST train) classifies as their label. " +
            "It is a diagnostic only; no setting is chosen by it, and the filter of arm (d) does not use it.");
        text.AppendLine();
        text.AppendLine("| labels | GAN training s (mean) | making rows s (mean) | label agreement, GAN rows | label agreement, filtered rows |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var group in gans.GroupBy(g => g.Regime))
        {
            text.AppendLine(Invariant, $"| {group.Key:N0} | {group.Average(g => g.Seconds):F0} | {group.Average(g => g.RowSeconds):F0} | {MeanSd([.. group.Select(g => g.LabelAgreement)])} | {(group.Any(g => double.IsNaN(g.FilteredLabelAgreement)) ? "n/a in some runs" : MeanSd([.. group.Select(g => g.FilteredLabelAgreement)]))} |");
        }

        text.AppendLine();
    }

    private static void AllArms(StringBuilder text, StudyPlan plan, IReadOnlyList<Measurement> all, int regime)
    {
        text.AppendLine(Invariant, $"## Every arm at {regime:N0} labels (test accuracy %, mean ± sd; difference to real only [95 % interval]; validation mean)");
        text.AppendLine();
        text.AppendLine("| arm | " + string.Join(" | ", plan.Classifiers.Select(Short)) + " |");
        text.AppendLine("|---|" + string.Concat(plan.Classifiers.Select(_ => "---|")));
        foreach ((Arm arm, int ratio) in plan.Arms())
        {
            var cells = plan.Classifiers.Select(classifier =>
            {
                double[] tests = Tests(all, regime, classifier, arm, ratio);
                double[] real = Tests(all, regime, classifier, Arm.Real, 0);
                if (tests.Length == 0)
                {
                    return "";
                }

                string difference = arm == Arm.Real || real.Length != tests.Length ? "" : $"; {Difference(tests, real)}";
                return $"{MeanSd(tests)}{difference}; val {Percent(MeanValidation(all, regime, classifier, arm, ratio))}";
            });
            text.AppendLine($"| {AugmentationStudy.Describe(arm, ratio)} | {string.Join(" | ", cells)} |");
        }

        text.AppendLine();
    }

    private static byte[] Chart(StudyPlan plan, IReadOnlyList<Measurement> all, int regime, StudyClassifier classifier)
    {
        (Arm Arm, string Name, OxyColor Colour)[] lines =
        [
            (Arm.Classic, "(b) classic", OxyColor.FromRgb(0x1f, 0x77, 0xb4)),
            (Arm.Gan, "(c) GAN", OxyColor.FromRgb(0xff, 0x7f, 0x0e)),
            (Arm.FilteredGan, "(d) filtered GAN", OxyColor.FromRgb(0x2c, 0xa0, 0x2c)),
            (Arm.ClassicAndGan, "(e) classic + GAN", OxyColor.FromRgb(0xd6, 0x27, 0x28)),
        ];
        double real = Tests(all, regime, classifier, Arm.Real, 0).DefaultIfEmpty(double.NaN).Average();
        var series = new List<ChartSeries>();
        foreach ((Arm arm, string name, OxyColor colour) in lines)
        {
            // Each line starts at ratio 0 with the real-only accuracy, so it shows what adding rows did.
            var points = new List<(double X, double Y)> { (0, 100 * real) };
            points.AddRange(plan.Ratios.Order().Select(r => ((double)r, 100 * Tests(all, regime, classifier, arm, r).DefaultIfEmpty(double.NaN).Average())));
            series.Add(new ChartSeries(name, points, colour));
        }

        return Reporting.Chart.Png(Reporting.Chart.Lines($"{Short(classifier)}, {regime:N0} labels: test accuracy (mean over seeds)", "synthetic rows per real row", "accuracy %", series));
    }
}
