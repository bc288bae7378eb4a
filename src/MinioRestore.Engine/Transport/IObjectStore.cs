using Amazon.S3;
using MinioRestore.Engine.Comparing;

namespace MinioRestore.Engine.Transport;

/// <summary>
/// The data path of one end: reading object bodies and writing them, as single PUTs or as parts.
/// Listing and control requests (HEAD, multipart initiate/complete/abort) stay on the AWSSDK client.
/// No request is retried here: the copier retries whole objects and parts from the source.
/// </summary>
internal interface IObjectStore : IDisposable
{
    /// <summary>
    /// Reads the object, or the byte range of it, if its ETag is still <paramref name="etagToMatch"/> (null: as it is now);
    /// with <paramref name="versionId"/>, that version of it, whatever was written since.
    /// </summary>
    Task<SourceObject> GetAsync(string bucket, string key, string? etagToMatch, ByteSpan? range, CancellationToken cancel, string? versionId = null);

    /// <summary>Writes the object in one request, refused by the server unless the body hashes to <paramref name="md5"/>.</summary>
    /// <returns>The ETag the server gave the object.</returns>
    Task<string> PutAsync(string bucket, string key, Stream body, long length, byte[] md5, ObjectHeaders headers, CancellationToken cancel);

    /// <returns>The ETag the server gave the part, as sent (for CompleteMultipartUpload).</returns>
    Task<string> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, long length, CancellationToken cancel);

    /// <summary>
    /// Our lean signed HTTP path for S3-compatible servers (MinIO, RGW, ...): per object it costs
    /// a fraction of the SDK's request pipeline (bench/sdk-overhead.sh: 2.6x less CPU for small
    /// objects), and UNSIGNED-PAYLOAD saves hashing every byte with SHA-256. Amazon S3 itself keeps
    /// the SDK, which knows its addressing, regions and redirects.
    /// Not Minio 7.0.0: its PutObject sends a large object's parts one after another, each buffered
    /// (3x the object allocated), and it has no part-level calls to do otherwise. One 512 MiB object
    /// went at 60-65 MB/s with 2.1 GB peak RSS, against 330 MB/s and 97 MB with parts in parallel
    /// (bench/run.sh: BenchTools minio-put vs raw-put).
    /// </summary>
    static IObjectStore Create(S3Endpoint endpoint, AmazonS3Client control, int maxConnections, DataPath path = DataPath.Auto) =>
        path == DataPath.Sdk || S3ClientFactory.IsAmazonS3(endpoint.Url)
            ? new SdkObjectStore(endpoint, control, maxConnections)
            : new HttpObjectStore(endpoint, maxConnections);
}

/// <summary>Which data path the copier uses; <see cref="Sdk"/> lets tests exercise the Amazon S3 path on any server.</summary>
internal enum DataPath { Auto, Sdk }

internal readonly record struct ByteSpan(long Offset, long Length);

/// <summary>An object body being read, with what the source said about it.</summary>
internal sealed class SourceObject(Stream body, long length, ETag etag, ObjectHeaders headers, IDisposable response) : IDisposable
{
    public Stream Body { get; } = body;
    public long Length { get; } = length;
    public ETag ETag { get; } = etag;
    public ObjectHeaders Headers { get; } = headers;
    public void Dispose() => response.Dispose();
}
