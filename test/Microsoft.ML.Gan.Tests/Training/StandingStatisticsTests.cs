using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>Recomputed batch-norm statistics of the EMA generator: they match its own activations and leave training's random stream alone.</summary>
[Category(TestCategories.Fast)]
public sealed class StandingStatisticsTests
{
    private static readonly ImageShape Digit = new(1, 28, 28);

    /// <summary>The conditions image batches give: classes uniformly, from the stream they are handed.</summary>
    private static Tensor? Classes(int size, torch.Generator random) => torch.randint(10, [size], generator: random);

    private static DcganGenerator Generator()
    {
        torch.manual_seed(5);
        var generator = new DcganGenerator(16, Digit, width: 8, classCount: 10);
        using (torch.no_grad())
        {
            foreach (BatchNorm norm in generator.modules().OfType<BatchNorm>())
            {
                norm.running_mean!.fill_(3);   // statistics of some other weights
                norm.running_var!.fill_(9);
            }
        }

        generator.eval();
        return generator;
    }

    private static float MaxEvalVersusBatchDifference(DcganGenerator generator)
    {
        using var scope = torch.NewDisposeScope();
        using var random = new torch.Generator(42);
        Tensor z = torch.randn(512, 16, generator: random);
        Tensor classes = torch.randint(10, [512], generator: random);
        using var noGrad = torch.no_grad();
        Tensor evaluated = generator.forward(z, classes);
        generator.train();
        Tensor batchNormalised = generator.forward(z, classes);
        generator.eval();
        return (evaluated - batchNormalised).abs().max().item<float>();
    }

    [Test]
    public void EvalModeThenMatchesTheGeneratorsOwnBatchStatistics()
    {
        using DcganGenerator generator = Generator();
        var latents = new LatentSpace(16, LatentDistribution.Normal);
        float before = MaxEvalVersusBatchDifference(generator);

        StandingStatistics.Recompute(generator, latents, seed: 1, torch.CPU, Classes);

        float after = MaxEvalVersusBatchDifference(generator);
        TestContext.Out.WriteLine($"max |eval - batch statistics| before {before:F4}, after {after:F4}");
        Assert.That(before, Is.GreaterThan(0.2f));
        Assert.That(after, Is.LessThan(0.05f));
        Assert.That(generator.training, Is.False, "the mode is restored");
        Assert.That(generator.modules().OfType<BatchNorm>().Select(n => n.momentum), Has.All.EqualTo(0.1), "momentum is restored");
    }

    [Test]
    public void IsDeterministicWhateverTheOldStatisticsAndLeavesTheTrainingRandomStreamAlone()
    {
        using DcganGenerator first = Generator();
        using DcganGenerator second = Generator();
        using (torch.no_grad())
        {
            foreach (BatchNorm norm in second.modules().OfType<BatchNorm>())
            {
                norm.running_mean!.fill_(-7);
            }
        }

        var latents = new LatentSpace(16, LatentDistribution.Uniform);
        torch.manual_seed(99);
        using Tensor stateBefore = torch.random.get_rng_state();
        StandingStatistics.Recompute(first, latents, seed: 1, torch.CPU, Classes);
        using Tensor stateAfter = torch.random.get_rng_state();
        StandingStatistics.Recompute(second, latents, seed: 1, torch.CPU, Classes);

        Assert.That(stateAfter.data<byte>().ToArray(), Is.EqualTo(stateBefore.data<byte>().ToArray()));
        BatchNorm[] a = first.modules().OfType<BatchNorm>().ToArray(), b = second.modules().OfType<BatchNorm>().ToArray();
        for (int i = 0; i < a.Length; i++)
        {
            Assert.That(b[i].running_mean!.data<float>().ToArray(), Is.EqualTo(a[i].running_mean!.data<float>().ToArray()));
            Assert.That(b[i].running_var!.data<float>().ToArray(), Is.EqualTo(a[i].running_var!.data<float>().ToArray()));
        }
    }
}
