using System.Collections.Concurrent;
using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Transport;
using MinioRestore.Tests.Support;
using Xunit.Abstractions;

namespace MinioRestore.Tests.Integration.Listing;

/// <summary>
/// The listing in key ranges (<see cref="BucketLister"/>) against real RGW, with pages of a few
/// keys so a few hundred keys make many pages and ranges: it yields exactly what the serial
/// listing yields, and a restore and its rerun through it are right.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class RangeListingTests(RgwPair rgw, ITestOutputHelper output)
{
    /// <summary>Pages of 5 keys; the survey sees the whole layout (small survey pages are the unit tests' part).</summary>
    private static readonly ListingShape SmallPages = new() { PageSize = 5, RangesAhead = 4, PagesBuffered = 1, RangePages = 2 };

    /// <summary>A proxy in front of the source that counts the listing requests of key ranges (a StartAfter, no delimiter) and of surveys (a delimiter).</summary>
    private static FaultProxy CountingProxy(Uri upstream, ConcurrentQueue<string> ranges, ConcurrentQueue<string> surveys, ConcurrentQueue<string>? probes = null,
        ConcurrentQueue<string>? versionRanges = null) => new(upstream, r =>
    {
        if (r.Method == "GET" && r.Target.Contains("list-type=2"))
            (r.Target.Contains("delimiter=") ? surveys : IsProbe(r.Target) ? probes : r.Target.Contains("start-after=") ? ranges : null)?.Enqueue(r.Target);
        // ListObjectVersions from a key without a version id: a range's start (or a mark's).
        else if (r.Method == "GET" && r.Target.Contains("versions") && r.Target.Contains("key-marker=") && !r.Target.Contains("version-id-marker="))
            versionRanges?.Enqueue(r.Target);
        return Fault.None;
    });

    private static bool IsProbe(string target) => System.Text.RegularExpressions.Regex.IsMatch(target, "[?&]max-keys=1(&|$)");

    /// <summary>Flat keys: numbered, hashes, multi-byte and beyond the BMP, keys that are prefixes of each other; no folder to cut at.</summary>
    private static readonly string[] FlatKeys =
    [
        .. Enumerable.Range(0, 40).Select(i => $"obj-{i * 3:D6}"),
        .. Enumerable.Range(0, 20).Select(i => Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(BitConverter.GetBytes(i)))[..12]),
        .. Enumerable.Range(1, 8).Select(n => new string('p', n)),
        "\u00e9t\u00e9", "\u00e9t\u00e9-1", "\u4e2d\u6587", "\U0001F600", "\U0001F600x", "\uE000", "\uFFFD", "sp ace", "plus+",
    ];

    /// <summary>Pages of 5 and surveys of 5: a survey sees no further than the listing, so only probes find cuts in flat keys.</summary>
    private static readonly ListingShape FlatPages = SmallPages with { SurveyPageSize = 5 };

    /// <summary>Keys at folder bounds ("a" "a/" "a/b" "a0" "a\u00ff"), where UTF-16 order is not byte order, encoded characters, one folder with most keys, folders in folders, keys without folders.</summary>
    private static readonly string[] Keys =
    [
        // Not U+FFFF: RGW 16 puts a page's last key raw into its XML answer (the continuation token), which then cannot be read, serially too.
        .. Unit.Listing.KeyRangeTests.AwkwardKeys.Where(k => !k.Contains('\uFFFF')),
        .. Enumerable.Range(0, 60).Select(i => $"big/{i:D3}"),
        .. Enumerable.Range(0, 8).SelectMany(i => Enumerable.Range(0, 5).Select(j => $"day{i}/h{j}/obj")),
        .. Enumerable.Range(0, 8).Select(i => $"day{i}/"), "big/", // folder markers: keys equal to the folder names ranges are cut at
        .. Enumerable.Range(0, 25).Select(i => $"flat{i:D2}"),
        "sp ace/1", "plus+/1", "pct%25/1", "\u00e9t\u00e9/1",
    ];

    private async Task<string> SeedAsync()
    {
        string bucket = RgwPair.NewBucket("ranges");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        await Parallel.ForEachAsync(Keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, _) => await S3.PutAsync(rgw.SourceS3, bucket, key, S3.RandomBytes(100, key.Length)));
        return bucket;
    }

    private static async Task<List<string>> ListAsync(Amazon.S3.IAmazonS3 client, string bucket, string? prefix, string? startAfter, ListingShape shape)
    {
        var keys = new List<string>();
        await foreach (var e in BucketLister.ListAsync(client, bucket, prefix, CancellationToken.None, startAfter, shape)) keys.Add(e.Key);
        return keys;
    }

    [Fact]
    public async Task Ranges_yield_exactly_the_serial_listing_with_prefixes_and_marks()
    {
        string bucket = await SeedAsync();
        ConcurrentQueue<string> ranged = new(), surveys = new();
        using var proxy = CountingProxy(rgw.Source.Endpoint, ranged, surveys);
        using var client = Harness.Seeder.Client(proxy.Endpoint, RgwPair.SourceAccessKey, RgwPair.SourceSecretKey);
        var sorted = Keys.Order(KeyOrder.Instance).ToList();
        string middle = sorted.Where(ListingServer.XmlCanCarry).ToList()[sorted.Count / 2]; // a mark RGW can echo

        foreach (var prefix in new[] { null, "a", "a/", "big/", "day" })
            foreach (var mark in new[] { null, "a/", "a/b", "big/030", middle, "\U0001F600" })
            {
                var expected = sorted.Where(k => k.StartsWith(prefix ?? "", StringComparison.Ordinal) && (mark is null || KeyOrder.Instance.Compare(k, mark) > 0)).ToList();
                var serial = await ListAsync(client, bucket, prefix, mark, ListingShape.Default with { Parallel = false });
                var ranges = await ListAsync(client, bucket, prefix, mark, SmallPages);
                Assert.Equal(expected, serial); // RGW lists in UTF-8 byte order (KeyOrder)
                Assert.Equal(expected, ranges);
            }
        output.WriteLine($"{surveys.Count} survey requests, {ranged.Count} range requests");
        Assert.True(ranged.Count > 200, $"{ranged.Count} range requests: the listings hardly went into ranges");
    }

    [Fact]
    public async Task A_restore_through_ranges_copies_and_removes_exactly_and_its_rerun_copies_nothing()
    {
        string bucket = await SeedAsync(), target = RgwPair.NewBucket("ranges-restored");
        // The target holds what the backup lacks (removed) at range-prone places, and one stale object (overwritten).
        await S3.SeedAsync(rgw.TargetS3, target, "a/a", "big/0305", "flat", "zzzz", "big/000");
        await RestoreTwiceThroughRangesAsync(bucket, target, Keys.Length, SmallPages, minRanged: 20, probed: false);
    }

    [Fact]
    public async Task Flat_keys_cut_by_probes_yield_exactly_the_serial_listing_with_prefixes_and_marks()
    {
        string bucket = RgwPair.NewBucket("flat");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        await Parallel.ForEachAsync(FlatKeys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, _) => await S3.PutAsync(rgw.SourceS3, bucket, key, S3.RandomBytes(50, key.Length)));
        ConcurrentQueue<string> ranged = new(), surveys = new(), probes = new();
        using var proxy = CountingProxy(rgw.Source.Endpoint, ranged, surveys, probes);
        using var client = Harness.Seeder.Client(proxy.Endpoint, RgwPair.SourceAccessKey, RgwPair.SourceSecretKey);
        var sorted = FlatKeys.Order(KeyOrder.Instance).ToList();

        foreach (var prefix in new[] { null, "obj-0", "p", "\u00e9" })
            foreach (var mark in new[] { null, "obj-000030", sorted[sorted.Count / 2], "\U0001F600" })
            {
                var expected = sorted.Where(k => k.StartsWith(prefix ?? "", StringComparison.Ordinal) && (mark is null || KeyOrder.Instance.Compare(k, mark) > 0)).ToList();
                Assert.Equal(expected, await ListAsync(client, bucket, prefix, mark, ListingShape.Default with { Parallel = false }));
                Assert.Equal(expected, await ListAsync(client, bucket, prefix, mark, FlatPages));
            }
        output.WriteLine($"{surveys.Count} survey requests, {probes.Count} probes, {ranged.Count} range requests");
        Assert.True(probes.Count > 0, "no probes: flat keys listed as one chain");
        Assert.True(ranged.Count > 50, $"{ranged.Count} range requests: the listings hardly went into ranges");
    }

    [Fact]
    public async Task A_flat_restore_through_probed_ranges_copies_and_removes_exactly_and_its_rerun_copies_nothing()
    {
        string bucket = RgwPair.NewBucket("flat"), target = RgwPair.NewBucket("flat-restored");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        await Parallel.ForEachAsync(FlatKeys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, _) => await S3.PutAsync(rgw.SourceS3, bucket, key, S3.RandomBytes(100, key.Length)));
        // What the backup lacks, between flat keys and past them (removed); one stale object (overwritten).
        await S3.SeedAsync(rgw.TargetS3, target, "obj-000031", "pppppppppp", "\u00e9t\u00e9-0", "zzzz", "obj-000000");
        await RestoreTwiceThroughRangesAsync(bucket, target, FlatKeys.Length, FlatPages, minRanged: 10, probed: true);
    }

    /// <summary>
    /// A restore with -Remove -Overwrite through ranges (the target holds four keys the backup lacks
    /// and one stale object), then its rerun: every key copied, four removed, then nothing to do.
    /// </summary>
    private async Task RestoreTwiceThroughRangesAsync(string bucket, string target, int keys, ListingShape shape, int minRanged, bool probed)
    {
        ConcurrentQueue<string> ranged = new(), surveys = new(), probes = new();
        using var proxy = CountingProxy(rgw.Source.Endpoint, ranged, surveys, probes);
        using var restorer = new Restorer(new S3Endpoint(proxy.Endpoint, "us-east-1", RgwPair.SourceAccessKey, RgwPair.SourceSecretKey), rgw.TargetEndpoint, 64, DataPath.Auto);
        var options = new RestoreOptions(bucket, target) { Remove = true, Overwrite = true, Concurrency = 8, ListingShape = shape };

        var reporter = new RecordingReporter();
        var first = await restorer.RestoreAsync(options, reporter, null, CancellationToken.None);
        reporter.AssertNoFailures();
        var again = await restorer.RestoreAsync(options, new RecordingReporter(), null, CancellationToken.None);

        output.WriteLine($"{surveys.Count} survey requests, {probes.Count} probes, {ranged.Count} range requests");
        output.WriteLine(first.ToString());
        output.WriteLine(again.ToString());
        if (probed) Assert.True(probes.Count > 0, "no probes: flat keys listed as one chain");
        Assert.True(ranged.Count > minRanged, $"{ranged.Count} range requests: the listings hardly went into ranges");
        Assert.Equal(RestoreStatus.Succeeded, first.Status);
        Assert.Equal(keys, first.Copied); // the stale object overwritten with the backup's
        Assert.Equal(4, first.Removed);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, target);
        Assert.Equal(RestoreStatus.Succeeded, again.Status);
        Assert.Equal(0, again.Copied);
        Assert.Equal(0, again.Removed);
        Assert.Equal(keys, again.Skipped);
    }

    [Fact]
    public async Task AsOf_and_AllVersions_restores_through_version_ranges_equal_the_serial_ones()
    {
        string source = RgwPair.NewBucket("vranges");
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, source);
        var keys = FlatKeys.Concat(Enumerable.Range(0, 6).SelectMany(i => new[] { $"day{i}/a", $"day{i}/b" })).ToList();
        // Up to three versions a key (pages of 2 end inside keys' versions), every fifth key deleted.
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, _) =>
        {
            for (int v = 0; v <= key.Length % 3; v++) await S3.PutAsync(rgw.SourceS3, source, key, S3.RandomBytes(60 + v, HashCode.Combine(key, v)));
        });
        var t1 = await S3Versions.InstantAfterAllAsync(rgw.SourceS3, source);
        await Parallel.ForEachAsync(keys.Where((_, i) => i % 5 == 0), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, _) => await S3Versions.DeleteAsync(rgw.SourceS3, source, key));
        await Parallel.ForEachAsync(keys.Where((_, i) => i % 7 == 1), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, _) => await S3.PutAsync(rgw.SourceS3, source, key, S3.RandomBytes(90, key.Length)));

        ConcurrentQueue<string> ranged = new(), surveys = new(), versionRanges = new();
        using var proxy = CountingProxy(rgw.Source.Endpoint, ranged, surveys, null, versionRanges);
        using var throughRanges = new Restorer(new S3Endpoint(proxy.Endpoint, "us-east-1", RgwPair.SourceAccessKey, RgwPair.SourceSecretKey), rgw.TargetEndpoint, 64, DataPath.Auto);
        using var serially = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint, 64, DataPath.Auto);
        var serial = ListingShape.Default with { Parallel = false };
        async Task<RestoreResult> RestoreAsync(Restorer restorer, RestoreOptions options)
        {
            var reporter = new RecordingReporter();
            var result = await restorer.RestoreAsync(options, reporter, null, CancellationToken.None);
            output.WriteLine(result.ToString());
            reporter.AssertNoFailures();
            Assert.Equal(RestoreStatus.Succeeded, result.Status);
            return result;
        }

        // -AsOf: the backup as it was at t1, through ranges of versions and as one chain.
        string asOfRanged = RgwPair.NewBucket("vranges-asof"), asOfSerial = RgwPair.NewBucket("vranges-asof-serial");
        var ranges = await RestoreAsync(throughRanges, new RestoreOptions(source, asOfRanged) { AsOf = new PointInTime(t1) { PageSize = 2 }, ListingShape = FlatPages });
        await RestoreAsync(serially, new RestoreOptions(source, asOfSerial) { AsOf = new PointInTime(t1) { PageSize = 2 }, ListingShape = serial });
        Assert.Equal(keys.Count, ranges.Copied); // every key existed at t1
        Assert.Equal(await S3.ListAsync(rgw.TargetS3, asOfSerial), await S3.ListAsync(rgw.TargetS3, asOfRanged));
        await S3.AssertSameContentAsync(rgw.TargetS3, asOfSerial, rgw.TargetS3, asOfRanged);
        int asOfRanges = versionRanges.Count;

        // -AllVersions: whole histories.
        string allRanged = RgwPair.NewBucket("vranges-all"), allSerial = RgwPair.NewBucket("vranges-all-serial");
        var all = await RestoreAsync(throughRanges, new RestoreOptions(source, allRanged) { AllVersions = true, VersionPageSize = 2, ListingShape = FlatPages });
        await RestoreAsync(serially, new RestoreOptions(source, allSerial) { AllVersions = true, VersionPageSize = 2, ListingShape = serial });
        var expected = await Versions.AllVersionsRestoreTests.HistoriesAsync(rgw.TargetS3, allSerial);
        var restored = await Versions.AllVersionsRestoreTests.HistoriesAsync(rgw.TargetS3, allRanged);
        Assert.Equal(keys.Order(StringComparer.Ordinal), expected.Keys);
        Assert.Equal(expected.Keys, restored.Keys);
        foreach (var (key, history) in expected)
            Assert.Equal(history.Select(v => (v.IsDeleteMarker, v.Size, v.ETag)), restored[key].Select(v => (v.IsDeleteMarker, v.Size, v.ETag)));
        var rerun = await RestoreAsync(throughRanges, new RestoreOptions(source, allRanged) { AllVersions = true, VersionPageSize = 2, ListingShape = FlatPages });
        Assert.Equal(0, rerun.Versions + rerun.DeleteMarkers + rerun.Copied);
        Assert.Equal(keys.Count, rerun.Skipped);

        output.WriteLine($"{asOfRanges} version ranges for -AsOf, {versionRanges.Count - asOfRanges} for -AllVersions (two runs)");
        Assert.True(asOfRanges > 10, $"{asOfRanges} version ranges: -AsOf hardly listed in ranges");
        Assert.True(versionRanges.Count - asOfRanges > 20, $"{versionRanges.Count - asOfRanges} version ranges: -AllVersions hardly listed in ranges");
        Assert.True(all.Versions > keys.Count);
    }
}
