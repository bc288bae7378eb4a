namespace MinioRestore.Engine.Listing;

/// <summary>
/// How a bucket listing is read (<see cref="BucketLister"/>): its page size, and how far its key
/// ranges list ahead of the merge. The defaults are what a user gets; tests make pages small so a
/// few dozen keys span many pages and ranges.
/// </summary>
internal sealed record ListingShape
{
    public static readonly ListingShape Default = new();

    /// <summary>Keys per ListObjectsV2 page (S3's maximum is 1000).</summary>
    public int PageSize { get; init; } = 1000;

    /// <summary>Entries (keys and folders) per delimiter page of a survey of the bucket's layout (<see cref="LayoutSurvey"/>).</summary>
    public int SurveyPageSize { get; init; } = 1000;

    /// <summary>
    /// Key ranges listing at once ahead of the one the merge reads: each has at most one request in
    /// flight, so with the range being read and the next one being planned, about this many plus two requests per end.
    /// </summary>
    public int RangesAhead { get; init; } = 12;

    /// <summary>Pages a range lister holds ready before it waits for the merge to read them.</summary>
    public int PagesBuffered { get; init; } = 2;

    /// <summary>
    /// About how many pages one range holds at most (a range costs one request more than its pages, for
    /// the page that crosses its end, so this bounds that overhead to 1 in RangePages); down to one page
    /// where a survey found too few keys for RangesAhead ranges of this size.
    /// </summary>
    public int RangePages { get; init; } = 4;

    /// <summary>The most ranges one survey of the bucket's layout cuts, so one survey never costs more than this many extra requests.</summary>
    public int MaxRangesPerSurvey { get; init; } = 64;

    /// <summary>A survey that found fewer places to cut than this looks one folder level deeper (a bucket whose keys are all in a few folders).</summary>
    public int ExpandBelow { get; init; } = 16;

    /// <summary>False lists serially, one page after another (the listing before key ranges; for comparison).</summary>
    public bool Parallel { get; init; } = true;
}
