using Microsoft.ML.Gan.IO;

namespace Microsoft.ML.Gan.Tests.IO;

/// <summary>Atomic writes leave nothing behind: not on failure, and not after a writer that was killed.</summary>
[Category(TestCategories.Fast)]
public sealed class AtomicFileTests : ScratchDirectoryTest
{
    [Test]
    public void AFailedWriteLeavesNeitherTargetNorTemporary()
    {
        string target = Path.Combine(Scratch, "model.zip");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(target, (Stream _) => throw new InvalidOperationException("boom")));
        Assert.That(Directory.GetFileSystemEntries(Scratch), Is.Empty);
    }

    [Test]
    public void TemporariesOfAKilledWriterAreRemovedAtTheNextWriteToTheSameTarget()
    {
        string target = Path.Combine(Scratch, "model.zip");
        string stale = Path.Combine(Scratch, $".model.zip.{Guid.NewGuid():N}.tmp");
        string otherTarget = Path.Combine(Scratch, $".other.zip.{Guid.NewGuid():N}.tmp");
        string notOurs = Path.Combine(Scratch, ".model.zip.notes.tmp");
        foreach (string file in new[] { stale, otherTarget, notOurs })
        {
            File.WriteAllText(file, "left behind");
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(-1));
        }

        AtomicFile.Write(target, (Stream s) => s.WriteByte(1));

        Assert.That(Directory.GetFiles(Scratch).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { Path.GetFileName(notOurs), Path.GetFileName(otherTarget), "model.zip" }.Order()));
    }

    [Test]
    public void ErrorsNameTheTargetNotTheTemporary()
    {
        string directory = Path.Combine(Scratch, "read-only");
        Directory.CreateDirectory(directory);
        string target = Path.Combine(directory, "model.zip");
        File.WriteAllText(target, "old");
        var error = Assert.Throws<IOException>(() => AtomicFile.Write(target, (string temporary) => throw new UnauthorizedAccessException($"Access to the path '{temporary}' is denied.")));
        Assert.That(error!.Message, Does.Contain($"Cannot write '{target}'").And.Not.Contain(".model.zip."));
        Assert.That(File.ReadAllText(target), Is.EqualTo("old"));
    }
}
