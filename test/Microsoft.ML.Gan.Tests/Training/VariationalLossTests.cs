using Microsoft.ML.Gan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>
/// TVAE's reconstruction loss (<see cref="SegmentedSoftmax.Reconstruction"/>): each one-hot group's cross-entropy and each other
/// column's Gaussian negative log-likelihood around tanh of the decoder's output with its learned σ, summed over the columns and
/// averaged over the rows; checked against the formula worked out by hand on two rows.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class VariationalLossTests
{
    [Test]
    public void TheReconstructionIsTheGroupsCrossEntropyPlusEachAlphasGaussianLikelihood()
    {
        // Row layout: α (column 0), a group of 2 (columns 1-2), α (column 3), a group of 3 (columns 4-6).
        float[] raw = [0.5f, 1f, -1f, -0.2f, 0f, 2f, 1f, /* row 2 */ -1f, 0f, 0f, 0.3f, 3f, -1f, 0f];
        float[] target = [0.2f, 1f, 0f, -0.5f, 0f, 1f, 0f, /* row 2 */ 0.9f, 0f, 1f, 0.1f, 1f, 0f, 0f];
        float[] sigma = [0.1f, 7f, 7f, 0.5f, 7f, 7f, 7f];   // the groups' σ entries are unused
        using var softmax = new SegmentedSoftmax(7, [(1, 2), (4, 3)], torch.CPU);
        using Tensor rawTensor = torch.tensor(raw, [2, 7]);
        using Tensor targetTensor = torch.tensor(target, [2, 7]);
        using Tensor sigmaTensor = torch.tensor(sigma);

        using Tensor loss = softmax.Reconstruction(rawTensor, targetTensor, sigmaTensor);

        double expected = 0;
        for (int row = 0; row < 2; row++)
        {
            double[] r = [.. raw.Skip(row * 7).Take(7).Select(v => (double)v)];
            double[] t = [.. target.Skip(row * 7).Take(7).Select(v => (double)v)];
            foreach (int alpha in new[] { 0, 3 })
            {
                double error = t[alpha] - Math.Tanh(r[alpha]);
                expected += (error * error / (2 * sigma[alpha] * sigma[alpha])) + Math.Log(sigma[alpha]);
            }

            foreach ((int offset, int width) in new[] { (1, 2), (4, 3) })
            {
                double logSum = Math.Log(Enumerable.Range(offset, width).Sum(c => Math.Exp(r[c])));
                int hot = Enumerable.Range(offset, width).Single(c => t[c] == 1);
                expected += logSum - r[hot];
            }
        }

        Assert.That(loss.item<float>(), Is.EqualTo(expected / 2).Within(1e-4));
    }

    [Test]
    public void ARowReconstructedExactlyCostsOnlyItsSigmasAndTheGroupsLeftoverProbability()
    {
        // A perfect α (tanh(raw) = target) leaves log σ; a group's logits far apart leave almost no cross-entropy.
        float alpha = 0.4f;
        float[] raw = [(float)Math.Atanh(alpha), 30f, -30f];
        float[] target = [alpha, 1f, 0f];
        using var softmax = new SegmentedSoftmax(3, [(1, 2)], torch.CPU);
        using Tensor rawTensor = torch.tensor(raw, [1, 3]);
        using Tensor targetTensor = torch.tensor(target, [1, 3]);
        using Tensor sigma = torch.tensor(new[] { 0.05f, 1f, 1f });

        using Tensor loss = softmax.Reconstruction(rawTensor, targetTensor, sigma);

        Assert.That(loss.item<float>(), Is.EqualTo(Math.Log(0.05)).Within(1e-4));
    }
}
