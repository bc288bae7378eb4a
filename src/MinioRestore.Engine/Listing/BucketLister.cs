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
/// with memory bounded whatever the object count: its objects, or its versions (<see cref="VersionLister"/>),
/// as the <see cref="PageSource"/> lists a page.
/// <para>
/// The first two pages are one chain, as S3 serves it, so a bucket of one page costs one request
/// and one of two pages no more time than before; beside the second page, a survey of the bucket's
/// folders (<see cref="LayoutSurvey"/>) finds where the rest can be cut; where it meets flat keys that go
/// on, probes of one key find cuts without folders (<see cref="LayoutSurvey.ProbeFlatAsync"/>, once
/// the second page says more follows). If the second page says
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
    public static IAsyncEnumerable<ObjectEntry> ListAsync(
        IAmazonS3 client, string bucket, string? prefix, CancellationToken cancel, string? startAfter = null, ListingShape? shape = null)
    {
        shape ??= ListingShape.Default;
        return ListAsync(new PageSource.Objects(client, bucket, shape.PageSize), client, bucket, prefix, cancel, startAfter, shape);
    }

    /// <summary>The listing of <paramref name="source"/>'s pages (objects or versions) in key ranges; <paramref name="client"/> surveys where to cut.</summary>
    internal static async IAsyncEnumerable<ObjectEntry> ListAsync(PageSource source,
        IAmazonS3 client, string bucket, string? prefix, [EnumeratorCancellation] CancellationToken cancel, string? startAfter, ListingShape shape)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var listing = new Listing(source, client, bucket, prefix ?? "", shape);
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
        /// <summary>
        /// The range's bounds; null for the first pages, listed as one chain, until ranges follow them
        /// on a source whose pages end inside a key: then the chain ends past that key.
        /// </summary>
        public KeyRange? Bounds { get; set; } = bounds;
        public Task Lister { get; set; } = Task.CompletedTask;
        /// <summary>The first key listed past the range's end (set before the pages complete), or null when the listing ended first.</summary>
        public string? StoppedAt { get; set; }
        /// <summary>The keys the range's flat cuts were planned to hold (<see cref="LayoutSurvey.Result.Stretches"/>), or null.</summary>
        public double? Planned { get; init; }
        /// <summary>The entries listed into it so far.</summary>
        public int Listed { get; set; }
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

    private sealed class Listing(PageSource source, IAmazonS3 client, string bucket, string root, ListingShape shape)
    {
        private readonly List<Task> _listers = [];
        /// <summary>Flat ranges listed: the keys their cuts were planned to hold, and what they held.</summary>
        private double _flatPlanned, _flatListed;

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
                var chain = source.Start(root, startAfter);
                var page = await PageAsync(chain, head, cancel).ConfigureAwait(false);
                if (page.More && page.Last is not null && KeyRange.CanBound(page.Last) && shape.Parallel)
                {
                    // Parallel listing starts with the third page: a bucket of one or two pages waits for no survey.
                    firstLast = page.Last;
                    survey = new LayoutSurvey(client, bucket, root, shape).SurveyAsync(firstLast, stopSurvey.Token);
                    page = await PageAsync(chain, head, cancel).ConfigureAwait(false);
                    if (page.More && page.Last is not null && KeyRange.CanBound(page.Last)) after = page.Last;
                }
                // Serial: the chain of pages to the end.
                while (after is null && page.More) page = await PageAsync(chain, head, cancel).ConfigureAwait(false);
                if (after is not null && source.PagesEndMidKey)
                {
                    // The page may have ended inside the versions of its last key: the chain lists the rest
                    // of them (a key's versions are never split between two ranges) while the ranges start.
                    head.Bounds = new KeyRange(startAfter ?? "", after);
                    var last = page;
                    _ = Task.Run(async () =>
                    {
                        try
                        {
                            for (var p = last; p.More;) p = await PageAsync(chain, head, cancel).ConfigureAwait(false);
                            head.Pages.Writer.TryComplete();
                            headDone.TrySetResult();
                        }
                        catch (Exception e)
                        {
                            head.Pages.Writer.TryComplete(e);
                            headDone.TrySetException(e);
                        }
                    }, CancellationToken.None);
                }
                else
                {
                    head.Pages.Writer.TryComplete();
                    headDone.TrySetResult();
                }
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
                var next = !serialRest && layout.Frontier is { } frontier ? new LayoutSurvey(client, bucket, root, shape).SurveyAsync(frontier, stopSurvey.Token) : null;
                try
                {
                    foreach (var range in ranges)
                        await EnqueueAsync(StartRange(range, cancel, serialRest ? null : Planned(range, layout.Stretches)), cancel).ConfigureAwait(false);
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
                // Probed once most of these ranges are listed (the channel holds RangesAhead), so their flat
                // ranges correct the density a survey's page shows (keys of mixed radix, such as times, are
                // sparser over long stretches than within a page).
                layout = await new LayoutSurvey(client, bucket, root, shape).ProbeFlatAsync(surveyed, after, cancel, FlatScale()).ConfigureAwait(false);
            }
        }

        /// <summary>The keys a range of flat cuts was planned to hold: the stretches from its start up to its end; null for other ranges.</summary>
        private static double? Planned(KeyRange range, Dictionary<string, double>? stretches)
        {
            if (stretches is null || range.UpTo is null || !stretches.ContainsKey(range.After)) return null;
            double planned = 0;
            foreach (var (cut, keys) in stretches)
                if (KeyOrder.Instance.Compare(cut, range.After) >= 0 && KeyOrder.Instance.Compare(cut, range.UpTo) < 0) planned += keys;
            return planned;
        }

        /// <summary>How much wider flat cuts must be placed than a survey's page says, by the flat ranges listed so far (1 before any).</summary>
        private double FlatScale()
        {
            lock (_listers)
                return _flatPlanned < 4 * shape.PageSize ? 1 : Math.Clamp(_flatPlanned / Math.Max(1, _flatListed), 1.0 / 16, 1024);
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

        private RangeFeed StartRange(KeyRange range, CancellationToken cancel, double? planned = null)
        {
            var feed = new RangeFeed(NewPages(), range) { Planned = planned };
            feed.Lister = Task.Run(() => ListRangeAsync(feed, cancel), cancel);
            return feed;
        }

        private async Task ListRangeAsync(RangeFeed feed, CancellationToken cancel)
        {
            try
            {
                var chain = source.Start(feed.Bounds!.ListPrefix(root), feed.Bounds.After);
                for (var page = await PageAsync(chain, feed, cancel).ConfigureAwait(false); page.More;)
                    page = await PageAsync(chain, feed, cancel).ConfigureAwait(false);
                if (feed.Planned is { } planned)
                    lock (_listers) { _flatPlanned += planned; _flatListed += feed.Listed; }
                feed.Pages.Writer.TryComplete();
            }
            catch (Exception e)
            {
                feed.Pages.Writer.TryComplete(e);
                throw;
            }
        }

        /// <summary>What one page left: its last key, and whether the chain goes on (false at the end of the listing or of the feed's range).</summary>
        private readonly record struct Page(string? Last, bool More);

        /// <summary>Lists one page, writes its entries (those within the feed's bounds, if it has any) and says whether another follows.</summary>
        private static async Task<Page> PageAsync(PageSource.Chain chain, RangeFeed feed, CancellationToken cancel)
        {
            var range = feed.Bounds;
            var (entries, more) = await chain.NextAsync(cancel).ConfigureAwait(false);
            int kept = entries.Count;
            if (range is not null)
                for (int i = 0; i < entries.Count; i++)
                    if (!range.Holds(entries[i].Key))
                    {
                        feed.StoppedAt = entries[i].Key;
                        kept = i;
                        more = false;
                        break;
                    }
            if (kept < entries.Count) entries.RemoveRange(kept, entries.Count - kept);
            feed.Listed += entries.Count;
            if (entries.Count > 0) await feed.Pages.Writer.WriteAsync(entries, cancel).ConfigureAwait(false);
            return new Page(entries.Count > 0 ? entries[^1].Key : null, more);
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
