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

    private static readonly ObjectFacts Kms = new("aws:kms", false, new Dictionary<string, string>());
    private static ObjectFacts KmsWith(string crc) => new("aws:kms", false, new Dictionary<string, string> { ["CRC64NVME"] = crc });

    [Theory]
    [InlineData(null, false, CopyAction.Copy)]
    [InlineData(Md5A, false, CopyAction.Skip)]
    [InlineData(Md5B, false, CopyAction.Check)]
    [InlineData(Md5B, true, CopyAction.Check)]
    public void The_listings_decide_what_they_prove_and_ask_the_headers_for_the_rest(string? targetETag, bool overwrite, CopyAction expected)
    {
        var target = targetETag is null ? null : E("k", 10, targetETag);
        Assert.Equal(expected, CopyPlanner.Decide(E("k", 10, Md5A), target, overwrite).Action);
    }

    [Fact]
    public void Size_differences_conflict_and_target_only_objects_are_left_alone()
    {
        Assert.Equal(CopyAction.Conflict, CopyPlanner.Decide(E("k", 10, Md5A), E("k", 11, Md5A), false).Action);
        Assert.Equal(CopyAction.Overwrite, CopyPlanner.Decide(E("k", 10, Md5A), E("k", 11, Md5A), true).Action);
        Assert.Equal(CopyAction.TargetOnly, CopyPlanner.Decide(null, E("k", 11, Md5A), true).Action);
    }

    [Fact]
    public void Two_different_content_hashes_of_plain_objects_are_a_conflict_or_an_overwrite()
    {
        var plain = (ObjectFacts.Plain, ObjectFacts.Plain);
        Assert.Equal(CopyAction.Conflict, CopyPlanner.Decide(E("k", 10, Md5A), E("k", 10, Md5B), false, plain).Action);
        Assert.Equal(CopyAction.Overwrite, CopyPlanner.Decide(E("k", 10, Md5A), E("k", 10, Md5B), true, plain).Action);
        Assert.Equal(CopyAction.Conflict, CopyPlanner.Decide(E("k", 10, MultiA), E("k", 10, MultiB), false, plain).Action);
        Assert.Equal(CopyAction.Conflict, CopyPlanner.Decide(E("k", 10, Md5A), E("k", 10, Md5B), false, (new ObjectFacts("AES256", false, new Dictionary<string, string>()), ObjectFacts.Plain)).Action);
    }

    [Fact]
    public void An_encrypted_object_s_ETag_proves_nothing_but_a_checksum_does()
    {
        Assert.Equal(CopyAction.SkipUnverified, CopyPlanner.Decide(E("k", 10, Md5A), E("k", 10, Md5B), false, (Kms, ObjectFacts.Plain)).Action);
        Assert.Equal(CopyAction.SkipUnverified, CopyPlanner.Decide(E("k", 10, MultiA), E("k", 10, MultiB), true, (Kms, ObjectFacts.Plain)).Action);
        Assert.Equal(CopyAction.SkipUnverified, CopyPlanner.Decide(E("k", 10, Md5A), E("k", 10, Md5B), false, (ObjectFacts.Plain, new ObjectFacts(null, true, new Dictionary<string, string>()))).Action);
        Assert.Equal(CopyAction.Skip, CopyPlanner.Decide(E("k", 10, Md5A), E("k", 10, Md5B), false, (KmsWith("AAAA"), KmsWith("AAAA"))).Action);
        Assert.Equal(CopyAction.Conflict, CopyPlanner.Decide(E("k", 10, Md5A), E("k", 10, Md5B), false, (KmsWith("AAAA"), KmsWith("BBBB"))).Action);
    }

    [Fact]
    public void A_target_holding_what_no_restore_writes_is_a_conflict_but_the_restore_s_own_unverified_layout_is_not()
    {
        const long size = 40L * 1024 * 1024; // the restore's own layout: 16 MiB parts, 3 of them
        string own = "\"0cc175b9c0f1b6a831c399e269772661-3\"", backup5 = "\"92eb5ffee6ae2fec3ad71c777531578f-5\"", backup3 = "\"92eb5ffee6ae2fec3ad71c777531578f-3\"";
        Assert.Equal(3, PartLayoutOwnCount(size, 5));
        Assert.Equal(CopyAction.SkipUnverified, CopyPlanner.Decide(E("k", size, backup5), E("k", size, own), false).Action);
        // Never the backup's own count: a 3-part backup's unverified copy has 2 parts (32 MiB), so same-count ETags stay comparable.
        Assert.Equal(2, PartLayoutOwnCount(size, 3));
        Assert.Equal(CopyAction.Check, CopyPlanner.Decide(E("k", size, backup3), E("k", size, own), false).Action);
        // A single-part object on the target of a multipart backup, or the reverse: not what a restore writes.
        Assert.Equal(CopyAction.Conflict, CopyPlanner.Decide(E("k", 10, MultiA), E("k", 10, Md5B), false).Action);
        Assert.Equal(CopyAction.Overwrite, CopyPlanner.Decide(E("k", 10, Md5A), E("k", 10, MultiB), true).Action);
        // A target ETag that is no content hash at all proves nothing either way.
        Assert.Equal(CopyAction.SkipUnverified, CopyPlanner.Decide(E("k", 10, Md5A), E("k", 10, "\"opaque\""), false).Action);
    }

    private static int PartLayoutOwnCount(long size, int sourceParts) => MinioRestore.Engine.Copying.PartLayout.ForUnverifiedCopy(size, sourceParts).Count;

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

    [Fact]
    public async Task Both_listings_are_asked_for_their_first_page_at_once()
    {
        // The source's first page comes only once the target's was asked for: one after the other, the merge waits forever.
        var targetAsked = new TaskCompletionSource();
        async IAsyncEnumerable<ObjectEntry> Source()
        {
            await targetAsked.Task.WaitAsync(TimeSpan.FromSeconds(30));
            yield return E("a", 1, Md5A);
        }
        async IAsyncEnumerable<ObjectEntry> Target()
        {
            targetAsked.TrySetResult();
            await Task.Yield();
            yield return E("b", 1, Md5A);
        }
        var keys = new List<string>();
        await foreach (var m in ListingMerge.MergeAsync(Source(), Target())) keys.Add(m.Key);
        Assert.Equal(["a", "b"], keys);
    }

    [Fact]
    public async Task A_source_listing_that_fails_at_once_is_reported_and_the_target_listing_is_let_finish()
    {
        var targetDone = false;
        async IAsyncEnumerable<ObjectEntry> Failing()
        {
            await Task.Yield();
            throw new RestoreException(ErrorIds.SourceBucketNotFound, FailureKind.NotFound, "no such bucket");
#pragma warning disable CS0162 // an iterator needs a yield
            yield break;
#pragma warning restore CS0162
        }
        async IAsyncEnumerable<ObjectEntry> Slow()
        {
            try
            {
                await Task.Delay(200);
                yield return E("b", 1, Md5A);
            }
            finally { targetDone = true; }
        }
        var e = await Assert.ThrowsAsync<RestoreException>(async () =>
        {
            await foreach (var _ in ListingMerge.MergeAsync(Failing(), Slow())) { }
        });
        Assert.Equal(ErrorIds.SourceBucketNotFound, e.ErrorId);
        Assert.True(targetDone, "the target's first page, asked for with the source's, was awaited and its listing disposed before the merge ended");
    }
}
