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

    public async Task<SourceObject> GetAsync(string bucket, string key, string? etagToMatch, ByteSpan? range, CancellationToken cancel, string? versionId = null)
    {
        var request = new GetObjectRequest { BucketName = bucket, Key = key, EtagToMatch = etagToMatch, VersionId = versionId, ChecksumMode = range is null ? ChecksumMode.ENABLED : null };
        if (range is { } r) request.ByteRange = new ByteRange(r.Offset, r.Offset + r.Length - 1);
        var response = await control.GetObjectAsync(request, cancel).ConfigureAwait(false);
        return new SourceObject(response.ResponseStream, response.ContentLength, ETag.Parse(response.ETag),
            ObjectHeaders.From(response.Headers, response.Metadata, response.ExpiresString) with
            {
                TagCount = response.TagCount,
                WebsiteRedirect = response.WebsiteRedirectLocation,
                Lock = Copying.ObjectLock.Of(response.ObjectLockMode, response.ObjectLockRetainUntilDate, response.ObjectLockLegalHoldStatus),
            }, response,
            !EncryptedWithKeyElsewhere(response.ServerSideEncryptionMethod, response.ServerSideEncryptionCustomerMethod),
            range is null ? FullObjectChecksum.From(FullObjectChecksum.SdkHeaders(response.ChecksumType, response.ChecksumCRC64NVME,
                response.ChecksumCRC32, response.ChecksumCRC32C, response.ChecksumSHA1, response.ChecksumSHA256)) : null);
    }

    public async Task<WriteAnswer> PutAsync(string bucket, string key, Stream body, long length, byte[]? md5, ObjectHeaders headers, WriteGuard? guard, CancellationToken cancel,
        FullObjectChecksum? checksum = null)
    {
        var put = new PutObjectRequest
        {
            BucketName = bucket, Key = key, InputStream = body, AutoCloseStream = false, AutoResetStreamPosition = false,
            MD5Digest = md5 is null ? null : Convert.ToBase64String(md5), TagSet = headers.TagSet, WebsiteRedirectLocation = headers.WebsiteRedirect,
            StorageClass = headers.StorageClass is { } storageClass ? new S3StorageClass(storageClass) : null, DisablePayloadSigning = UnsignedBody, UseChunkEncoding = !UnsignedBody,
        };
        if (guard is { IsConditional: true } g)
        {
            if (g.ExpectedETag is not null) put.IfMatch = g.IfMatchValue;
            else put.IfNoneMatch = "*";
        }
        put.Headers.ContentLength = length;
        headers.ApplyTo(put.Headers, put.Metadata);
        headers.Lock?.ApplyTo(put);
        switch (checksum?.Algorithm)
        {
            case "CRC64NVME": put.ChecksumCRC64NVME = checksum.Value; break;
            case "CRC32": put.ChecksumCRC32 = checksum.Value; break;
            case "CRC32C": put.ChecksumCRC32C = checksum.Value; break;
            case "SHA1": put.ChecksumSHA1 = checksum.Value; break;
            case "SHA256": put.ChecksumSHA256 = checksum.Value; break;
        }
        var answer = await _uploads.PutObjectAsync(put, cancel).ConfigureAwait(false);
        string? verified = checksum is null ? null : FullObjectChecksum.SdkHeaders(answer.ChecksumType, answer.ChecksumCRC64NVME, answer.ChecksumCRC32,
            answer.ChecksumCRC32C, answer.ChecksumSHA1, answer.ChecksumSHA256)(checksum.Header);
        return new(answer.ETag, EncryptedWithKeyElsewhere(answer.ServerSideEncryptionMethod, answer.ServerSideEncryptionCustomerMethod), verified,
            string.IsNullOrEmpty(answer.VersionId) ? null : answer.VersionId);
    }

    public async Task<string> InitiateMultipartAsync(string bucket, string key, ObjectHeaders headers, CancellationToken cancel)
    {
        var initiate = new InitiateMultipartUploadRequest
        {
            BucketName = bucket, Key = key, TagSet = headers.TagSet, WebsiteRedirectLocation = headers.WebsiteRedirect,
            StorageClass = headers.StorageClass is { } storageClass ? new S3StorageClass(storageClass) : null,
        };
        headers.ApplyTo(initiate.Headers, initiate.Metadata);
        headers.Lock?.ApplyTo(initiate);
        return (await control.InitiateMultipartUploadAsync(initiate, cancel).ConfigureAwait(false)).UploadId;
    }

    public async Task<WriteAnswer> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, long length, CancellationToken cancel)
    {
        var part = new UploadPartRequest
        {
            BucketName = bucket, Key = key, UploadId = uploadId, PartNumber = partNumber, InputStream = body, PartSize = length,
            DisablePayloadSigning = UnsignedBody, UseChunkEncoding = !UnsignedBody,
        };
        var answer = await _uploads.UploadPartAsync(part, cancel).ConfigureAwait(false);
        return new(answer.ETag, EncryptedWithKeyElsewhere(answer.ServerSideEncryptionMethod, null));
    }

    /// <summary>SSE-KMS, DSSE-KMS or SSE-C: the object's ETag is then no MD5 of its bytes.</summary>
    internal static bool EncryptedWithKeyElsewhere(ServerSideEncryptionMethod? method, ServerSideEncryptionCustomerMethod? customer) =>
        !ETag.IsContentHashOf(method?.Value, customerKey: customer is not null && customer != ServerSideEncryptionCustomerMethod.None);

    /// <summary>TLS and the MD5 checks protect the body; without TLS the SDK signs it chunk by chunk as it streams.</summary>
    private bool UnsignedBody => endpoint.Url.Scheme == Uri.UriSchemeHttps;

    public void Dispose() => _uploads.Dispose();
}
