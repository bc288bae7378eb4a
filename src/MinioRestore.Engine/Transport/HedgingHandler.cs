using System.Net.Http;

namespace MinioRestore.Engine.Transport;

/// <summary>
/// Asks a read without a body (GET, HEAD: a listing page, a survey, a bucket check) again, on
/// another connection, when the server has not begun to answer it after <c>after</c>, and takes
/// the first answer. Such requests answer in well under a second; RGW under load was seen to leave
/// one unanswered for 65 s (its request timeout) about once in 30 reruns, while the SDK would wait
/// out its 2-minute timeout. Reads are safe to ask twice; writes never are, and are the copier's,
/// bounded by its idle timeout.
/// </summary>
internal sealed class HedgingHandler(HttpMessageHandler inner, TimeSpan after) : DelegatingHandler(inner)
{
    public static readonly TimeSpan DefaultAfter = TimeSpan.FromSeconds(5);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancel)
    {
        if (request.Content is not null || (request.Method != HttpMethod.Get && request.Method != HttpMethod.Head))
            return await base.SendAsync(request, cancel).ConfigureAwait(false);

        // A token given to SendAsync governs the request until its response headers, not the body after them.
        using var firstCancel = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var first = base.SendAsync(request, firstCancel.Token);
        using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancel))
        {
            var delay = Task.Delay(after, waiting.Token);
            var done = await Task.WhenAny(first, delay).ConfigureAwait(false);
            waiting.Cancel();
            if (done == first || cancel.IsCancellationRequested) return await first.ConfigureAwait(false);
        }

        using var secondCancel = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var second = base.SendAsync(Copy(request), secondCancel.Token);
        var winner = await Task.WhenAny(first, second).ConfigureAwait(false);
        var (other, otherCancel) = winner == first ? (second, secondCancel) : (first, firstCancel);
        if (!winner.IsCompletedSuccessfully)
        {
            // The first to end failed: the other's answer, or the failure of the request asked first.
            try { return await other.ConfigureAwait(false); }
            catch when (!cancel.IsCancellationRequested) { return await first.ConfigureAwait(false); }
        }
        otherCancel.Cancel();
        _ = other.ContinueWith(static t => { if (t.IsCompletedSuccessfully) t.Result.Dispose(); else _ = t.Exception; },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return winner.Result;
    }

    /// <summary>The same signed request, to be sent again: a message is sent once.</summary>
    private static HttpRequestMessage Copy(HttpRequestMessage request)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        foreach (var header in request.Headers) copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        foreach (var option in request.Options) ((IDictionary<string, object?>)copy.Options)[option.Key] = option.Value;
        return copy;
    }
}
