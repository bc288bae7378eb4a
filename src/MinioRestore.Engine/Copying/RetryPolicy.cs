using MinioRestore.Engine.Errors;

namespace MinioRestore.Engine.Copying;

/// <summary>
/// Retries a transient failure (throttling, 5xx, timeout, reset, corrupted body) with exponential
/// backoff and full jitter. Used where the SDK cannot retry by itself: a streamed body can only
/// be replayed by starting the object (or part) again from the source.
/// </summary>
public sealed class RetryPolicy
{
    public static readonly RetryPolicy Default = new(attempts: 6, baseDelay: TimeSpan.FromMilliseconds(200), maxDelay: TimeSpan.FromSeconds(10));

    public RetryPolicy(int attempts, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        Attempts = Math.Max(1, attempts);
        BaseDelay = baseDelay;
        MaxDelay = maxDelay;
    }

    public int Attempts { get; }
    public TimeSpan BaseDelay { get; }
    public TimeSpan MaxDelay { get; }

    /// <param name="explain">Turns any exception into a <see cref="RestoreException"/> that says whether it is transient.</param>
    /// <param name="onRetry">Told of each failure that will be retried.</param>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> action, Func<Exception, RestoreException> explain,
        Action<RestoreException, int>? onRetry, CancellationToken cancel)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await action(cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancel.IsCancellationRequested)
            {
                var failure = explain(e);
                if (!failure.IsTransient || attempt >= Attempts) throw failure;
                onRetry?.Invoke(failure, attempt);
                await Task.Delay(DelayBefore(attempt), cancel).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Full jitter: a random delay up to the exponential bound, so retrying workers spread out.</summary>
    internal TimeSpan DelayBefore(int attempt)
    {
        double bound = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * bound);
    }
}
