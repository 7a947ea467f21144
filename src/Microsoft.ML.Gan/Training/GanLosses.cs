using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Training;

/// <summary>The adversarial losses (<see cref="GanLoss"/>) and the auxiliary-classifier term.</summary>
internal static class GanLosses
{
    /// <summary>The discriminator's (critic's) loss on a real batch and a fake batch of the same size.</summary>
    public static Tensor Discriminator(DiscriminatorNetwork discriminator, Tensor real, Tensor? realClasses, Tensor fake, Tensor? fakeClasses, GanLossOptions loss)
    {
        (DiscriminatorOutput onReal, DiscriminatorOutput onFake) = Score(discriminator, real, realClasses, fake, fakeClasses);
        Tensor value = loss switch
        {
            HingeLossOptions => nn.functional.relu(onReal.Logit.SubtractedFrom(1)).mean().Plus(nn.functional.relu(onFake.Logit.Plus(1L)).mean()),
            WassersteinGradientPenaltyLossOptions wgan => (onFake.Logit.mean() - onReal.Logit.mean())
                .Plus(GradientPenalty(discriminator, real, realClasses, fake).Times(wgan.GradientPenaltyWeight)),
            NonSaturatingLossOptions nonSaturating => nn.functional.binary_cross_entropy_with_logits(onReal.Logit, ScalarArithmetic.FullLike(onReal.Logit, nonSaturating.RealLabel))
                .Plus(nn.functional.binary_cross_entropy_with_logits(onFake.Logit, torch.zeros_like(onFake.Logit))),
            _ => throw Unknown(loss),
        };

        if (onReal.ClassLogits is not null)
        {
            // The auxiliary classifier learns from real images only. Trained on fakes as well (the original AC-GAN), it
            // learns what the generator draws for each label, and the generator's class term then rewards whatever it
            // draws, right digit or not; small datasets showed it most.
            value = value.Plus(nn.functional.cross_entropy(onReal.ClassLogits, realClasses!));
        }

        return value;
    }

    /// <summary>The generator's loss given the discriminator's output on its fakes.</summary>
    public static Tensor Generator(DiscriminatorOutput onFake, Tensor? fakeClasses, GanLossOptions loss)
    {
        Tensor value = loss switch
        {
            HingeLossOptions or WassersteinGradientPenaltyLossOptions => -onFake.Logit.mean(),
            // Non-saturating: the fakes' targets are flipped to 1 (the article's "real_loss" on fakes).
            NonSaturatingLossOptions => nn.functional.binary_cross_entropy_with_logits(onFake.Logit, torch.ones_like(onFake.Logit)),
            _ => throw Unknown(loss),
        };

        return onFake.ClassLogits is null ? value : value.Plus(nn.functional.cross_entropy(onFake.ClassLogits, fakeClasses!));
    }

    private static NotSupportedException Unknown(GanLossOptions loss) => new($"No loss is computed for {loss.GetType().Name}.");

    /// <summary>
    /// The mode-seeking term (Mao et al., CVPR 2019, "Mode Seeking Generative Adversarial Networks"): the first and
    /// second halves of the batch are pairs (of one class each, see <see cref="PairedClasses"/>); the generator is
    /// penalised by 1 / (mean |G(z₁) − G(z₂)| / mean |z₁ − z₂| + ε), so latents that differ must give images that differ.
    /// </summary>
    public static Tensor ModeSeeking(Tensor generated, Tensor latents)
    {
        long half = generated.shape[0] / 2;
        Tensor images = (generated.narrow(0, 0, half) - generated.narrow(0, half, half)).abs().mean();
        Tensor codes = (latents.narrow(0, 0, half) - latents.narrow(0, half, half)).abs().mean();
        return (images / codes).Plus(1e-5).reciprocal();
    }

    /// <summary>Classes for <see cref="ModeSeeking"/>: the first half's classes repeated in the second half (an odd last row keeps its own).</summary>
    public static Tensor PairedClasses(Tensor classes)
    {
        long half = classes.shape[0] / 2;
        Tensor first = classes.narrow(0, 0, half);
        return torch.cat([first, first, classes.narrow(0, 2 * half, classes.shape[0] - (2 * half))], 0);
    }

    /// <summary>
    /// The discriminator on both batches. Without batch statistics one pass over [real; fake] computes the
    /// same as two passes, in fewer calls; with batch normalization the batches must be scored apart.
    /// </summary>
    private static (DiscriminatorOutput Real, DiscriminatorOutput Fake) Score(DiscriminatorNetwork discriminator, Tensor real, Tensor? realClasses, Tensor fake, Tensor? fakeClasses)
    {
        if (discriminator.HasBatchStatistics)
        {
            return (discriminator.forward(real, realClasses), discriminator.forward(fake, fakeClasses));
        }

        Tensor? classes = realClasses is null ? null : torch.cat([realClasses, fakeClasses!], 0);
        DiscriminatorOutput both = discriminator.forward(torch.cat([real, fake], 0), classes);
        // One output per row, or per pack of rows (PacGAN): the first half is the real batch's.
        int size = (int)both.Logit.shape[0] / 2;
        return (Half(both, 0, size), Half(both, size, size));
    }

    private static DiscriminatorOutput Half(DiscriminatorOutput output, int start, int size)
        => new(output.Logit.narrow(0, start, size), output.ClassLogits?.narrow(0, start, size));

    /// <summary>
    /// (‖∇D(x̂)‖₂ − 1)², averaged, at x̂ = αx + (1 − α)G(z) with α ~ U(0, 1) per image (Gulrajani et al., 2017).
    /// The gradient keeps its graph (create_graph and, in TorchSharp, retain_graph) so the penalty trains D.
    /// </summary>
    private static Tensor GradientPenalty(DiscriminatorNetwork discriminator, Tensor real, Tensor? classes, Tensor fake)
    {
        // A libtorch error inside autograd.grad aborts the process instead of throwing: check first.
        if (!real.shape.SequenceEqual(fake.shape))
        {
            throw new InvalidOperationException($"Gradient penalty needs real and fake batches of one shape; got [{string.Join(", ", real.shape)}] and [{string.Join(", ", fake.shape)}].");
        }

        // With packs (PacGAN) a pack is one input of the critic: one α per pack, and the norm of the pack's gradient.
        long pack = discriminator.PackSize;
        Tensor alpha = pack == 1
            ? torch.rand(real.shape[0], 1, device: real.device)
            : torch.rand(real.shape[0] / pack, 1, device: real.device).repeat_interleave(pack, 0);
        Tensor interpolated = (alpha * real).Plus(alpha.SubtractedFrom(1) * fake.detach()).detach().requires_grad_(true);
        Tensor scores = discriminator.forward(interpolated, classes).Logit;
        Tensor gradient = torch.autograd.grad([scores.sum()], [interpolated], retain_graph: true, create_graph: true)[0];
        Tensor perInput = pack == 1 ? gradient.flatten(1) : gradient.reshape(real.shape[0] / pack, -1);
        return perInput.norm(1, keepdim: false, p: 2).Minus(1L).Power(2).mean();
    }
}
