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
    private static FaultProxy CountingProxy(Uri upstream, ConcurrentQueue<string> ranges, ConcurrentQueue<string> surveys) => new(upstream, r =>
    {
        if (r.Method == "GET" && r.Target.Contains("list-type=2"))
            (r.Target.Contains("delimiter=") ? surveys : r.Target.Contains("start-after=") ? ranges : null)?.Enqueue(r.Target);
        return Fault.None;
    });

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
        ConcurrentQueue<string> ranged = new(), surveys = new();
        using var proxy = CountingProxy(rgw.Source.Endpoint, ranged, surveys);
        using var restorer = new Restorer(new S3Endpoint(proxy.Endpoint, "us-east-1", RgwPair.SourceAccessKey, RgwPair.SourceSecretKey), rgw.TargetEndpoint, 64, DataPath.Auto);
        var options = new RestoreOptions(bucket, target) { Remove = true, Overwrite = true, Concurrency = 8, ListingShape = SmallPages };

        var reporter = new RecordingReporter();
        var first = await restorer.RestoreAsync(options, reporter, null, CancellationToken.None);
        reporter.AssertNoFailures();
        var again = await restorer.RestoreAsync(options, new RecordingReporter(), null, CancellationToken.None);

        output.WriteLine($"{surveys.Count} survey requests, {ranged.Count} range requests");
        Assert.True(ranged.Count > 20, $"{ranged.Count} range requests: the listings hardly went into ranges");
        output.WriteLine(first.ToString());
        output.WriteLine(again.ToString());
        Assert.Equal(RestoreStatus.Succeeded, first.Status);
        Assert.Equal(Keys.Length, first.Copied); // "big/000" overwritten with the backup's
        Assert.Equal(4, first.Removed);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, target);
        Assert.Equal(RestoreStatus.Succeeded, again.Status);
        Assert.Equal(0, again.Copied);
        Assert.Equal(0, again.Removed);
        Assert.Equal(Keys.Length, again.Skipped);
    }
}
