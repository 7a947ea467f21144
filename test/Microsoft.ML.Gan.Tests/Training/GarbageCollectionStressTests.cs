using Microsoft.ML.Gan.Tests.Torch;

namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>
/// Training survives garbage collections forced from another thread (issue 25, item 1). In TorchSharp 0.107 a Scalar made by an
/// implicit conversion is released by its finalizer, which may run while the native call that reads it is still running: under
/// this pressure the library used to die with "Expected false to be true", "Unknown scalar type" or a SIGSEGV. Whether a
/// collection hits that window is chance, so each Fit also counts the Scalars left to their finalizer (<see cref="FinalizedScalars"/>):
/// none now, thousands before the fix, in every run. <see cref="Layout.ExplicitScalarTests"/> keeps such Scalars out of the sources.
/// </summary>
[Category(TestCategories.Slow)]
public sealed class GarbageCollectionStressTests
{
    // Steps are few: every return from native code waits for the collection in progress, so under this pressure a DCGAN step on
    // 28 × 28 images takes a quarter of a second. With several hundred steps the crash itself came in about half the runs
    // before the fix; the count of finalized Scalars fails every run.
    private static IEnumerable<TestCaseData> Configurations()
    {
        static TestCaseData Case(string name, int steps, Action<GanOptions> configure) => new TestCaseData(steps, configure).SetArgDisplayNames(name);
        yield return Case("Mlp conditional, hinge, clipping, EMA with warm-up, mode seeking", 100, o =>
        {
            o.Conditional = true;
            o.AdversarialLoss = new HingeLossOptions();
            o.MaxGradientNorm = 1;
            o.GeneratorEmaDecay = 0.99f;
            o.GeneratorEmaWarmup = true;
            o.ModeSeekingWeight = 1;
        });
        yield return Case("Dcgan", 40, o => Dcgan(o));
        yield return Case("Dcgan conditional AC-GAN, DiffAugment", 30, o => { Dcgan(o); o.Conditional = true; o.AuxiliaryClassifier = true; o.DiffAugment = DiffAugmentPolicy.All; });
        yield return Case("Dcgan WGAN-GP, spectral norm, 2 critic steps", 20, o => { Dcgan(o); o.AdversarialLoss = new WassersteinGradientPenaltyLossOptions(); ((DcganNetworkOptions)o.Network).SpectralNormalization = true; o.DiscriminatorStepsPerGeneratorStep = 2; });
    }

    private static void Dcgan(GanOptions options)
    {
        options.Network = new DcganNetworkOptions { Width = 4 };
    }

    [TestCaseSource(nameof(Configurations))]
    public void TrainingSurvivesCollectionsFromAnotherThread(int steps, Action<GanOptions> configure)
    {
        var ml = new MLContext(1);
        IDataView data = LargeImages(ml);
        var options = new GanOptions
        {
            Network = new MlpNetworkOptions { HiddenSize = 8 }, LatentDimension = 8, BatchSize = 64, Budget = TrainingBudget.OfSteps(steps), Seed = 1, SampleCount = 4,
        };
        configure(options);
        using var finalized = new FinalizedScalars();
        int collections;
        using (var collector = new BackgroundCollector())
        {
            using GanTransformer gan = ml.Gan().Generator(options).Fit(data);
            Assert.That(gan.History.Epochs, Has.Count.GreaterThan(0));
            collections = collector.Collections;
        }

        Assert.That(collections, Is.GreaterThan(20), "the other thread collected garbage throughout training");
        Assert.That(finalized.Count(), Is.Zero, "TorchSharp Scalars left to their finalizer, each one a collection could have freed during its native call");
    }

    [Test]
    public void ClassifierTrainingSurvivesCollectionsFromAnotherThread()
    {
        var ml = new MLContext(1);
        IDataView data = SyntheticImages.LoadLabelled(ml, count: 64);

        using var finalized = new FinalizedScalars();
        int collections;
        using (var collector = new BackgroundCollector())
        {
            using LeNetClassifier classifier = ml.Gan().TrainClassifier(data, new LeNetClassifierOptions { Channels = 8, BatchSize = 16, MaxSteps = 100 });
            collections = collector.Collections;
        }

        Assert.That(collections, Is.GreaterThan(20), "the other thread collected garbage throughout training");
        Assert.That(finalized.Count(), Is.Zero, "TorchSharp Scalars left to their finalizer, each one a collection could have freed during its native call");
    }

    private sealed class LargeRow
    {
        [KeyType(4)]
        public uint Label { get; set; }

        [VectorType(28, 28)]
        public float[] Pixels { get; set; } = [];
    }

    /// <summary>
    /// 28 × 28 images: libtorch allocates each batch's activations (over 128 KB, so fresh pages from the kernel) before it reads
    /// the Scalar of an operation, which widens the window in which a collection can free it.
    /// </summary>
    private static IDataView LargeImages(MLContext ml)
        => ml.Data.LoadFromEnumerable(Enumerable.Range(0, 128).Select(i => new LargeRow
        {
            Label = (uint)(i % 4),
            Pixels = [.. Enumerable.Range(0, 28 * 28).Select(p => (p / 28 / 7 == i % 4) ^ (p % 28 / 7 == i / 4 % 4) ? 1f : 0f)],
        }));

    /// <summary>A thread that collects garbage and runs finalizers in a loop until disposed.</summary>
    private sealed class BackgroundCollector : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private int _collections;

        public BackgroundCollector()
        {
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    GC.Collect(0);
                    GC.WaitForPendingFinalizers();
                    Interlocked.Increment(ref _collections);
                }
            }) { IsBackground = true, Name = "GC stress" };
            _thread.Start();
        }

        public int Collections => Volatile.Read(ref _collections);

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }
    }
}
