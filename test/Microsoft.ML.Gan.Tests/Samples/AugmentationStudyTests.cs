using System.Globalization;
using System.Text.RegularExpressions;
using Gan.Samples.Augmentation;

namespace Microsoft.ML.Gan.Tests.Samples;

/// <summary>The augmentation study's parts: classic augmentation, balanced sets, statistics, and a tiny run of the command.</summary>
public sealed class AugmentationStudyTests : ScratchDirectoryTest
{
    private static float[] Dot(int x, int y)
    {
        var image = new float[28 * 28];
        image[(y * 28) + x] = 1f;
        return image;
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void WarpWithoutRotationOrShiftIsTheIdentityAndAWholePixelShiftMovesEveryPixel()
    {
        float[] dot = Dot(10, 12);
        Assert.That(ClassicAugmentation.Warp(dot, 0, 0, 0), Is.EqualTo(dot));
        Assert.That(ClassicAugmentation.Warp(dot, 0, 2, -1), Is.EqualTo(Dot(12, 11)).Within(1e-6));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void AQuarterTurnMovesAPixelAroundTheCentre()
    {
        // With y pointing down, a positive angle turns (x, y) = (20, 13.5) about (13.5, 13.5) onto (13.5, 20).
        float[] turned = ClassicAugmentation.Warp(Dot(20, 13), Math.PI / 2, 0, 0);
        int brightest = Array.IndexOf(turned, turned.Max());
        Assert.That((brightest % 28, brightest / 28), Is.EqualTo((14, 20)).Or.EqualTo((13, 20)));
        Assert.That(turned.Sum(), Is.EqualTo(1f).Within(1e-4), "a pixel-aligned quarter turn keeps the ink");
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void ClassicRowsCycleThroughTheRealRowsKeepTheirLabelsAndRepeatForASeed()
    {
        var real = new LabelledDigits([Dot(10, 10), Dot(14, 14), Dot(18, 18)], [3, 5, 7]);

        LabelledDigits made = ClassicAugmentation.Make(real, 7, seed: 4);

        Assert.That(made.Labels, Is.EqualTo(new[] { 3, 5, 7, 3, 5, 7, 3 }));
        Assert.That(made.Pixels.Select(p => p.Sum()), Has.All.GreaterThan(0.5f), "small moves keep the ink inside the image");
        Assert.That(ClassicAugmentation.Make(real, 7, seed: 4).Pixels, Is.EqualTo(made.Pixels));
        Assert.That(ClassicAugmentation.Make(real, 7, seed: 5).Pixels, Is.Not.EqualTo(made.Pixels));
    }

    [Category(TestCategories.Slow)]
    [Test]
    public void ChosenRowsSurviveTheDataViewRoundTripWithTheMnistSchema()
    {
        var ml = new MLContext(1);
        LabelledDigits mnist = LabelledDigits.Read(RealMnist.Load(ml, MnistSplit.Train, 3000));

        LabelledDigits chosen = mnist.Select([5, 17, 2_999, 0]);
        LabelledDigits again = LabelledDigits.Read(chosen.ToDataView(ml));

        Assert.That(chosen.Labels, Is.EqualTo(new[] { mnist.Labels[5], mnist.Labels[17], mnist.Labels[2_999], mnist.Labels[0] }));
        Assert.That(again.Labels, Is.EqualTo(chosen.Labels));
        Assert.That(again.Pixels, Is.EqualTo(chosen.Pixels));
        Assert.That(chosen.ToDataView(ml).Schema["Label"].Type, Is.EqualTo(RealMnist.Load(ml, MnistSplit.Test, 1).Schema["Label"].Type),
            "the same schema as MNIST, so AppendRows takes them together");
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void PairedDifferencesUseStudentsT()
    {
        (double mean, double half) = StudyStatistics.PairedDifference([0.90, 0.93, 0.91], [0.88, 0.90, 0.90]);
        // Differences 0.02, 0.03, 0.01: mean 0.02, sd 0.01, t(0.975, 2) = 4.303.
        Assert.That(mean, Is.EqualTo(0.02).Within(1e-12));
        Assert.That(half, Is.EqualTo(4.303 * 0.01 / Math.Sqrt(3)).Within(1e-9));
        Assert.That(double.IsNaN(StudyStatistics.PairedDifference([0.9], [0.8]).HalfWidth), "one pair has no interval");
    }

    [Category(TestCategories.Slow)]
    [Test]
    public void ATinyStudyWritesAReportWithEveryArmAndTheChart()
    {
        string report = Path.Combine(Scratch, "study.md");
        (int exitCode, string log) = SamplesApp.Run("augment", "--regimes", "20", "--seeds", "1", "2", "--ratios", "1", "--gan-steps", "30", "--cnn-steps", "10",
            "--classifiers", "Lbfgs", "Cnn", "--validation-rows", "500", "--mnist-dir", RealMnist.Directory, "--report", report, "--output", Scratch, "--threads", "1");

        Assert.That(exitCode, Is.Zero, log);
        string markdown = File.ReadAllText(report);
        Assert.That(markdown, Does.Contain("## 20 labels: real only, best classic and best GAN arm"));
        foreach (string arm in new[] { "| real only |", "| real + 1x classic |", "| real + 1x GAN |", "| real + 1x half classic, half GAN |" })
        {
            Assert.That(markdown, Does.Contain(arm));
        }

        Assert.That(markdown, Does.Contain("LbfgsMaximumEntropy").And.Contain("LeNet CNN").And.Not.Contain("LightGbm |"));
        Assert.That(markdown, Does.Contain("auxiliary classifier (AC-GAN)").And.Not.Contain("Partial report"), "AC-GAN by default; the final report is whole");
        Assert.That(File.ReadAllText(Path.Combine(Scratch, "partial", "study.md")), Does.Contain("**Partial report: 1 of 2 runs"), "after the first run, beside the output, not at --report");
        string[] fits = File.ReadAllLines(Path.ChangeExtension(report, ".csv"));
        Assert.That(fits[0], Is.EqualTo("regime,seed,classifier,arm,ratio,validation,test,seconds"));
        Assert.That(fits.Length - 1, Is.InRange(2 * 4 * 2, 2 * 5 * 2), "2 seeds x 4 or 5 arms (the filtered arm may be left out) x 2 classifiers");
        Assert.That(fits.Skip(1).Select(line => line.Split(',')).All(f => f.Length == 8 && double.Parse(f[6], CultureInfo.InvariantCulture) is > 0 and <= 1), string.Join('\n', fits));
        Assert.That(Directory.GetFiles(Scratch, "study-*.png").Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "study-cnn.png", "study-lbfgs.png" }));
    }

    [Category(TestCategories.Slow)]
    [Test]
    public void CnnFitsGiveTheSameAccuraciesBesideTheMlNetFitsAsAlone()
    {
        // With LbfgsMaximumEntropy the CNN fits run on a second thread at the same time; alone they run on the study's thread.
        string[] Cnn(params string[] classifiers)
        {
            string report = Path.Combine(Scratch, $"cnn-{string.Join('-', classifiers)}.md");
            (int exitCode, string log) = SamplesApp.Run([ "augment", "--regimes", "20", "--seeds", "3", "--ratios", "1", "--gan-steps", "20", "--cnn-steps", "15",
                "--validation-rows", "300", "--mnist-dir", RealMnist.Directory, "--report", report, "--output", Scratch, "--threads", "1", "--classifiers", .. classifiers ]);
            Assert.That(exitCode, Is.Zero, log);
            return [.. File.ReadAllLines(Path.ChangeExtension(report, ".csv")).Skip(1).Where(line => line.Contains(",Cnn,", StringComparison.Ordinal)).Select(line => line[..line.LastIndexOf(',')])];
        }

        string[] alone = Cnn("Cnn");
        Assert.That(alone, Has.Length.InRange(4, 5), "one CNN fit per arm");
        Assert.That(Cnn("Lbfgs", "Cnn"), Is.EquivalentTo(alone), "every CNN fit's arm, validation and test accuracy (seconds left out)");
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void TheGoalsSayWhetherTheyAreMetAndWhatTheGanRowsTeach()
    {
        var plan = new StudyPlan { Regimes = [1_000], Seeds = [1, 2, 3], Ratios = [1, 20], Classifiers = [StudyClassifier.Lbfgs], GanSteps = [10] };
        // Real only 0.86; classic +1 point; GAN rows +0.5 point at 1x and far worse at 20x: the goal (+2) is not met, and
        // the 20x arm shows why. Validation follows test, so the validation-chosen arms are the best ones.
        double Accuracy(Arm arm, int ratio, int seed) => 0.86 + (seed * 0.001) + arm switch
        {
            Arm.Classic => 0.01,
            Arm.Real => 0,
            _ => ratio == 1 ? 0.005 : -0.05,
        };
        var measurements = new List<Measurement>();
        foreach (int seed in plan.Seeds)
        {
            foreach ((Arm arm, int ratio) in plan.Arms())
            {
                double accuracy = Accuracy(arm, ratio, seed);
                measurements.Add(new Measurement(1_000, seed, StudyClassifier.Lbfgs, arm, ratio, accuracy, accuracy, 1));
            }
        }

        string markdown = AugmentationReport.Write(plan, new StudyResults(measurements, [], [], []), "gan-samples augment", TimeSpan.FromMinutes(1), Scratch, "goals");

        Assert.That(markdown, Does.Contain("- LbfgsMaximumEntropy, best GAN arm real + 1x GAN: **not met**: +0.50 points over real only (goal: at least +2); **loses to classic**"));
        Assert.That(markdown, Does.Contain("on the 20x arms, 95 % of the training rows are made. Test accuracy there: LbfgsMaximumEntropy 81.2 % with GAN rows, 87.2 % with classic rows, 86.2 % on the real rows alone."));
        Assert.That(markdown, Does.Contain("teach every classifier less than those images themselves"));
    }

    [Category(TestCategories.Slow)]
    [Test]
    public void WithoutGanStepsEachRegimeGetsItsDefaultBudget()
    {
        // Reaching the validation-rows check means the default GAN steps passed the per-regime check before it.
        (int exitCode, string log) = SamplesApp.Run("augment", "--regimes", "100", "1000", "--validation-rows", "50", "--mnist-dir", RealMnist.Directory, "--output", Scratch);
        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(log, Does.Contain("--validation-rows").And.Not.Contain("--gan-steps needs"));
    }

    [Category(TestCategories.Slow)]
    [TestCase("--filter-confidence", "NaN", "--filter-confidence must be in [0, 1); got NaN.")]
    [TestCase("--filter-confidence", "1", "--filter-confidence must be in [0, 1); got 1.")]
    [TestCase("--cnn-steps", "0", "--cnn-steps must be at least 1; got 0.")]
    [TestCase("--lbfgs-iterations", "-3", "--lbfgs-iterations must be at least 1; got -3.")]
    public void AnOutOfRangeOptionIsNamedWithItsValueBeforeAnyTraining(string option, string value, string message)
    {
        (int exitCode, string log) = SamplesApp.Run("augment", "--regimes", "20", option, value, "--mnist-dir", RealMnist.Directory, "--output", Scratch);
        Assert.That(exitCode, Is.EqualTo(1), log);
        Assert.That(log, Does.Contain(message).And.Not.Contain("Epoch"));
    }

    [Category(TestCategories.Slow)]
    [Test]
    public void RegimesThatCannotBeBalancedAreRefusedBeforeAnyTraining()
    {
        (int exitCode, string log) = SamplesApp.Run("augment", "--regimes", "25", "--mnist-dir", RealMnist.Directory, "--output", Scratch);
        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(log, Does.Contain("--regimes must be multiples of 10"));
    }

    [Category(TestCategories.Slow)]
    [Test]
    public void WithUnlabelledRowsTheStudyAddsThePipelineArmsAndTheClassifierAndReusesFinishedRuns()
    {
        string report = Path.Combine(Scratch, "unlabelled.md");
        string kept = Path.Combine(Scratch, "kept");
        string[] Arguments(string lbfgsIterations, params string[] seeds) => ["augment", "--regimes", "20", "--unlabelled-regimes", "20", "--seeds", .. seeds, "--ratios", "1",
            "--gan-steps", "5", "--ssl-steps", "10", "--ssl-self-training-epochs", "1", "--ssl-gan-steps", "5", "--classifiers", "Lbfgs", "--lbfgs-iterations", lbfgsIterations, "--filter-confidence", "0",
            "--validation-rows", "500", "--mnist-dir", RealMnist.Directory, "--report", report, "--output", Scratch, "--runs", kept, "--threads", "1"];

        (int exitCode, string log) = SamplesApp.Run(Arguments("3", "1", "2"));

        Assert.That(exitCode, Is.Zero, log);
        string markdown = File.ReadAllText(report);
        Assert.That(markdown, Does.Contain("## 20 labels + 59,480 unlabelled images: the semi-supervised pipeline against classic augmentation"));
        foreach (string arm in new[] { "| real + 1x semi-supervised pipeline GAN |", "| real + 1x semi-supervised pipeline GAN, filtered by the classifier |", "| real + the unlabelled rows the classifier labelled |" })
        {
            Assert.That(markdown, Does.Contain(arm));
        }

        Assert.That(markdown, Does.Contain("| *the semi-supervised classifier itself* |").And.Contain("## The semi-supervised pipeline"));
        Assert.That(markdown, Does.Contain("10 steps of 100 labelled + 100 unlabelled rows, then 1 self-training epoch of a CNN student"));
        string[] fits = File.ReadAllLines(Path.ChangeExtension(report, ".csv"));
        string[] pipeline = [.. fits.Where(line => line.Contains(",SemiSupervisedGan,", StringComparison.Ordinal) || line.Contains(",FilteredSemiSupervisedGan,", StringComparison.Ordinal) || line.Contains(",PseudoLabelled,", StringComparison.Ordinal))];
        // --filter-confidence 0: every row the pipeline's GAN draws passes, so arm (g) is in both runs.
        Assert.That(pipeline, Has.Length.EqualTo(2 * 3), "2 seeds x arms (f), (g) and (h)");
        Assert.That(markdown, Does.Not.Contain("arm (g) left out"));
        Assert.That(Directory.GetFiles(kept).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "20-labels-seed-1.json", "20-labels-seed-2.json" }), "--runs, not <output>/runs");
        Assert.That(Directory.Exists(Path.Combine(Scratch, "runs")), Is.False);

        // The same command again measures nothing: both runs are kept, and the report says the same.
        (exitCode, log) = SamplesApp.Run(Arguments("3", "1", "2"));
        Assert.That(exitCode, Is.Zero, log);
        Assert.That(log, Does.Contain("Reusing 2 finished run(s)"));
        Assert.That(File.ReadAllLines(Path.ChangeExtension(report, ".csv")), Is.EqualTo(fits));

        // Another setting is another study: nothing is reused.
        (exitCode, log) = SamplesApp.Run(Arguments("4", "1"));
        Assert.That(exitCode, Is.Zero, log);
        Assert.That(log, Does.Not.Contain("Reusing"));
        Assert.That(File.ReadAllLines(Path.ChangeExtension(report, ".csv")).Count(line => line.StartsWith("20,1,", StringComparison.Ordinal)), Is.EqualTo(fits.Count(line => line.StartsWith("20,1,", StringComparison.Ordinal))));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void KeptRunsComeBackOnlyForTheSamePlanAndDamagedOnesAreMeasuredAgain()
    {
        var plan = new StudyPlan { Regimes = [100], Seeds = [1, 2], Ratios = [1], Classifiers = [StudyClassifier.Lbfgs], GanSteps = [10], UnlabelledRegimes = [100] };
        var runs = new StudyRuns(Path.Combine(Scratch, "runs"), plan);
        var measurement = new Measurement(100, 1, StudyClassifier.Lbfgs, Arm.PseudoLabelled, 0, 0.91, 0.9, 3);
        var semiSupervised = new SemiSupervisedRun(100, 1, 60, 0.97, 0.96, 57_900, 55_000, 0.99, 40, 5, 0.98, double.NaN);
        runs.Save(100, 1, 120, [measurement], [], [semiSupervised], ["a note"]);
        runs.Save(100, 2, 130, [measurement with { Seed = 2 }], [], [], []);
        File.WriteAllText(Path.Combine(Scratch, "runs", "100-labels-seed-2.json"), "{ \"Plan\": ");

        StudyRunRecord kept = runs.Load().Single();

        Assert.That((kept.Regime, kept.Seed, kept.Seconds), Is.EqualTo((100, 1, 120.0)));
        Assert.That(kept.Measurements, Is.EqualTo(new[] { measurement }));
        Assert.That(kept.SemiSupervised.Single() with { FilteredLabelAgreement = 0 }, Is.EqualTo(semiSupervised with { FilteredLabelAgreement = 0 }));
        Assert.That(double.IsNaN(kept.SemiSupervised.Single().FilteredLabelAgreement), "NaN (not measured) survives the round trip");
        Assert.That(kept.Notes, Is.EqualTo(new[] { "a note" }));
        Assert.That(new StudyRuns(Path.Combine(Scratch, "runs"), plan with { CnnSteps = 251 }).Load(), Is.Empty, "another plan reuses nothing");
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void UnlabelledRegimesMustBeStudiedRegimes()
    {
        var plan = new StudyPlan { Regimes = [100], Seeds = [1], Ratios = [1], Classifiers = [StudyClassifier.Lbfgs], GanSteps = [10], UnlabelledRegimes = [100, 1_000] };
        Assert.That(plan.Validate, Throws.ArgumentException.With.Message.EqualTo("--unlabelled-regimes must be among --regimes (100); got 1000."));
        Assert.That(plan.Arms(100).Select(a => a.Arm).Distinct(), Is.EqualTo(Enum.GetValues<Arm>()), "every arm at a regime with unlabelled rows");
        Assert.That((plan with { UnlabelledRegimes = [1_000] }).Arms(100).Select(a => a.Arm), Has.None.EqualTo(Arm.SemiSupervisedGan).And.None.EqualTo(Arm.PseudoLabelled));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void TheUnlabelledGoalsCompareTheBestSyntheticArmWithTheBestClassicArm()
    {
        var plan = new StudyPlan { Regimes = [100], Seeds = [1, 2, 3], Ratios = [1, 20], Classifiers = [StudyClassifier.Lbfgs, StudyClassifier.Cnn], GanSteps = [10], UnlabelledRegimes = [100] };
        // LbfgsMaximumEntropy: the pipeline's 20x arm is 6 points over classic (goal 5: met). CNN: 2 points (goal 3: not met).
        double Accuracy(StudyClassifier classifier, Arm arm, int ratio, int seed) => 0.80 + (seed * 0.002) + arm switch
        {
            Arm.Classic => ratio == 20 ? 0.05 : 0.02,
            Arm.SemiSupervisedGan when ratio == 20 => classifier == StudyClassifier.Lbfgs ? 0.11 : 0.07,
            Arm.PseudoLabelled => 0.15,
            _ => 0,
        };
        var measurements = new List<Measurement>();
        foreach (StudyClassifier classifier in plan.Classifiers)
        {
            foreach (int seed in plan.Seeds)
            {
                foreach ((Arm arm, int ratio) in plan.Arms(100))
                {
                    double accuracy = Accuracy(classifier, arm, ratio, seed) + (classifier == StudyClassifier.Cnn && arm == Arm.SemiSupervisedGan ? seed * 0.001 : 0);
                    measurements.Add(new Measurement(100, seed, classifier, arm, ratio, accuracy, accuracy, 1));
                }
            }
        }

        string markdown = AugmentationReport.Write(plan, new StudyResults(measurements, [], [], []), "gan-samples augment", TimeSpan.FromMinutes(1), Scratch, "unlabelled");

        Assert.That(markdown, Does.Contain("- 100 labels, LbfgsMaximumEntropy, best synthetic arm real + 20x semi-supervised pipeline GAN: met: +6.00 points over real + 20x classic"));
        Assert.That(markdown, Does.Contain("- 100 labels, LeNet CNN, best synthetic arm real + 20x semi-supervised pipeline GAN: **not met**: +2.20 points over real + 20x classic"));
        Assert.That(markdown, Does.Contain("(goal: at least +5.00 points over the best classic arm, interval above 0)").And.Contain("(goal: at least +3.00 points"));
    }
}
