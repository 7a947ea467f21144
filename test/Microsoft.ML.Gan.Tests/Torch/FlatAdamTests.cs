using System.Runtime.Intrinsics.X86;
using System.Text;
using Microsoft.ML.Gan.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Microsoft.ML.Gan.Torch;

namespace Microsoft.ML.Gan.Tests.Torch;

/// <summary>
/// The flat-buffer Adam against TorchSharp's Adam: the same weights bit for bit (in one pass and with libtorch's
/// operations), learning-rate changes, and its state round trip.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class FlatAdamTests
{
    private static Sequential Network()
    {
        torch.manual_seed(5);
        return nn.Sequential(nn.Linear(13, 7), nn.LeakyReLU(0.2), nn.Linear(7, 3));
    }

    private static void Steps(Sequential network, Action zeroGrad, Action step, int steps, int seed)
    {
        torch.manual_seed(seed);
        for (int i = 0; i < steps; i++)
        {
            using var scope = torch.NewDisposeScope();
            zeroGrad();
            Tensor x = torch.randn(16, 13);
            network.forward(x).pow(2).mean().backward();
            step();
        }
    }

    private static float[] Weights(Sequential network) => [.. network.parameters().SelectMany(p => p.data<float>().ToArray())];

    [Test]
    public void StepsLikeTorchSharpsAdamBitForBit([Values] bool onePass)
    {
        using Sequential reference = Network();
        using Adam adam = optim.Adam(reference.parameters(), 0.01, 0.5, 0.999);
        Steps(reference, () => adam.zero_grad(), () => adam.step(), 25, 9);

        using Sequential flat = Network();
        using var flatAdam = new FlatAdam([.. flat.parameters()], 0.01, 0.5, 0.999, fused: onePass);
        Assert.That(flatAdam.Fused, Is.EqualTo(onePass && AdamKernel.Available));
        Steps(flat, flatAdam.zero_grad, flatAdam.step, 25, 9);

        float[] expected = Weights(reference);
        Assert.That(Weights(flat), Is.EqualTo(expected));
        Assert.That(expected, Is.Not.EqualTo(Weights(Network())), "the steps moved the weights");
    }

    [Test]
    public void TakesTheOnePassKernelWhereTheProcessorHasAvx2AndFma()
    {
        // The kernel is used only where it reproduces libtorch's bits; on an AVX2 + FMA processor it must, or training silently runs slower.
        using Sequential network = Network();
        using var flatAdam = new FlatAdam([.. network.parameters()], 0.01, 0.5, 0.999);
        Assert.That(flatAdam.Fused, Is.EqualTo(Avx2.IsSupported && Fma.IsSupported));
    }

    [TestCase(114_848, 1)]   // the seed generator's parameter count
    [TestCase(110_817, 2)]   // the seed discriminator's, with libtorch's work split over two threads
    [TestCase(37, 1)]
    public void OnePassKernelGivesLibTorchsBitsAtNetworkSizes(int length, int threads)
    {
        if (!AdamKernel.Available)
        {
            Assert.That(Avx2.IsSupported && Fma.IsSupported, Is.False, "AVX2 and FMA are here, yet the kernel disagrees with libtorch");
            return;
        }

        int previousThreads = torch.get_num_threads();
        torch.set_num_threads(threads);
        try
        {
            using var scope = torch.NewDisposeScope();
            using var generator = new torch.Generator(3);
            Tensor[] kernel = [torch.randn(length, generator: generator), torch.zeros(length), torch.zeros(length)];
            Tensor root = torch.empty(length);
            Tensor[] libTorch = [.. kernel.Select(t => t.clone())];
            for (int step = 1; step <= 20; step++)
            {
                Tensor gradients = torch.randn(length, generator: generator) * (step % 2 == 0 ? 1e-4 : 3.0);
                AdamKernel.StepWithLibTorch(libTorch[0], gradients, libTorch[1], libTorch[2], 0.5, 0.999, 1e-8, 2e-4, step);
                AdamKernel.Step(kernel[0], gradients, kernel[1], kernel[2], root, AdamCoefficients.For(0.5, 0.999, 1e-8, 2e-4, step));
            }

            for (int i = 0; i < kernel.Length; i++)
            {
                Assert.That(kernel[i].bytes.ToArray(), Is.EqualTo(libTorch[i].bytes.ToArray()), $"buffer {i} (weights, first moment, second moment)");
            }

            using var fresh = new torch.Generator(3);
            Assert.That(kernel[0].bytes.ToArray(), Is.Not.EqualTo(torch.randn(length, generator: fresh).bytes.ToArray()), "the steps moved the weights");
        }
        finally
        {
            torch.set_num_threads(previousThreads);
        }
    }

    [Test]
    public void HonoursLearningRateChangesThroughTheInnerOptimizer()
    {
        using Sequential reference = Network();
        using Adam adam = optim.Adam(reference.parameters(), 0.01);
        using Sequential flat = Network();
        using var flatAdam = new FlatAdam([.. flat.parameters()], 0.01, 0.9, 0.999);
        Steps(reference, () => adam.zero_grad(), () => adam.step(), 3, 2);
        Steps(flat, flatAdam.zero_grad, flatAdam.step, 3, 2);
        adam.ParamGroups.First().LearningRate *= 0.25;
        flatAdam.Inner.ParamGroups.First().LearningRate *= 0.25;
        Steps(reference, () => adam.zero_grad(), () => adam.step(), 3, 4);
        Steps(flat, flatAdam.zero_grad, flatAdam.step, 3, 4);

        Assert.That(Weights(flat), Is.EqualTo(Weights(reference)));
    }

    [Test]
    public void SavedStateResumesExactlyAndReadsAsTorchSharpsAdam()
    {
        using Sequential uninterrupted = Network();
        using var straight = new FlatAdam([.. uninterrupted.parameters()], 0.01, 0.5, 0.999);
        Steps(uninterrupted, straight.zero_grad, straight.step, 10, 1);
        Steps(uninterrupted, straight.zero_grad, straight.step, 10, 2);

        using Sequential first = Network();
        using var before = new FlatAdam([.. first.parameters()], 0.01, 0.5, 0.999);
        Steps(first, before.zero_grad, before.step, 10, 1);
        byte[] weights = Save(w => first.save(w));
        byte[] state = Save(w => before.Inner.save_state_dict(w));

        using Sequential resumed = Network();
        using var after = new FlatAdam([.. resumed.parameters()], 0.01, 0.5, 0.999);
        Load(weights, r => resumed.load(r));
        Load(state, after.Inner.load_state_dict);
        Steps(resumed, after.zero_grad, after.step, 10, 2);
        Assert.That(Weights(resumed), Is.EqualTo(Weights(uninterrupted)));

        // The format is TorchSharp's: a plain Adam over the same parameters reads it.
        using Sequential plain = Network();
        using Adam adam = optim.Adam(plain.parameters(), 0.01, 0.5, 0.999);
        Assert.DoesNotThrow(() => Load(state, adam.load_state_dict));
    }

    private static byte[] Save(Action<BinaryWriter> save)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            save(writer);
        }

        return stream.ToArray();
    }

    private static void Load(byte[] bytes, Action<BinaryReader> load)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        load(reader);
    }
}
