using System.Collections.Concurrent;
using MinioRestore.PowerShell.Hosting;

namespace MinioRestore.Tests.Unit.Hosting;

/// <summary>
/// The threading rules of the PowerShell layer, without PowerShell: work runs on the thread
/// pool, what it posts runs in order on the thread that waits, and nothing else may write.
/// </summary>
public sealed class PipelineDispatcherTests : IDisposable
{
    private readonly PipelineDispatcher _dispatcher = new();

    public void Dispose() => _dispatcher.Dispose();

    [Fact]
    public void Actions_posted_from_worker_threads_run_on_the_waiting_thread_in_order()
    {
        var pipelineThread = Environment.CurrentManagedThreadId;
        var ran = new List<(int Index, int Thread)>();
        var workerThreads = new ConcurrentBag<int>();

        _dispatcher.Run(async _ =>
        {
            for (int i = 0; i < 200; i++)
            {
                await Task.Yield(); // hop between pool threads
                workerThreads.Add(Environment.CurrentManagedThreadId);
                int index = i;
                _dispatcher.Post(() => ran.Add((index, Environment.CurrentManagedThreadId)));
            }
            return 0;
        });

        Assert.Equal(Enumerable.Range(0, 200), ran.Select(r => r.Index));
        Assert.All(ran, r => Assert.Equal(pipelineThread, r.Thread));
        Assert.DoesNotContain(pipelineThread, workerThreads);
    }

    [Fact]
    public void A_write_from_a_worker_thread_is_refused_with_a_message_that_says_what_to_do()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => _dispatcher.Run(_ =>
        {
            _dispatcher.EnsurePipelineThread("WriteObject");
            return Task.FromResult(0);
        }));

        Assert.Contains("WriteObject was called on thread", refused.Message);
        Assert.Contains("pipeline thread", refused.Message);
        Assert.Contains("IPipelineOutput", refused.Message);
    }

    [Fact]
    public void The_waiting_thread_may_write_during_and_after_the_work()
    {
        bool checkedInside = false;
        _dispatcher.Run(_ =>
        {
            _dispatcher.Post(() => { _dispatcher.EnsurePipelineThread("WriteVerbose"); checkedInside = true; });
            return Task.FromResult(0);
        });
        _dispatcher.EnsurePipelineThread("WriteObject"); // no work runs: any thread is the pipeline's

        Assert.True(checkedInside);
        Assert.True(_dispatcher.OnPipelineThread);
    }

    [Fact]
    public void Stop_cancels_the_work_token_and_Run_returns_only_after_the_work_cleaned_up()
    {
        using var started = new ManualResetEventSlim();
        bool cleanedUp = false;
        var stopper = Task.Run(() =>
        {
            started.Wait();
            _dispatcher.Stop();
        });

        Assert.ThrowsAny<OperationCanceledException>(() => _dispatcher.Run(async cancel =>
        {
            try
            {
                started.Set();
                await Task.Delay(Timeout.Infinite, cancel);
                return 0;
            }
            finally
            {
                await Task.Delay(200, CancellationToken.None); // as aborting open uploads takes a moment
                cleanedUp = true;
            }
        }));

        Assert.True(cleanedUp);
        Assert.True(_dispatcher.StopToken.IsCancellationRequested);
        stopper.Wait();
    }

    [Fact]
    public void When_a_posted_action_throws_the_work_is_cancelled_and_awaited_before_the_exception_surfaces()
    {
        bool cleanedUp = false;
        var thrown = Assert.Throws<InvalidDataException>(() => _dispatcher.Run(async cancel =>
        {
            _dispatcher.Post(() => throw new InvalidDataException("pipeline stopped"));
            try { await Task.Delay(Timeout.Infinite, cancel); }
            finally { cleanedUp = true; }
            return 0;
        }));

        Assert.Equal("pipeline stopped", thrown.Message);
        Assert.True(cleanedUp);
    }

    [Fact]
    public void An_exception_in_the_work_surfaces_to_the_caller()
    {
        var thrown = Assert.Throws<InvalidDataException>(() =>
            _dispatcher.Run<int>(async _ => { await Task.Yield(); throw new InvalidDataException("boom"); }));

        Assert.Equal("boom", thrown.Message);
    }

    [Fact]
    public void The_work_result_comes_back_and_ticks_run_on_the_waiting_thread()
    {
        var pipelineThread = Environment.CurrentManagedThreadId;
        var tickThreads = new List<int>();

        int result = _dispatcher.Run(async _ => { await Task.Delay(120); return 42; },
            tick: () => tickThreads.Add(Environment.CurrentManagedThreadId), tickInterval: TimeSpan.FromMilliseconds(20));

        Assert.Equal(42, result);
        Assert.NotEmpty(tickThreads);
        Assert.All(tickThreads, t => Assert.Equal(pipelineThread, t));
    }

    [Fact]
    public void Posting_outside_a_run_is_refused()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => _dispatcher.Post(() => { }));
        Assert.Contains("inside Run", refused.Message);
    }
}
