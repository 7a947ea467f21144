using TorchSharp;

namespace Microsoft.ML.Gan.Tests.Build;

/// <summary>TorchSharp's native libraries load in this test host (after the build integration ran).</summary>
[Category(TestCategories.Fast)]
public sealed class TorchSharpLoadingTests
{
    [Test]
    public void SmallTensorOperationRuns()
    {
        using var scope = torch.NewDisposeScope();
        torch.Tensor a = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        torch.Tensor product = torch.matmul(a, a.t());
        Assert.That(product.data<float>().ToArray(), Is.EqualTo(new float[] { 5, 11, 11, 25 }));
    }

    [Test]
    public void OutputCopyIsLoadableOnThisSystem()
    {
        string output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!OperatingSystem.IsLinux() || !File.Exists(output))
        {
            Assert.Ignore("Linux x64 only.");
        }

        HashSet<string> provided = ElfVersions.ReadDefinedVersions(File.ReadAllBytes("/usr/lib/x86_64-linux-gnu/libstdc++.so.6"));
        var unmet = ElfVersions.ReadRequirements(File.ReadAllBytes(output))
            .Where(r => r.File == "libstdc++.so.6" && !provided.Contains(r.Name) && !r.IsWeak)
            .Select(r => r.Name);
        Assert.That(unmet, Is.Empty, "every libstdc++ version the output copy requires strongly is provided");
    }
}
