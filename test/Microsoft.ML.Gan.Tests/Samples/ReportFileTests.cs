using Gan.Samples.Reporting;

namespace Microsoft.ML.Gan.Tests.Samples;

/// <summary>Reports are written like models: whole or not at all.</summary>
public sealed class ReportFileTests : ScratchDirectoryTest
{
    [Category(TestCategories.Fast)]
    [Test]
    public void AFailedWriteLeavesNeitherAPartialReportNorItsTemporaryFile()
    {
        string target = Path.Combine(Scratch, "report.md");
        Directory.CreateDirectory(target);   // a folder where the report should go: the rename fails

        Assert.That(() => ReportFile.Write(target, "# report"), Throws.InstanceOf<IOException>().Or.InstanceOf<UnauthorizedAccessException>());
        Assert.That(Directory.GetFileSystemEntries(Scratch).Select(Path.GetFileName), Is.EqualTo(new[] { "report.md" }), "only the folder that was there");
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void AWriteReplacesTheOldReportWhole()
    {
        string target = Path.Combine(Scratch, "report.md");
        ReportFile.Write(target, "old");

        ReportFile.Write(target, "new");

        Assert.That(File.ReadAllText(target), Is.EqualTo("new"));
        Assert.That(Directory.GetFiles(Scratch), Has.Length.EqualTo(1));
    }
}
