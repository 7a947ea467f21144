using System.Numerics;

namespace Microsoft.ML.Gan.Evaluation;

/// <summary>
/// The distances between two sets of feature vectors that GAN evaluation reports, in double precision:
/// the Fréchet distance between Gaussians fitted to them (FID; Heusel et al., 2017) and the unbiased
/// kernel MMD² with the cubic polynomial kernel (KID; Bińkowski et al., 2018).
/// </summary>
internal static class FeatureStatistics
{
    /// <summary>
    /// ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^½). The trace of the square root is Σ √λᵢ over the eigenvalues of
    /// Σ₁^½ Σ₂ Σ₁^½, which is symmetric, so two symmetric eigendecompositions suffice (no complex sqrtm).
    /// </summary>
    public static double FrechetDistance(double[,] first, double[,] second)
    {
        (double[] mean1, double[,] cov1) = MeanAndCovariance(first);
        (double[] mean2, double[,] cov2) = MeanAndCovariance(second);
        int d = mean1.Length;
        double meanTerm = 0;
        for (int i = 0; i < d; i++)
        {
            meanTerm += (mean1[i] - mean2[i]) * (mean1[i] - mean2[i]);
        }

        double[,] root1 = SymmetricSqrt(cov1);
        double[,] middle = Multiply(Multiply(root1, cov2), root1);
        Symmetrize(middle);
        double traceSqrt = SymmetricEigenvalues(middle).Sum(l => Math.Sqrt(Math.Max(l, 0)));
        double trace = 0;
        for (int i = 0; i < d; i++)
        {
            trace += cov1[i, i] + cov2[i, i];
        }

        // A distance: identical sets give 0, which rounding can turn into -1e-12.
        return Math.Max(0, meanTerm + trace - (2 * traceSqrt));
    }

    /// <summary>
    /// KID: the unbiased MMD² with k(x, y) = (xᵀy / d + 1)³, averaged over <paramref name="subsets"/> random
    /// subsets of <paramref name="subsetSize"/> rows from each set; returns the mean and standard deviation.
    /// </summary>
    public static (double Mean, double StandardDeviation) KernelDistance(double[,] first, double[,] second, int subsets, int subsetSize, int seed)
    {
        int m = Math.Min(subsetSize, Math.Min(first.GetLength(0), second.GetLength(0)));
        if (m < 2)
        {
            throw new ArgumentException("KID needs at least 2 rows in each set.");
        }

        var random = new Random(seed);
        double[][] x = Rows(first), y = Rows(second);
        var values = new double[subsets];
        for (int s = 0; s < subsets; s++)
        {
            double[][] a = Pick(x, m, random), b = Pick(y, m, random);
            double kxx = 0, kyy = 0, kxy = 0;
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < m; j++)
                {
                    if (i != j)
                    {
                        kxx += Kernel(a[i], a[j]);
                        kyy += Kernel(b[i], b[j]);
                    }

                    kxy += Kernel(a[i], b[j]);
                }
            }

            values[s] = (kxx / (m * (m - 1.0))) + (kyy / (m * (m - 1.0))) - (2 * kxy / ((double)m * m));
        }

        double mean = values.Average();
        double sd = subsets > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (subsets - 1)) : 0;
        return (mean, sd);
    }

    public static (double[] Mean, double[,] Covariance) MeanAndCovariance(double[,] rows)
    {
        int n = rows.GetLength(0), d = rows.GetLength(1);
        var mean = new double[d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                mean[j] += rows[i, j];
            }
        }

        for (int j = 0; j < d; j++)
        {
            mean[j] /= n;
        }

        var covariance = new double[d, d];
        var centred = new double[d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                centred[j] = rows[i, j] - mean[j];
            }

            for (int j = 0; j < d; j++)
            {
                double cj = centred[j];
                for (int k = j; k < d; k++)
                {
                    covariance[j, k] += cj * centred[k];
                }
            }
        }

        for (int j = 0; j < d; j++)
        {
            for (int k = j; k < d; k++)
            {
                covariance[j, k] /= n - 1;
                covariance[k, j] = covariance[j, k];
            }
        }

        return (mean, covariance);
    }

    /// <summary>Eigenvalues of a symmetric matrix by the cyclic Jacobi method (exact to rounding for our sizes).</summary>
    public static double[] SymmetricEigenvalues(double[,] matrix) => Jacobi(matrix, vectors: null);

    /// <summary>V diag(√max(λ, 0)) Vᵀ for a symmetric positive semi-definite matrix.</summary>
    public static double[,] SymmetricSqrt(double[,] matrix)
    {
        int d = matrix.GetLength(0);
        var vectors = new double[d, d];
        double[] values = Jacobi(matrix, vectors);
        var result = new double[d, d];
        for (int k = 0; k < d; k++)
        {
            double root = Math.Sqrt(Math.Max(values[k], 0));
            for (int i = 0; i < d; i++)
            {
                double vik = vectors[i, k] * root;
                for (int j = 0; j < d; j++)
                {
                    result[i, j] += vik * vectors[j, k];
                }
            }
        }

        return result;
    }

    private static double[] Jacobi(double[,] matrix, double[,]? vectors)
    {
        int d = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        if (vectors is not null)
        {
            for (int i = 0; i < d; i++)
            {
                vectors[i, i] = 1;
            }
        }

        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, scale = 0;
            for (int p = 0; p < d; p++)
            {
                scale += a[p, p] * a[p, p];
                for (int q = p + 1; q < d; q++)
                {
                    off += a[p, q] * a[p, q];
                }
            }

            if (off <= 1e-22 * Math.Max(scale, 1e-300))
            {
                break;
            }

            for (int p = 0; p < d - 1; p++)
            {
                for (int q = p + 1; q < d; q++)
                {
                    if (Math.Abs(a[p, q]) < 1e-300)
                    {
                        continue;
                    }

                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
                    if (theta == 0)
                    {
                        t = 1;
                    }

                    double c = 1 / Math.Sqrt((t * t) + 1), s = t * c;
                    for (int k = 0; k < d; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = (c * akp) - (s * akq);
                        a[k, q] = (s * akp) + (c * akq);
                    }

                    for (int k = 0; k < d; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = (c * apk) - (s * aqk);
                        a[q, k] = (s * apk) + (c * aqk);
                    }

                    if (vectors is not null)
                    {
                        for (int k = 0; k < d; k++)
                        {
                            double vkp = vectors[k, p], vkq = vectors[k, q];
                            vectors[k, p] = (c * vkp) - (s * vkq);
                            vectors[k, q] = (s * vkp) + (c * vkq);
                        }
                    }
                }
            }
        }

        return Enumerable.Range(0, d).Select(i => a[i, i]).ToArray();
    }

    private static double[,] Multiply(double[,] left, double[,] right)
    {
        int n = left.GetLength(0), m = right.GetLength(1), inner = left.GetLength(1);
        var result = new double[n, m];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < inner; k++)
            {
                double lik = left[i, k];
                for (int j = 0; j < m; j++)
                {
                    result[i, j] += lik * right[k, j];
                }
            }
        }

        return result;
    }

    private static void Symmetrize(double[,] matrix)
    {
        int d = matrix.GetLength(0);
        for (int i = 0; i < d; i++)
        {
            for (int j = i + 1; j < d; j++)
            {
                double average = (matrix[i, j] + matrix[j, i]) / 2;
                matrix[i, j] = matrix[j, i] = average;
            }
        }
    }

    private static double Kernel(double[] x, double[] y)
    {
        double dot = Dot(x, y) / x.Length + 1;
        return dot * dot * dot;
    }

    private static double Dot(double[] x, double[] y)
    {
        var sum = Vector<double>.Zero;
        int i = 0;
        for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
        {
            sum += new Vector<double>(x, i) * new Vector<double>(y, i);
        }

        double total = Vector.Sum(sum);
        for (; i < x.Length; i++)
        {
            total += x[i] * y[i];
        }

        return total;
    }

    private static double[][] Rows(double[,] matrix)
        => Enumerable.Range(0, matrix.GetLength(0)).Select(i => Enumerable.Range(0, matrix.GetLength(1)).Select(j => matrix[i, j]).ToArray()).ToArray();

    private static double[][] Pick(double[][] rows, int count, Random random)
    {
        int[] order = Enumerable.Range(0, rows.Length).ToArray();
        random.Shuffle(order);
        return order.Take(count).Select(i => rows[i]).ToArray();
    }
}
