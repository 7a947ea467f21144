using Microsoft.ML.Gan.Artifact;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Torch;
using Microsoft.ML.Gan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests;

/// <summary>The semi-supervised GAN classifier as an ML.NET trainer, on small synthetic images (MNIST runs are in the Slow set).</summary>
[Category(TestCategories.Fast)]
public sealed class SemiSupervisedTests : ScratchDirectoryTest
{
    /// <summary>30 GAN steps and no self-training (tests of self-training turn it on).</summary>
    private static SemiSupervisedGanOptions FastOptions() => new() { Budget = TrainingBudget.OfSteps(30), BatchSize = 16, LatentDimension = 8, SelfTrainingEpochs = 0, Seed = 1 };

    /// <summary><see cref="FastOptions"/> with 2 epochs of self-training on the rows the teacher gives at least 0.3, then <paramref name="change"/>.</summary>
    private static SemiSupervisedGanOptions TwoSelfTrainingEpochs(Action<SemiSupervisedGanOptions> change)
    {
        SemiSupervisedGanOptions options = FastOptions();
        options.SelfTrainingEpochs = 2;
        options.PseudoLabelConfidence = 0.3f;
        change(options);
        return options;
    }

    /// <summary>128 squares of 4 classes (class = place), 2 labels per class kept, the rest unlabelled.</summary>
    private static IDataView FewLabels(MLContext ml) => ml.Gan().Data.KeepLabels(SyntheticImages.LoadLabelled(ml, 128), labelsPerClass: 2, seed: 3);

    private static long Labelled(IDataView data) => data.GetColumn<uint>("Label").Count(k => k != 0);

    [Test]
    public void KeepLabelsKeepsTheAskedNumberPerClassAndIsRepeatable()
    {
        var ml = new MLContext(1);
        IDataView full = SyntheticImages.LoadLabelled(ml, 128);

        uint[] kept = [.. ml.Gan().Data.KeepLabels(full, 5, seed: 1).GetColumn<uint>("Label")];
        uint[] again = [.. ml.Gan().Data.KeepLabels(full, 5, seed: 1).GetColumn<uint>("Label")];
        uint[] other = [.. ml.Gan().Data.KeepLabels(full, 5, seed: 2).GetColumn<uint>("Label")];
        uint[] truth = [.. full.GetColumn<uint>("Label")];

        Assert.That(kept.Where(k => k != 0).GroupBy(k => k).Select(g => g.Count()), Is.EqualTo(new[] { 5, 5, 5, 5 }));
        Assert.That(kept.Select((k, i) => k == 0 || k == truth[i]), Is.All.True, "a kept label is the row's own");
        Assert.That(again, Is.EqualTo(kept));
        Assert.That(other, Is.Not.EqualTo(kept));
        Assert.That(() => ml.Gan().Data.KeepLabels(SyntheticImages.LoadIntegerLabelled(ml, 8), 1, 1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("key type"));
    }

    [Test]
    public void TheTransformerAddsScoreAndPredictedLabelAsMulticlassTrainersDoAndEvaluateReadsThem()
    {
        var ml = new MLContext(1);
        IDataView train = FewLabels(ml);
        using SemiSupervisedGanTransformer model = ml.Gan().SemiSupervisedClassifier(FastOptions()).Fit(train, SyntheticImages.LoadLabelled(ml, 40));
        IDataView test = SyntheticImages.LoadLabelled(ml, 40);

        IDataView scored = model.Transform(test);
        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(scored);

        Assert.That(scored.Schema["Score"].Type.ToString(), Is.EqualTo("Vector<Single, 4>"));
        Assert.That(scored.Schema["PredictedLabel"].Type, Is.EqualTo(test.Schema["Label"].Type), "the label's key type");
        Assert.That(scored.GetColumn<float[]>("Score").Select(s => s.Sum()), Is.All.EqualTo(1f).Within(1e-4f));
        Assert.That(metrics.MicroAccuracy, Is.EqualTo(scored.GetColumn<uint>("PredictedLabel").Zip(test.GetColumn<uint>("Label")).Count(p => p.First == p.Second) / 40.0).Within(1e-9));
        Assert.That(model.History, Has.Count.GreaterThan(0));
        Assert.That(model.History[^1].ValidationAccuracy, Is.Not.Null);
        Assert.That((model.LabelledRows, model.Rows, model.ClassCount), Is.EqualTo((8, 128, 4)));
    }

    [TestCase(SemiSupervisedNetwork.Mlp)]
    [TestCase(SemiSupervisedNetwork.Cnn)]
    public void TheSavedZipScoresTheSameThroughStockMlNetAndThroughLoadClassifier(SemiSupervisedNetwork network)
    {
        var ml = new MLContext(1);
        SemiSupervisedGanOptions options = FastOptions();
        options.Network = network;
        using SemiSupervisedGanTransformer model = ml.Gan().SemiSupervisedClassifier(options).Fit(FewLabels(ml));
        IDataView test = SyntheticImages.LoadLabelled(ml, 40);
        string path = Path.Combine(Scratch, "classifier.zip");
        model.Save(path);

        ITransformer stock = new MLContext(2).LoadModel(path, out DataViewSchema input);
        using SemiSupervisedGanTransformer loaded = ml.Gan().LoadClassifier(path);

        float[][] expected = [.. model.Transform(test).GetColumn<float[]>("Score")];
        Assert.That(input.Single().Name, Is.EqualTo("Pixels"));
        Assert.That(stock.Transform(test).GetColumn<float[]>("Score").ToArray(), Is.EqualTo(expected));
        Assert.That(stock.Transform(test).GetColumn<uint>("PredictedLabel").ToArray(), Is.EqualTo(model.Transform(test).GetColumn<uint>("PredictedLabel").ToArray()));
        Assert.That(loaded.Transform(test).GetColumn<float[]>("Score").ToArray(), Is.EqualTo(expected));
        Assert.That((loaded.Seed, loaded.LabelledRows, loaded.History.Count), Is.EqualTo((model.Seed, model.LabelledRows, model.History.Count)));
        Assert.That(() => ml.Gan().LoadGenerator(path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("LoadClassifier"));
    }

    [Test]
    public void LabellingTheUnlabelledRowsKeepsTheLabelsGivesConfidentRowsTheirPredictionAndDropsTheRest()
    {
        var ml = new MLContext(1);
        IDataView few = FewLabels(ml);
        using SemiSupervisedGanTransformer model = ml.Gan().SemiSupervisedClassifier(FastOptions()).Fit(few);
        uint[] before = [.. few.GetColumn<uint>("Label")];
        uint[] predicted = [.. model.Transform(few).GetColumn<uint>("PredictedLabel")];
        float[] confidence = [.. model.Transform(few).GetColumn<float[]>("Score").Select(s => s.Max())];
        float threshold = confidence.Where((_, i) => before[i] == 0).OrderBy(c => c).ElementAt(40);   // about a third of the unlabelled rows fall below it

        IDataView labelled = model.LabelUnlabelledRows(few, threshold);
        uint[] after = [.. labelled.GetColumn<uint>("Label")];
        uint[] expected = [.. before.Select((k, i) => k != 0 ? k : confidence[i] >= threshold ? predicted[i] : 0u).Where(k => k != 0)];

        Assert.That(after, Is.EqualTo(expected));
        Assert.That(after, Has.None.EqualTo(0u), "every row that remains has a class");
        Assert.That(labelled.GetRowCount(), Is.EqualTo(expected.Length));
        Assert.That(labelled.Schema["Label"].Type, Is.EqualTo(few.Schema["Label"].Type));
        Assert.That(() => model.LabelUnlabelledRows(few, 1.5f), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("[0, 1]"));
    }

    [Test]
    public void TheSameSeedTrainsTheSameClassifier()
    {
        var ml = new MLContext(1);
        IDataView test = SyntheticImages.LoadLabelled(ml, 20);
        float[] Scores()
        {
            using SemiSupervisedGanTransformer model = ml.Gan().SemiSupervisedClassifier(FastOptions()).Fit(FewLabels(ml));
            return [.. model.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s)];
        }

        Assert.That(Scores(), Is.EqualTo(Scores()));
    }

    [Test]
    public void TheStrongViewOfTheConsistencyTermIsAnOptionThatChangesWhatIsLearned()
    {
        Assert.That(new SemiSupervisedGanOptions().StrongAugmentation, Is.EqualTo(ConsistencyAugmentation.AffineAndCutOut));
        float[][] scores = [.. Enum.GetValues<ConsistencyAugmentation>().Select(view => ConsistencyScores(o => o.StrongAugmentation = view))];
        Assert.That(scores, Has.Length.EqualTo(3).And.Unique, "each view trains another classifier");
        var ml = new MLContext(1);
        SemiSupervisedGanOptions undefined = FastOptions();
        undefined.StrongAugmentation = (ConsistencyAugmentation)7;
        Assert.That(() => ml.Gan().SemiSupervisedClassifier(undefined).Fit(FewLabels(ml)),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("SemiSupervisedGanOptions.StrongAugmentation must be one of ShiftAndCutOut, AffineAndCutOut, Affine"));
    }

    [Test]
    public void WhetherConsistencyTargetsCarryTheTrainingNoiseIsAnOptionThatChangesWhatIsLearned()
    {
        Assert.That(new SemiSupervisedGanOptions().NoisyConsistencyTargets, Is.True);
        Assert.That(ConsistencyScores(o => o.NoisyConsistencyTargets = true), Is.Not.EqualTo(ConsistencyScores(o => o.NoisyConsistencyTargets = false)));
    }

    [Test]
    public void DistributionAlignmentIsAnOptionThatChangesWhatIsLearned()
    {
        Assert.That(new SemiSupervisedGanOptions().DistributionAlignment, Is.True, "the default since docs/SEMI-SUPERVISED-OPTIONS.md");
        Assert.That(ConsistencyScores(o => o.DistributionAlignment = true), Is.Not.EqualTo(ConsistencyScores(o => o.DistributionAlignment = false)));
    }

    [Test]
    public void TheConsistencyTermStartsAfterTheShareOfTheBudgetTheOptionGives()
    {
        Assert.That(new SemiSupervisedGanOptions().ConsistencyStartShare, Is.Zero, "the term from the first step by default");
        float[] withoutTerm = ConsistencyScores(o => o.ConsistencyWeight = 0);
        Assert.That(ConsistencyScores(o => o.ConsistencyStartShare = 0.99f), Is.EqualTo(withoutTerm), "30 steps: the term would start at step 29.7, after the last");
        float[] lastSteps = ConsistencyScores(o => o.ConsistencyStartShare = 0.9f);
        Assert.That(lastSteps, Is.Not.EqualTo(withoutTerm), "the term's last three steps change what is learned");
        Assert.That(lastSteps, Is.Not.EqualTo(ConsistencyScores(o => o.ConsistencyStartShare = 0)));
        var ml = new MLContext(1);
        SemiSupervisedGanOptions whole = FastOptions();
        whole.ConsistencyStartShare = 1;
        Assert.That(() => ml.Gan().SemiSupervisedClassifier(whole), Throws.InstanceOf<ArgumentException>().With.Message.Contains("SemiSupervisedGanOptions.ConsistencyStartShare must lie in [0, 1)"));
    }

    [Test]
    public void DistributionAlignmentDrawsBackTheClassTheClassifierGivesTooOften()
    {
        using var scope = torch.NewDisposeScope();
        // Three classes; the running mean says class 0 has been given half the time, class 2 a sixth.
        Tensor mean = torch.tensor(new[] { 0.5f, 1f / 3, 1f / 6 });
        Tensor predictions = torch.tensor(new[] { 0.6f, 0.3f, 0.1f, 0.4f, 0.2f, 0.4f }, [2, 3]);
        Tensor expectedMean = mean.Times(SemiSupervisedTrainer.AlignmentDecay).Plus(predictions.mean([0L]).Times(1 - SemiSupervisedTrainer.AlignmentDecay));

        float[] aligned = SemiSupervisedTrainer.AlignDistribution(predictions, mean).data<float>().ToArray();

        Assert.That(mean.data<float>().ToArray(), Is.EqualTo(expectedMean.data<float>().ToArray()).Within(1e-6f), "the batch's mean is folded into the running mean in place");
        Assert.That(aligned[0] + aligned[1] + aligned[2], Is.EqualTo(1f).Within(1e-6f), "a distribution again");
        Assert.That(aligned[3] + aligned[4] + aligned[5], Is.EqualTo(1f).Within(1e-6f));
        Assert.That(aligned[0], Is.LessThan(0.6f), "the class given too often loses probability");
        Assert.That(aligned[5], Is.GreaterThan(0.4f), "the class given too seldom gains it");
        Assert.That(aligned[5], Is.GreaterThan(aligned[3]), "and can take the row's class over");
    }

    /// <summary>Test scores of a classifier fitted with <paramref name="change"/> made to the fast options and every unlabelled row counting in the consistency term.</summary>
    private static float[] ConsistencyScores(Action<SemiSupervisedGanOptions> change)
    {
        var ml = new MLContext(1);
        SemiSupervisedGanOptions options = FastOptions();
        options.ConfidenceThreshold = 0;   // every unlabelled row counts, so the setting shapes every step
        change(options);
        using SemiSupervisedGanTransformer model = ml.Gan().SemiSupervisedClassifier(options).Fit(FewLabels(ml));
        return [.. model.Transform(SyntheticImages.LoadLabelled(ml, 20)).GetColumn<float[]>("Score").SelectMany(s => s)];
    }

    [Test]
    public void SelfTrainingTrainsAFreshCnnAfterTheGanAndTheZipKeepsIt()
    {
        var ml = new MLContext(1);
        IDataView validation = SyntheticImages.LoadLabelled(ml, 40);
        SemiSupervisedGanOptions options = FastOptions();
        options.SelfTrainingEpochs = 3;
        options.PseudoLabelConfidence = 0;   // every unlabelled row joins
        using SemiSupervisedGanTransformer gan = ml.Gan().SemiSupervisedClassifier(FastOptions()).Fit(FewLabels(ml), validation);
        using SemiSupervisedGanTransformer student = ml.Gan().SemiSupervisedClassifier(options).Fit(FewLabels(ml), validation);
        int ganEpochs = gan.History.Count;

        Assert.That(student.History.Select(e => e.SelfTraining), Is.EqualTo(Enumerable.Repeat(false, ganEpochs).Concat(Enumerable.Repeat(true, 3))));
        Assert.That(student.History.Select(e => e.Epoch), Is.EqualTo(Enumerable.Range(1, ganEpochs + 3)));
        Assert.That(student.History.Take(ganEpochs).Select(e => (e.LabelledLoss, e.GeneratorLoss, e.ValidationAccuracy)),
            Is.EqualTo(gan.History.Select(e => (e.LabelledLoss, e.GeneratorLoss, e.ValidationAccuracy))), "the GAN trains as it does without self-training");
        Assert.That(student.History.Skip(ganEpochs).Select(e => e.ValidationAccuracy), Has.All.Not.Null);
        Assert.That((gan.Network, student.Network), Is.EqualTo((SemiSupervisedNetwork.Mlp, SemiSupervisedNetwork.Cnn)));
        Assert.That((gan.PseudoLabelledRows, student.PseudoLabelledRows), Is.EqualTo((0, 120)), "128 rows, 8 of them labelled, confidence 0");
        float[] Scores(ITransformer model) => [.. model.Transform(validation).GetColumn<float[]>("Score").SelectMany(s => s)];
        Assert.That(Scores(student), Is.Not.EqualTo(Scores(gan)));

        string path = Path.Combine(Scratch, "student.zip");
        student.Save(path);
        using SemiSupervisedGanTransformer loaded = ml.Gan().LoadClassifier(path);
        Assert.That((loaded.Network, loaded.PseudoLabelledRows), Is.EqualTo((SemiSupervisedNetwork.Cnn, 120)));
        Assert.That(loaded.History.Select(e => e.SelfTraining), Is.EqualTo(student.History.Select(e => e.SelfTraining)));
        Assert.That(Scores(new MLContext(2).LoadModel(path, out _)), Is.EqualTo(Scores(student)), "stock ML.NET scores with the student");
    }

    [Test]
    public void ASecondSelfTrainingRoundTeachesAFreshStudentAfterTheFirstAndTheZipSaysSo()
    {
        var ml = new MLContext(1);
        IDataView validation = SyntheticImages.LoadLabelled(ml, 40);
        using SemiSupervisedGanTransformer one = ml.Gan().SemiSupervisedClassifier(TwoSelfTrainingEpochs(o => o.SelfTrainingRounds = 1)).Fit(FewLabels(ml), validation);
        using SemiSupervisedGanTransformer two = ml.Gan().SemiSupervisedClassifier(TwoSelfTrainingEpochs(o => o.SelfTrainingRounds = 2)).Fit(FewLabels(ml), validation);
        int epochs = one.History.Count;

        Assert.That(two.History.Select(e => e.Epoch), Is.EqualTo(Enumerable.Range(1, epochs + 2)));
        Assert.That(two.History.Skip(epochs - 2).Select(e => e.SelfTraining), Is.EqualTo(new[] { true, true, true, true }));
        Assert.That(two.History.Take(epochs).Select(e => (e.LabelledLoss, e.ValidationAccuracy)), Is.EqualTo(one.History.Select(e => (e.LabelledLoss, e.ValidationAccuracy))),
            "the first round trains as it does alone");
        Assert.That((one.SelfTrainingRounds, two.SelfTrainingRounds), Is.EqualTo((1, 2)));
        float[] Scores(ITransformer model) => [.. model.Transform(validation).GetColumn<float[]>("Score").SelectMany(s => s)];
        Assert.That(Scores(two), Is.Not.EqualTo(Scores(one)), "the second round's student is saved");

        string path = Path.Combine(Scratch, "two-rounds.zip");
        two.Save(path);
        using SemiSupervisedGanTransformer loaded = ml.Gan().LoadClassifier(path);
        Assert.That((loaded.SelfTrainingRounds, loaded.PseudoLabelledRows), Is.EqualTo((2, two.PseudoLabelledRows)));
        Assert.That(Scores(loaded), Is.EqualTo(Scores(two)));
    }

    [Test]
    public void TheStudentsConsistencyTermChangesOnlyTheStudentAndTheZipSaysSo()
    {
        var ml = new MLContext(1);
        IDataView validation = SyntheticImages.LoadLabelled(ml, 40);
        SemiSupervisedGanTransformer Fit(bool consistency) =>
            ml.Gan().SemiSupervisedClassifier(TwoSelfTrainingEpochs(o => o.StudentConsistency = consistency)).Fit(FewLabels(ml), validation);

        using SemiSupervisedGanTransformer plain = Fit(false);
        using SemiSupervisedGanTransformer consistent = Fit(true);
        int ganEpochs = plain.History.Count(e => !e.SelfTraining);

        Assert.That(consistent.History.Take(ganEpochs).Select(e => (e.LabelledLoss, e.ValidationAccuracy)),
            Is.EqualTo(plain.History.Take(ganEpochs).Select(e => (e.LabelledLoss, e.ValidationAccuracy))), "the GAN trains as without the option");
        Assert.That(consistent.PseudoLabelledRows, Is.EqualTo(plain.PseudoLabelledRows), "the teacher labels the same rows");
        Assert.That(consistent.History.Where(e => e.SelfTraining).Select(e => e.LabelledLoss), Is.Not.EqualTo(plain.History.Where(e => e.SelfTraining).Select(e => e.LabelledLoss)));
        Assert.That(consistent.History.Where(e => e.SelfTraining).Select(e => e.LabelledLoss), Has.All.GreaterThan(0).And.All.LessThan(double.PositiveInfinity));
        Assert.That((plain.StudentConsistency, consistent.StudentConsistency), Is.EqualTo((false, true)));

        string path = Path.Combine(Scratch, "consistent-student.zip");
        consistent.Save(path);
        using SemiSupervisedGanTransformer loaded = ml.Gan().LoadClassifier(path);
        float[] Scores(ITransformer model) => [.. model.Transform(validation).GetColumn<float[]>("Score").SelectMany(s => s)];
        Assert.That(loaded.StudentConsistency, Is.True);
        Assert.That(Scores(new MLContext(2).LoadModel(path, out _)), Is.EqualTo(Scores(consistent)), "stock ML.NET scores with the student");
        Assert.That(Scores(consistent), Is.Not.EqualTo(Scores(plain)));
    }

    [Test]
    public void TheStudentsStrongViewIsItsOwnChoiceAndTheZipKeepsIt()
    {
        var ml = new MLContext(1);
        IDataView validation = SyntheticImages.LoadLabelled(ml, 40);
        SemiSupervisedGanTransformer Fit(ConsistencyAugmentation view) => ml.Gan().SemiSupervisedClassifier(TwoSelfTrainingEpochs(o =>
        {
            o.StudentConsistency = true;
            o.StudentStrongAugmentation = view;
        })).Fit(FewLabels(ml), validation);

        Assert.That((new SemiSupervisedGanOptions().StudentConsistency, new SemiSupervisedGanOptions().StudentStrongAugmentation), Is.EqualTo((true, ConsistencyAugmentation.Affine)));
        using SemiSupervisedGanTransformer cutOut = Fit(ConsistencyAugmentation.AffineAndCutOut);
        using SemiSupervisedGanTransformer affine = Fit(ConsistencyAugmentation.Affine);
        int ganEpochs = cutOut.History.Count(e => !e.SelfTraining);

        Assert.That(affine.History.Take(ganEpochs).Select(e => (e.LabelledLoss, e.UnlabelledLoss, e.ValidationAccuracy)),
            Is.EqualTo(cutOut.History.Take(ganEpochs).Select(e => (e.LabelledLoss, e.UnlabelledLoss, e.ValidationAccuracy))), "the GAN keeps its own view");
        Assert.That(affine.History.Where(e => e.SelfTraining).Select(e => e.LabelledLoss), Is.Not.EqualTo(cutOut.History.Where(e => e.SelfTraining).Select(e => e.LabelledLoss)));
        Assert.That((cutOut.StudentStrongAugmentation, affine.StudentStrongAugmentation), Is.EqualTo((ConsistencyAugmentation.AffineAndCutOut, ConsistencyAugmentation.Affine)));

        string path = Path.Combine(Scratch, "affine-student.zip");
        affine.Save(path);
        using SemiSupervisedGanTransformer loaded = ml.Gan().LoadClassifier(path);
        Assert.That(loaded.StudentStrongAugmentation, Is.EqualTo(ConsistencyAugmentation.Affine));

        SemiSupervisedGanOptions undefined = TwoSelfTrainingEpochs(o => o.StudentStrongAugmentation = (ConsistencyAugmentation)7);
        Assert.That(() => ml.Gan().SemiSupervisedClassifier(undefined), Throws.InstanceOf<ArgumentOutOfRangeException>()
            .With.Message.Contains("SemiSupervisedGanOptions.StudentStrongAugmentation must be one of ShiftAndCutOut, AffineAndCutOut, Affine"));
    }

    [Test]
    public void PropagatingLabelsChangesOnlyTheStudentAndTheZipSaysSo()
    {
        var ml = new MLContext(1);
        IDataView validation = SyntheticImages.LoadLabelled(ml, 40);
        SemiSupervisedGanTransformer Fit(bool propagate) =>
            ml.Gan().SemiSupervisedClassifier(TwoSelfTrainingEpochs(o => o.PropagateLabels = propagate)).Fit(FewLabels(ml), validation);

        Assert.That(new SemiSupervisedGanOptions().PropagateLabels, Is.False);
        using SemiSupervisedGanTransformer plain = Fit(false);
        using SemiSupervisedGanTransformer propagated = Fit(true);
        int ganEpochs = plain.History.Count(e => !e.SelfTraining);

        Assert.That(propagated.History.Take(ganEpochs).Select(e => (e.LabelledLoss, e.UnlabelledLoss, e.ValidationAccuracy)),
            Is.EqualTo(plain.History.Take(ganEpochs).Select(e => (e.LabelledLoss, e.UnlabelledLoss, e.ValidationAccuracy))), "the GAN trains as without the option");
        Assert.That(propagated.History.Where(e => e.SelfTraining).Select(e => e.LabelledLoss),
            Is.Not.EqualTo(plain.History.Where(e => e.SelfTraining).Select(e => e.LabelledLoss)), "the student learns other classes");
        Assert.That(propagated.PseudoLabelledRows, Is.EqualTo(plain.PseudoLabelledRows), "of the rows the teacher chose");
        Assert.That((plain.PropagateLabels, propagated.PropagateLabels), Is.EqualTo((false, true)));

        string path = Path.Combine(Scratch, "propagated-student.zip");
        propagated.Save(path);
        using SemiSupervisedGanTransformer loaded = ml.Gan().LoadClassifier(path);
        Assert.That(loaded.PropagateLabels, Is.True);
        Dictionary<string, string> properties = global::Onnx.ModelProto.Parser.ParseFrom(propagated.GetOnnxModel()).MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.That(properties["gan.training.propagate_labels"], Is.EqualTo("true"));
        properties.Remove("gan.training.propagate_labels");
        Assert.That(ClassifierMetadata.FromProperties(properties, "x").Training.PropagateLabels, Is.False, "zips from before the option did not propagate");
    }

    [Test]
    public void StudentChannelsWidenOnlyTheStudentAndTheZipSaysSo()
    {
        var ml = new MLContext(1);
        IDataView validation = SyntheticImages.LoadLabelled(ml, 40);
        SemiSupervisedGanTransformer Fit(int channels) =>
            ml.Gan().SemiSupervisedClassifier(TwoSelfTrainingEpochs(o => o.StudentChannels = channels)).Fit(FewLabels(ml), validation);

        Assert.That(new SemiSupervisedGanOptions().StudentChannels, Is.EqualTo(32).And.EqualTo(CnnSemiSupervisedDiscriminator.DefaultChannels), "the width every student had before the option");
        using SemiSupervisedGanTransformer narrow = Fit(32);
        using SemiSupervisedGanTransformer wide = Fit(48);
        int ganEpochs = narrow.History.Count(e => !e.SelfTraining);

        Assert.That(wide.History.Take(ganEpochs).Select(e => (e.LabelledLoss, e.UnlabelledLoss, e.ValidationAccuracy)),
            Is.EqualTo(narrow.History.Take(ganEpochs).Select(e => (e.LabelledLoss, e.UnlabelledLoss, e.ValidationAccuracy))), "the GAN trains as without the option");
        Assert.That(wide.History.Where(e => e.SelfTraining).Select(e => e.LabelledLoss),
            Is.Not.EqualTo(narrow.History.Where(e => e.SelfTraining).Select(e => e.LabelledLoss)), "another student learns");
        Assert.That((narrow.StudentChannels, wide.StudentChannels), Is.EqualTo(((int?)32, (int?)48)));
        global::Onnx.ModelProto graph = global::Onnx.ModelProto.Parser.ParseFrom(wide.GetOnnxModel());
        Assert.That(graph.Graph.Initializer.Where(t => t.Dims.Count == 4).Select(t => t.Dims[0]), Is.EqualTo(new long[] { 48, 48 }), "the saved graph is the wide student");

        string path = Path.Combine(Scratch, "wide-student.zip");
        wide.Save(path);
        using SemiSupervisedGanTransformer loaded = ml.Gan().LoadClassifier(path);
        Assert.That(loaded.StudentChannels, Is.EqualTo(48));
        Assert.That(loaded.Transform(validation).GetColumn<float[]>("Score").SelectMany(s => s), Is.EqualTo(wide.Transform(validation).GetColumn<float[]>("Score").SelectMany(s => s)));
        Dictionary<string, string> properties = graph.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.That(properties["gan.training.student_channels"], Is.EqualTo("48"));
        properties.Remove("gan.training.student_channels");
        Assert.That(ClassifierMetadata.FromProperties(properties, "x").Training.StudentChannels, Is.EqualTo(32), "students from before the option had 32");

        using SemiSupervisedGanTransformer noStudent = ml.Gan().SemiSupervisedClassifier(FastOptions()).Fit(FewLabels(ml));
        Assert.That(noStudent.StudentChannels, Is.Null);
        Assert.That(global::Onnx.ModelProto.Parser.ParseFrom(noStudent.GetOnnxModel()).MetadataProps.Select(p => p.Key), Has.None.EqualTo("gan.training.student_channels"));
    }

    [Test]
    public void WithoutAStudentTheStudentsConsistencyTermIsOffAndTheZipSaysSo()
    {
        var ml = new MLContext(1);
        SemiSupervisedGanOptions options = FastOptions();   // no self-training, the term on by default
        Assert.That((options.SelfTrainingEpochs, options.StudentConsistency), Is.EqualTo((0, true)));

        using SemiSupervisedGanTransformer model = ml.Gan().SemiSupervisedClassifier(options).Fit(FewLabels(ml));

        Assert.That((model.StudentConsistency, model.StudentStrongAugmentation), Is.EqualTo((false, (ConsistencyAugmentation?)null)));
        Dictionary<string, string> properties = global::Onnx.ModelProto.Parser.ParseFrom(model.GetOnnxModel()).MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.That(properties["gan.training.student_consistency"], Is.EqualTo("false"));
    }

    [Test]
    public void SelfTrainingOnFewerRowsThanABatchTakesThemAllInOneStep()
    {
        var ml = new MLContext(1);
        SemiSupervisedGanOptions options = FastOptions();
        options.SelfTrainingEpochs = 2;
        options.PseudoLabelConfidence = 1;   // (almost) no unlabelled row is that sure: the 8 labelled rows, half a batch of 16

        using SemiSupervisedGanTransformer model = ml.Gan().SemiSupervisedClassifier(options).Fit(FewLabels(ml));

        Assert.That(model.PseudoLabelledRows, Is.LessThan(8));
        Assert.That(model.History.Count(e => e.SelfTraining), Is.EqualTo(2));
        Assert.That(model.History.Where(e => e.SelfTraining).Select(e => e.LabelledLoss), Has.All.GreaterThan(0).And.All.LessThan(double.PositiveInfinity));
    }

    [Test]
    public void SelfTrainingLearnsTheLabelledRowsAndTheConfidentUnlabelledOnesWithTheTeachersClass()
    {
        using var probabilities = torch.tensor(new float[] { 0.90f, 0.10f, 0.40f, 0.60f, 0.97f, 0.03f, 0.50f, 0.50f, 0.01f, 0.99f }, [5, 2]);
        using var classes = torch.tensor(new long[] { -1, -1, -1, 1, 0 });

        (Tensor rows, Tensor labels) = SemiSupervisedTrainer.PseudoLabels(probabilities, classes, 0.95f);
        using (rows)
        using (labels)
        {
            // Row 2 is sure enough, rows 0 and 1 are not; rows 3 and 4 keep their own class whatever the teacher says.
            Assert.That(rows.data<long>().ToArray(), Is.EqualTo(new long[] { 2, 3, 4 }));
            Assert.That(labels.data<long>().ToArray(), Is.EqualTo(new long[] { 0, 1, 0, 1, 0 }));
        }

        // With another choice of classes (the graph's, LabelPropagation.Combine) the teacher still picks the rows; labelled rows keep theirs.
        using var chosen = torch.tensor(new long[] { 1, 1, 1, 0, 1 });
        (Tensor sameRows, Tensor chosenLabels) = SemiSupervisedTrainer.PseudoLabels(probabilities, classes, 0.95f, chosen);
        using (sameRows)
        using (chosenLabels)
        {
            Assert.That(sameRows.data<long>().ToArray(), Is.EqualTo(new long[] { 2, 3, 4 }));
            Assert.That(chosenLabels.data<long>().ToArray(), Is.EqualTo(new long[] { 1, 1, 1, 1, 0 }));
        }
    }

    [TestCase(nameof(SemiSupervisedGanOptions.SelfTrainingEpochs), "SemiSupervisedGanOptions.SelfTrainingEpochs must be at least 0")]
    [TestCase(nameof(SemiSupervisedGanOptions.PseudoLabelConfidence), "SemiSupervisedGanOptions.PseudoLabelConfidence must lie in [0, 1]")]
    [TestCase(nameof(SemiSupervisedGanOptions.SelfTrainingRounds), "SemiSupervisedGanOptions.SelfTrainingRounds must be at least 1")]
    [TestCase(nameof(SemiSupervisedGanOptions.StudentChannels), "SemiSupervisedGanOptions.StudentChannels must be at least 1")]
    public void ABadSelfTrainingOptionIsAnErrorNamingIt(string option, string message)
    {
        var ml = new MLContext(1);
        SemiSupervisedGanOptions options = FastOptions();
        if (option == nameof(SemiSupervisedGanOptions.SelfTrainingEpochs))
        {
            options.SelfTrainingEpochs = -1;
        }
        else if (option == nameof(SemiSupervisedGanOptions.SelfTrainingRounds))
        {
            options.SelfTrainingRounds = 0;
        }
        else if (option == nameof(SemiSupervisedGanOptions.StudentChannels))
        {
            options.StudentChannels = 0;
        }
        else
        {
            options.PseudoLabelConfidence = 1.5f;
        }

        Assert.That(() => ml.Gan().SemiSupervisedClassifier(options), Throws.InstanceOf<ArgumentException>().With.Message.Contains(message));
    }

    private static IEnumerable<TestCaseData> BadInputs()
    {
        static TestCaseData Case(string name, Func<MLContext, IDataView> data, string message) => new TestCaseData(data, message).SetArgDisplayNames(name);
        yield return Case("a class without labels", ml => WithoutLabelsOfClass(ml, 3), "no labelled row for 1 of its 4 classes (keys 4)");
        yield return Case("no unlabelled rows", ml => SyntheticImages.LoadLabelled(ml, 64), "ordinary supervised training would do");
        yield return Case("an integer label", ml => SyntheticImages.LoadIntegerLabelled(ml, 64), "needs a key type");
        yield return Case("NaN pixels", ml => ml.Gan().Data.KeepLabels(ml.Data.LoadFromEnumerable(Enumerable.Range(0, 16).Select(i => new SyntheticImages.LabelledRow
            { Label = (uint)(i % 4), Pixels = i == 9 ? [.. SyntheticImages.Square(i).Select(_ => float.NaN)] : SyntheticImages.Square(i) })), 1, 1), "non-finite value (NaN)");
        yield return Case("no pixel column", ml => ml.Data.LoadFromEnumerable(new[] { new { Label = 1u } }), "Pixel column 'Pixels' not found");
    }

    /// <summary>64 squares of 4 classes, every row labelled but those of <paramref name="missing"/>, which are all unlabelled.</summary>
    private static IDataView WithoutLabelsOfClass(MLContext ml, int missing)
    {
        // MapValueToKey maps a value its key data does not hold to the missing key; the key count stays 4.
        IDataView data = SyntheticImages.LoadIntegerLabelled(ml, 64);
        IDataView keys = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(c => new { Label = c == missing ? 99 : c }));
        return ml.Transforms.Conversion.MapValueToKey("Label", keyData: keys).Fit(data).Transform(data);
    }

    [TestCaseSource(nameof(BadInputs))]
    public void BadInputIsAnErrorNamingTheColumnAndTheProblem(Func<MLContext, IDataView> data, string message)
    {
        var ml = new MLContext(1);
        var error = Assert.Throws(Is.InstanceOf<Exception>(), () => ml.Gan().SemiSupervisedClassifier(FastOptions()).Fit(data(ml)));
        Assert.That(error!.Message, Does.Contain(message));
    }

    [Test]
    public void AClassifierForOtherImagesRefusesThemNamingTheColumn()
    {
        var ml = new MLContext(1);
        using SemiSupervisedGanTransformer model = ml.Gan().SemiSupervisedClassifier(FastOptions()).Fit(FewLabels(ml));
        IDataView wrongSize = ml.Data.LoadFromEnumerable(new[] { new SyntheticImages.ByteRow { Pixels = new byte[64] } });

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(wrongSize));
        Assert.That(error!.Message, Does.Contain("Schema mismatch for pixel column 'Pixels'").And.Contain("Vector<Single, 8, 8>"));
    }

    [Test]
    public void TheGraphSaysWhatItIs()
    {
        var ml = new MLContext(1);
        SemiSupervisedGanOptions options = FastOptions();
        (options.ConsistencyWeight, options.ConsistencyStartShare) = (0.75f, 0.5f);
        using SemiSupervisedGanTransformer model = ml.Gan().SemiSupervisedClassifier(options).Fit(FewLabels(ml));
        var onnx = global::Onnx.ModelProto.Parser.ParseFrom(model.GetOnnxModel());
        Dictionary<string, string> properties = onnx.MetadataProps.ToDictionary(p => p.Key, p => p.Value);

        Assert.That(properties["gan.kind"], Is.EqualTo("semi-supervised-classifier"));
        Assert.That(properties["gan.label.class_count"], Is.EqualTo("4"));
        Assert.That(properties["gan.training.labelled_rows"], Is.EqualTo("8"));
        Assert.That(properties["gan.training.network"], Is.EqualTo(new SemiSupervisedGanOptions().Network.ToString()));
        Assert.That(ClassifierMetadata.FromProperties(properties, "x").Training.Network, Is.EqualTo(new SemiSupervisedGanOptions().Network));
        Assert.That((properties["gan.training.self_training_epochs"], properties["gan.training.pseudo_labelled_rows"], properties["gan.training.self_training_rounds"],
            properties["gan.training.student_consistency"]), Is.EqualTo(("0", "0", "1", "false")));
        Assert.That(properties.ContainsKey("gan.training.student_strong_augmentation"), Is.False, "no view without the student's term");
        Assert.That(ClassifierMetadata.FromProperties(properties, "x").Training.StudentStrongAugmentation, Is.Null);
        Assert.That((properties["gan.training.consistency_weight"], properties["gan.training.consistency_start_share"]), Is.EqualTo(("0.75", "0.5")));
        Assert.That(properties["gan.training.propagate_labels"], Is.EqualTo("false"));
        Assert.That((model.ConsistencyWeight, model.ConsistencyStartShare), Is.EqualTo(((float?)0.75f, 0.5f)));
        properties["gan.training.consistency_start_share"] = "half";
        Assert.That(() => ClassifierMetadata.FromProperties(properties, "x"), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("'gan.training.consistency_start_share' = 'half'; expected a number"));
        properties.Remove("gan.training.consistency_weight");
        properties.Remove("gan.training.consistency_start_share");
        ClassifierTraining unrecorded = ClassifierMetadata.FromProperties(properties, "x").Training;
        Assert.That((unrecorded.ConsistencyWeight, unrecorded.ConsistencyStartShare), Is.EqualTo(((float?)null, 0f)), "zips from before they were recorded: the weight unknown, the term from the first step");
        properties["gan.training.student_consistency"] = "maybe";
        Assert.That(() => ClassifierMetadata.FromProperties(properties, "x"), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("'gan.training.student_consistency' = 'maybe'; expected true or false"));
        properties["gan.training.student_consistency"] = "true";
        Assert.That(ClassifierMetadata.FromProperties(properties, "x").Training.StudentConsistency, Is.True);
        Assert.That(ClassifierMetadata.FromProperties(properties, "x").Training.StudentStrongAugmentation, Is.EqualTo(ConsistencyAugmentation.AffineAndCutOut),
            "zips written before the choice used the GAN's default view");
        properties["gan.training.student_strong_augmentation"] = "Blur";
        Assert.That(() => ClassifierMetadata.FromProperties(properties, "x"), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains("'gan.training.student_strong_augmentation' = 'Blur'; expected one of ShiftAndCutOut, AffineAndCutOut, Affine"));
        properties.Remove("gan.training.student_strong_augmentation");
        properties["gan.training.self_training_rounds"] = "3";
        Assert.That(ClassifierMetadata.FromProperties(properties, "x").Training.SelfTrainingRounds, Is.EqualTo(3));
        properties.Remove("gan.training.self_training_epochs");
        properties.Remove("gan.training.pseudo_labelled_rows");
        properties.Remove("gan.training.self_training_rounds");
        properties.Remove("gan.training.network");
        properties.Remove("gan.training.student_consistency");
        Assert.That(ClassifierMetadata.FromProperties(properties, "x").Training, Is.EqualTo(new ClassifierTraining(128, 8, 30, 1, null, SemiSupervisedNetwork.Mlp, 0, 0, 1, false)),
            "zips from before the choice hold the MLP, without self-training, in one round, without the student's consistency term");
        foreach ((string key, string value, string expected) in new[]
        {
            ("gan.pixels.dimensions", "8 x eight", "'gan.pixels.dimensions' = '8 x eight'; expected positive sizes"),
            ("gan.pixels.dimensions", "3 x 5", "'gan.pixels.dimensions' = '3 x 5'; expected 64 values, the image shape's"),
            ("gan.pixels.max_value", "max", "'gan.pixels.max_value' = 'max'; expected a number"),
            ("gan.label.key_values", "[\"a\"]", "'gan.label.key_values' = '[\"a\"]'; expected 4 key values, one per class"),
            ("gan.label.key_values", "{", "'gan.label.key_values' = '{'; expected a JSON array of text"),
        })
        {
            var edited = new Dictionary<string, string>(properties) { [key] = value };
            Assert.That(() => ClassifierMetadata.FromProperties(edited, "Model 'x.zip'"), Throws.InstanceOf<InvalidDataException>().With.Message.StartsWith("Model 'x.zip' has metadata entry")
                .And.Message.Contains(expected), key);
        }

        var missing = new Dictionary<string, string>(properties);
        missing.Remove("gan.training.rows");
        Assert.That(() => ClassifierMetadata.FromProperties(missing, "Model 'x.zip'"), Throws.InstanceOf<InvalidDataException>()
            .With.Message.EqualTo("Model 'x.zip' has no metadata entry 'gan.training.rows'; expected a Microsoft.ML.Gan classifier's metadata."));
        properties["gan.minimum_reader_version"] = "2";
        Assert.That(() => ClassifierMetadata.FromProperties(properties, "Model 'x.zip'"),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("needs a reader of version 2").And.Message.Contains("Update Microsoft.ML.Gan"));
    }
}
