using System.Numerics;
using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Engine.Comparing;

namespace MinioRestore.Engine.Listing;

/// <summary>
/// Where a listing can be cut into key ranges (<see cref="KeyRange"/>): the folders ('/' common
/// prefixes) and loose keys of one delimiter listing page per folder, after a mark. A survey only
/// places cuts; the ranges list every key whatever the cuts are, so a server that groups prefixes
/// otherwise costs speed, never keys.
/// </summary>
internal sealed class LayoutSurvey(IAmazonS3 client, string bucket, string root, ListingShape shape)
{
    private const int MaxDepth = 3;

    /// <param name="Cuts">Places to cut at, after the mark, in no order.</param>
    /// <param name="Frontier">
    /// The first place where a truncated delimiter page that showed folders stopped, or null: beyond it the
    /// layout is unknown, so the ranges of this survey end there and the next survey starts there.
    /// </param>
    /// <param name="OpenEnds">
    /// Where truncated pages of loose keys only stopped: the folder goes on with more keys and no
    /// folders seen, so a survey from there would only list its keys again; a range ends after it instead.
    /// </param>
    public sealed record Result(List<string> Cuts, string? Frontier, HashSet<string> OpenEnds)
    {
        /// <summary>The keys of each truncated page of loose keys only (whose last is an open end): where flat keys may go on.</summary>
        public List<List<string>> LooseRuns { get; init; } = [];

        /// <summary>Keys measured to follow a cut (flat cuts probed by <see cref="ProbeFlatAsync"/>), for <see cref="KeyRange.Split"/>.</summary>
        public Dictionary<string, double>? Stretches { get; init; }
    }

    /// <summary>
    /// Surveys the keys after <paramref name="after"/>: the root folder and every folder
    /// <paramref name="after"/> is in (the rest of those comes first, and servers differ on whether
    /// a delimiter listing after a key names the folder the key is in); then, while fewer than
    /// <see cref="ListingShape.ExpandBelow"/> cuts are known, the folders found, one level deeper
    /// (a bucket whose keys sit in a few folders, or in one).
    /// </summary>
    public async Task<Result> SurveyAsync(string after, CancellationToken cancel)
    {
        var folders = new List<string> { root };
        if (after.StartsWith(root, StringComparison.Ordinal))
            for (int i = after.IndexOf('/', root.Length); i >= 0; i = after.IndexOf('/', i + 1))
                folders.Add(after[..(i + 1)]);
        var cuts = new List<string>();
        var openEnds = new HashSet<string>(StringComparer.Ordinal);
        var looseRuns = new List<List<string>>();
        string? frontier = null;
        for (int depth = 0; folders.Count > 0; depth++)
        {
            var pages = await Task.WhenAll(folders.Select(f => FolderPageAsync(f, after, cancel))).ConfigureAwait(false);
            var found = new List<string>();
            foreach (var page in pages)
            {
                cuts.AddRange(page.Keys);
                cuts.AddRange(page.Folders);
                found.AddRange(page.Folders.Where(f => KeyRange.CanBound(f) && KeyOrder.Instance.Compare(f, after) > 0));
                if (page.LastShownIfTruncated is not { } last) continue;
                if (page.Folders.Count == 0) { openEnds.Add(last); looseRuns.Add(page.Keys); }
                else if (frontier is null || KeyOrder.Instance.Compare(last, frontier) < 0) frontier = last;
            }
            if (cuts.Count >= shape.ExpandBelow || depth + 1 >= MaxDepth) break;
            folders = found.Take(shape.ExpandBelow).ToList();
        }
        return new Result(cuts, frontier, openEnds) { LooseRuns = looseRuns };
    }

    /// <summary>Galloping probes from the start of a flat stretch: its first 2^j pages' worth, j = 0..this.</summary>
    private int GallopSteps => (int)Math.Ceiling(Math.Log2(Math.Max(2, shape.MaxRangesPerSurvey * shape.RangePages)));

    /// <summary>Probes that narrow down where a flat stretch ends, once a galloping probe has overshot it.</summary>
    private const int RefineProbes = 7;

    /// <summary>
    /// Cuts for flat keys: where the survey met a folder of loose keys that goes on past its page
    /// (an open end: keys without folders, such as UUIDs, hashes or obj-000123, where a delimiter
    /// listing sees no further than the listing itself), the keys after the listing's mark
    /// <paramref name="after"/> are cut about a page apart in the keys' number space
    /// (<see cref="KeySpace"/>, spaced by the density of the survey's page), and the stretch's end is
    /// found by probes, each a ListObjectsV2 of one key (MaxKeys=1) after a cut: galloping, at 1, 2,
    /// 4 ... 2^<see cref="GallopSteps"/> pages' worth at once, then <see cref="RefineProbes"/> probes
    /// at once inside the step that found no key beyond it. So the extra requests are at most
    /// GallopSteps + 1 + RefineProbes (16 with the defaults: 2 round trips) per survey, and a survey
    /// covers at most MaxRangesPerSurvey x RangePages pages (256) with them, beyond which a frontier
    /// sends the rest to the next survey. One open end is probed per survey (the first that has keys
    /// after the mark); a probe that fails leaves the survey as it was. The probes only place cuts.
    /// </summary>
    /// <param name="scale">How much wider than the survey's page says to place cuts (measured on the flat ranges listed so far).</param>
    public async Task<Result> ProbeFlatAsync(Result layout, string after, CancellationToken cancel, double scale = 1)
    {
        var order = KeyOrder.Instance;
        var points = layout.Cuts.Where(c => KeyRange.CanBound(c)).ToList();
        if (layout.Frontier is { } f) points.Add(f);
        foreach (var run in layout.LooseRuns.OrderBy(r => r[^1], order))
        {
            var open = run.Where(KeyRange.CanBound).Max(order);
            if (open is null || run.Count < 2) continue;
            string start = order.Compare(open, after) > 0 ? open : after;
            if (!start.StartsWith(root, StringComparison.Ordinal)) continue;
            string? end = points.Where(p => order.Compare(p, start) > 0).Min(order);
            try
            {
                if (await ProbeStretchAsync(run, start, end, scale, cancel).ConfigureAwait(false) is not { } probed) continue;
                var (cuts, stretches, frontier) = probed;
                return layout with
                {
                    Cuts = [.. layout.Cuts, .. cuts],
                    Frontier = frontier is not null && (layout.Frontier is null || order.Compare(frontier, layout.Frontier) < 0) ? frontier : layout.Frontier,
                    Stretches = stretches,
                };
            }
            catch (Exception) when (!cancel.IsCancellationRequested)
            {
                return layout; // the probes only place cuts
            }
        }
        return layout;
    }

    /// <summary>Cuts about a page apart from <paramref name="start"/> to the end of the keys before <paramref name="end"/> (null: the listing's end), found by probes; null when nothing is worth cutting.</summary>
    private async Task<(List<string> Cuts, Dictionary<string, double> Stretches, string? Frontier)?> ProbeStretchAsync(
        List<string> run, string start, string? end, double scale, CancellationToken cancel)
    {
        var order = KeyOrder.Instance;
        // The keys of the stretch share what its bounds share (the listing's root at least).
        string prefix = root;
        if (end is not null)
        {
            int n = 0, max = Math.Min(start.Length, end.Length);
            while (n < max && start[n] == end[n]) n++;
            if (n > 0 && char.IsHighSurrogate(start[n - 1])) n--;
            if (n > root.Length) prefix = start[..n];
        }
        // The density of the keys like the stretch's start: a page that ends where another family of keys
        // begins (hashes, then obj-...) measures only the later half's, the keys sharing with the start
        // what the page's middle key shares with it (a sorted run's keys between them share it too).
        string middle = run[run.Count / 2];
        int like = 0;
        while (like < Math.Min(middle.Length, start.Length) && middle[like] == start[like]) like++;
        var sample = run.Where(k => k.Length >= like && string.CompareOrdinal(k, 0, start, 0, like) == 0).ToList();
        if (sample.Count < 2) sample = run; // a page too small to tell
        if (sample.Count < 2 || KeySpace.Of(prefix, sample, start, end) is not { } space) return null;
        BigInteger first = space.ToNumber(sample[0]), last = space.ToNumber(sample[^1]);
        BigInteger from = space.ToNumber(start), to = end is null ? space.Max : space.ToNumber(end);
        if (last <= first) return null;
        // A page's worth of the number space, by the density of the survey's page.
        var page = BigInteger.Max(BigInteger.One, (last - first) * shape.PageSize * (long)(scale * 1024) / (1024L * (sample.Count - 1)));
        if (from + page >= to) return null;

        // Gallop: the first step with no key after it bounds the stretch's end.
        var steps = new List<BigInteger>();
        for (int j = 0; j <= GallopSteps && from + (page << j) < to; j++) steps.Add(from + (page << j));
        var found = await Task.WhenAll(steps.Select(s => ProbeAsync(prefix, space.FromNumber(s), end, cancel))).ConfigureAwait(false);
        int miss = Array.FindIndex(found, k => k is null);
        BigInteger top;
        string? frontier = null;
        if (miss < 0)
        {
            // Keys past the last step: if the step count, not the stretch, stopped the gallop, the rest is the next survey's.
            top = steps[^1];
            if (steps.Count > GallopSteps && top < to) frontier = space.FromNumber(top);
            else
            {
                top = to;
                // Keys go on past the last string this space can write (characters its sample never showed,
                // such as another family of keys after these): the next survey takes them, with a sample of their own.
                string edge = space.FromNumber(space.Max);
                if (to == space.Max && order.Compare(edge, start) > 0 && (end is null || order.Compare(edge, end) < 0)) frontier = edge;
            }
        }
        else
        {
            BigInteger low = miss == 0 ? from : BigInteger.Max(steps[miss - 1], space.ToNumber(found[miss - 1]!));
            top = steps[miss];
            int refine = (int)BigInteger.Min(RefineProbes, (top - low) / page - 1);
            if (refine > 0)
            {
                var inside = Enumerable.Range(1, refine).Select(i => low + (top - low) * i / (refine + 1)).ToList();
                var beyond = await Task.WhenAll(inside.Select(s => ProbeAsync(prefix, space.FromNumber(s), end, cancel))).ConfigureAwait(false);
                int stop = Array.FindIndex(beyond, k => k is null);
                if (stop >= 0) top = inside[stop];
            }
        }
        var cuts = new List<string>();
        var stretches = new Dictionary<string, double>(StringComparer.Ordinal) { [start] = shape.PageSize };
        for (var c = from + page; c < top; c += page)
        {
            string cut = space.FromNumber(c);
            if (order.Compare(cut, start) <= 0 || (cuts.Count > 0 && order.Compare(cut, cuts[^1]) <= 0)) continue;
            cuts.Add(cut);
            stretches[cut] = shape.PageSize;
        }
        return (cuts, stretches, frontier);
    }

    /// <summary>The first key after <paramref name="mark"/> under <paramref name="prefix"/>, if one lies up to <paramref name="end"/>.</summary>
    private async Task<string?> ProbeAsync(string prefix, string mark, string? end, CancellationToken cancel)
    {
        var response = await client.ListObjectsV2Async(new ListObjectsV2Request
        {
            BucketName = bucket,
            Prefix = prefix.Length == 0 ? null : prefix,
            StartAfter = mark,
            MaxKeys = 1,
            Encoding = EncodingType.Url,
        }, cancel).ConfigureAwait(false);
        if (response.S3Objects is not [var o, ..]) return null;
        string key = response.Encoding == EncodingType.Url ? BucketLister.DecodeKey(o.Key) : o.Key;
        return end is null || KeyOrder.Instance.Compare(key, end) <= 0 ? key : null;
    }

    private sealed record FolderPage(List<string> Keys, List<string> Folders, string? LastShownIfTruncated);

    private async Task<FolderPage> FolderPageAsync(string folder, string after, CancellationToken cancel)
    {
        var response = await client.ListObjectsV2Async(new ListObjectsV2Request
        {
            BucketName = bucket,
            Prefix = folder.Length == 0 ? null : folder,
            Delimiter = "/",
            MaxKeys = shape.SurveyPageSize,
            // Only a mark inside the folder: a folder wholly after the mark is surveyed from its start.
            StartAfter = KeyOrder.Instance.Compare(after, folder) > 0 ? after : null,
            Encoding = EncodingType.Url,
        }, cancel).ConfigureAwait(false);
        bool encoded = response.Encoding == EncodingType.Url;
        var keys = (response.S3Objects ?? []).Select(o => encoded ? BucketLister.DecodeKey(o.Key) : o.Key).ToList();
        var folders = (response.CommonPrefixes ?? []).Select(p => encoded ? BucketLister.DecodeKey(p) : p).ToList();
        string? last = null;
        if (response.IsTruncated == true)
            foreach (var shown in keys.Concat(folders))
                if (KeyRange.CanBound(shown) && (last is null || KeyOrder.Instance.Compare(shown, last) > 0)) last = shown;
        return new FolderPage(keys, folders, last);
    }
}
