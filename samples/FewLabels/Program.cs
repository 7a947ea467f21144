// 100 labelled MNIST digits and 59,900 unlabelled ones: a semi-supervised GAN classifier, then labelled synthetic
// rows from a conditional GAN trained on what the classifier labels, handed to an ordinary ML.NET trainer.
// Run: dotnet run --project samples/FewLabels -c Release -- 10 15   (classifier epochs, generator epochs)
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan;
using Microsoft.ML.Runtime;

int classifierEpochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
int generatorEpochs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15;

var ml = new MLContext(seed: 1);
ml.Log += (_, e) =>                                                // without a logger in the options, training reports here
{
    if (e.Kind == ChannelMessageKind.Info && (e.RawMessage.StartsWith("Epoch", StringComparison.Ordinal) || e.RawMessage.StartsWith("Self-training", StringComparison.Ordinal)))
    {
        Console.WriteLine(e.RawMessage);
    }
};
IDataView train = ml.Gan().Data.LoadMnist(MnistSplit.Train);
IDataView test = ml.Gan().Data.LoadMnist(MnistSplit.Test);
IDataView fewLabels = ml.Data.Cache(ml.Gan().Data.KeepLabels(train, labelsPerClass: 10, seed: 1));  // every other Label is missing (key 0)

// 1. The classifier: a GAN's discriminator that learns from the labelled and the unlabelled images, then a fresh CNN
//    self-trained on the images it is sure of (SelfTrainingEpochs, 20 by default).
var classifierOptions = new SemiSupervisedGanOptions { Budget = TrainingBudget.OfEpochs(classifierEpochs) };
using SemiSupervisedGanTransformer classifier = ml.Gan().SemiSupervisedClassifier(classifierOptions).Fit(fewLabels);
MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(classifier.Transform(test));  // Score, PredictedLabel
Console.WriteLine($"Semi-supervised GAN, 100 labels: test accuracy {metrics.MicroAccuracy:P2}");
classifier.Save("few-labels-classifier.zip");                     // stock ML.NET loads and scores it

// 2. Labelled synthetic rows: the unlabelled images the classifier is sure of take its label; a conditional GAN learns them all.
IDataView labelled = classifier.LabelUnlabelledRows(fewLabels, minimumConfidence: 0.95f);
GanOptions recipe = GanOptions.SyntheticDataRecipe();
recipe.Budget = TrainingBudget.OfEpochs(generatorEpochs);
using GanTransformer generator = ml.Gan().Generator(recipe).Fit(labelled);
IDataView synthetic = generator.GenerateTrainingRows(20_000, seed: 2);  // Label and Pixels, typed as the training rows

// 3. Any ML.NET trainer takes them: the 100 real labels alone against the synthetic rows.
var maxEnt = ml.Transforms.CopyColumns("Features", "Pixels").Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy());
IDataView realOnly = ml.Data.FilterRowsByMissingValues(fewLabels, "Label");
foreach ((string name, IDataView rows) in new[] { ("the 100 labelled images", realOnly), ("20,000 synthetic rows", synthetic) })
{
    double accuracy = ml.MulticlassClassification.Evaluate(maxEnt.Fit(rows).Transform(test)).MicroAccuracy;
    Console.WriteLine($"LbfgsMaximumEntropy on {name}: test accuracy {accuracy:P2}");
}
