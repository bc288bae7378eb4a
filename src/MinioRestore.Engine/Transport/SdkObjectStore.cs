using Amazon.S3;
using Amazon.S3.Model;

using MinioRestore.Engine.Comparing;

namespace MinioRestore.Engine.Transport;

/// <summary>The data path through AWSSDK.S3, for Amazon S3 endpoints.</summary>
internal sealed class SdkObjectStore(S3Endpoint endpoint, AmazonS3Client control, int maxConnections) : IObjectStore
{
    // Streamed bodies cannot be rewound for the SDK's own retries, and a big body may take longer
    // than any request timeout: the copier's retries and idle timeout guard them instead.
    private readonly AmazonS3Client _uploads = S3ClientFactory.Create(endpoint, maxConnections, retries: 0, timeout: Timeout.InfiniteTimeSpan);

    public async Task<SourceObject> GetAsync(string bucket, string key, string? etagToMatch, ByteSpan? range, CancellationToken cancel)
    {
        var request = new GetObjectRequest { BucketName = bucket, Key = key, EtagToMatch = etagToMatch };
        if (range is { } r) request.ByteRange = new ByteRange(r.Offset, r.Offset + r.Length - 1);
        var response = await control.GetObjectAsync(request, cancel).ConfigureAwait(false);
        return new SourceObject(response.ResponseStream, response.ContentLength, ETag.Parse(response.ETag),
            ObjectHeaders.From(response.Headers, response.Metadata, response.ExpiresString) with
            {
                TagCount = response.TagCount,
                WebsiteRedirect = response.WebsiteRedirectLocation,
                Lock = Copying.ObjectLock.Of(response.ObjectLockMode, response.ObjectLockRetainUntilDate, response.ObjectLockLegalHoldStatus),
            }, response);
    }

    public async Task<string> PutAsync(string bucket, string key, Stream body, long length, byte[] md5, ObjectHeaders headers, CancellationToken cancel)
    {
        var put = new PutObjectRequest
        {
            BucketName = bucket, Key = key, InputStream = body, AutoCloseStream = false, AutoResetStreamPosition = false,
            MD5Digest = Convert.ToBase64String(md5), TagSet = headers.TagSet, WebsiteRedirectLocation = headers.WebsiteRedirect,
            StorageClass = headers.StorageClass is { } storageClass ? new S3StorageClass(storageClass) : null, DisablePayloadSigning = UnsignedBody, UseChunkEncoding = !UnsignedBody,
        };
        put.Headers.ContentLength = length;
        headers.ApplyTo(put.Headers, put.Metadata);
        headers.Lock?.ApplyTo(put);
        return (await _uploads.PutObjectAsync(put, cancel).ConfigureAwait(false)).ETag;
    }

    public async Task<string> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, long length, CancellationToken cancel)
    {
        var part = new UploadPartRequest
        {
            BucketName = bucket, Key = key, UploadId = uploadId, PartNumber = partNumber, InputStream = body, PartSize = length,
            DisablePayloadSigning = UnsignedBody, UseChunkEncoding = !UnsignedBody,
        };
        return (await _uploads.UploadPartAsync(part, cancel).ConfigureAwait(false)).ETag;
    }

    /// <summary>TLS and the MD5 checks protect the body; without TLS the SDK signs it chunk by chunk as it streams.</summary>
    private bool UnsignedBody => endpoint.Url.Scheme == Uri.UriSchemeHttps;

    public void Dispose() => _uploads.Dispose();
}
