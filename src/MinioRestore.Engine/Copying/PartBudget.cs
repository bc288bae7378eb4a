using System.Runtime.ExceptionServices;

namespace MinioRestore.Engine.Copying;

/// <summary>
/// The parts in flight of one bucket's multipart copies, shared by its objects: at most
/// <see cref="Streams"/> part transfers at once over the whole bucket, and at most
/// <see cref="PerObject"/> of one object. An object alone (one huge backup, a few large ones)
/// takes many streams; many objects share them, each getting at least one as parts finish, so
/// none waits forever and none holds more than its cap. A fixed number of parts per object gave
/// 4 streams to a 1 GiB object and 16 to four 64 MiB ones, whatever the bucket held besides.
/// </summary>
internal sealed class PartBudget
{
    private readonly SemaphoreSlim _free;

    public PartBudget(int streams, int perObject)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(streams, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(perObject, 1);
        Streams = streams;
        PerObject = perObject;
        _free = new SemaphoreSlim(streams, streams);
    }

    /// <summary>Part transfers at once over the bucket.</summary>
    public int Streams { get; }

    /// <summary>Part transfers at once of one object.</summary>
    public int PerObject { get; }

    /// <summary>Streams not taken now (for tests and diagnostics).</summary>
    internal int Free => _free.CurrentCount;

    /// <summary>
    /// Runs <paramref name="part"/> for every index below <paramref name="count"/>, each once,
    /// lowest first, each holding one of the bucket's streams while it runs. The first failure
    /// cancels the parts still running, starts no other, and is what this throws (as
    /// Parallel.ForEachAsync does); a cancelled <paramref name="cancel"/> throws OperationCanceledException.
    /// </summary>
    public async Task RunAsync(int count, Func<int, CancellationToken, Task> part, CancellationToken cancel)
    {
        if (count <= 0) return;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        int next = -1;
        Exception? first = null;

        async Task Worker()
        {
            try
            {
                // No wait for a stream once every part was taken: other objects' parts may be queued for it.
                while (Volatile.Read(ref next) < count - 1)
                {
                    await _free.WaitAsync(stop.Token).ConfigureAwait(false);
                    try
                    {
                        int i = Interlocked.Increment(ref next);
                        if (i >= count) return;
                        await part(i, stop.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        _free.Release();
                    }
                }
            }
            catch (Exception e)
            {
                // The first failure is the one reported; the others are parts it cancelled.
                Interlocked.CompareExchange(ref first, e, null);
                stop.Cancel();
            }
        }

        var workers = new Task[Math.Min(count, Math.Min(PerObject, Streams))];
        for (int w = 0; w < workers.Length; w++) workers[w] = Worker();
        await Task.WhenAll(workers).ConfigureAwait(false);
        if (first is not null) ExceptionDispatchInfo.Throw(first);
        cancel.ThrowIfCancellationRequested();
    }
}
