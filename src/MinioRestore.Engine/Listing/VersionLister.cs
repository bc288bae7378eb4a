using Amazon.S3;
using Amazon.S3.Model;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MinioRestore.Engine.Comparing;

namespace MinioRestore.Engine.Listing;

/// <summary>
/// A bucket's state at an instant, from ListObjectVersions: per key the version
/// <see cref="AsOfPicker"/> chooses, as an <see cref="ObjectEntry"/> carrying its version id, in
/// the server's key order. Streamed page by page (key and version-id markers), one page ahead,
/// like <see cref="BucketLister"/>: memory stays flat whatever the number of versions.
/// </summary>
internal static class VersionLister
{
    public const int DefaultPageSize = 1000;

    public static IAsyncEnumerable<ObjectEntry> ListAsOfAsync(IAmazonS3 client, string bucket, string? prefix, DateTime asOfUtc, int pageSize, CancellationToken cancel, string? startAfter = null) =>
        BucketLister.StreamPagesAsync((pages, ct) => ProduceAsync(client, bucket, prefix, startAfter, new AsOfPicker(asOfUtc), pageSize, pages, ct), cancel);

    /// <param name="startAfter">A checkpoint's mark: the listing starts with the keys after it (KeyMarker without a version-id marker).</param>
    private static async Task ProduceAsync(IAmazonS3 client, string bucket, string? prefix, string? startAfter, AsOfPicker picker, int pageSize,
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
                var page = new List<ObjectEntry>();
                ObjectEntry? lastListed = null;
                foreach (var v in response.Versions ?? [])
                {
                    // Servers differ on whether a key marker without a version-id marker lists that key again (RGW does): it is done, so it is passed over.
                    if (startAfter is not null && KeyOrder.Instance.Compare(encoded ? BucketLister.DecodeKey(v.Key) : v.Key, startAfter) <= 0) continue;
                    lastListed = new ObjectEntry(encoded ? BucketLister.DecodeKey(v.Key) : v.Key, v.Size ?? 0, v.ETag ?? "",
                        v.LastModified ?? default, string.IsNullOrEmpty(v.VersionId) ? "null" : v.VersionId) { StorageClass = v.StorageClass?.Value };
                    if (picker.Offer(lastListed, v.IsDeleteMarker == true) is { } chosen) page.Add(chosen);
                }
                bool more = response.IsTruncated == true;
                // The last key of a page may go on in the next one, so it is finished only at the end.
                if (!more && picker.Finish() is { } last) page.Add(last);
                if (page.Count > 0) await pages.WriteAsync(page, cancel).ConfigureAwait(false);
                if (!more) break;
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
