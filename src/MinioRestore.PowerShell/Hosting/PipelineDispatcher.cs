using System.Collections.Concurrent;

namespace MinioRestore.PowerShell.Hosting;

/// <summary>
/// Runs a command's work on the thread pool while the pipeline thread waits, and runs on the
/// pipeline thread what the work posts (as PSql's MainThreadDispatcher). The rules: workers only
/// post; posted actions run in order, on the thread that called <see cref="Run{T}"/>;
/// <see cref="Stop"/> cancels the work's token and <see cref="Run{T}"/> returns only once the
/// work has ended (uploads aborted); the work's result or exception comes back to the caller.
/// The queue is bounded (<see cref="Capacity"/>): a worker that posts to a full queue waits
/// until the pipeline thread has taken an action (so -Verbose over millions of skipped objects
/// keeps memory flat), except on the pipeline thread itself, which never waits for itself, and
/// once the pipeline thread has stopped draining, when the action is dropped.
/// No PowerShell type here, so it is tested on its own.
/// </summary>
internal sealed class PipelineDispatcher(int capacity = PipelineDispatcher.DefaultCapacity) : IDisposable
{
    /// <summary>Actions queued at most: a few seconds of verbose lines at the pipeline thread's pace.</summary>
    public const int DefaultCapacity = 4096;

    private readonly CancellationTokenSource _stop = new();
    private Session? _session;
    private Thread? _pipelineThread;

    /// <summary>One run's queue, the room left in it, and the signal that the pipeline thread stopped draining it.</summary>
    private sealed record Session(BlockingCollection<Queued> Queue, SemaphoreSlim Room, CancellationTokenSource DrainEnded);

    /// <summary>An action, and whether it took one of the <see cref="Capacity"/> places (a worker's) or came from the pipeline thread.</summary>
    private readonly record struct Queued(Action Action, bool HoldsPlace);

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    /// <summary>Actions waiting for the pipeline thread now (for tests).</summary>
    internal int Waiting => _session?.Queue.Count ?? 0;

    /// <summary>How long a run that was stopped, or whose pipeline broke, may take to clean up.</summary>
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(60);

    public CancellationToken StopToken => _stop.Token;

    /// <summary>Ctrl+C, Stop-Job: cancels the work's token. Safe from any thread.</summary>
    public void Stop() => _stop.Cancel();

    /// <summary>True on the thread that waits in <see cref="Run{T}"/>, or whenever no work runs.</summary>
    public bool OnPipelineThread => _pipelineThread is not { } t || t == Thread.CurrentThread;

    /// <summary>Refuses, with a message that says what to do instead, a call that PowerShell allows only on the pipeline thread.</summary>
    public void EnsurePipelineThread(string call)
    {
        if (!OnPipelineThread)
            throw new InvalidOperationException(
                $"{call} was called on thread {Environment.CurrentManagedThreadId}, but while a command's work runs only the pipeline thread " +
                $"(thread {_pipelineThread!.ManagedThreadId}) may write to PowerShell. Write through IPipelineOutput (PipelineCmdlet.Output), which queues the call for the pipeline thread.");
    }

    /// <summary>
    /// Queues an action for the pipeline thread. Safe from any thread; a worker waits while the
    /// queue is full; dropped once a stopped run has ended or the pipeline thread stopped draining.
    /// </summary>
    public void Post(Action action)
    {
        var session = _session ?? throw new InvalidOperationException("Post is only valid while work runs (inside Run).");
        // The pipeline thread drains the queue: it must never wait for room (an action that writes, a question that writes).
        bool holdsPlace = Thread.CurrentThread != _pipelineThread;
        try
        {
            if (holdsPlace) session.Room.Wait(session.DrainEnded.Token);
            try { session.Queue.Add(new Queued(action, holdsPlace)); }
            catch (InvalidOperationException)
            {
                if (holdsPlace) session.Room.Release();
            }
        }
        // The pipeline thread stopped draining, or the run already ended (stopped): nothing left to show.
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or InvalidOperationException) { }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool and, until it ends, runs posted actions and
    /// <paramref name="tick"/> (progress) on this thread. Returns the work's result or rethrows its exception.
    /// </summary>
    public T Run<T>(Func<CancellationToken, Task<T>> work, Action? tick = null, TimeSpan? tickInterval = null)
    {
        var interval = tickInterval ?? TimeSpan.FromMilliseconds(250);
        using var queue = new BlockingCollection<Queued>();
        using var room = new SemaphoreSlim(Capacity, Capacity);
        using var drainEnded = new CancellationTokenSource();
        _session = new Session(queue, room, drainEnded);
        _pipelineThread = Thread.CurrentThread;
        var task = Task.Run(async () =>
        {
            try { return await work(_stop.Token).ConfigureAwait(false); }
            finally
            {
                // Wakes the pipeline thread. The queue stays open: an action it runs may still post (on the pipeline thread).
                try { queue.Add(new Queued(static () => { }, HoldsPlace: false)); }
                catch (ObjectDisposedException) { /* Run returned already (cleanup timeout) */ }
            }
        });
        try
        {
            var nextTick = DateTime.UtcNow;
            while (!(task.IsCompleted && queue.Count == 0))
            {
                if (queue.TryTake(out var item, interval))
                {
                    if (item.HoldsPlace) room.Release();
                    item.Action();
                }
                if (tick is not null && DateTime.UtcNow >= nextTick)
                {
                    tick();
                    nextTick = DateTime.UtcNow + interval;
                }
            }
            return task.GetAwaiter().GetResult();
        }
        finally
        {
            // Workers waiting for room go on (their actions are dropped): nobody drains any more.
            drainEnded.Cancel();
            // When a posted action threw (pipeline stopped), let the work see the cancellation and
            // clean up (abort uploads) before the command returns.
            if (!task.IsCompleted)
            {
                _stop.Cancel();
                try { task.Wait(CleanupTimeout); } catch (AggregateException) { }
            }
            _session = null;
            _pipelineThread = null;
        }
    }

    public void Dispose() => _stop.Dispose();
}
