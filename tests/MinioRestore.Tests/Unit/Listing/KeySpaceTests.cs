using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Listing;

namespace MinioRestore.Tests.Unit.Listing;

/// <summary>
/// Keys as numbers (<see cref="KeySpace"/>), which place the cuts of flat keys: numbers follow key
/// order, every number reads back as a bound RGW can echo, midpoints of sparse keys fall near keys,
/// and <see cref="KeyRange.Split"/> sizes ranges by the keys measured after a cut.
/// </summary>
public sealed class KeySpaceTests
{
    private static readonly string[] Sample = [.. KeyRangeTests.AwkwardKeys, .. Enumerable.Range(0, 50).Select(i => $"obj-{i * 7:D6}"), "\U0001F600\U0001F601", "\u00e9\u4e2d"];

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("obj-")]
    public void Numbers_never_decrease_as_keys_grow_and_read_back_as_bounds_at_or_before_them(string prefix)
    {
        var space = KeySpace.Of(prefix, Sample)!;
        var keys = Sample.Concat(["", "a", "zzzz", "obj-999999", "\uFFFF\uFFFF", "b\u0001"]).Distinct().Order(KeyOrder.Instance).ToList();

        for (int i = 1; i < keys.Count; i++)
            Assert.True(space.ToNumber(keys[i - 1]) <= space.ToNumber(keys[i]), $"'{keys[i - 1]}' has a larger number than '{keys[i]}'");
        foreach (var key in keys)
        {
            string back = space.FromNumber(space.ToNumber(key));
            Assert.True(KeyRange.CanBound(back), $"'{back}' from '{key}' cannot bound");
            Assert.StartsWith(prefix, back);
            Assert.True(space.ToNumber(back) <= space.ToNumber(key));
        }
        var random = new Random(prefix.Length);
        for (int i = 0; i < 200; i++)
        {
            var n = (space.Max * random.Next(1_000_000)) / 1_000_000;
            string text = space.FromNumber(n);
            Assert.True(KeyRange.CanBound(text));
            Assert.True(space.ToNumber(text) <= n);
        }
    }

    [Theory]
    [InlineData("obj-{0:D6}", 1000, 3000, 2000)]     // digits only: a byte midpoint between obj-000999 and obj-002999 falls between keys ("obj-00\u00b0..."), the number's does not
    [InlineData("{0:x8}", 0x1000, 0x3000, 0x2000)]   // hex
    public void Midpoints_of_sparse_alphabets_fall_among_the_keys(string format, int low, int high, int middle)
    {
        var sample = Enumerable.Range(low, 50).Select(i => string.Format(format, i)).ToList();
        var space = KeySpace.Of("", sample)!;
        string lo = string.Format(format, low), hi = string.Format(format, high);

        string mid = space.FromNumber((space.ToNumber(lo) + space.ToNumber(hi)) / 2);

        // Within a tenth of the span from the middle key.
        int tenth = (high - low) / 10;
        Assert.InRange(mid, string.Format(format, middle - tenth), string.Format(format, middle + tenth), KeyOrder.Instance);
    }

    [Fact]
    public void A_prefix_that_cannot_bound_or_a_sample_with_nothing_after_it_gives_no_space()
    {
        Assert.Null(KeySpace.Of("a\u0001", ["a\u0001b"]));
        Assert.Null(KeySpace.Of("obj/", ["obj/", "other"]));
        Assert.Null(KeySpace.Of("", ["\u0001\u0002"]));
    }

    [Fact]
    public void Split_sizes_ranges_by_the_keys_measured_after_each_cut()
    {
        var cuts = Enumerable.Range(1, 12).Select(i => $"k{i:D2}").ToList();
        var stretches = cuts.Append("k00").ToDictionary(c => c, _ => 10.0);

        var (ranges, keys) = KeyRange.Split("k00", cuts, null, folderKeys: 1, targetKeys: 40, maxRanges: 64, stretches: stretches);

        Assert.Equal(130, keys);
        Assert.Equal(["k04", "k08", "k12", null], ranges.Select(r => r.UpTo)); // 4 stretches of 10 keys a range, from the mark on
        Assert.Equal("k00", ranges[0].After);
    }
}
