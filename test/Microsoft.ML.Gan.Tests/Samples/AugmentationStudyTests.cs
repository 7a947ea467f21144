using System.Globalization;
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
    public void BalancedSetsHoldEveryClassEquallyAndSurviveTheDataViewRoundTrip()
    {
        var ml = new MLContext(1);
        LabelledDigits mnist = LabelledDigits.Read(RealMnist.Load(ml, MnistSplit.Train, 3000));

        LabelledDigits balanced = mnist.Balanced(7, new Random(1));
        LabelledDigits again = LabelledDigits.Read(balanced.ToDataView(ml));

        Assert.That(balanced.Labels.GroupBy(l => l).Select(g => g.Count()), Is.EqualTo(Enumerable.Repeat(7, 10)));
        Assert.That(again.Labels, Is.EqualTo(balanced.Labels));
        Assert.That(again.Pixels, Is.EqualTo(balanced.Pixels));
        Assert.That(balanced.ToDataView(ml).Schema["Label"].Type, Is.EqualTo(RealMnist.Load(ml, MnistSplit.Test, 1).Schema["Label"].Type),
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
            "--classifiers", "Lbfgs", "Cnn", "--validation-rows", "500", "--mnist-dir", RealMnist.Directory, "--report", report, "--threads", "1");

        Assert.That(exitCode, Is.Zero, log);
        string markdown = File.ReadAllText(report);
        Assert.That(markdown, Does.Contain("## 20 labels: real only, best classic and best GAN arm"));
        foreach (string arm in new[] { "| real only |", "| real + 1x classic |", "| real + 1x GAN |", "| real + 1x half classic, half GAN |" })
        {
            Assert.That(markdown, Does.Contain(arm));
        }

        Assert.That(markdown, Does.Contain("LbfgsMaximumEntropy").And.Contain("LeNet CNN").And.Not.Contain("LightGbm |"));
        Assert.That(markdown, Does.Contain("auxiliary classifier (AC-GAN)").And.Not.Contain("Partial report"), "AC-GAN by default; the final report replaces the partial ones");
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
                "--validation-rows", "300", "--mnist-dir", RealMnist.Directory, "--report", report, "--threads", "1", "--classifiers", .. classifiers ]);
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

        string markdown = AugmentationReport.Write(plan, measurements, [], [], "gan-samples augment", TimeSpan.FromMinutes(1), Scratch, "goals");

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
}
