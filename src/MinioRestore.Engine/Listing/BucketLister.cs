using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Errors;

namespace MinioRestore.Engine.Listing;

/// <summary>
/// Streams a bucket's listing in the server's order (UTF-8 byte order of keys, <see cref="KeyOrder"/>)
/// with memory bounded whatever the object count.
/// <para>
/// The first two pages are one chain, as S3 serves it, so a bucket of one page costs one request
/// and one of two pages no more time than before; beside the second page, a survey of the bucket's
/// folders (<see cref="LayoutSurvey"/>) finds where the rest can be cut. If the second page says
/// more follows, the rest is listed as key ranges (<see cref="KeyRange"/>) at once, up to
/// <see cref="ListingShape.RangesAhead"/> ahead of the range being read, each holding at most
/// <see cref="ListingShape.PagesBuffered"/> pages. Ranges are read one after another in key
/// order, so the entries come in exactly the serial order, and each must start where the one
/// before stopped (a server in another order is caught, never passed over). Memory: about
/// (RangesAhead + 2) x (PagesBuffered + 1) pages of entries, plus the names of two surveys (the
/// one whose ranges list and the next): delimiter pages of the root, of the folders the mark is
/// in, and of at most ExpandBelow folders a level, two levels deeper.
/// </para>
/// </summary>
internal static class BucketLister
{
    public static async IAsyncEnumerable<ObjectEntry> ListAsync(
        IAmazonS3 client, string bucket, string? prefix, [EnumeratorCancellation] CancellationToken cancel, string? startAfter = null, ListingShape? shape = null)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var listing = new Listing(client, bucket, prefix ?? "", shape ?? ListingShape.Default);
        var planner = Task.Run(() => listing.PlanAsync(startAfter, stop.Token), stop.Token);
        try
        {
            // The key the listing must yield next, when known: the one the range before stopped at.
            string? next = null;
            await foreach (var range in listing.Ranges.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                bool any = false;
                await foreach (var page in range.Pages.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
                    foreach (var entry in page)
                    {
                        if (!any && next is not null && !string.Equals(entry.Key, next, StringComparison.Ordinal)) throw SeamOutOfOrder(bucket, next, entry.Key);
                        any = true;
                        yield return entry;
                    }
                await range.Lister.ConfigureAwait(false); // surfaces a listing failure
                if (!any && next is not null && (range.Bounds?.Holds(next) == true || (range.StoppedAt is { } s && !string.Equals(s, next, StringComparison.Ordinal))))
                    throw SeamOutOfOrder(bucket, next, range.StoppedAt);
                next = any ? range.StoppedAt : range.StoppedAt ?? next;
            }
            await planner.ConfigureAwait(false);
        }
        finally
        {
            stop.Cancel();
            try { await planner.ConfigureAwait(false); } catch { /* already reported above, or abandoned */ }
            foreach (var lister in listing.Listers())
                try { await lister.ConfigureAwait(false); } catch { /* already reported above, or abandoned */ }
        }
    }

    /// <summary>One stretch of the listing being read: its pages, bounded, and the task writing them.</summary>
    private sealed class RangeFeed(Channel<List<ObjectEntry>> pages, KeyRange? bounds)
    {
        public Channel<List<ObjectEntry>> Pages { get; } = pages;
        /// <summary>The range's bounds; null for the first pages, listed as one chain.</summary>
        public KeyRange? Bounds { get; } = bounds;
        public Task Lister { get; set; } = Task.CompletedTask;
        /// <summary>The first key listed past the range's end (set before the pages complete), or null when the listing ended first.</summary>
        public string? StoppedAt { get; set; }
    }

    /// <summary>
    /// A range began elsewhere than where the one before it stopped. On a server that lists in UTF-8
    /// byte order the key a range stops at is the next key of the bucket, so it must start the next
    /// range (or lie beyond it): otherwise the server orders keys otherwise, and ranges cut at bounds
    /// of another order would pass keys over silently, where one chain would show them out of order.
    /// </summary>
    private static RestoreException SeamOutOfOrder(string bucket, string expected, string? found) =>
        new(ErrorIds.ListingOutOfOrder, FailureKind.Unexpected,
            $"The server listed bucket '{bucket}' out of UTF-8 byte order (after '{expected}' came {(found is null ? "nothing" : $"'{found}'")} where '{expected}' was due); " +
            "the restore stopped so that nothing is overwritten or removed by mistake.");

    private sealed class Listing(IAmazonS3 client, string bucket, string root, ListingShape shape)
    {
        private readonly List<Task> _listers = [];

        /// <summary>The stretches in key order; bounded, so at most RangesAhead wait ahead of the one being read.</summary>
        public Channel<RangeFeed> Ranges { get; } = Channel.CreateBounded<RangeFeed>(new BoundedChannelOptions(shape.RangesAhead) { SingleReader = true, SingleWriter = true });

        public Task[] Listers() { lock (_listers) return [.. _listers]; }

        public async Task PlanAsync(string? startAfter, CancellationToken cancel)
        {
            try
            {
                await PlanRangesAsync(startAfter, cancel).ConfigureAwait(false);
                Ranges.Writer.TryComplete();
            }
            catch (Exception e)
            {
                Ranges.Writer.TryComplete(e);
                throw;
            }
        }

        private async Task PlanRangesAsync(string? startAfter, CancellationToken cancel)
        {
            var head = new RangeFeed(NewPages(), null);
            var headDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            head.Lister = headDone.Task;
            using var stopSurvey = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            Task<LayoutSurvey.Result>? survey = null;
            string? firstLast = null, after = null;
            try
            {
                await EnqueueAsync(head, cancel).ConfigureAwait(false);
                var request = Request(root, startAfter);
                var page = await PageAsync(request, head, cancel).ConfigureAwait(false);
                if (page.Token is not null && page.Last is not null && KeyRange.CanBound(page.Last) && shape.Parallel)
                {
                    // Parallel listing starts with the third page: a bucket of one or two pages waits for no survey.
                    firstLast = page.Last;
                    survey = new LayoutSurvey(client, bucket, root, shape).SurveyAsync(firstLast, stopSurvey.Token);
                    request.ContinuationToken = page.Token;
                    page = await PageAsync(request, head, cancel).ConfigureAwait(false);
                    if (page.Token is not null && page.Last is not null && KeyRange.CanBound(page.Last)) after = page.Last;
                }
                // Serial: the chain of pages to the end.
                while (after is null && page.Token is not null)
                {
                    request.ContinuationToken = page.Token;
                    page = await PageAsync(request, head, cancel).ConfigureAwait(false);
                }
                head.Pages.Writer.TryComplete();
                headDone.TrySetResult();
            }
            catch (Exception e)
            {
                head.Pages.Writer.TryComplete(e);
                headDone.TrySetException(e);
                throw;
            }
            finally
            {
                if (after is null && survey is not null)
                {
                    stopSurvey.Cancel();
                    try { await survey.ConfigureAwait(false); } catch { /* not needed: the bucket ended, or the listing failed */ }
                }
            }
            if (after is null) return;

            var layout = await SurveyedAsync(survey!, cancel).ConfigureAwait(false);
            if (layout is null)
            {
                await EnqueueAsync(StartRange(new KeyRange(after, null), cancel), cancel).ConfigureAwait(false);
                return;
            }
            // Flat keys: a folder of loose keys that goes on is cut by probes, now that the bucket is known to go on past two pages.
            layout = await new LayoutSurvey(client, bucket, root, shape).ProbeFlatAsync(layout, after, cancel).ConfigureAwait(false);
            double folderKeys = FolderKeys(layout.Cuts, firstLast!, after), rangeKeys = (double)shape.RangePages * shape.PageSize;
            while (true)
            {
                var (ranges, keys) = KeyRange.Split(after, layout.Cuts, layout.Frontier, folderKeys, rangeKeys, shape.MaxRangesPerSurvey, layout.OpenEnds,
                    minRanges: shape.RangesAhead, floorKeys: shape.PageSize, stretches: layout.Stretches);
                // Too little surveyed to gain from (keys without folders: a survey sees about one page
                // of them): the rest as one chain, as S3 serves it.
                bool serialRest = ranges.Count == 0 || (layout.Frontier is not null && keys < 2 * shape.PageSize);
                if (serialRest) ranges = [new KeyRange(after, null)];
                // The next survey runs while these ranges list.
                var next = !serialRest && layout.Frontier is { } frontier ? new LayoutSurvey(client, bucket, root, shape).SurveyAndProbeAsync(frontier, stopSurvey.Token) : null;
                try
                {
                    foreach (var range in ranges)
                        await EnqueueAsync(StartRange(range, cancel), cancel).ConfigureAwait(false);
                }
                catch when (next is not null)
                {
                    stopSurvey.Cancel();
                    try { await next.ConfigureAwait(false); } catch { /* abandoned with the listing */ }
                    throw;
                }
                if (next is null) return;
                after = layout.Frontier!;
                if (await SurveyedAsync(next, cancel).ConfigureAwait(false) is not { } surveyed)
                {
                    await EnqueueAsync(StartRange(new KeyRange(after, null), cancel), cancel).ConfigureAwait(false);
                    return;
                }
                layout = surveyed;
            }
        }

        /// <summary>
        /// A survey's result, or null when it failed: a survey only places cuts, so the rest is then
        /// listed as one chain (whose own requests report what is wrong, if it lasts).
        /// </summary>
        private static async Task<LayoutSurvey.Result?> SurveyedAsync(Task<LayoutSurvey.Result> survey, CancellationToken cancel)
        {
            try { return await survey.ConfigureAwait(false); }
            catch (Exception) when (!cancel.IsCancellationRequested) { return null; }
        }

        /// <summary>
        /// About how many keys a folder holds, judged by the second page (the keys after <paramref name="from"/>
        /// up to <paramref name="to"/>): a page's keys less its loose ones, over the folders it spanned.
        /// A page inside one folder says folders are big: each gets a range of its own.
        /// </summary>
        private double FolderKeys(List<string> cuts, string from, string to)
        {
            int folders = 0, loose = 0;
            foreach (var c in cuts)
                if (KeyOrder.Instance.Compare(c, from) > 0 && KeyOrder.Instance.Compare(c, to) <= 0)
                    if (c.EndsWith('/')) folders++; else loose++;
            return folders == 0 ? (double)shape.RangePages * shape.PageSize : Math.Max(1.0, (double)(shape.PageSize - loose) / folders);
        }

        private Channel<List<ObjectEntry>> NewPages() =>
            Channel.CreateBounded<List<ObjectEntry>>(new BoundedChannelOptions(shape.PagesBuffered) { SingleReader = true, SingleWriter = true });

        private async Task EnqueueAsync(RangeFeed range, CancellationToken cancel)
        {
            lock (_listers) _listers.Add(range.Lister);
            await Ranges.Writer.WriteAsync(range, cancel).ConfigureAwait(false);
        }

        private RangeFeed StartRange(KeyRange range, CancellationToken cancel)
        {
            var feed = new RangeFeed(NewPages(), range);
            feed.Lister = Task.Run(() => ListRangeAsync(feed, cancel), cancel);
            return feed;
        }

        private async Task ListRangeAsync(RangeFeed feed, CancellationToken cancel)
        {
            try
            {
                var request = Request(feed.Bounds!.ListPrefix(root), feed.Bounds.After);
                for (var page = await PageAsync(request, feed, cancel).ConfigureAwait(false); page.Token is not null;)
                {
                    request.ContinuationToken = page.Token;
                    page = await PageAsync(request, feed, cancel).ConfigureAwait(false);
                }
                feed.Pages.Writer.TryComplete();
            }
            catch (Exception e)
            {
                feed.Pages.Writer.TryComplete(e);
                throw;
            }
        }

        private ListObjectsV2Request Request(string prefix, string? startAfter) => new()
        {
            BucketName = bucket,
            Prefix = prefix.Length == 0 ? null : prefix,
            MaxKeys = shape.PageSize,
            StartAfter = startAfter,
            // Keys may hold characters XML 1.0 cannot carry; url-encoded keys survive.
            Encoding = EncodingType.Url,
        };

        /// <summary>What one page left: its last key, and the token of the next page, null at the end of the listing or of <c>range</c>.</summary>
        private readonly record struct Page(string? Last, string? Token);

        /// <summary>Lists one page, writes its entries (those within the feed's bounds, if it has any) and says where the next starts.</summary>
        private async Task<Page> PageAsync(ListObjectsV2Request request, RangeFeed feed, CancellationToken cancel)
        {
            var range = feed.Bounds;
            var response = await client.ListObjectsV2Async(request, cancel).ConfigureAwait(false);
            // A server may ignore encoding-type (it then says nothing of it): its keys are as stored.
            bool encoded = response.Encoding == EncodingType.Url;
            var page = new List<ObjectEntry>(response.S3Objects?.Count ?? 0);
            bool passedEnd = false;
            foreach (var o in response.S3Objects ?? [])
            {
                var entry = new ObjectEntry(encoded ? DecodeKey(o.Key) : o.Key, o.Size ?? 0, o.ETag ?? "", o.LastModified ?? default) { StorageClass = o.StorageClass?.Value };
                if (range is not null && !range.Holds(entry.Key)) { passedEnd = true; feed.StoppedAt = entry.Key; break; }
                page.Add(entry);
            }
            if (page.Count > 0) await feed.Pages.Writer.WriteAsync(page, cancel).ConfigureAwait(false);
            string? last = page.Count > 0 ? page[^1].Key : null;
            if (passedEnd || response.IsTruncated != true) return new Page(last, null);
            // Taking a cut-short listing for the whole bucket would let -Remove delete what the backup holds.
            if (string.IsNullOrEmpty(response.NextContinuationToken)) throw CutShort(bucket, "continuation token");
            return new Page(last, response.NextContinuationToken);
        }
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
