using System.Text;
using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;

namespace MinioRestore.Tests.Unit.Comparing;

public sealed class ComparingTests
{
    [Fact]
    public void KeyOrder_sorts_like_UTF8_bytes_where_ordinal_UTF16_does_not()
    {
        string bmpHigh = "\uFFFD", astral = "\U0001F600"; // EF BF BD < F0 9F 98 80
        Assert.True(string.CompareOrdinal(bmpHigh, astral) > 0, "premise: UTF-16 order differs");
        Assert.True(KeyOrder.Instance.Compare(bmpHigh, astral) < 0);
        Assert.True(KeyOrder.Instance.Compare("\uE000", "\U00010348") < 0);
        Assert.True(KeyOrder.Instance.Compare("a", "ab") < 0);
        Assert.Equal(0, KeyOrder.Instance.Compare("dir/ü", "dir/ü"));
    }

    [Fact]
    public void KeyOrder_agrees_with_UTF8_byte_order_on_random_keys()
    {
        var random = new Random(7);
        int[] planes = [0x20, 0x7F, 0x7FF, 0xD7FF, 0xFFFF, 0x10FFFF];
        string RandomKey()
        {
            var sb = new StringBuilder();
            for (int i = random.Next(1, 6); i > 0; i--)
            {
                int cp;
                do cp = random.Next(0x20, planes[random.Next(planes.Length)] + 1); while (cp is >= 0xD800 and <= 0xDFFF);
                sb.Append(char.ConvertFromUtf32(cp));
            }
            return sb.ToString();
        }
        for (int i = 0; i < 5000; i++)
        {
            string a = RandomKey(), b = RandomKey();
            int expected = Math.Sign(Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b)));
            Assert.Equal(expected, Math.Sign(KeyOrder.Instance.Compare(a, b)));
        }
    }

    [Theory]
    [InlineData("\"9e107d9d372bb6826bd81d3542a419d6\"", true, 0)]
    [InlineData("9E107D9D372BB6826BD81D3542A419D6", true, 0)]
    [InlineData("\"9e107d9d372bb6826bd81d3542a419d6-12\"", false, 12)]
    [InlineData("9e107d9d372bb6826bd81d3542a419d6-0", false, 0)]
    [InlineData("not-an-md5", false, 0)]
    [InlineData("", false, 0)]
    public void ETags_tell_MD5s_from_multipart_hashes(string raw, bool isMd5, int parts)
    {
        var etag = ETag.Parse(raw);
        Assert.Equal(isMd5, etag.IsMd5);
        Assert.Equal(parts, etag.PartCount);
    }

    private static ObjectEntry E(string key, long size, string etag) => new(key, size, etag, DateTime.UnixEpoch);
    private const string Md5A = "\"0cc175b9c0f1b6a831c399e269772661\"", Md5B = "\"92eb5ffee6ae2fec3ad71c777531578f\"";
    private const string MultiA = "\"0cc175b9c0f1b6a831c399e269772661-3\"", MultiB = "\"92eb5ffee6ae2fec3ad71c777531578f-3\"";

    [Theory]
    [InlineData(null, false, CopyAction.Copy)]
    [InlineData(Md5A, false, CopyAction.Skip)]
    [InlineData(Md5B, false, CopyAction.Conflict)]
    [InlineData(Md5B, true, CopyAction.Overwrite)]
    public void Decisions_come_from_size_and_MD5_ETags(string? targetETag, bool overwrite, CopyAction expected)
    {
        var target = targetETag is null ? null : E("k", 10, targetETag);
        Assert.Equal(expected, CopyPlanner.Decide(E("k", 10, Md5A), target, overwrite).Action);
    }

    [Fact]
    public void Size_differences_conflict_and_target_only_objects_are_left_alone()
    {
        Assert.Equal(CopyAction.Conflict, CopyPlanner.Decide(E("k", 10, Md5A), E("k", 11, Md5A), false).Action);
        Assert.Equal(CopyAction.TargetOnly, CopyPlanner.Decide(null, E("k", 11, Md5A), true).Action);
    }

    [Fact]
    public void Multipart_ETags_compare_when_part_counts_match_and_otherwise_size_decides()
    {
        Assert.Equal(CopyAction.Skip, CopyPlanner.Decide(E("k", 10, MultiA), E("k", 10, MultiA), false).Action);
        Assert.Equal(CopyAction.Conflict, CopyPlanner.Decide(E("k", 10, MultiA), E("k", 10, MultiB), false).Action);
        // Restored by another tool as one part: the ETags are not comparable hashes.
        var mixed = CopyPlanner.Decide(E("k", 10, MultiA), E("k", 10, Md5B), false);
        Assert.Equal(CopyAction.Skip, mixed.Action);
        Assert.Contains("not comparable", mixed.Reason);
    }

    private static async IAsyncEnumerable<ObjectEntry> Listing(params string[] keys)
    {
        foreach (var k in keys) { await Task.Yield(); yield return E(k, 1, Md5A); }
    }

    [Fact]
    public async Task The_merge_pairs_keys_from_both_listings_in_order()
    {
        var merged = new List<(string Key, bool S, bool T)>();
        await foreach (var m in ListingMerge.MergeAsync(Listing("a", "b", "d", "\uFFFD"), Listing("b", "c", "\uFFFD", "\U0001F600")))
            merged.Add((m.Key, m.Source is not null, m.Target is not null));
        Assert.Equal([("a", true, false), ("b", true, true), ("c", false, true), ("d", true, false), ("\uFFFD", true, true), ("\U0001F600", false, true)], merged);
    }

    [Fact]
    public async Task A_listing_out_of_order_stops_the_merge()
    {
        var e = await Assert.ThrowsAsync<RestoreException>(async () =>
        {
            await foreach (var _ in ListingMerge.MergeAsync(Listing("a", "c", "b"), Listing())) { }
        });
        Assert.Equal(ErrorIds.ListingOutOfOrder, e.ErrorId);
    }
}
