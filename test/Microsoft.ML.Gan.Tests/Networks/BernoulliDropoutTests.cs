using Microsoft.ML.Gan.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Networks;

/// <summary>
/// The .NET Bernoulli masks against libtorch's own kernel: same masks, same generator state afterwards, and a dropout
/// layer whose outputs and gradients equal nn.functional.dropout's bit for bit.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class BernoulliDropoutTests
{
    [Test]
    public void TheSelfCheckPassesWithThisLibTorch()
        => Assert.That(LibTorchBernoulli.IsExact, "the .NET mt19937 no longer reproduces libtorch's bernoulli_; dropout falls back to libtorch");

    // Sizes cross the 624-word twist at different offsets; one element needs two words.
    [TestCase(1, 0.7, 5)]
    [TestCase(311, 0.7, 0)]
    [TestCase(312, 0.5, 1)]
    [TestCase(14_336, 0.7, 3)]
    [TestCase(28_673, 0.1, 7)]
    [TestCase(1_000, 1.0, 2)]
    [TestCase(1_000, 0.0, 2)]
    public void MasksAndGeneratorStateEqualLibTorch(int count, double probability, int warmUpDraws)
    {
        torch.manual_seed(count + warmUpDraws);
        using (torch.rand(warmUpDraws))
        {
        }

        using Tensor start = torch.random.get_rng_state();
        using Tensor expected = torch.empty(count).bernoulli_(probability);
        using Tensor expectedState = torch.random.get_rng_state();
        using Tensor afterExpected = torch.rand(5);

        torch.random.set_rng_state(start);
        using Tensor actual = torch.empty(count);
        LibTorchBernoulli.Fill(actual, probability);
        using Tensor actualState = torch.random.get_rng_state();
        using Tensor afterActual = torch.rand(5);

        Assert.That(actual.data<float>().ToArray(), Is.EqualTo(expected.data<float>().ToArray()));
        Assert.That(actualState.bytes.ToArray(), Is.EqualTo(expectedState.bytes.ToArray()));
        Assert.That(afterActual.data<float>().ToArray(), Is.EqualTo(afterExpected.data<float>().ToArray()));
        if (probability is > 0 and < 1 && count >= 1_000)
        {
            double ones = actual.sum().item<float>() / count;
            Assert.That(ones, Is.EqualTo(probability).Within(0.05));
        }
    }

    [Test]
    public void DropoutEqualsLibTorchsInOutputAndGradient()
    {
        torch.manual_seed(3);
        using Tensor input = torch.randn(64, 128);
        using var layer = new BernoulliDropout(0.3);
        layer.train();

        using Tensor start = torch.random.get_rng_state();
        using Tensor x1 = input.clone().requires_grad_(true);
        using Tensor y1 = nn.functional.dropout(x1, 0.3, training: true);
        (y1 * 2).sum().backward();
        float[] expectedOutput = y1.detach().data<float>().ToArray();
        float[] expectedGradient = x1.grad!.data<float>().ToArray();

        torch.random.set_rng_state(start);
        using Tensor x2 = input.clone().requires_grad_(true);
        using Tensor y2 = layer.forward(x2);
        (y2 * 2).sum().backward();

        Assert.That(y2.detach().data<float>().ToArray(), Is.EqualTo(expectedOutput));
        Assert.That(x2.grad!.data<float>().ToArray(), Is.EqualTo(expectedGradient));
        Assert.That(expectedOutput.Count(v => v == 0), Is.InRange(64 * 128 * 0.25, 64 * 128 * 0.35), "about 30 % dropped");
    }

    [Test]
    public void EvalModeAndZeroProbabilityAreTheIdentityAndDrawNothing()
    {
        using Tensor input = torch.randn(8, 8);
        using var layer = new BernoulliDropout(0.3);
        layer.eval();
        using Tensor before = torch.random.get_rng_state();
        Assert.That(ReferenceEquals(layer.forward(input), input));
        using var none = new BernoulliDropout(0);
        none.train();
        Assert.That(ReferenceEquals(none.forward(input), input));
        using Tensor after = torch.random.get_rng_state();
        Assert.That(after.bytes.ToArray(), Is.EqualTo(before.bytes.ToArray()));
    }

    [Test]
    public void RejectsProbabilitiesOutsideZeroToOne()
        => Assert.Throws<ArgumentOutOfRangeException>(() => _ = new BernoulliDropout(1.5));
}
