using MinioRestore.Engine.Errors;

namespace MinioRestore.Engine.Copying;

/// <summary>
/// Retries a transient failure (throttling, 5xx, timeout, reset, corrupted body, a server that is
/// down) with exponential backoff and full jitter. Used where the SDK cannot retry by itself: a
/// streamed body can only be replayed by starting the object (or part) again from the source.
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>About a minute: operators restart MinIO nodes during long restores, and a restart takes seconds.</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(60);

    public static readonly RetryPolicy Default = new(attempts: 6, baseDelay: TimeSpan.FromMilliseconds(200), maxDelay: TimeSpan.FromSeconds(10), DefaultBudget);

    /// <param name="budget">
    /// After <paramref name="attempts"/>, a transient failure is still retried until this much time
    /// has passed since the first failure, so a short outage does not fail every object in flight.
    /// </param>
    public RetryPolicy(int attempts, TimeSpan baseDelay, TimeSpan maxDelay, TimeSpan budget = default)
    {
        Attempts = Math.Max(1, attempts);
        BaseDelay = baseDelay;
        MaxDelay = maxDelay;
        Budget = budget < TimeSpan.Zero ? TimeSpan.Zero : budget;
    }

    public int Attempts { get; }
    public TimeSpan BaseDelay { get; }
    public TimeSpan MaxDelay { get; }
    public TimeSpan Budget { get; }

    /// <summary>The same policy with another time budget.</summary>
    public RetryPolicy WithBudget(TimeSpan budget) => new(Attempts, BaseDelay, MaxDelay, budget);

    /// <param name="explain">Turns any exception into a <see cref="RestoreException"/> that says whether it is transient.</param>
    /// <param name="onRetry">Told of each failure that will be retried.</param>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> action, Func<Exception, RestoreException> explain,
        Action<RestoreException, int>? onRetry, CancellationToken cancel)
    {
        long firstFailure = 0;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await action(cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancel.IsCancellationRequested)
            {
                var failure = explain(e);
                if (firstFailure == 0) firstFailure = System.Diagnostics.Stopwatch.GetTimestamp();
                if (!failure.IsTransient || !MayRetry(attempt, System.Diagnostics.Stopwatch.GetElapsedTime(firstFailure))) throw failure;
                onRetry?.Invoke(failure, attempt);
                await Task.Delay(DelayBefore(attempt), cancel).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Another attempt after <paramref name="attempt"/> failed, <paramref name="sinceFirstFailure"/> after the first failure.</summary>
    internal bool MayRetry(int attempt, TimeSpan sinceFirstFailure) => attempt < Attempts || sinceFirstFailure < Budget;

    /// <summary>Full jitter: a random delay up to the exponential bound, so retrying workers spread out.</summary>
    internal TimeSpan DelayBefore(int attempt)
    {
        double bound = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * bound);
    }
}
