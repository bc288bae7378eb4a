using Amazon.S3.Model;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Engine.Listing;

/// <summary>The buckets an endpoint shows its credential (ListBuckets, every page).</summary>
public static class BucketDirectory
{
    /// <param name="timeout">Bounds the whole listing; with <paramref name="retries"/> 0, a slow or failing server costs one short wait (tab completion).</param>
    public static async Task<IReadOnlyList<string>> ListAsync(S3Endpoint endpoint, CancellationToken cancel, TimeSpan? timeout = null, int retries = S3ClientFactory.SdkRetries)
    {
        using var client = S3ClientFactory.Create(endpoint, maxConnections: 2, retries, timeout);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        if (timeout is { } t) limit.CancelAfter(t);
        var names = new List<string>();
        var request = new ListBucketsRequest();
        while (true)
        {
            var response = await client.ListBucketsAsync(request, limit.Token).ConfigureAwait(false);
            names.AddRange((response.Buckets ?? []).Select(b => b.BucketName));
            if (string.IsNullOrEmpty(response.ContinuationToken)) return names;
            request.ContinuationToken = response.ContinuationToken;
        }
    }
}
