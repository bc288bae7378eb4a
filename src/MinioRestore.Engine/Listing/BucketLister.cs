using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Engine.Errors;

namespace MinioRestore.Engine.Listing;

/// <summary>
/// Streams a bucket's listing in the server's order (UTF-8 byte order of keys), one page ahead,
/// so memory stays flat whatever the object count.
/// </summary>
internal static class BucketLister
{
    private const int PageSize = 1000;

    public static async IAsyncEnumerable<ObjectEntry> ListAsync(
        IAmazonS3 client, string bucket, string? prefix, [EnumeratorCancellation] CancellationToken cancel, string? startAfter = null)
    {
        await foreach (var entry in StreamPagesAsync((pages, ct) => ProduceAsync(client, bucket, prefix, startAfter, pages, ct), cancel).ConfigureAwait(false))
            yield return entry;
    }

    /// <summary>
    /// Runs <paramref name="produce"/> (which writes pages and completes the writer, with its
    /// failure if any) one page ahead of the consumer: two pages of look-ahead, so the next
    /// request is in flight while the merge consumes this one, and memory stays bounded.
    /// </summary>
    internal static async IAsyncEnumerable<ObjectEntry> StreamPagesAsync(
        Func<ChannelWriter<List<ObjectEntry>>, CancellationToken, Task> produce, [EnumeratorCancellation] CancellationToken cancel)
    {
        var pages = Channel.CreateBounded<List<ObjectEntry>>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var producer = Task.Run(() => produce(pages.Writer, stop.Token), stop.Token);
        try
        {
            await foreach (var page in pages.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
                foreach (var entry in page)
                    yield return entry;
            await producer.ConfigureAwait(false); // surfaces a listing failure
        }
        finally
        {
            stop.Cancel();
            try { await producer.ConfigureAwait(false); } catch { /* already reported above, or abandoned */ }
        }
    }

    /// <param name="startAfter">A checkpoint's mark: the listing starts after this key (S3 StartAfter), or at the beginning.</param>
    private static async Task ProduceAsync(IAmazonS3 client, string bucket, string? prefix, string? startAfter, ChannelWriter<List<ObjectEntry>> pages, CancellationToken cancel)
    {
        try
        {
            var request = new ListObjectsV2Request
            {
                BucketName = bucket,
                Prefix = string.IsNullOrEmpty(prefix) ? null : prefix,
                MaxKeys = PageSize,
                StartAfter = startAfter,
                // Keys may hold characters XML 1.0 cannot carry; url-encoded keys survive.
                Encoding = EncodingType.Url,
            };
            while (true)
            {
                var response = await client.ListObjectsV2Async(request, cancel).ConfigureAwait(false);
                // A server may ignore encoding-type (it then says nothing of it): its keys are as stored.
                bool encoded = response.Encoding == EncodingType.Url;
                var page = new List<ObjectEntry>(response.S3Objects?.Count ?? 0);
                foreach (var o in response.S3Objects ?? [])
                    page.Add(new ObjectEntry(encoded ? DecodeKey(o.Key) : o.Key, o.Size ?? 0, o.ETag ?? "", o.LastModified ?? default) { StorageClass = o.StorageClass?.Value });
                if (page.Count > 0) await pages.WriteAsync(page, cancel).ConfigureAwait(false);
                if (response.IsTruncated != true) break;
                // Taking a cut-short listing for the whole bucket would let -Remove delete what the backup holds.
                if (string.IsNullOrEmpty(response.NextContinuationToken)) throw CutShort(bucket, "continuation token");
                request.ContinuationToken = response.NextContinuationToken;
            }
            pages.TryComplete();
        }
        catch (Exception e)
        {
            pages.TryComplete(e);
            throw;
        }
    }

    /// <summary>A listing the server says goes on, without saying where: taken whole, it would let -Remove delete what the backup holds.</summary>
    internal static RestoreException CutShort(string bucket, string marker) =>
        new(ErrorIds.ListingFailed, FailureKind.Unexpected,
            $"The server said the listing of bucket '{bucket}' goes on but gave no {marker}, so the rest of it cannot be read. " +
            "The restore of this bucket stopped (nothing was removed); run it again, and if it repeats, report it to the server's operator.");

    /// <summary>
    /// The SDK leaves url-encoded keys encoded (only answers that say EncodingType=url are decoded). AWS encodes a space as '+', RGW as %20; a literal
    /// '+' is always %2B, so form-decoding is right for both.
    /// </summary>
    internal static string DecodeKey(string encoded) => WebUtility.UrlDecode(encoded);
}
