using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>The AC-GAN term: the discriminator's classifier learns from real images only; the generator is pushed towards its labels.</summary>
[Category(TestCategories.Fast)]
public sealed class AuxiliaryClassifierTests
{
    private static readonly GanOptions Options = new() { Network = new DcganNetworkOptions(), Conditional = true, AuxiliaryClassifier = true };

    [Test]
    public void TheDiscriminatorsClassTermIsTheCrossEntropyOfTheRealImagesOnly()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        using var discriminator = new DcganDiscriminator(new ImageShape(1, 28, 28), width: 8, classCount: 10, auxiliaryClassifier: true);
        Tensor real = torch.rand(4, 784), fake = torch.rand(4, 784);
        Tensor realClasses = torch.tensor(new long[] { 0, 1, 2, 3 }), fakeClasses = torch.tensor(new long[] { 7, 8, 9, 4 });

        float loss = GanLosses.Discriminator(discriminator, real, realClasses, fake, fakeClasses, TrainingPlan.Resolve(Options, new ImageShape(1, 28, 28), 10, "cpu").Loss!).item<float>();

        // Batch normalization: the discriminator scores the two batches apart, as the loss does.
        DiscriminatorOutput onReal = discriminator.forward(real, realClasses), onFake = discriminator.forward(fake, fakeClasses);
        Tensor adversarial = nn.functional.binary_cross_entropy_with_logits(onReal.Logit, torch.full_like(onReal.Logit, ((NonSaturatingLossOptions)Options.AdversarialLoss).RealLabel))
            + nn.functional.binary_cross_entropy_with_logits(onFake.Logit, torch.zeros_like(onFake.Logit));
        float realOnly = (adversarial + nn.functional.cross_entropy(onReal.ClassLogits!, realClasses)).item<float>();
        float fakeToo = realOnly + nn.functional.cross_entropy(onFake.ClassLogits!, fakeClasses).item<float>();
        Assert.That(loss, Is.EqualTo(realOnly).Within(1e-5f));
        Assert.That(fakeToo - realOnly, Is.GreaterThan(1f), "the fakes' term would have been visible");
    }

    [Test]
    public void TheGeneratorIsPenalisedWhenItsImagesAreClassifiedAsAnotherLabel()
    {
        using var scope = torch.NewDisposeScope();
        Tensor logit = torch.zeros(2, 1);
        Tensor classLogits = torch.tensor(new float[] { 5, 0, 0, 0, 5, 0 }, [2, 3]);   // row 0 looks like class 0, row 1 like class 1
        var onFake = new DiscriminatorOutput(logit, classLogits);

        float asDrawn = GanLosses.Generator(onFake, torch.tensor(new long[] { 0, 1 }), TrainingPlan.Resolve(Options, new ImageShape(1, 28, 28), 10, "cpu").Loss!).item<float>();
        float mislabelled = GanLosses.Generator(onFake, torch.tensor(new long[] { 2, 2 }), TrainingPlan.Resolve(Options, new ImageShape(1, 28, 28), 10, "cpu").Loss!).item<float>();
        Assert.That(mislabelled - asDrawn, Is.GreaterThan(4f), "cross-entropy of a 5-logit miss is about 5 more than of a hit");
    }
}
