using Microsoft.ML.Gan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>
/// Label propagation for the student's classes: labels follow a chain of similar images rather than going to the nearest
/// labelled one, slant correction uprights and centres a stroke, and the product with the classifier lets a clear graph
/// overrule a sure classifier but not a vague one.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class LabelPropagationTests
{
    private static readonly ImageShape Small = new(1, 9, 9);

    /// <summary>A 9 × 9 image with ink where <paramref name="ink"/> says, flattened.</summary>
    private static float[] Image(Func<int, int, bool> ink) => [.. Enumerable.Range(0, 81).Select(i => ink(i / 9, i % 9) ? 1f : 0f)];

    private static readonly float[] Plus = Image((y, x) => y == 4 || x == 4);
    private static readonly float[] Ring = Image((y, x) => y is 0 or 8 || x is 0 or 8);
    private static readonly float[] RingAndPlus = Image((y, x) => y is 0 or 8 || x is 0 or 8 || y == 4 || x == 4);

    private static double Cosine(float[] a, float[] b) => a.Zip(b, (p, q) => (double)p * q).Sum() / Math.Sqrt(a.Sum(p => (double)p * p) * b.Sum(q => (double)q * q));

    [Test]
    public void LabelsFollowAChainOfSimilarImagesRatherThanGoingToTheNearestLabelledOne()
    {
        // Class 0: a plus, labelled, and 40 unlabelled images fading from it into a ring. Class 1: a ring with a plus in it,
        // labelled, and 20 unlabelled copies of it a little brighter or darker in the middle. The ring at the chain's end is
        // nearer class 1's labelled image than class 0's, yet the chain ties it to class 0.
        var rows = new List<float[]> { Plus, RingAndPlus };
        var classes = new List<long> { 0, 1 };
        for (int i = 1; i <= 40; i++)
        {
            float t = i / 40f;
            rows.Add([.. Plus.Zip(Ring, (p, r) => ((1 - t) * p) + (t * r))]);
            classes.Add(-1);
        }

        for (int i = 0; i < 20; i++)
        {
            float centre = 0.5f + (i / 19f);
            rows.Add([.. RingAndPlus.Select((v, j) => j == 40 ? centre : v)]);
            classes.Add(-1);
        }

        Assert.That(Cosine(Ring, RingAndPlus), Is.GreaterThan(Cosine(Ring, Plus) + 0.5), "the chain's end is nearer the other class's labelled image");
        using var scope = torch.NewDisposeScope();
        Tensor images = torch.tensor(rows.SelectMany(r => r).ToArray(), [rows.Count, Small.Size]);

        Tensor propagated = LabelPropagation.Propagate(images, torch.tensor(classes.ToArray()), Small, 2, CancellationToken.None);

        long[] predicted = propagated.argmax(1).data<long>().ToArray();
        Assert.That(propagated.shape, Is.EqualTo(new long[] { rows.Count, 2 }));
        Assert.That(propagated.sum(1).data<float>().ToArray(), Has.All.EqualTo(1f).Within(1e-5), "a probability per class");
        Assert.That(predicted[2..42], Has.All.EqualTo(0L), "the chain, ring included, is class 0");
        Assert.That(predicted[42..], Has.All.EqualTo(1L), "the copies of the ring with a plus are class 1");
        Assert.That(predicted[..2], Is.EqualTo(new long[] { 0, 1 }), "labelled images keep their class");
    }

    [Test]
    public void SlantCorrectionUprightsAndCentresAStroke()
    {
        // A stroke leaning right (x grows as y falls), off centre.
        float[] leaning = new float[28 * 28];
        for (int y = 6; y < 22; y++)
        {
            leaning[(y * 28) + 8 + ((22 - y) / 2)] = 1f;
        }

        using var scope = torch.NewDisposeScope();
        var shape = new ImageShape(1, 28, 28);
        float[] upright = LabelPropagation.Deskew(torch.tensor(leaning, [1, 784]), shape).data<float>().ToArray();

        static (double X, double Y, double Slant) Moments(float[] image)
        {
            double mass = image.Sum(), x = 0, y = 0;
            for (int i = 0; i < image.Length; i++)
            {
                (x, y) = (x + (image[i] * (i % 28)), y + (image[i] * (i / 28)));
            }

            (x, y) = (x / mass, y / mass);
            double covariance = 0, variance = 0;
            for (int i = 0; i < image.Length; i++)
            {
                covariance += image[i] * ((i % 28) - x) * ((i / 28) - y);
                variance += image[i] * ((i / 28) - y) * ((i / 28) - y);
            }

            return (x, y, covariance / variance);
        }

        (double x0, double y0, double slant0) = Moments(leaning);
        (double x1, double y1, double slant1) = Moments(upright);
        Assert.That(slant0, Is.LessThan(-0.4), "the stroke leans");
        Assert.That(x0, Is.LessThan(13), "and sits left of centre");
        Assert.That(Math.Abs(slant1), Is.LessThan(0.1), "upright after correction");
        Assert.That((x1, y1), Is.EqualTo((13.5, 13.5)).Using<(double, double)>((a, b) => Math.Abs(a.Item1 - b.Item1) < 0.5 && Math.Abs(a.Item2 - b.Item2) < 0.5), "centred");
        Assert.That(upright.Sum(), Is.EqualTo(leaning.Sum()).Within(1.5), "the ink stays");

        float[] blank = LabelPropagation.Deskew(torch.zeros(1, 784), shape).data<float>().ToArray();
        Assert.That(blank, Has.All.EqualTo(0f), "a blank image stays blank");
    }

    [Test]
    public void AClearGraphOverrulesASureClassifierButAVagueOneDoesNot()
    {
        using var scope = torch.NewDisposeScope();
        static Tensor Peaked(int best, float p) => torch.tensor([.. Enumerable.Range(0, 10).Select(c => c == best ? p : (1 - p) / 9)], [1, 10]);
        Tensor sure = Peaked(2, 0.99f);

        long Combined(Tensor propagated) => LabelPropagation.Classes(sure, propagated).item<long>();

        Assert.That(Combined(Peaked(7, 0.9f)), Is.EqualTo(7), "the graph says 7 clearly");
        Assert.That(Combined(Peaked(7, 0.12f)), Is.EqualTo(2), "the graph leans to 7 only a little");
        Tensor rows = LabelPropagation.Classes(torch.cat([sure, sure], 0), torch.cat([Peaked(7, 0.9f), Peaked(7, 0.12f)], 0));
        Assert.That(rows.data<long>().ToArray(), Is.EqualTo(new long[] { 7, 2 }), "a class per row, each row on its own");
    }
}
