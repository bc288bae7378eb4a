using Amazon.S3.Model;
using MinioRestore.Engine.Endpoints;

namespace MinioRestore.Engine.Listing;

/// <summary>
/// The buckets an endpoint shows its credential (ListBuckets), for tab completion: one request,
/// no retries, bounded by <c>timeout</c>, so a slow or failing server costs one short wait.
/// </summary>
public static class BucketDirectory
{
    public static async Task<IReadOnlyList<string>> ListAsync(S3Endpoint endpoint, TimeSpan timeout, CancellationToken cancel)
    {
        using var client = S3ClientFactory.Create(endpoint, maxConnections: 2, retries: 0, timeout: timeout);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        limit.CancelAfter(timeout);
        var response = await client.ListBucketsAsync(new ListBucketsRequest(), limit.Token).ConfigureAwait(false);
        return response.Buckets?.Select(b => b.BucketName).ToList() ?? [];
    }
}
