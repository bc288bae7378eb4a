using Amazon.S3;
using MinioRestore.Engine.Comparing;

namespace MinioRestore.Engine.Transport;

/// <summary>
/// The data path of one end: reading object bodies and writing them, as single PUTs or as parts.
/// Everything that carries the object's headers (PUT, multipart initiate) goes here, so metadata
/// travels byte for byte; listing and the other control requests (HEAD, complete, abort) stay on
/// the AWSSDK client.
/// No request is retried here: the copier retries whole objects and parts from the source.
/// </summary>
internal interface IObjectStore : IDisposable
{
    /// <summary>
    /// Reads the object, or the byte range of it, if its ETag is still <paramref name="etagToMatch"/> (null: as it is now);
    /// with <paramref name="versionId"/>, that version of it, whatever was written since.
    /// </summary>
    Task<SourceObject> GetAsync(string bucket, string key, string? etagToMatch, ByteSpan? range, CancellationToken cancel, string? versionId = null);

    /// <summary>
    /// Writes the object in one request, refused by the server unless the body hashes to
    /// <paramref name="md5"/> (when given) and the key holds what <paramref name="guard"/> says.
    /// </summary>
    Task<WriteAnswer> PutAsync(string bucket, string key, Stream body, long length, byte[]? md5, ObjectHeaders headers, WriteGuard? guard, CancellationToken cancel,
        FullObjectChecksum? checksum = null);

    /// <summary>Starts a multipart upload that will carry <paramref name="headers"/>, as the single PUT would; returns its upload id.</summary>
    Task<string> InitiateMultipartAsync(string bucket, string key, ObjectHeaders headers, CancellationToken cancel);

    /// <returns>The part's ETag, as sent (for CompleteMultipartUpload).</returns>
    Task<WriteAnswer> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, long length, CancellationToken cancel);

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

/// <summary>
/// What the server answered to a write: its ETag, whether it encrypts with KMS (its ETags are
/// then no MD5s), and the checksum it verified and stored, when one was sent and it knows them.
/// </summary>
/// <param name="VersionId">The version the write made, on a versioned bucket (x-amz-version-id), else null.</param>
internal readonly record struct WriteAnswer(string ETag, bool Encrypted, string? VerifiedChecksum = null, string? VersionId = null);

/// <summary>
/// A full-object checksum as Amazon S3 stores it with an object (x-amz-checksum-crc64nvme, ...,
/// returned with checksum mode): sent with the copy, it lets the target verify bytes whose ETag
/// is no MD5 (SSE-KMS). Composite checksums of multipart uploads ("...-N") are not full-object.
/// </summary>
internal sealed record FullObjectChecksum(string Algorithm, string Value)
{
    public static readonly string[] Algorithms = ["CRC64NVME", "CRC32", "CRC32C", "SHA1", "SHA256"];

    public string Header => HeaderOf(Algorithm);

    /// <summary>The first full-object checksum among the answer's headers, or null.</summary>
    public static FullObjectChecksum? From(Func<string, string?> header) => All(header).FirstOrDefault();

    /// <summary>Every full-object checksum among the answer's headers.</summary>
    public static IEnumerable<FullObjectChecksum> All(Func<string, string?> header)
    {
        if (string.Equals(header("x-amz-checksum-type"), "COMPOSITE", StringComparison.OrdinalIgnoreCase)) yield break;
        foreach (var algorithm in Algorithms)
            if (header(HeaderOf(algorithm)) is { Length: > 0 } value && !value.Contains('-'))
                yield return new(algorithm, value);
    }

    /// <summary>An SDK answer's checksums by header name (the SDK parses them into properties).</summary>
    public static Func<string, string?> SdkHeaders(Amazon.S3.ChecksumType? type, string? crc64nvme, string? crc32, string? crc32c, string? sha1, string? sha256) =>
        name => name switch
        {
            "x-amz-checksum-type" => type?.Value,
            "x-amz-checksum-crc64nvme" => crc64nvme, "x-amz-checksum-crc32" => crc32, "x-amz-checksum-crc32c" => crc32c,
            "x-amz-checksum-sha1" => sha1, "x-amz-checksum-sha256" => sha256, _ => null,
        };

    private static string HeaderOf(string algorithm) => "x-amz-checksum-" + algorithm.ToLowerInvariant();
}

/// <summary>
/// What the target must still hold for a write to go ahead, so an object another writer put there
/// after the listing is never overwritten unasked: nothing (<c>If-None-Match: *</c>), or the object
/// the listing showed (<c>If-Match</c> its ETag).
/// </summary>
internal readonly record struct WriteGuard(string? ExpectedETag)
{
    public static WriteGuard Absent => new(null);

    /// <summary>-AllVersions: a version appended to a versioned target's history, guarded by looking, not by a condition (see <see cref="Copying.VersionAppend"/>).</summary>
    public Copying.VersionAppend? Append { get; init; }

    public static WriteGuard Appending(Copying.VersionAppend append) => new(null) { Append = append };

    /// <summary>Whether the write carries If-Match or If-None-Match (an append carries none).</summary>
    public bool IsConditional => Append is null;

    public void ApplyTo(System.Net.Http.HttpRequestMessage request)
    {
        if (!IsConditional) return;
        if (ExpectedETag is not null) request.Headers.TryAddWithoutValidation("If-Match", IfMatchValue);
        else request.Headers.TryAddWithoutValidation("If-None-Match", "*");
    }

    /// <summary>
    /// The listed ETag without its quotes: RGW 16 compares a write's If-Match with the bare ETag
    /// (a quoted one never matches; measured), and MinIO and Amazon S3 take either.
    /// </summary>
    public string? IfMatchValue => ExpectedETag?.Trim().Trim('"');
}

/// <summary>The object is no longer what the listing showed on the target: another writer got there first.</summary>
internal sealed class TargetChangedException(string key, Exception inner)
    : Exception($"'{key}' appeared or changed on the target after it was listed.", inner);

/// <summary>An object body being read, with what the source said about it.</summary>
/// <param name="etagIsContentHash">False for SSE-KMS, DSSE-KMS and SSE-C objects, whose ETags are no MD5s of their bytes.</param>
internal sealed class SourceObject(Stream body, long length, ETag etag, ObjectHeaders headers, IDisposable response, bool etagIsContentHash = true,
    FullObjectChecksum? checksum = null) : IDisposable
{
    public bool ETagIsContentHash { get; } = etagIsContentHash;

    /// <summary>The backup's full-object checksum, where the store keeps one (Amazon S3) and the whole object was read.</summary>
    public FullObjectChecksum? Checksum { get; } = checksum;
    public Stream Body { get; } = body;
    public long Length { get; } = length;
    public ETag ETag { get; } = etag;
    public ObjectHeaders Headers { get; } = headers;
    public void Dispose() => response.Dispose();
}
