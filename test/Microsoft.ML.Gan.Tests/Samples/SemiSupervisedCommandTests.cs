using Gan.Samples.Commands;

namespace Microsoft.ML.Gan.Tests.Samples;

/// <summary>What the semi-supervised verb prints about its classifier's errors.</summary>
[Category(TestCategories.Fast)]
public sealed class SemiSupervisedCommandTests
{
    [Test]
    public void TheErrorSummaryNamesTheMostFrequentPairsAndEachClassesErrors()
    {
        double[][] counts =
        [
            [50, 1, 0],   // true "cat": one taken for a dog
            [4, 40, 4],   // true "dog": four for a cat, four for a fox (a tie, in class order)
            [0, 7, 30],   // true "fox": seven for a dog
        ];

        string summary = SemiSupervisedCommand.ErrorSummary(counts, ["cat", "dog", "fox"], top: 3);

        Assert.That(summary, Is.EqualTo("Most frequent errors (true → predicted): fox → dog: 7, dog → cat: 4, dog → fox: 4; errors per true class: cat: 1, dog: 8, fox: 7"));
    }

    [Test]
    public void AClassifierWithoutErrorsSaysNone()
        => Assert.That(SemiSupervisedCommand.ErrorSummary([[3.0, 0], [0, 5.0]], ["0", "1"]),
            Is.EqualTo("Most frequent errors (true → predicted): none; errors per true class: 0: 0, 1: 0"));
}
