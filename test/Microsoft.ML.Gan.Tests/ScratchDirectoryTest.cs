namespace Microsoft.ML.Gan.Tests;

/// <summary>Base for tests that write files: a fresh directory per test, deleted afterwards.</summary>
public abstract class ScratchDirectoryTest
{
    /// <summary>This test's own empty directory.</summary>
    protected string Scratch { get; private set; } = "";

    [SetUp]
    public void CreateScratchDirectory() => Scratch = TestFiles.NewDirectory();

    [TearDown]
    public void DeleteScratchDirectory() => Directory.Delete(Scratch, recursive: true);
}
