using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Engine.Comparing;

namespace MinioRestore.Engine.Listing;

/// <summary>
/// What <see cref="BucketLister"/> lists a chain of pages with: the keys after a bound under a
/// prefix, page by page, in the server's order. Objects (ListObjectsV2) or versions
/// (ListObjectVersions); the ranges, their seams and the surveys are the lister's, the same for both.
/// </summary>
internal abstract class PageSource(IAmazonS3 client, string bucket, int pageSize)
{
    protected IAmazonS3 Client { get; } = client;
    protected string Bucket { get; } = bucket;
    protected int PageSize { get; } = pageSize;

    /// <summary>
    /// Whether a page may end inside a key's entries (versions: a key's versions go on on the next
    /// page), so a cut at a page's last key must wait for the rest of that key.
    /// </summary>
    public abstract bool PagesEndMidKey { get; }

    /// <summary>A chain of the pages of the keys after <paramref name="after"/> (null: from the first) under <paramref name="prefix"/>.</summary>
    public abstract Chain Start(string prefix, string? after);

    internal abstract class Chain
    {
        /// <summary>The next page's entries, those after the chain's start, and whether more pages follow.</summary>
        public abstract Task<(List<ObjectEntry> Entries, bool More)> NextAsync(CancellationToken cancel);
    }

    /// <summary>ListObjectsV2: StartAfter, then continuation tokens.</summary>
    public sealed class Objects(IAmazonS3 client, string bucket, int pageSize) : PageSource(client, bucket, pageSize)
    {
        public override bool PagesEndMidKey => false;

        public override Chain Start(string prefix, string? after) => new ObjectChain(this, new ListObjectsV2Request
        {
            BucketName = Bucket,
            Prefix = prefix.Length == 0 ? null : prefix,
            MaxKeys = PageSize,
            StartAfter = after,
            // Keys may hold characters XML 1.0 cannot carry; url-encoded keys survive.
            Encoding = EncodingType.Url,
        });

        private sealed class ObjectChain(Objects source, ListObjectsV2Request request) : Chain
        {
            public override async Task<(List<ObjectEntry> Entries, bool More)> NextAsync(CancellationToken cancel)
            {
                var response = await source.Client.ListObjectsV2Async(request, cancel).ConfigureAwait(false);
                // A server may ignore encoding-type (it then says nothing of it): its keys are as stored.
                bool encoded = response.Encoding == EncodingType.Url;
                var entries = new List<ObjectEntry>(response.S3Objects?.Count ?? 0);
                foreach (var o in response.S3Objects ?? [])
                    entries.Add(new ObjectEntry(encoded ? BucketLister.DecodeKey(o.Key) : o.Key, o.Size ?? 0, o.ETag ?? "", o.LastModified ?? default) { StorageClass = o.StorageClass?.Value });
                if (response.IsTruncated != true) return (entries, false);
                // Taking a cut-short listing for the whole bucket would let -Remove delete what the backup holds.
                if (string.IsNullOrEmpty(response.NextContinuationToken)) throw BucketLister.CutShort(source.Bucket, "continuation token");
                request.ContinuationToken = response.NextContinuationToken;
                return (entries, true);
            }
        }
    }

    /// <summary>
    /// ListObjectVersions: KeyMarker = the bound without a version-id marker (the keys after it;
    /// servers differ on whether they list the marker key again, RGW does: passed over), then the
    /// key and version-id markers of the last version listed.
    /// </summary>
    public sealed class Versions(IAmazonS3 client, string bucket, int pageSize) : PageSource(client, bucket, pageSize)
    {
        public override bool PagesEndMidKey => true;

        public override Chain Start(string prefix, string? after) => new VersionChain(this, after, new ListVersionsRequest
        {
            BucketName = Bucket,
            Prefix = prefix.Length == 0 ? null : prefix,
            MaxKeys = PageSize,
            KeyMarker = after,
            Encoding = EncodingType.Url,
        });

        private sealed class VersionChain(Versions source, string? after, ListVersionsRequest request) : Chain
        {
            public override async Task<(List<ObjectEntry> Entries, bool More)> NextAsync(CancellationToken cancel)
            {
                var response = await source.Client.ListVersionsAsync(request, cancel).ConfigureAwait(false);
                bool encoded = response.Encoding == EncodingType.Url;
                var entries = new List<ObjectEntry>(response.Versions?.Count ?? 0);
                ObjectEntry? lastListed = null;
                foreach (var v in response.Versions ?? [])
                {
                    lastListed = VersionLister.Entry(v, encoded);
                    if (after is not null && KeyOrder.Instance.Compare(lastListed.Key, after) <= 0) continue; // the marker key again: done before
                    entries.Add(lastListed);
                }
                if (response.IsTruncated != true) return (entries, false);
                if (lastListed is null || string.IsNullOrEmpty(response.NextVersionIdMarker)) throw BucketLister.CutShort(source.Bucket, "key and version-id markers");
                // The next page starts after the last version listed, named as we decoded it: servers
                // differ in whether NextKeyMarker is encoded, and a marker decoded twice would go back
                // and list the same page forever.
                if (request.KeyMarker is { } previous && KeyOrder.Instance.Compare(lastListed.Key, previous) < 0)
                    throw BucketLister.CutShort(source.Bucket, "markers that move forward");
                request.KeyMarker = lastListed.Key;
                request.VersionIdMarker = lastListed.VersionId;
                return (entries, true);
            }
        }
    }
}
