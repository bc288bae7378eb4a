using MinioRestore.Engine.Copying;

namespace MinioRestore.Tests.Unit.Copying;

/// <summary>The bucket's shared part streams: caps, sharing, failures and cancellation (no timings: gates and counters).</summary>
public sealed class PartBudgetTests
{
    /// <summary>Only a guard against a hang, never a measured time.</summary>
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_object_alone_takes_as_many_streams_as_its_cap_and_no_more()
    {
        var budget = new PartBudget(streams: 64, perObject: 16);
        int inFlight = 0, most = 0, started = 0;
        var full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await budget.RunAsync(40, async (_, _) =>
        {
            Interlocked.Increment(ref started);
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            if (now == 16) full.TrySetResult();
            await full.Task.WaitAsync(Hang);
            Interlocked.Decrement(ref inFlight);
        }, CancellationToken.None);
        Assert.Equal(16, most);
        Assert.Equal(40, started);
        Assert.Equal(64, budget.Free);
    }

    [Fact]
    public async Task Objects_share_the_streams_and_together_never_exceed_them()
    {
        var budget = new PartBudget(streams: 8, perObject: 6);
        int inFlight = 0, most = 0;
        var perObjectMost = new int[3];
        var ran = new int[3, 10];
        var full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var objects = Enumerable.Range(0, 3).Select(o =>
        {
            int mine = 0;
            return budget.RunAsync(10, async (i, _) =>
            {
                Interlocked.Increment(ref ran[o, i]);
                int now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref most, now);
                InterlockedMax(ref perObjectMost[o], Interlocked.Increment(ref mine));
                if (now == 8) full.TrySetResult();
                await full.Task.WaitAsync(Hang);
                await Task.Yield();
                Interlocked.Decrement(ref mine);
                Interlocked.Decrement(ref inFlight);
            }, CancellationToken.None);
        }).ToArray();
        await Task.WhenAll(objects).WaitAsync(Hang);
        Assert.Equal(8, most); // every stream used, none beyond
        Assert.All(perObjectMost, m => Assert.InRange(m, 1, 6));
        Assert.All(Enumerable.Range(0, 30), k => Assert.Equal(1, ran[k / 10, k % 10]));
        Assert.Equal(8, budget.Free);
    }

    [Fact]
    public async Task One_stream_runs_the_parts_in_order_each_once()
    {
        var budget = new PartBudget(streams: 1, perObject: 1);
        var order = new List<int>();
        await budget.RunAsync(7, (i, _) => { order.Add(i); return Task.CompletedTask; }, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 7), order);
    }

    [Fact]
    public async Task The_first_failure_is_thrown_cancels_the_others_and_starts_no_more()
    {
        var budget = new PartBudget(streams: 4, perObject: 4);
        int started = 0;
        var othersWaiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => budget.RunAsync(100, async (i, ct) =>
        {
            if (Interlocked.Increment(ref started) == 4) othersWaiting.TrySetResult();
            if (i == 3)
            {
                await othersWaiting.Task.WaitAsync(Hang);
                throw new InvalidOperationException("part 4 failed");
            }
            await Task.Delay(Timeout.Infinite, ct); // ends only by the failure's cancellation
        }, CancellationToken.None));
        Assert.Equal("part 4 failed", failure.Message);
        Assert.Equal(4, started);
        Assert.Equal(4, budget.Free);
    }

    [Fact]
    public async Task Cancelling_ends_the_run_with_OperationCanceled_and_returns_every_stream()
    {
        var budget = new PartBudget(streams: 3, perObject: 3);
        using var cancel = new CancellationTokenSource();
        int started = 0;
        var run = budget.RunAsync(10, async (_, ct) =>
        {
            if (Interlocked.Increment(ref started) == 3) cancel.Cancel();
            await Task.Delay(Timeout.Infinite, ct);
        }, cancel.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Hang));
        Assert.Equal(3, started);
        Assert.Equal(3, budget.Free);
    }

    [Fact]
    public async Task An_object_waits_for_streams_another_holds_and_gets_them_when_its_parts_end()
    {
        var budget = new PartBudget(streams: 2, perObject: 2);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int firstStarted = 0;
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = budget.RunAsync(2, async (_, _) =>
        {
            if (Interlocked.Increment(ref firstStarted) == 2) holding.TrySetResult();
            await release.Task.WaitAsync(Hang);
        }, CancellationToken.None);
        await holding.Task.WaitAsync(Hang);
        int secondRan = 0;
        var second = budget.RunAsync(3, (_, _) => { Interlocked.Increment(ref secondRan); return Task.CompletedTask; }, CancellationToken.None);
        Assert.Equal(0, budget.Free);
        Assert.Equal(0, Volatile.Read(ref secondRan)); // no stream free: nothing of the second object ran
        release.SetResult();
        await Task.WhenAll(first, second).WaitAsync(Hang);
        Assert.Equal(3, secondRan);
        Assert.Equal(2, budget.Free);
    }

    [Fact]
    public void A_budget_needs_a_stream()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PartBudget(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PartBudget(1, 0));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (int seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, seen) == seen) return;
    }
}
