using Amazon.S3;
using MinioRestore.Engine.Errors;

namespace MinioRestore.Engine.Transport;

/// <summary>Checks that an endpoint answers and accepts its credentials, before any work starts.</summary>
public static class EndpointCheck
{
    /// <param name="role">How the operator knows this end, e.g. "S3 source" or "MinIO target".</param>
    public static async Task VerifyAsync(S3Endpoint endpoint, string role, CancellationToken cancel)
    {
        using var client = S3ClientFactory.Create(endpoint, maxConnections: 2, retries: 1);
        try
        {
            await client.ListBucketsAsync(cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancel.IsCancellationRequested)
        {
            var failure = S3Failure.Explain(e, role, endpoint, "checking the connection and credentials", ErrorIds.EndpointUnreachable);
            // A key that may not list all buckets is still a key the server accepted.
            if (failure.ErrorId == ErrorIds.AccessDenied) return;
            throw failure;
        }
    }
}
