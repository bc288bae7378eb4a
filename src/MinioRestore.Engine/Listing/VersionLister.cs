using Amazon.S3;
using Amazon.S3.Model;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MinioRestore.Engine.Comparing;

namespace MinioRestore.Engine.Listing;

/// <summary>
/// A bucket's versions from ListObjectVersions, in the server's order (keys in order, each key's
/// versions and delete markers newest first), each an <see cref="ObjectEntry"/> carrying its
/// version id. Streamed page by page (key and version-id markers), one page ahead
/// (<see cref="BucketLister.StreamPagesAsync"/>; one chain of pages, not key ranges: ranges of versions
/// would need key and version-id markers at each bound): memory stays flat whatever the number of versions. Two readings
/// of it: the state at an instant (<see cref="ListAsOfAsync"/>, per key the version
/// <see cref="AsOfPicker"/> chooses) and the whole history (<see cref="KeyHistory.GroupAsync"/>).
/// </summary>
internal static class VersionLister
{
    public const int DefaultPageSize = 1000;

    /// <summary>Per key, the version at <paramref name="asOfUtc"/>; keys deleted or not yet written then are left out.</summary>
    /// <param name="startAfter">A checkpoint's mark: the listing starts with the keys after it.</param>
    public static async IAsyncEnumerable<ObjectEntry> ListAsOfAsync(IAmazonS3 client, string bucket, string? prefix, DateTime asOfUtc, int pageSize,
        [EnumeratorCancellation] CancellationToken cancel, string? startAfter = null)
    {
        var picker = new AsOfPicker(asOfUtc);
        await foreach (var version in ListAsync(client, bucket, prefix, pageSize, cancel, startAfter).ConfigureAwait(false))
            if (picker.Offer(version, version.IsDeleteMarker) is { } chosen) yield return chosen;
        if (picker.Finish() is { } last) yield return last;
    }

    /// <summary>Every version and delete marker (<see cref="ObjectEntry.IsDeleteMarker"/>), in listing order.</summary>
    /// <param name="startAfter">A checkpoint's mark: the listing starts with the keys after it (KeyMarker without a version-id marker).</param>
    public static IAsyncEnumerable<ObjectEntry> ListAsync(IAmazonS3 client, string bucket, string? prefix, int pageSize, CancellationToken cancel, string? startAfter = null) =>
        BucketLister.StreamPagesAsync((pages, ct) => ProduceAsync(client, bucket, prefix, startAfter, pageSize, pages, ct), cancel);

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

    private static ObjectEntry Entry(S3ObjectVersion v, bool encoded) =>
        new(encoded ? BucketLister.DecodeKey(v.Key) : v.Key, v.Size ?? 0, v.ETag ?? "", v.LastModified ?? default,
            string.IsNullOrEmpty(v.VersionId) ? "null" : v.VersionId)
        {
            IsDeleteMarker = v.IsDeleteMarker == true, StorageClass = v.StorageClass?.Value,
        };

    private static async Task ProduceAsync(IAmazonS3 client, string bucket, string? prefix, string? startAfter, int pageSize,
        ChannelWriter<List<ObjectEntry>> pages, CancellationToken cancel)
    {
        try
        {
            var request = new ListVersionsRequest
            {
                BucketName = bucket,
                Prefix = string.IsNullOrEmpty(prefix) ? null : prefix,
                MaxKeys = pageSize,
                KeyMarker = startAfter,
                Encoding = EncodingType.Url,
            };
            while (true)
            {
                var response = await client.ListVersionsAsync(request, cancel).ConfigureAwait(false);
                bool encoded = response.Encoding == EncodingType.Url;
                var page = new List<ObjectEntry>(response.Versions?.Count ?? 0);
                ObjectEntry? lastListed = null;
                foreach (var v in response.Versions ?? [])
                {
                    lastListed = Entry(v, encoded);
                    // Servers differ on whether a key marker without a version-id marker lists that key again (RGW does): it is done, so it is passed over.
                    if (startAfter is not null && KeyOrder.Instance.Compare(lastListed.Key, startAfter) <= 0) continue;
                    page.Add(lastListed);
                }
                if (page.Count > 0) await pages.WriteAsync(page, cancel).ConfigureAwait(false);
                if (response.IsTruncated != true) break;
                if (lastListed is null || string.IsNullOrEmpty(response.NextVersionIdMarker)) throw BucketLister.CutShort(bucket, "key and version-id markers");
                // The next page starts after the last version listed, named as we decoded it: servers
                // differ in whether NextKeyMarker is encoded, and a marker decoded twice would go back
                // and list the same page forever.
                if (request.KeyMarker is { } previous && KeyOrder.Instance.Compare(lastListed.Key, previous) < 0)
                    throw BucketLister.CutShort(bucket, "markers that move forward");
                request.KeyMarker = lastListed.Key;
                request.VersionIdMarker = lastListed.VersionId;
            }
            pages.TryComplete();
        }
        catch (Exception e)
        {
            pages.TryComplete(e);
            throw;
        }
    }
}
