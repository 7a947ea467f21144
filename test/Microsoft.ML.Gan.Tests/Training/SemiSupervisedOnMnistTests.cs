namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>On real MNIST with 100 labels, the unlabelled images teach the classifier: the recipe beats the same network on the labels alone.</summary>
[Category(TestCategories.Slow)]
public sealed class SemiSupervisedOnMnistTests
{
    [TestCase(SemiSupervisedNetwork.Mlp)]
    [TestCase(SemiSupervisedNetwork.Cnn)]
    public void UnlabelledImagesRaiseTheAccuracyOfAHundredLabels(SemiSupervisedNetwork network)
    {
        var ml = new MLContext(1);
        IDataView train = ml.Data.Cache(ml.Gan().Data.KeepLabels(RealMnist.Load(ml, MnistSplit.Train, 20_000), labelsPerClass: 10, seed: 1));
        IDataView test = ml.Data.Cache(RealMnist.Load(ml, MnistSplit.Test, 2_000));
        double Accuracy(SemiSupervisedGanOptions options)
        {
            options.Budget = TrainingBudget.OfSteps(400);
            options.Seed = 1;
            options.Network = network;
            using SemiSupervisedGanTransformer model = ml.Gan().SemiSupervisedClassifier(options).Fit(train);
            return ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
        }

        double semiSupervised = Accuracy(new SemiSupervisedGanOptions { SelfTrainingEpochs = 0 });
        double labelsOnly = Accuracy(new SemiSupervisedGanOptions { UnlabelledWeight = 0, ConsistencyWeight = 0, SelfTrainingEpochs = 0 });

        TestContext.Out.WriteLine($"{network}, 100 labels, 400 steps: semi-supervised {semiSupervised:P2}, labels only {labelsOnly:P2}");
        Assert.That(semiSupervised, Is.GreaterThan(labelsOnly + 0.05), "the unlabelled images must add at least 5 points");
        Assert.That(semiSupervised, Is.GreaterThan(0.8));
    }

    [Test]
    public void SelfTrainingOnTheImagesTheGansClassifierIsSureOfBeatsThatClassifier()
    {
        var ml = new MLContext(1);
        IDataView train = ml.Data.Cache(ml.Gan().Data.KeepLabels(RealMnist.Load(ml, MnistSplit.Train, 20_000), labelsPerClass: 10, seed: 1));
        IDataView test = ml.Data.Cache(RealMnist.Load(ml, MnistSplit.Test, 2_000));
        (double Accuracy, int PseudoLabelled) Fit(int selfTrainingEpochs)
        {
            var options = new SemiSupervisedGanOptions { Budget = TrainingBudget.OfSteps(400), SelfTrainingEpochs = selfTrainingEpochs, Seed = 1 };
            using SemiSupervisedGanTransformer model = ml.Gan().SemiSupervisedClassifier(options).Fit(train);
            return (ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy, model.PseudoLabelledRows);
        }

        (double gan, _) = Fit(0);
        (double student, int pseudoLabelled) = Fit(3);

        TestContext.Out.WriteLine($"100 labels, 400 GAN steps: the GAN's classifier {gan:P2}; after 3 epochs of self-training on {pseudoLabelled} pseudo-labelled images {student:P2}");
        Assert.That(pseudoLabelled, Is.InRange(1_000, 19_900), "some but not all of the 19,900 unlabelled images are labelled with confidence 0.95");
        Assert.That(student, Is.GreaterThan(gan + 0.01), "the student must add at least a point");
    }
}
