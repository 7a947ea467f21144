using Microsoft.ML.Gan.Evaluation;

namespace Microsoft.ML.Gan.Tests.Evaluation;

[Category(TestCategories.Fast)]
public sealed class FeatureStatisticsTests
{
    private static double[,] Gaussian(int rows, int dimensions, double shift, double scale, int seed)
    {
        var random = new Random(seed);
        var result = new double[rows, dimensions];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < dimensions; j++)
            {
                double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
                result[i, j] = shift + (scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            }
        }

        return result;
    }

    [Test]
    public void FidOfASetWithItselfIsZero()
    {
        double[,] a = Gaussian(500, 8, 0, 1, 1);
        Assert.That(FeatureStatistics.FrechetDistance(a, a), Is.EqualTo(0).Within(1e-8));
    }

    [Test]
    public void FidMatchesTheClosedFormForShiftedAndScaledGaussians()
    {
        // N(0, I) vs N(m, s² I) in d dimensions: d m² + d (1 + s² − 2 s).
        const int d = 6;
        double[,] a = Gaussian(20_000, d, 0, 1, 2);
        double[,] b = Gaussian(20_000, d, 0.5, 2, 3);
        double expected = (d * 0.25) + (d * (1 + 4 - 4));
        Assert.That(FeatureStatistics.FrechetDistance(a, b), Is.EqualTo(expected).Within(0.15));
    }

    [Test]
    public void SymmetricSquareRootSquaresBack()
    {
        double[,] covariance = FeatureStatistics.MeanAndCovariance(Gaussian(200, 5, 0, 1, 4)).Covariance;
        double[,] root = FeatureStatistics.SymmetricSqrt(covariance);
        for (int i = 0; i < 5; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                double product = Enumerable.Range(0, 5).Sum(k => root[i, k] * root[k, j]);
                Assert.That(product, Is.EqualTo(covariance[i, j]).Within(1e-10));
            }
        }
    }

    [Test]
    public void KidIsNearZeroForOneDistributionAndPositiveForAnother()
    {
        double[,] a = Gaussian(1000, 8, 0, 1, 5), b = Gaussian(1000, 8, 0, 1, 6), c = Gaussian(1000, 8, 1, 1, 7);
        (double same, double sameSd) = FeatureStatistics.KernelDistance(a, b, 5, 500, 1);
        (double shifted, _) = FeatureStatistics.KernelDistance(a, c, 5, 500, 1);
        Assert.That(Math.Abs(same), Is.LessThan(3 * sameSd + 0.01));
        Assert.That(shifted, Is.GreaterThan(10 * Math.Abs(same)));
    }
}
