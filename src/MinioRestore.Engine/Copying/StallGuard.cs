using MinioRestore.Engine.Errors;

namespace MinioRestore.Engine.Copying;

/// <summary>
/// Runs one attempt that is cancelled when no byte moves for a while: a stalled server or
/// connection fails the attempt (to be retried) instead of hanging the run. The data path's
/// HttpClient has no overall timeout, as a big body may rightly take hours.
/// </summary>
internal static class StallGuard
{
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(60);

    /// <param name="attempt">Given a callback to call whenever bytes move, and the token that the stall cancels.</param>
    public static async Task<T> RunAsync<T>(TimeSpan limit, string errorId, Func<Action, CancellationToken, Task<T>> attempt, CancellationToken cancel)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        idle.CancelAfter(limit);
        try
        {
            return await attempt(() => idle.CancelAfter(limit), idle.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (idle.IsCancellationRequested && !cancel.IsCancellationRequested)
        {
            throw new RestoreException(errorId, FailureKind.Timeout,
                $"No data moved for {limit.TotalSeconds:0} s (a stalled server or connection).", e, transient: true);
        }
    }
}
