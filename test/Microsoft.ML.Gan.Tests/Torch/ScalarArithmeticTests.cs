using System.Runtime.InteropServices;
using Microsoft.ML.Gan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Torch;

/// <summary>
/// <see cref="ScalarArithmetic"/> computes what TorchSharp's operators compute, bit for bit (so no trained weight moved when the
/// library switched to it), and leaves no Scalar to the finalizer.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class ScalarArithmeticTests
{
    private static IEnumerable<TestCaseData> Pairs()
    {
        static TestCaseData Pair(string name, Func<Tensor, Tensor> helper, Func<Tensor, Tensor> operators) => new TestCaseData(helper, operators).SetArgDisplayNames(name);
        yield return Pair("x + y", x => x.Plus(x.flip(0)), x => x + x.flip(0));
        yield return Pair("x + 0.5", x => x.Plus(0.5), x => x + 0.5);
        yield return Pair("x + 1", x => x.Plus(1L), x => x + 1);
        yield return Pair("x - 0.3", x => x.Minus(0.3), x => x - 0.3);
        yield return Pair("1 - x", x => x.SubtractedFrom(1), x => 1 - x);
        yield return Pair("x * 0.7", x => x.Times(0.7), x => x * 0.7);
        yield return Pair("x * 3", x => x.Times(3L), x => x * 3);
        yield return Pair("x / 3", x => x.DividedBy(3.0), x => x / 3.0);
        yield return Pair("x / 2", x => x.DividedBy(2L), x => x / 2);
        yield return Pair("x ^ 2", x => x.Power(2), x => x.pow(2));
        yield return Pair("x += y", x => x.clone().PlusInPlace(x.flip(0)), x => x.clone().add_(x.flip(0)));
        yield return Pair("x += 0.25 y", x => x.clone().PlusInPlace(x.flip(0), 0.25), x => x.clone().add_(x.flip(0), alpha: 0.25));
        yield return Pair("x += 1e-8", x => x.clone().PlusInPlace(1e-8), x => x.clone().add_(1e-8));
        yield return Pair("x /= 0.7", x => x.clone().DividedByInPlace(0.7), x => x.clone().div_(0.7));
        yield return Pair("x *= 0.9", x => x.clone().TimesInPlace(0.9), x => x.clone().mul_(0.9));
        yield return Pair("x >= 0", x => x.AtLeast(0), x => x >= 0);
        yield return Pair("x < 1", x => x.Below(1), x => x < 1);
        yield return Pair("clamp(x, -1, 1)", x => x.ClampTo(-1, 1), x => x.clamp(-1, 1));
        yield return Pair("clamp_min(x, 1e-3)", x => x.AtLeastValue(1e-3), x => x.clamp_min(1e-3));
        yield return Pair("x % 3", x => x.Remainder(3), x => x.remainder(3));
        yield return Pair("leaky_relu(x, 0.2)", x => x.LeakyRelu(0.2), x => nn.functional.leaky_relu(x, 0.2));
        yield return Pair("full_like(x, 0.9)", x => ScalarArithmetic.FullLike(x, 0.9f), x => torch.full_like(x, 0.9f));
        yield return Pair("arange(n)", x => ScalarArithmetic.Range(x.shape[0]), x => torch.arange(x.shape[0]));
        yield return Pair("full(n, 2.5)", x => ScalarArithmetic.Full(x.shape[0], 2.5), x => torch.full(x.shape[0], 2.5));
    }

    [TestCaseSource(nameof(Pairs))]
    public void TheHelperGivesTheOperatorsBits(Func<Tensor, Tensor> helper, Func<Tensor, Tensor> operators)
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new torch.Generator(7);
        Tensor x = torch.randn(1000, generator: generator).Times(10L);

        Tensor expected = operators(x).contiguous();
        Tensor actual = helper(x).contiguous();

        Assert.That(actual.dtype, Is.EqualTo(expected.dtype));
        Assert.That(actual.shape, Is.EqualTo(expected.shape));
        Assert.That(actual.bytes.ToArray(), Is.EqualTo(expected.bytes.ToArray()));
    }

    [Test]
    public void TheHelpersLeaveNoScalarToTheFinalizer()
    {
        using var finalized = new FinalizedScalars();
        using (var scope = torch.NewDisposeScope())
        {
            Tensor x = torch.randn(100);
            for (int i = 0; i < 100; i++)
            {
                _ = x.Plus(0.5).Minus(0.25).Times(2L).DividedBy(3.0).SubtractedFrom(1).LeakyRelu(0.2).ClampTo(-1, 1).Power(2);
                _ = ScalarArithmetic.FullLike(x, 0.9).PlusInPlace(x, 0.1).PlusInPlace(1e-3).AtLeast(0);
            }
        }

        Assert.That(finalized.Count(), Is.Zero);
    }

    [Test]
    public void TheFinalizerCountSeesImplicitScalars()
    {
        // The counter itself must be able to fail: the operators' implicit Scalars are all finalized.
        using var finalized = new FinalizedScalars();
        using (var scope = torch.NewDisposeScope())
        {
            Tensor x = torch.randn(100);
            for (int i = 0; i < 100; i++)
            {
                _ = x * 0.5;
            }
        }

        Assert.That(finalized.Count(), Is.GreaterThanOrEqualTo(90));
    }

    [Test]
    public void OneDnnSeesTheInstructionSetCap()
    {
        // The library's module initializer ran when this assembly first used the library. oneDNN reads the C library's
        // environment, which .NET's Environment.SetEnvironmentVariable does not change on Linux: the cap must be there.
        System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(typeof(GanOptions).Module.ModuleHandle);
        string? native = Marshal.PtrToStringUTF8(GetEnvironmentVariable(OneDnnInstructionSet.Variable));
        Assert.That(native, Is.Not.Null.And.EqualTo(Environment.GetEnvironmentVariable(OneDnnInstructionSet.Variable)),
            $"unless the process set {OneDnnInstructionSet.Variable} itself, the library sets it to {OneDnnInstructionSet.Default}");
    }

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr GetEnvironmentVariable(string name);
}
