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
    public sealed record Result(List<string> Cuts, string? Frontier, HashSet<string> OpenEnds);

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
                if (page.Folders.Count == 0) openEnds.Add(last);
                else if (frontier is null || KeyOrder.Instance.Compare(last, frontier) < 0) frontier = last;
            }
            if (cuts.Count >= shape.ExpandBelow || depth + 1 >= MaxDepth) break;
            folders = found.Take(shape.ExpandBelow).ToList();
        }
        return new Result(cuts, frontier, openEnds);
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
