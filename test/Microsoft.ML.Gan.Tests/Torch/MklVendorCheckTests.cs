using System.Runtime.InteropServices;
using Microsoft.ML.Gan.Torch;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Torch;

/// <summary>
/// <see cref="GanRuntime.UseMklIntelKernels"/> reads MKL's code before it changes anything, and never switches kernels
/// under a process that has used them. Its effect on training runs in a process of its own (SamplesAppTests): switching
/// here would change the numbers of every later test in this process.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class MklVendorCheckTests
{
    /// <summary>The first bytes of libtorch 2.10's <c>mkl_serv_intel_cpu_true</c>: mov eax, [rip + 0x0998671A]; test eax, eax; js +1; ret.</summary>
    private static readonly byte[] KnownCode = [0x8B, 0x05, 0x1A, 0x67, 0x98, 0x09, 0x85, 0xC0, 0x78, 0x01, 0xC3];

    [Test]
    public void FindsTheAnswerBehindTheRipRelativeLoad()
    {
        Assert.That(MklVendorCheck.AnswerOffset(KnownCode), Is.EqualTo(6L + 0x0998671A), "the displacement counts from the end of the 6-byte mov");
        byte[] backwards = [.. KnownCode];
        BitConverter.TryWriteBytes(backwards.AsSpan(2, 4), -0x40);
        Assert.That(MklVendorCheck.AnswerOffset(backwards), Is.EqualTo(6L - 0x40), "a variable before the function");
        Assert.That(MklVendorCheck.AnswerOffset(KnownCode.AsSpan(0, MklVendorCheck.CodeLength - 1)), Is.Null, "too few bytes");
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(6)]
    [TestCase(7)]
    [TestCase(8)]
    [TestCase(9)]
    [TestCase(10)]
    public void LeavesCodeItDoesNotKnowAlone(int changed)
    {
        byte[] code = [.. KnownCode];
        code[changed] ^= 0x01;
        Assert.That(MklVendorCheck.AnswerOffset(code), Is.Null, $"byte {changed} differs from the load this switch knows");
    }

    [Test]
    public void TheLibTorchInUseKeepsItsAnswerWhereTheSwitchLooks()
    {
        // Only reads. Fails when a libtorch upgrade changes MKL's code, so the switch would silently do nothing.
        int? answer = MklVendorCheck.Answer();
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            Assert.That(answer, Is.Not.Null.And.InRange(-1, 1), "libtorch for x64 carries MKL with the known check");
        }
        else
        {
            Assert.That(answer, Is.Null, "no MKL outside x64");
        }
    }

    [Test]
    public void AfterAMatrixProductTheSwitchChangesNothing()
    {
        using (var scope = NewDisposeScope())
        {
            _ = mm(ones(64, 64), ones(64, 64)).sum().item<float>();   // MKL has now picked its kernels in this process
        }

        int? before = MklVendorCheck.Answer();
        MklKernelSwitch outcome = GanRuntime.UseMklIntelKernels();

        Assert.That(MklVendorCheck.Answer(), Is.EqualTo(before), "the kept answer is the same");
        Assert.That(outcome, Is.EqualTo(before switch
        {
            null => MklKernelSwitch.NotAvailable,
            1 => MklKernelSwitch.IntelProcessor,
            _ => MklKernelSwitch.TooLate,
        }), $"MKL answered {before} at its first product");
        Assert.That(before, Is.Not.EqualTo(-1), "the first matrix product asks MKL's question");
    }
}
