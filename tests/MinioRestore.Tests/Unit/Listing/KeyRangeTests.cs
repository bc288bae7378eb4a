using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Listing;

namespace MinioRestore.Tests.Unit.Listing;

/// <summary>
/// Key ranges (<see cref="KeyRange"/>): however a listing is cut, the ranges listed as a server
/// lists them (StartAfter, then up to the range's end) hold every key exactly once, in order.
/// </summary>
public sealed class KeyRangeTests
{
    /// <summary>Keys at and around folder bounds, across UTF-8 lengths, beyond the BMP, and where UTF-16 order is not byte order.</summary>
    internal static readonly string[] AwkwardKeys =
    [
        "a", "a/", "a/b", "a/b/", "a/b/c", "a/\uE000", "a/\U0001F600", "a/\uFFFD", "a0", "a\u00ff", "a\u00ff/x", "a!/1", "a!/2",
        "b c", "b+c", "b%41", "b/", "b/1", "b/2/3", "\U0001F600", "\U0001F600/x", "\uFFFF", "\uFFFF/x", "c\u0001d", "c\u0001/e", "z", "zz/1", "zz/2",
    ];

    private static readonly string[] Keys = [.. AwkwardKeys.Concat(Enumerable.Range(0, 30).Select(i => $"big/{i:D2}")).Order(KeyOrder.Instance)];

    /// <summary>What a server lists for the range: the keys after its start, up to the first one past its end.</summary>
    private static IEnumerable<string> Listed(KeyRange range, string[] keys) =>
        keys.Where(k => KeyOrder.Instance.Compare(k, range.After) > 0 && k.StartsWith(range.ListPrefix(""), StringComparison.Ordinal)).TakeWhile(range.Holds);

    public static TheoryData<int, int, bool> Cuttings()
    {
        var data = new TheoryData<int, int, bool>();
        foreach (int seed in new[] { 1, 2, 3, 4, 5, 6, 7, 8 })
            foreach (int stride in new[] { 1, 2, 5 })
                foreach (bool frontier in new[] { false, true })
                    data.Add(seed, stride, frontier);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cuttings))]
    public void Ranges_cut_anywhere_hold_every_key_after_the_mark_once_in_order(int seed, int stride, bool withFrontier)
    {
        var random = new Random(seed);
        string after = Keys[random.Next(Keys.Length / 2)];
        // Cuts on keys, on folder names ("a/", which is also a key), between keys, before the mark, repeated, in no order.
        var cuts = Enumerable.Range(0, 12).Select(_ => random.Next(4) switch
        {
            0 => Keys[random.Next(Keys.Length)],
            1 => Keys[random.Next(Keys.Length)] + "/",
            2 => Keys[random.Next(Keys.Length)][..1],
            _ => Keys[random.Next(Keys.Length)] + "\u0000",
        }).ToList();
        cuts.Add(cuts[0]);
        string? frontier = withFrontier ? Keys[random.Next(Keys.Length / 2, Keys.Length)] : null;

        var (ranges, _) = KeyRange.Split(after, cuts, frontier, folderKeys: 3, targetKeys: stride, maxRanges: 64, openEnds: new HashSet<string> { cuts[1] });

        var expected = Keys.Where(k => KeyOrder.Instance.Compare(k, after) > 0 && (frontier is null || KeyOrder.Instance.Compare(k, frontier) <= 0));
        Assert.Equal(expected, ranges.SelectMany(r => Listed(r, Keys)));
        Assert.Equal(after, ranges[0].After);
        for (int i = 1; i < ranges.Count; i++) Assert.Equal(ranges[i - 1].UpTo, ranges[i].After); // contiguous
        Assert.Equal(frontier, ranges[^1].UpTo);
    }

    [Fact]
    public void A_cut_on_a_key_keeps_that_key_in_the_range_before_it_and_out_of_the_next()
    {
        var (ranges, _) = KeyRange.Split("a", ["a/", "a/b", "a0"], null, 1, 1, 64);

        Assert.Equal(["a/", "a/b", "a0", null], ranges.Select(r => r.UpTo));
        Assert.Equal(["a!/1", "a!/2", "a/"], Listed(ranges[0], Keys)); // "a!" sorts before "a/"
        Assert.Equal(["a/b"], Listed(ranges[1], Keys));
        Assert.Equal(["a/b/", "a/b/c", "a/\uE000", "a/\uFFFD", "a/\U0001F600", "a0"], Listed(ranges[2], Keys)); // code point order
        Assert.Equal("a\u00ff", Listed(ranges[3], Keys).First());
    }

    [Fact]
    public void Ranges_hold_about_the_keys_asked_and_never_more_ranges_than_the_limit()
    {
        var cuts = Enumerable.Range(0, 1000).Select(i => $"k{i:D4}").ToList();

        Assert.Equal(1000 / 4 + 1, KeyRange.Split("", cuts, null, 1, 4, 1000).Ranges.Count);
        Assert.InRange(KeyRange.Split("", cuts, null, 1, 1, 64).Ranges.Count, 60, 64);
        Assert.InRange(KeyRange.Split("", cuts, "k9999", 1, 1, 64).Ranges.Count, 60, 64);
        Assert.Empty(KeyRange.Split("k5", cuts, "k4", 1, 1, 64).Ranges); // a frontier at or before the mark: nothing to cut
        Assert.Equal([new KeyRange("k0999", null)], KeyRange.Split("k0999", cuts, null, 1, 1, 64).Ranges); // no cut after the mark: one range to the end
    }

    [Fact]
    public void Folders_weigh_what_they_are_guessed_to_hold_and_an_open_end_closes_its_range()
    {
        string[] folders = ["a/", "b/", "c/", "d/", "e/"];

        var (ranges, keys) = KeyRange.Split("", folders, null, folderKeys: 10, targetKeys: 20, maxRanges: 64);
        Assert.Equal(["c/", "e/", null], ranges.Select(r => r.UpTo)); // before a/: 1, then 10 per folder
        Assert.Equal(51, keys);

        // A folder shown with its children weighs as its children do: "b/" is followed by "b/x/".
        Assert.Equal(["d/", null], KeyRange.Split("", ["a/", "b/", "b/x", "c/", "d/"], null, 10, 20, 64).Ranges.Select(r => r.UpTo));

        // A few pages' worth of folders still make RangesAhead ranges, of a page or more each.
        var hundred = Enumerable.Range(0, 100).Select(i => $"f{i:D2}/").ToList();
        Assert.Equal(5, KeyRange.Split("", hundred, null, 200, 4000, 64).Ranges.Count);
        Assert.InRange(KeyRange.Split("", hundred, null, 200, 4000, 64, minRanges: 12, floorKeys: 1000).Ranges.Count, 12, 13);
        Assert.Equal(20, KeyRange.Split("", hundred, null, 200, 4000, 64, minRanges: 64, floorKeys: 1000).Ranges.Count);

        // After an open end (a folder page that stopped at "b/k" with more keys to come), the next cut ends the range.
        Assert.Equal(["b/m", null], KeyRange.Split("", ["b/a", "b/k", "b/m", "b/n"], null, 10, 20, 64, new HashSet<string> { "b/k" }).Ranges.Select(r => r.UpTo));
    }

    [Theory]
    [InlineData("a/\U0001F600", true)]
    [InlineData("\u00e9t\u00e9 \uFFFD", true)]
    [InlineData("\uFFFF", false)]
    [InlineData("a\u0001b", false)]
    [InlineData("tab\t", false)]
    public void Only_keys_an_XML_answer_can_echo_bound_a_range(string key, bool bounds)
    {
        Assert.False(KeyRange.CanBound("half \uD83D")); // (xunit cannot pass a lone surrogate as data)
        Assert.Equal(bounds, KeyRange.CanBound(key));
        Assert.DoesNotContain(KeyRange.Split("", [key, key + "/"], null, 1, 1, 64).Ranges, r => r.UpTo is not null && !KeyRange.CanBound(r.UpTo));
    }

    [Theory]
    [InlineData("data/2024-01/x", "data/2024-02/y", "data/2024-0")]
    [InlineData("a/b", "b/c", "")]
    [InlineData("a/\U0001F600x", "a/\U0001F601", "a/")] // never half a surrogate pair
    [InlineData("p/a", "p/b", "p/")]
    public void A_range_is_listed_with_the_prefix_its_bounds_share(string after, string upTo, string prefix)
    {
        Assert.Equal(prefix, new KeyRange(after, upTo).ListPrefix(""));
        Assert.Equal("p/", new KeyRange("p/a", null).ListPrefix("p/")); // to the end: the listing's own prefix
        Assert.Equal("q/", new KeyRange("a", "b").ListPrefix("q/")); // never shorter than the listing's prefix
    }
}
