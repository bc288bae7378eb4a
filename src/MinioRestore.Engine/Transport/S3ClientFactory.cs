using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace MinioRestore.Engine.Transport;

/// <summary>Builds the AWSSDK.S3 client used for both ends (S3 source and MinIO target).</summary>
internal static class S3ClientFactory
{
    /// <summary>Requests with a replayable body are retried by the SDK; streamed object bodies are retried per object by the copier.</summary>
    internal const int SdkRetries = 4;

    /// <param name="timeout">Per request; streamed uploads pass none and are guarded by the copier's idle timeout instead.</param>
    public static AmazonS3Client Create(S3Endpoint endpoint, int maxConnections, int retries = SdkRetries, TimeSpan? timeout = null)
    {
        AWSCredentials credentials = endpoint.SessionToken is { } token
            ? new SessionAWSCredentials(endpoint.AccessKeyId, endpoint.SecretKey, token)
            : new BasicAWSCredentials(endpoint.AccessKeyId, endpoint.SecretKey);

        var config = new AmazonS3Config
        {
            // We verify every body with MD5 ourselves (and send Content-MD5); SDK 4's default
            // CRC32 trailers would be extra work and are not understood by every S3-compatible server.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            // The endpoint is what the operator gave, never AWS_ENDPOINT_URL from the environment.
            IgnoreConfiguredEndpointUrls = true,
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = retries,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            Timeout = timeout ?? TimeSpan.FromMinutes(2),
            MaxConnectionsPerServer = maxConnections,
            DisableLogging = true,
            HttpClientFactory = new HttpHandlers.SdkClientFactory(endpoint.Tls, maxConnections),
        };
        if (IsAmazonS3(endpoint.Url))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(endpoint.Region);
        }
        else
        {
            config.ServiceURL = endpoint.Url.ToString();
            config.AuthenticationRegion = endpoint.Region;
            config.ForcePathStyle = true; // MinIO and most S3-compatible servers: no virtual-host DNS
        }
        return new AmazonS3Client(credentials, config);
    }

    internal static bool IsAmazonS3(Uri url) =>
        url.Host.Equals("s3.amazonaws.com", StringComparison.OrdinalIgnoreCase);
}
