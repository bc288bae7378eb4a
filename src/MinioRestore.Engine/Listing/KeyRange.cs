using MinioRestore.Engine.Comparing;

namespace MinioRestore.Engine.Listing;

/// <summary>
/// A stretch of a listing: the keys after <paramref name="After"/> up to and including
/// <paramref name="UpTo"/> (null: to the end of the listing). Listed with StartAfter=After and
/// stopped at the first key past UpTo, so adjacent ranges sharing a bound neither lose nor repeat
/// the key on it, whatever string the bound is: correctness rests only on the server listing in
/// UTF-8 byte order after StartAfter, never on where the bounds were put.
/// </summary>
internal sealed record KeyRange(string After, string? UpTo)
{
    /// <summary>Whether <paramref name="key"/> (one listed after <see cref="After"/>) is still in this range.</summary>
    public bool Holds(string key) => UpTo is null || KeyOrder.Instance.Compare(key, UpTo) <= 0;

    /// <summary>
    /// Whether <paramref name="key"/> can bound a range. RGW echoes StartAfter and Prefix into its XML
    /// answer unencoded, and a character XML 1.0 cannot carry (controls, U+FFFE, U+FFFF) makes that
    /// answer unreadable (measured with a key "\uFFFF"): such a key is never a bound, only listed.
    /// </summary>
    public static bool CanBound(string key)
    {
        for (int i = 0; i < key.Length; i++)
        {
            char c = key[i];
            if (c < 0x20 || c is '\uFFFE' or '\uFFFF') return false;
            if (char.IsHighSurrogate(c) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c)) return false;
        }
        return true;
    }

    /// <summary>
    /// The prefix to list the range with: every key between two bounds starts with what the bounds
    /// share, so the server stops at the end of that prefix instead of sending a page past UpTo.
    /// </summary>
    public string ListPrefix(string root)
    {
        if (UpTo is null) return root;
        int n = 0, max = Math.Min(After.Length, UpTo.Length);
        while (n < max && After[n] == UpTo[n]) n++;
        if (n > 0 && char.IsHighSurrogate(After[n - 1])) n--; // never half a character
        return n > root.Length && After.StartsWith(root, StringComparison.Ordinal) && CanBound(After[..n]) ? After[..n] : root;
    }

    /// <summary>
    /// Cuts the keys after <paramref name="after"/> into ranges of about <paramref name="targetKeys"/>
    /// keys, at places from <paramref name="cuts"/> (found in the bucket's layout; any order, repeats
    /// and places at or before <paramref name="after"/> are dropped), at most <paramref name="maxRanges"/>.
    /// What lies between a cut and the next is guessed: one key after a loose key, <paramref name="folderKeys"/>
    /// after a folder (a cut ending in '/' whose contents the cuts do not show), a whole range after
    /// an <paramref name="openEnds"/> cut (the last one a truncated page of a folder showed).
    /// With a <paramref name="frontier"/> (the layout beyond it is not known yet) the ranges end
    /// exactly there and cuts beyond it are dropped; without one the last range runs to the end.
    /// Ranges are made smaller, down to <paramref name="floorKeys"/>, for the keys to make
    /// <paramref name="minRanges"/> of them: a bucket of a few pages still lists that many at once.
    /// <paramref name="stretches"/> says how many keys follow a cut (or <paramref name="after"/>) where
    /// that was measured (flat keys probed, <see cref="LayoutSurvey.ProbeFlatAsync"/>), before any guess.
    /// </summary>
    /// <returns>The ranges, and the keys they are guessed to hold (to the frontier, or to the last cut).</returns>
    public static (List<KeyRange> Ranges, double Keys) Split(string after, IEnumerable<string> cuts, string? frontier, double folderKeys, double targetKeys, int maxRanges,
        IReadOnlySet<string>? openEnds = null, int minRanges = 1, double floorKeys = 1, IReadOnlyDictionary<string, double>? stretches = null)
    {
        var order = KeyOrder.Instance;
        var points = cuts.Where(c => CanBound(c) && order.Compare(c, after) > 0 && (frontier is null || order.Compare(c, frontier) < 0))
            .Distinct(StringComparer.Ordinal).Order(order).ToList();
        var gaps = new double[points.Count];
        for (int i = 0; i < points.Count; i++)
            gaps[i] = stretches is not null && stretches.TryGetValue(points[i], out double known) ? known
                : openEnds?.Contains(points[i]) == true ? targetKeys
                : points[i].EndsWith('/') && !(i + 1 < points.Count && points[i + 1].StartsWith(points[i], StringComparison.Ordinal)) ? folderKeys
                : 1;
        // The stretch before the first cut: at least the key that may sit there.
        double first = stretches is not null && stretches.TryGetValue(after, out double measured) ? measured : 1;
        double total = first + gaps.Sum();
        targetKeys = Math.Min(targetKeys, Math.Max(floorKeys, total / Math.Max(1, minRanges)));
        targetKeys = Math.Max(Math.Max(1, targetKeys), total / Math.Max(1, maxRanges - 1)); // the last range is one too
        var ranges = new List<KeyRange>();
        string from = after;
        double held = first;
        for (int i = 0; i < points.Count; i++)
        {
            if (held >= targetKeys)
            {
                ranges.Add(new KeyRange(from, points[i]));
                from = points[i];
                held = 0;
            }
            held += gaps[i];
        }
        if (frontier is null) ranges.Add(new KeyRange(from, null));
        else if (order.Compare(frontier, from) > 0) ranges.Add(new KeyRange(from, frontier));
        return (ranges, total);
    }
}
