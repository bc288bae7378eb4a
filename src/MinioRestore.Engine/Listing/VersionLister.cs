using Amazon.S3;
using Amazon.S3.Model;
using System.Runtime.CompilerServices;
using MinioRestore.Engine.Comparing;

namespace MinioRestore.Engine.Listing;

/// <summary>
/// A bucket's versions from ListObjectVersions, in the server's order (keys in order, each key's
/// versions and delete markers newest first), each an <see cref="ObjectEntry"/> carrying its
/// version id. Listed as the bucket listing is (<see cref="BucketLister"/>: two pages as one chain, then
/// key ranges at once, read in key order), with ListObjectVersions pages (<see cref="PageSource.Versions"/>):
/// bounds are keys, so all of a key's versions are in the range that holds the key (a range whose
/// last page ends inside a key lists on to the key after it), and memory stays flat whatever the
/// number of versions. Two readings
/// of it: the state at an instant (<see cref="ListAsOfAsync"/>, per key the version
/// <see cref="AsOfPicker"/> chooses) and the whole history (<see cref="KeyHistory.GroupAsync"/>).
/// </summary>
internal static class VersionLister
{
    public const int DefaultPageSize = 1000;

    /// <summary>Per key, the version at <paramref name="asOfUtc"/>; keys deleted or not yet written then are left out.</summary>
    /// <param name="startAfter">A checkpoint's mark: the listing starts with the keys after it.</param>
    public static async IAsyncEnumerable<ObjectEntry> ListAsOfAsync(IAmazonS3 client, string bucket, string? prefix, DateTime asOfUtc, int pageSize,
        [EnumeratorCancellation] CancellationToken cancel, string? startAfter = null, ListingShape? shape = null)
    {
        var picker = new AsOfPicker(asOfUtc);
        await foreach (var version in ListAsync(client, bucket, prefix, pageSize, cancel, startAfter, shape).ConfigureAwait(false))
            if (picker.Offer(version, version.IsDeleteMarker) is { } chosen) yield return chosen;
        if (picker.Finish() is { } last) yield return last;
    }

    /// <summary>Every version and delete marker (<see cref="ObjectEntry.IsDeleteMarker"/>), in listing order.</summary>
    /// <param name="startAfter">A checkpoint's mark: the listing starts with the keys after it (KeyMarker without a version-id marker).</param>
    /// <param name="shape">How the ranges are read (its page size is <paramref name="pageSize"/>'s).</param>
    public static IAsyncEnumerable<ObjectEntry> ListAsync(IAmazonS3 client, string bucket, string? prefix, int pageSize, CancellationToken cancel, string? startAfter = null,
        ListingShape? shape = null)
    {
        shape = (shape ?? ListingShape.Default) with { PageSize = pageSize };
        return BucketLister.ListAsync(new PageSource.Versions(client, bucket, pageSize), client, bucket, prefix, cancel, startAfter, shape);
    }

    /// <summary>
    /// The newest version or delete marker of exactly <paramref name="key"/>, or null when the key
    /// has none: one ListObjectVersions of one entry (the key sorts first among the keys it prefixes).
    /// A HEAD cannot tell this where the newest is a delete marker: RGW 16 answers 404 without
    /// x-amz-delete-marker or x-amz-version-id (measured).
    /// </summary>
    public static async Task<ObjectEntry?> LatestAsync(IAmazonS3 client, string bucket, string key, CancellationToken cancel)
    {
        var response = await client.ListVersionsAsync(new ListVersionsRequest
        {
            BucketName = bucket, Prefix = key, MaxKeys = 1, Encoding = EncodingType.Url,
        }, cancel).ConfigureAwait(false);
        bool encoded = response.Encoding == EncodingType.Url;
        foreach (var v in response.Versions ?? [])
        {
            var entry = Entry(v, encoded);
            return string.Equals(entry.Key, key, StringComparison.Ordinal) ? entry : null;
        }
        return null;
    }

    internal static ObjectEntry Entry(S3ObjectVersion v, bool encoded) =>
        new(encoded ? BucketLister.DecodeKey(v.Key) : v.Key, v.Size ?? 0, v.ETag ?? "", v.LastModified ?? default,
            string.IsNullOrEmpty(v.VersionId) ? "null" : v.VersionId)
        {
            IsDeleteMarker = v.IsDeleteMarker == true, StorageClass = v.StorageClass?.Value,
        };
}
