using System.Collections.Concurrent;
using System.Management.Automation;

namespace MinioRestore.PowerShell.Hosting;

/// <summary>
/// Base for cmdlets whose work runs on the thread pool. PowerShell allows Write*, ShouldProcess
/// and friends only on the pipeline thread, so workers post actions to a queue that the pipeline
/// thread drains while it waits. Ctrl+C (StopProcessing) cancels the work's token.
/// </summary>
public abstract class PipelineCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private BlockingCollection<Action>? _queue;

    protected override void StopProcessing() => _stop.Cancel();

    /// <summary>Queues an action for the pipeline thread. Safe from any thread.</summary>
    protected void Post(Action action)
    {
        var queue = _queue ?? throw new InvalidOperationException("Post is only valid inside RunOnThreadPool.");
        try { queue.Add(action); }
        catch (InvalidOperationException) { /* the run already ended (stopped); nothing left to show */ }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool and, until it ends, runs posted actions and
    /// <paramref name="tick"/> (progress) on the pipeline thread. Returns the work's result or rethrows its exception.
    /// </summary>
    protected T RunOnThreadPool<T>(Func<CancellationToken, Task<T>> work, Action? tick = null, TimeSpan? tickInterval = null)
    {
        var interval = tickInterval ?? TimeSpan.FromMilliseconds(250);
        using var queue = new BlockingCollection<Action>();
        _queue = queue;
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
            // When a Write* threw (pipeline stopped), let the work see the cancellation and clean
            // up (abort uploads) before the cmdlet returns.
            if (!task.IsCompleted)
            {
                _stop.Cancel();
                try { task.Wait(TimeSpan.FromSeconds(60)); } catch (AggregateException) { }
            }
            _queue = null;
        }
    }

    public void Dispose()
    {
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
