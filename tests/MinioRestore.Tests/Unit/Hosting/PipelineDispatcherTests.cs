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

    [Fact]
    public void The_queue_to_the_pipeline_thread_is_bounded_and_a_worker_waits_for_room()
    {
        const int capacity = 16, total = 2_000;
        using var dispatcher = new PipelineDispatcher(capacity);
        int entering = 0, most = 0;
        var ran = new List<int>();

        dispatcher.Run(_ =>
        {
            for (int i = 0; i < total; i++)
            {
                int index = i;
                Volatile.Write(ref entering, i + 1);
                dispatcher.Post(() =>
                {
                    if (index == 0)
                    {
                        // The pipeline thread is busy with the first action while the worker posts on:
                        // it gets as far as the queue has room, then waits.
                        SpinWait.SpinUntil(() => Volatile.Read(ref entering) >= capacity + 2, TimeSpan.FromSeconds(30));
                        Thread.Sleep(200); // an unbounded queue would fill up meanwhile
                    }
                    most = Math.Max(most, dispatcher.Waiting);
                    ran.Add(index);
                });
            }
            return Task.FromResult(0);
        });

        Assert.InRange(most, capacity - 1, capacity);
        Assert.Equal(Enumerable.Range(0, total), ran); // nothing lost, in order
    }

    [Fact]
    public void The_pipeline_thread_never_waits_for_room_in_its_own_queue()
    {
        // An action that writes again (a question that writes, an error record's handler) with the queue full.
        using var dispatcher = new PipelineDispatcher(capacity: 1);
        var ran = new List<string>();

        dispatcher.Run(_ =>
        {
            for (int i = 0; i < 50; i++)
            {
                int index = i;
                dispatcher.Post(() =>
                {
                    ran.Add($"a{index}");
                    dispatcher.Post(() => ran.Add($"b{index}"));
                });
            }
            return Task.FromResult(0);
        });

        Assert.Equal(100, ran.Count);
        Assert.All(Enumerable.Range(0, 50), i => Assert.True(ran.IndexOf($"a{i}") < ran.IndexOf($"b{i}")));
    }

    [Fact]
    public void Workers_waiting_for_room_go_on_when_the_pipeline_stops_so_the_work_ends_and_cleans_up()
    {
        using var dispatcher = new PipelineDispatcher(capacity: 2);
        int waitingWorkers = 0;
        bool workEnded = false;
        var started = DateTime.UtcNow;

        var thrown = Assert.Throws<InvalidDataException>(() => dispatcher.Run(async cancel =>
        {
            try
            {
                // Four workers keep posting; the pipeline thread throws on the first action (pipeline stopped).
                await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(() =>
                {
                    Interlocked.Increment(ref waitingWorkers);
                    for (int i = 0; !cancel.IsCancellationRequested; i++)
                        dispatcher.Post(() =>
                        {
                            SpinWait.SpinUntil(() => Volatile.Read(ref waitingWorkers) == 4, TimeSpan.FromSeconds(30));
                            throw new InvalidDataException("pipeline stopped");
                        });
                }, CancellationToken.None)));
            }
            finally
            {
                workEnded = true;
            }
            return 0;
        }));

        Assert.Equal("pipeline stopped", thrown.Message);
        Assert.True(workEnded, "a worker stayed blocked on the full queue after the pipeline stopped");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(50), "Run waited for the cleanup timeout: a worker was stuck");
    }
}
