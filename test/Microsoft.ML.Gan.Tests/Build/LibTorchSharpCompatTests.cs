using System.Reflection;

namespace Microsoft.ML.Gan.Tests.Build;

/// <summary>The ELF logic of the build task, run on the real library from the NuGet cache (never modified).</summary>
[Category(TestCategories.Fast)]
public sealed class LibTorchSharpCompatTests : ScratchDirectoryTest
{
    private const string Missing = "GLIBCXX_3.4.32";
    private static string OriginalLibrary()
    {
        string root = typeof(LibTorchSharpCompatTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "NuGetPackageRoot").Value!;
        string path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(path))
        {
            Assert.Ignore($"TorchSharp's Linux binding is not in the package cache ({path}); restore on Linux to run this test.");
        }

        return path;
    }

    private string CopyOfOriginal()
    {
        string copy = Path.Combine(Scratch, "libLibTorchSharp.so");
        File.Copy(OriginalLibrary(), copy);
        return copy;
    }

    /// <summary>What a Debian 12 libstdc++ provides: everything the library needs except GLIBCXX_3.4.32.</summary>
    private static HashSet<string> ProvidedWithout(string path, params string[] missing)
    {
        var provided = ElfVersions.ReadRequirements(File.ReadAllBytes(path))
            .Where(r => r.File == "libstdc++.so.6").Select(r => r.Name).ToHashSet();
        provided.ExceptWith(missing);
        return provided;
    }

    [Test]
    public void OriginalRequiresGlibcxx3432StronglyWithoutUsingIt()
    {
        byte[] elf = File.ReadAllBytes(OriginalLibrary());
        ElfVersions.Requirement requirement = ElfVersions.ReadRequirements(elf).Single(r => r.Name == Missing);

        Assert.That(requirement.File, Is.EqualTo("libstdc++.so.6"));
        Assert.That(requirement.IsWeak, Is.False);
        Assert.That(ElfVersions.ReadRelocatedVersionIndices(elf), Does.Not.Contain(requirement.Index));
    }

    [Test]
    public void WeakensOnlyTheMissingEntryAndChangesNoOtherByte()
    {
        string copy = CopyOfOriginal();
        byte[] before = File.ReadAllBytes(copy);

        ElfPatchResult result = ElfVersions.WeakenMissingUnusedRequirements(copy, "libstdc++.so.6", ProvidedWithout(copy, Missing));

        byte[] after = File.ReadAllBytes(copy);
        Assert.That(result.Weakened, Is.EqualTo(new[] { Missing }));
        Assert.That(result.Changed, Is.True);
        Assert.That(result.Unsafe, Is.Empty);
        Assert.That(ElfVersions.ReadRequirements(after).Where(r => r.IsWeak).Select(r => r.Name), Is.EqualTo(new[] { Missing }));
        int[] changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        Assert.That(changed, Has.Length.EqualTo(1), "one flags byte");
        Assert.That(after[changed[0]], Is.EqualTo(before[changed[0]] | ElfVersions.VerFlagWeak));
    }

    [Test]
    public void PatchingTwiceChangesNothingMore()
    {
        string copy = CopyOfOriginal();
        HashSet<string> provided = ProvidedWithout(copy, Missing);
        ElfVersions.WeakenMissingUnusedRequirements(copy, "libstdc++.so.6", provided);
        DateTime written = File.GetLastWriteTimeUtc(copy);
        byte[] once = File.ReadAllBytes(copy);

        ElfPatchResult again = ElfVersions.WeakenMissingUnusedRequirements(copy, "libstdc++.so.6", provided);

        Assert.That(again.Weakened, Is.EqualTo(new[] { Missing }), "already weak counts as handled");
        Assert.That(again.Changed, Is.False);
        Assert.That(File.ReadAllBytes(copy), Is.EqualTo(once));
        Assert.That(File.GetLastWriteTimeUtc(copy), Is.EqualTo(written), "not rewritten");
    }

    [Test]
    public void NothingChangesWhenTheSystemProvidesEveryVersion()
    {
        string copy = CopyOfOriginal();
        byte[] before = File.ReadAllBytes(copy);

        ElfPatchResult result = ElfVersions.WeakenMissingUnusedRequirements(copy, "libstdc++.so.6", ProvidedWithout(copy));

        Assert.That(result.Weakened, Is.Empty);
        Assert.That(File.ReadAllBytes(copy), Is.EqualTo(before));
    }

    [Test]
    public void VersionsThatSymbolsUseAreNeverWeakened()
    {
        string copy = CopyOfOriginal();
        byte[] before = File.ReadAllBytes(copy);
        // Pretend an old libstdc++ without 3.4.30 and 3.4.29: real symbols need those.
        ElfPatchResult result = ElfVersions.WeakenMissingUnusedRequirements(
            copy, "libstdc++.so.6", ProvidedWithout(copy, Missing, "GLIBCXX_3.4.30", "GLIBCXX_3.4.29"));

        Assert.That(result.Unsafe, Is.EquivalentTo(new[] { "GLIBCXX_3.4.30", "GLIBCXX_3.4.29" }));
        Assert.That(result.Weakened, Is.EqualTo(new[] { Missing }));
        Assert.That(ElfVersions.ReadRequirements(File.ReadAllBytes(copy)).Where(r => r.IsWeak).Select(r => r.Name), Is.EqualTo(new[] { Missing }));
        Assert.That(File.ReadAllBytes(copy), Is.Not.EqualTo(before));
    }

    [Test]
    public void HardLinkedOriginalIsNeverModified()
    {
        string source = Path.Combine(Scratch, "cache-copy.so");
        File.Copy(OriginalLibrary(), source);
        string linked = Path.Combine(Scratch, "output.so");
        File.CreateSymbolicLink(linked, source);
        byte[] before = File.ReadAllBytes(source);

        ElfVersions.WeakenMissingUnusedRequirements(linked, "libstdc++.so.6", ProvidedWithout(source, Missing));

        Assert.That(File.ReadAllBytes(source), Is.EqualTo(before), "the link target (think: NuGet cache) is untouched");
        Assert.That(new FileInfo(linked).LinkTarget, Is.Null, "the output entry became a file of its own");
    }

    [Test]
    public void NonElfInputIsReported()
    {
        string path = Path.Combine(Scratch, "not-elf.so");
        File.WriteAllText(path, "hello");
        Assert.Throws<InvalidDataException>(() => ElfVersions.ReadRequirements(File.ReadAllBytes(path)));
    }

    [Test]
    public void SystemLibStdCxxDefinitionsAreRead()
    {
        const string system = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
        if (!File.Exists(system))
        {
            Assert.Ignore($"{system} is not on this machine.");
        }

        HashSet<string> defined = ElfVersions.ReadDefinedVersions(File.ReadAllBytes(system));
        Assert.That(defined, Does.Contain("GLIBCXX_3.4").And.Contain("GLIBCXX_3.4.26").And.Contain("CXXABI_1.3"));
    }
}
