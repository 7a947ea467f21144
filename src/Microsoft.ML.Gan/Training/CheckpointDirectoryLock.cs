namespace Microsoft.ML.Gan.Training;

/// <summary>
/// A training run's hold on its checkpoint folder: <c>.training.lock</c>, opened without sharing for as long as the run
/// trains (.NET turns that into an advisory lock on Unix), so a second run started into the same folder, even an empty
/// one, is refused instead of overwriting the first one's checkpoints. Deleted when the run ends.
/// </summary>
internal sealed class CheckpointDirectoryLock : IDisposable
{
    internal const string FileName = ".training.lock";
    private readonly FileStream _file;

    private CheckpointDirectoryLock(FileStream file) => _file = file;

    /// <summary>Takes the folder (creating it); null when <paramref name="directory"/> is null.</summary>
    /// <exception cref="IOException">Another training run holds the folder: the message names it.</exception>
    public static CheckpointDirectoryLock? Take(string? directory)
    {
        if (directory is null)
        {
            return null;
        }

        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName);
        try
        {
            return new CheckpointDirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose));
        }
        catch (IOException e)
        {
            throw new IOException(
                $"Checkpoint directory '{directory}' is in use by another training run (it holds '{FileName}'); wait for that run to end, or choose another {nameof(GanOptions)}.{nameof(GanOptions.CheckpointDirectory)}.", e);
        }
    }

    public void Dispose() => _file.Dispose();
}
