using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Listing;

namespace MinioRestore.Tests.Unit.Listing;

/// <summary>-AllVersions: version listings grouped into histories, and histories compared position by position.</summary>
public sealed class KeyHistoryTests
{
    private static readonly DateTime T = new(2026, 11, 30, 2, 0, 0, DateTimeKind.Utc);
    private static readonly string Md5A = new('a', 32), Md5B = new('b', 32), Md5C = new('c', 32);

    private static ObjectEntry V(string key, int second, string id, string? etag = null, long size = 10) =>
        new(key, size, "\"" + (etag ?? Md5A) + "\"", T.AddSeconds(second), id);

    private static ObjectEntry M(string key, int second, string id) => new(key, 0, "", T.AddSeconds(second), id) { IsDeleteMarker = true };

    private static async IAsyncEnumerable<ObjectEntry> Listing(params ObjectEntry[] entries)
    {
        foreach (var e in entries) { await Task.Yield(); yield return e; }
    }

    private static async Task<List<KeyHistory>> GroupAsync(DateTime? upTo, params ObjectEntry[] newestFirst)
    {
        var all = new List<KeyHistory>();
        await foreach (var h in KeyHistory.GroupAsync(Listing(newestFirst), upTo)) all.Add(h);
        return all;
    }

    [Fact]
    public async Task Each_keys_versions_come_oldest_first_one_key_at_a_time()
    {
        var histories = await GroupAsync(null, V("a", 3, "a3"), M("a", 2, "a2"), V("a", 1, "a1"), M("b", 5, "b1"), V("c", 9, "c2"), V("c", 8, "c1"));

        Assert.Equal(["a", "b", "c"], histories.Select(h => h.Key));
        Assert.Equal(["a1", "a2", "a3"], histories[0].Versions.Select(v => v.VersionId));
        Assert.Equal([false, true, false], histories[0].Versions.Select(v => v.IsDeleteMarker));
        Assert.True(histories[1].Versions.Single().IsDeleteMarker); // a history may be one delete marker
        Assert.Equal(["c1", "c2"], histories[2].Versions.Select(v => v.VersionId));
        Assert.Equal(2, histories[0].ObjectVersions);
    }

    [Fact]
    public async Task A_run_of_delete_markers_is_one_the_newest_and_so_is_it_after_an_instant_cuts_the_history()
    {
        var histories = await GroupAsync(null, M("a", 9, "m3"), M("a", 8, "m2"), V("a", 5, "v2"), M("a", 4, "m1"), M("a", 3, "m0"), V("a", 1, "v1"));
        Assert.Equal(["v1", "m1", "v2", "m3"], histories.Single().Versions.Select(v => v.VersionId));

        // Up to second 8: m3 is later, so the run is m2 alone; up to 4: v1 and m1; up to 0: nothing, the key is left out.
        Assert.Equal(["v1", "m1", "v2", "m2"], (await GroupAsync(T.AddSeconds(8), M("a", 9, "m3"), M("a", 8, "m2"), V("a", 5, "v2"), M("a", 4, "m1"), M("a", 3, "m0"), V("a", 1, "v1")))
            .Single().Versions.Select(v => v.VersionId));
        Assert.Equal(["v1", "m1"], (await GroupAsync(T.AddSeconds(4), M("a", 9, "m3"), V("a", 5, "v2"), M("a", 4, "m1"), M("a", 3, "m0"), V("a", 1, "v1"), V("b", 7, "b1")))
            .Single().Versions.Select(v => v.VersionId));
        Assert.Empty(await GroupAsync(T, V("a", 1, "v1")));
    }

    [Fact]
    public async Task Every_entry_of_a_history_shares_one_key_string()
    {
        string key = new('k', 1024);
        var histories = await GroupAsync(null, V(new string('k', 1024), 3, "3"), V(new string('k', 1024), 2, "2"), V(key, 1, "1"));
        var versions = histories.Single().Versions;
        Assert.All(versions, v => Assert.Same(versions[0].Key, v.Key));
    }

    private static ObjectEntry[] H(params ObjectEntry[] oldestFirst) => oldestFirst;

    [Fact]
    public void A_target_history_that_is_a_prefix_of_the_backups_gets_the_rest()
    {
        var backup = H(V("k", 1, "s1", Md5A), M("k", 2, "s2"), V("k", 3, "s3", Md5B), V("k", 4, "s4", Md5B));

        var none = HistoryPlanner.Decide(backup, null);
        Assert.Equal((HistoryAction.Append, 0), (none.Action, none.From));
        Assert.Contains("3 versions and 1 delete marker", none.Reason);

        // Other version ids (the target's own), the same entries: the first two are there.
        var half = HistoryPlanner.Decide(backup, H(V("k", 50, "t1", Md5A), M("k", 51, "t2")));
        Assert.Equal((HistoryAction.Append, 2), (half.Action, half.From));

        var whole = HistoryPlanner.Decide(backup, H(V("k", 50, "t1", Md5A), M("k", 51, "t2"), V("k", 52, "t3", Md5B), V("k", 53, "t4", Md5B)));
        Assert.Equal(HistoryAction.Complete, whole.Action);
    }

    [Fact]
    public void Any_other_target_history_is_a_divergence_at_the_first_entry_that_differs()
    {
        var backup = H(V("k", 1, "s1", Md5A), M("k", 2, "s2"), V("k", 3, "s3", Md5B));

        var content = HistoryPlanner.Decide(backup, H(V("k", 50, "t1", Md5C + "-2")));
        Assert.Equal((HistoryAction.Diverged, 0), (content.Action, content.From));
        var markerForVersion = HistoryPlanner.Decide(backup, H(V("k", 50, "t1", Md5A), V("k", 51, "t2", Md5A)));
        Assert.Equal((HistoryAction.Diverged, 1), (markerForVersion.Action, markerForVersion.From));
        Assert.Contains("a delete marker in the backup, but an object version", markerForVersion.Reason);
        var size = HistoryPlanner.Decide(backup, H(V("k", 50, "t1", Md5A, size: 11)));
        Assert.Contains("size differs", size.Reason);
        var longer = HistoryPlanner.Decide(backup, H(V("k", 50, "t1", Md5A), M("k", 51, "t2"), V("k", 52, "t3", Md5B), M("k", 53, "t4")));
        Assert.Equal((HistoryAction.Diverged, 3), (longer.Action, longer.From));
        Assert.Contains("1 version(s) or delete marker(s) more", longer.Reason);
    }

    [Fact]
    public void Versions_the_listings_cannot_tell_apart_are_checked_by_their_headers_before_a_divergence_after_them_counts()
    {
        // Same size, two MD5s that differ: encrypted objects' ETags may be no content hashes, so the headers decide.
        var backup = H(V("k", 1, "s1", Md5A), V("k", 2, "s2", Md5B));
        var target = H(V("k", 50, "t1", Md5C), V("k", 51, "t2", Md5C, size: 99));

        var check = HistoryPlanner.Decide(backup, target);
        Assert.Equal(HistoryAction.Check, check.Action);
        Assert.Equal([0], check.Checks);

        var kms = new ObjectFacts("aws:kms", false, new Dictionary<string, string> { ["CRC32"] = "x" });
        var sameSum = HistoryPlanner.Decide(backup, target, new Dictionary<int, (ObjectFacts, ObjectFacts)> { [0] = (kms, kms) });
        Assert.Equal((HistoryAction.Diverged, 1), (sameSum.Action, sameSum.From)); // entry 1 proven the same; entry 2's size differs
        var plain = HistoryPlanner.Decide(backup, target, new Dictionary<int, (ObjectFacts, ObjectFacts)> { [0] = (ObjectFacts.Plain, ObjectFacts.Plain) });
        Assert.Equal((HistoryAction.Diverged, 0), (plain.Action, plain.From));

        var unverified = HistoryPlanner.Decide(H(V("k", 1, "s1", Md5A)), H(V("k", 50, "t1", Md5C)),
            new Dictionary<int, (ObjectFacts, ObjectFacts)> { [0] = (new("aws:kms", false, new Dictionary<string, string>()), ObjectFacts.Plain) });
        Assert.Equal((HistoryAction.Complete, 1), (unverified.Action, unverified.Unverified));
    }
}
