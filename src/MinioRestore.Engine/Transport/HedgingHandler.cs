using System.Net.Http;

namespace MinioRestore.Engine.Transport;

/// <summary>
/// The SDK's requests' answers: a control answer (a listing page, a bucket's or an object's
/// settings, a completion: <see cref="IsControlAnswer"/>) is read whole here, asynchronously,
/// before the SDK sees it. The SDK parses XML with synchronous reads of the network stream, which
/// no timeout or cancellation reaches: an RGW under load that stopped a listing page's body half-way
/// held a restore for 65 s (its request timeout) about once in 30 no-op reruns. A read without a body
/// (GET, HEAD) not answered whole after <c>after</c> is asked again, on another connection, and the
/// first whole answer taken. Reads are safe to ask twice; writes never are, and stay the SDK's
/// retries' and the copier's (its idle timeout). Object bodies are never read here: they stream.
/// </summary>
internal sealed class HedgingHandler(HttpMessageHandler inner, TimeSpan after) : DelegatingHandler(inner)
{
    public static readonly TimeSpan DefaultAfter = TimeSpan.FromSeconds(5);

    // The query parameters that name an S3 subresource or listing: their answers are small XML documents.
    private static readonly HashSet<string> ControlParameters = new(StringComparer.Ordinal)
    {
        "list-type", "versions", "uploads", "uploadId", "delete", "object-lock", "versioning", "location",
        "tagging", "retention", "legal-hold", "acl", "encryption", "policy", "lifecycle", "delimiter",
    };

    /// <summary>Whether the answer is a control document (read whole here), not an object's body (streamed).</summary>
    internal static bool IsControlAnswer(HttpRequestMessage request)
    {
        string query = request.RequestUri?.Query ?? "";
        if (query.Length <= 1) return false;
        foreach (var pair in query[1..].Split('&'))
        {
            int equals = pair.IndexOf('=');
            if (ControlParameters.Contains(Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]))) return true;
        }
        return false;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancel)
    {
        if (request.Content is not null || (request.Method != HttpMethod.Get && request.Method != HttpMethod.Head))
            return await AnswerAsync(request, cancel).ConfigureAwait(false);

        using var firstCancel = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var first = AnswerAsync(request, firstCancel.Token);
        using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancel))
        {
            var delay = Task.Delay(after, waiting.Token);
            var done = await Task.WhenAny(first, delay).ConfigureAwait(false);
            waiting.Cancel();
            if (done == first || cancel.IsCancellationRequested) return await first.ConfigureAwait(false);
        }

        using var secondCancel = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var second = AnswerAsync(Copy(request), secondCancel.Token);
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

    /// <summary>The response, with a control answer's body read whole (cancellable, unlike the SDK's reads).</summary>
    private async Task<HttpResponseMessage> AnswerAsync(HttpRequestMessage request, CancellationToken cancel)
    {
        var response = await base.SendAsync(request, cancel).ConfigureAwait(false);
        if (!IsControlAnswer(request) || request.Method == HttpMethod.Head) return response;
        try
        {
            var body = new MemoryStream();
            await response.Content.CopyToAsync(body, cancel).ConfigureAwait(false);
            var whole = new ByteArrayContent(body.GetBuffer(), 0, (int)body.Length);
            foreach (var header in response.Content.Headers) whole.Headers.TryAddWithoutValidation(header.Key, header.Value);
            response.Content.Dispose();
            response.Content = whole;
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
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
