using MinioRestore.Engine.Listing;

namespace MinioRestore.Tests.Unit.Listing;

/// <summary>The point-in-time rule, version by version, as ListObjectVersions lists them (keys in order, each key newest first).</summary>
public sealed class AsOfPickerTests
{
    private static readonly DateTime T = new(2026, 11, 30, 2, 0, 0, DateTimeKind.Utc);

    private static ObjectEntry V(string key, DateTime at, string id) => new(key, 10, "\"etag-" + id + "\"", at, id);

    /// <summary>Feeds (version, is delete marker) in order; the chosen entries, in key order.</summary>
    private static List<ObjectEntry> Pick(DateTime asOf, params (ObjectEntry Version, bool DeleteMarker)[] listing)
    {
        var picker = new AsOfPicker(asOf);
        var chosen = listing.Select(v => picker.Offer(v.Version, v.DeleteMarker)).OfType<ObjectEntry>().ToList();
        if (picker.Finish() is { } last) chosen.Add(last);
        return chosen;
    }

    [Fact]
    public void Takes_the_newest_version_at_or_before_the_instant()
    {
        var chosen = Pick(T,
            (V("a", T.AddSeconds(5), "a3"), false), (V("a", T, "a2"), false), (V("a", T.AddSeconds(-5), "a1"), false),
            (V("b", T.AddSeconds(-1), "b2"), false), (V("b", T.AddSeconds(-9), "b1"), false));

        Assert.Equal(["a2", "b2"], chosen.Select(e => e.VersionId));
    }

    [Fact]
    public void A_key_deleted_by_then_or_not_yet_written_is_absent_and_a_recreated_one_is_present()
    {
        var chosen = Pick(T,
            (V("deleted", T.AddSeconds(-1), "dm"), true), (V("deleted", T.AddSeconds(-9), "d1"), false),
            (V("later", T.AddSeconds(1), "l1"), false),
            (V("recreated", T.AddSeconds(-1), "r2"), false), (V("recreated", T.AddSeconds(-5), "rdm"), true), (V("recreated", T.AddSeconds(-9), "r1"), false),
            (V("deleted-after", T.AddSeconds(1), "dm2"), true), (V("deleted-after", T.AddSeconds(-1), "x1"), false));

        Assert.Equal(["r2", "x1"], chosen.Select(e => e.VersionId));
    }

    [Fact]
    public void Same_second_entries_keep_the_first_listed_and_order_within_a_key_does_not_matter_otherwise()
    {
        // Listed newest first, two writes in one second: the first is the newer.
        Assert.Equal(["n2"], Pick(T, (V("n", T, "n2"), false), (V("n", T, "n1"), false)).Select(e => e.VersionId));
        // A server that lists delete markers after the versions: the times still decide.
        Assert.Empty(Pick(T, (V("k", T.AddSeconds(-9), "k1"), false), (V("k", T.AddSeconds(-1), "dm"), true)));
    }

    [Fact]
    public void A_time_without_an_offset_is_local_time()
    {
        var local = DateTime.SpecifyKind(T.ToLocalTime(), DateTimeKind.Unspecified);
        Assert.Equal(T, new PointInTime(local).Utc);
        Assert.Equal(DateTimeKind.Utc, new PointInTime(local).Utc.Kind);
        Assert.Equal(T, new PointInTime(T).Utc);
    }
}
