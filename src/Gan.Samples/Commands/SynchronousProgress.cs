namespace Gan.Samples.Commands;

/// <summary>
/// An <see cref="IProgress{T}"/> that runs its handler on the reporting thread, in order
/// (<see cref="Progress{T}"/> posts to the thread pool, so reports could race and reorder).
/// </summary>
internal sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
