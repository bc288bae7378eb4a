using System.Collections.Concurrent;

namespace MinioRestore.PowerShell.Hosting;

/// <summary>
/// Runs a command's work on the thread pool while the pipeline thread waits, and runs on the
/// pipeline thread what the work posts (as PSql's MainThreadDispatcher). The rules: workers only
/// post; posted actions run in order, on the thread that called <see cref="Run{T}"/>;
/// <see cref="Stop"/> cancels the work's token and <see cref="Run{T}"/> returns only once the
/// work has ended (uploads aborted); the work's result or exception comes back to the caller.
/// No PowerShell type here, so it is tested on its own.
/// </summary>
internal sealed class PipelineDispatcher : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private BlockingCollection<Action>? _queue;
    private Thread? _pipelineThread;

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

    /// <summary>Queues an action for the pipeline thread. Safe from any thread; dropped once a stopped run has ended.</summary>
    public void Post(Action action)
    {
        var queue = _queue ?? throw new InvalidOperationException("Post is only valid while work runs (inside Run).");
        try { queue.Add(action); }
        catch (InvalidOperationException) { /* the run already ended (stopped); nothing left to show */ }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool and, until it ends, runs posted actions and
    /// <paramref name="tick"/> (progress) on this thread. Returns the work's result or rethrows its exception.
    /// </summary>
    public T Run<T>(Func<CancellationToken, Task<T>> work, Action? tick = null, TimeSpan? tickInterval = null)
    {
        var interval = tickInterval ?? TimeSpan.FromMilliseconds(250);
        using var queue = new BlockingCollection<Action>();
        _queue = queue;
        _pipelineThread = Thread.CurrentThread;
        var task = Task.Run(async () =>
        {
            try { return await work(_stop.Token).ConfigureAwait(false); }
            finally { queue.CompleteAdding(); }
        });
        try
        {
            var nextTick = DateTime.UtcNow;
            while (!queue.IsCompleted)
            {
                if (queue.TryTake(out var action, interval)) action();
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
            // When a posted action threw (pipeline stopped), let the work see the cancellation and
            // clean up (abort uploads) before the command returns.
            if (!task.IsCompleted)
            {
                _stop.Cancel();
                try { task.Wait(CleanupTimeout); } catch (AggregateException) { }
            }
            _queue = null;
            _pipelineThread = null;
        }
    }

    public void Dispose() => _stop.Dispose();
}
