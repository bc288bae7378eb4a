using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Listing;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Unit.Listing;

/// <summary>
/// The bucket listing in key ranges (<see cref="BucketLister"/>) against an in-memory S3
/// (<see cref="ListingServer"/>): over many layouts, page sizes, prefixes and marks it yields exactly
/// the serial listing, small buckets cost no more requests, and ranges do list at once.
/// </summary>
public sealed class ParallelListingTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly ListingShape Serial = new() { Parallel = false };

    private static IEnumerable<string> Numbered(string format, int count) => Enumerable.Range(0, count).Select(i => string.Format(format, i));

    /// <summary>Layouts: folders at and around their bounds, one folder with nearly all keys, deep folders, no folders at all, more folders than a page shows.</summary>
    public static readonly Dictionary<string, string[]> Layouts = new()
    {
        ["awkward"] = [.. KeyRangeTests.AwkwardKeys, .. Numbered("a/b/{0:D2}", 12), .. Numbered("a\u00ff/{0:D2}", 7)],
        ["skewed"] = ["a/1", "c/1", "c/2", .. Numbered("big/{0:D3}", 150), .. Numbered("big/sub{0}/x", 9)],
        ["deep"] = [.. Enumerable.Range(0, 6).SelectMany(i => Enumerable.Range(0, 6).SelectMany(j => Numbered($"d{i}/e{j}/{{0}}", 4)))],
        ["flat"] = [.. Numbered("k{0:D3}", 120)],
        ["many-folders"] = [.. Enumerable.Range(0, 90).SelectMany(i => Numbered($"f{i:D2}/{{0}}", 2)), "f45/", "loose"],
    };

    public static TheoryData<string, int, bool, bool> Cases()
    {
        var data = new TheoryData<string, int, bool, bool>();
        foreach (var layout in Layouts.Keys)
            foreach (int pageSize in new[] { 2, 5, 17 })
                foreach (bool omitMarkFolder in new[] { false, true })
                    foreach (bool smallSurveys in new[] { false, true })
                        data.Add(layout, pageSize, omitMarkFolder, smallSurveys);
        return data;
    }

    private static async Task<List<string>> ListAsync(Amazon.S3.IAmazonS3 client, string? prefix, string? startAfter, ListingShape shape)
    {
        var keys = new List<string>();
        await foreach (var e in BucketLister.ListAsync(client, "b", prefix, CancellationToken.None, startAfter, shape)) keys.Add(e.Key);
        return keys;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Ranges_yield_exactly_the_serial_listing_with_and_without_a_prefix_and_a_mark(string layout, int pageSize, bool omitMarkFolder, bool smallSurveys)
    {
        var keys = Layouts[layout];
        var (client, _) = ListingServer.Create(keys, omitMarkFolder);
        // Small survey pages: the layout is seen a few entries at a time (frontiers, survey after survey).
        var shape = new ListingShape { PageSize = pageSize, SurveyPageSize = smallSurveys ? pageSize : 1000, RangesAhead = 3, PagesBuffered = 1, RangePages = 2 };
        var sorted = keys.Distinct().Order(KeyOrder.Instance).ToList();
        var middle = sorted.Where(ListingServer.XmlCanCarry).ToList()[sorted.Count / 3]; // a mark the server can echo
        var prefixes = new[] { null, "a", "a/", "big/", "d3/", "f4", "k0" };
        foreach (var prefix in prefixes)
            foreach (var mark in new[] { null, middle, middle + "/", "a/b/05", "a", "zzz" })
            {
                var expected = sorted.Where(k => k.StartsWith(prefix ?? "", StringComparison.Ordinal) && (mark is null || KeyOrder.Instance.Compare(k, mark) > 0)).ToList();
                var serial = await ListAsync(client, prefix, mark, Serial with { PageSize = pageSize });
                var parallel = await ListAsync(client, prefix, mark, shape);
                Assert.Equal(expected, serial);
                Assert.Equal(expected, parallel);
            }
    }

    /// <summary>One to four UTF-8 bytes, and U+FFFD and U+E000, where UTF-16 order is not byte order.</summary>
    private static readonly string[] Letters = ["a", "\u00e9", "\u4e2d", "\U0001F600", "\uFFFD", "\uE000", "\u00ff"];

    /// <summary>Flat keys (no folder to cut at): hex hashes, numbered, in one folder, multi-byte UTF-8 and beyond the BMP, keys that are prefixes of each other, timestamps.</summary>
    public static readonly Dictionary<string, string[]> FlatLayouts = new()
    {
        ["hashes"] = [.. Enumerable.Range(0, 300).Select(i => Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(BitConverter.GetBytes(i))))],
        ["numbered"] = [.. Numbered("obj-{0:D6}", 400)],
        ["one-folder"] = [.. Numbered("obj/{0:D7}", 300), "obj/", "zz"],
        ["utf8"] = [.. Enumerable.Range(0, 300).Select(i => Letters[i % Letters.Length] + Letters[i / Letters.Length % Letters.Length] + $"{i:x3}")],
        ["prefixes"] = [.. Enumerable.Range(1, 60).Select(n => new string('a', n)), .. Enumerable.Range(1, 60).Select(n => new string('a', n) + "b"), .. Numbered("a{0}", 60),
            "\U0001F600", "\U0001F600\U0001F600", "\u00ff", "\u00ff\u00ff"],
        // Times: a sparse alphabet, whose byte midpoints fall between keys.
        ["timestamps"] = [.. Enumerable.Range(0, 200).Select(i => new DateTime(2024, 1, 1).AddMinutes(i * 397).ToString("yyyy-MM-ddTHH:mm:ssZ"))],
    };

    public static TheoryData<string, int, int> FlatCases()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var layout in FlatLayouts.Keys)
            foreach (int pageSize in new[] { 2, 5, 17 })
                foreach (int rangePages in new[] { 1, 3 })
                    data.Add(layout, pageSize, rangePages);
        return data;
    }

    [Theory]
    [MemberData(nameof(FlatCases))]
    public async Task Flat_keys_cut_by_probes_yield_exactly_the_serial_listing(string layout, int pageSize, int rangePages)
    {
        var keys = FlatLayouts[layout];
        var (client, server) = ListingServer.Create(keys);
        // Survey pages as small as the listing's: a survey sees no further than a page, so only probes find cuts.
        var shape = new ListingShape { PageSize = pageSize, SurveyPageSize = pageSize, RangesAhead = 3, PagesBuffered = 1, RangePages = rangePages, MaxRangesPerSurvey = 8 };
        var sorted = keys.Distinct().Order(KeyOrder.Instance).ToList();
        int probes = 0;
        foreach (var prefix in new[] { null, "a", "obj", "obj/", "2024-0", "\U0001F600" })
            foreach (var mark in new[] { null, sorted[sorted.Count / 3], sorted[sorted.Count / 3] + "\u00e9", "a" })
            {
                var expected = sorted.Where(k => k.StartsWith(prefix ?? "", StringComparison.Ordinal) && (mark is null || KeyOrder.Instance.Compare(k, mark) > 0)).ToList();
                int before = server.ProbeRequests;
                Assert.Equal(expected, await ListAsync(client, prefix, mark, shape));
                probes += server.ProbeRequests - before;
            }
        output.WriteLine($"{probes} probes, {server.Requests} requests");
        Assert.True(probes > 0, "no probes: the flat keys were listed as one chain");
    }

    [Fact]
    public async Task Flat_keys_are_listed_in_ranges_at_once_and_the_probes_stay_within_their_bound()
    {
        var keys = Numbered("obj/{0:D7}", 4000).ToList();
        var (client, server) = ListingServer.Create(keys);
        server.Latency = TimeSpan.FromMilliseconds(5);
        var shape = new ListingShape { PageSize = 20, SurveyPageSize = 20, RangesAhead = 6, RangePages = 2, MaxRangesPerSurvey = 16 };

        var listed = await ListAsync(client, null, null, shape);

        output.WriteLine($"{server.Requests} requests ({server.DelimitedRequests} delimited, {server.ProbeRequests} probes), at most {server.MostInFlight} at once");
        Assert.Equal(keys, listed);
        Assert.True(server.MostInFlight > 2, $"at most {server.MostInFlight} requests at once: one chain");
        // 200 pages serially. A survey covers up to 16 x 2 pages with at most 5 + 1 + 7 probes and 2 delimiter pages (the root's and obj/'s).
        int surveys = (int)Math.Ceiling(200.0 / (16 * 2)) + 1;
        Assert.True(server.ProbeRequests <= surveys * 13, $"{server.ProbeRequests} probes for at most {surveys} surveys");
        Assert.True(server.Requests <= 200 * 1.5 + surveys * 15, $"{server.Requests} requests");
    }

    [Fact]
    public async Task Flat_keys_of_another_family_after_the_first_are_cut_too()
    {
        // Hex hashes, then numbered keys and multi-byte ones: characters the first family's sample never showed.
        var keys = FlatLayouts["hashes"].Select(k => k[..12]).Concat(Numbered("obj-{0:D6}", 300)).Concat(FlatLayouts["utf8"]).Distinct().Order(KeyOrder.Instance).ToList();
        var (client, server) = ListingServer.Create(keys);

        Assert.Equal(keys, await ListAsync(client, null, null, new ListingShape { PageSize = 5, SurveyPageSize = 5, RangesAhead = 4, RangePages = 2 }));

        var later = server.ChainStarts.Where(s => KeyOrder.Instance.Compare(s, "obj-000010") > 0).ToList();
        output.WriteLine($"{server.ChainStarts.Count} ranges, {later.Count} of them after obj-000010, {server.ProbeRequests} probes");
        Assert.True(later.Count > 30, $"{later.Count} ranges after obj-000010: the later keys were one chain");
    }

    [Fact]
    public async Task A_failed_probe_leaves_the_rest_to_one_chain_and_loses_nothing()
    {
        var keys = Numbered("k{0:D4}", 300).ToList();
        var (client, server) = ListingServer.Create(keys);
        server.FailProbesWith = "InternalError";

        Assert.Equal(keys, await ListAsync(client, null, null, new ListingShape { PageSize = 7, SurveyPageSize = 7 }));
        Assert.True(server.ProbeRequests > 0);
    }

    [Theory]
    [InlineData(10, 1)]
    [InlineData(20, 2)]
    public async Task A_flat_bucket_of_one_or_two_pages_costs_its_pages_and_no_probe(int count, int listingRequests)
    {
        var (client, server) = ListingServer.Create(Numbered("k{0:D2}", count));

        var keys = await ListAsync(client, null, null, ListingShape.Default with { PageSize = 10, SurveyPageSize = 10 });

        Assert.Equal(count, keys.Count);
        Assert.Equal(0, server.ProbeRequests);
        Assert.Equal(listingRequests, server.Requests - server.DelimitedRequests);
    }

    public static TheoryData<string, int> VersionCases()
    {
        var data = new TheoryData<string, int>();
        foreach (var layout in new[] { "awkward", "skewed", "flat", "numbered", "utf8" })
            foreach (int pageSize in new[] { 2, 3, 7 })
                data.Add(layout, pageSize);
        return data;
    }

    [Theory]
    [MemberData(nameof(VersionCases))]
    public async Task Version_ranges_yield_exactly_the_serial_version_listing_and_never_split_a_key(string layout, int pageSize)
    {
        var keys = Layouts.TryGetValue(layout, out var k) ? k : FlatLayouts[layout];
        var (client, server) = ListingServer.Create(keys);
        // Up to 5 versions a key over pages of 2, 3 or 7 versions: pages end inside a key's versions everywhere, at the ends of ranges too.
        server.VersionsOf = key => 1 + (int)((uint)StringComparer.Ordinal.GetHashCode(key) % 5);
        var shape = new ListingShape { SurveyPageSize = pageSize, RangesAhead = 3, PagesBuffered = 1, RangePages = 2, MaxRangesPerSurvey = 8 };
        var all = server.AllVersions().ToList();
        var sorted = keys.Distinct().Order(KeyOrder.Instance).Where(ListingServer.XmlCanCarry).ToList(); // marks the server can echo
        int starts = server.VersionChainStarts;
        foreach (var prefix in new[] { null, "a", "big/", "obj-0" })
            foreach (var mark in new[] { null, sorted[sorted.Count / 3], sorted[sorted.Count / 2] + "\u00e9" })
            {
                var expected = all.Where(v => v.Key.StartsWith(prefix ?? "", StringComparison.Ordinal) && (mark is null || KeyOrder.Instance.Compare(v.Key, mark) > 0))
                    .Select(v => $"{v.Key} {v.VersionId}").ToList();
                var serial = new List<string>();
                await foreach (var e in VersionLister.ListAsync(client, "b", prefix, pageSize, CancellationToken.None, mark, Serial)) serial.Add($"{e.Key} {e.VersionId}");
                var ranged = new List<string>();
                await foreach (var e in VersionLister.ListAsync(client, "b", prefix, pageSize, CancellationToken.None, mark, shape)) ranged.Add($"{e.Key} {e.VersionId}");
                Assert.Equal(expected, serial);
                Assert.Equal(expected, ranged);

                // The state at an instant and whole histories read the ranges as they read one chain.
                var asOf = new DateTime(2026, 1, 1, 0, 3, 0, DateTimeKind.Utc);
                var serialAsOf = await Keys(VersionLister.ListAsOfAsync(client, "b", prefix, asOf, pageSize, CancellationToken.None, mark, Serial));
                Assert.Equal(serialAsOf, await Keys(VersionLister.ListAsOfAsync(client, "b", prefix, asOf, pageSize, CancellationToken.None, mark, shape)));
            }
        output.WriteLine($"{server.VersionRequests} version requests, {server.VersionChainStarts - starts} chains started after a bound, {server.ProbeRequests} probes");
        Assert.True(server.VersionChainStarts - starts > 30, $"{server.VersionChainStarts - starts} version chains after a bound: hardly any ranges");
    }

    private static async Task<List<string>> Keys(IAsyncEnumerable<ObjectEntry> entries)
    {
        var keys = new List<string>();
        await foreach (var e in entries) keys.Add($"{e.Key} {e.VersionId}");
        return keys;
    }

    [Fact]
    public async Task A_key_with_more_versions_than_pages_hold_at_a_range_end_stays_whole_in_its_range()
    {
        // Every key has 9 versions, pages hold 4: every range ends inside a key's versions, and the first two pages too.
        var keys = Numbered("k{0:D3}", 200).ToList();
        var (client, server) = ListingServer.Create(keys);
        server.VersionsOf = _ => 9;
        var shape = new ListingShape { SurveyPageSize = 4, RangesAhead = 4, PagesBuffered = 1, RangePages = 2 };

        var listed = await Keys(VersionLister.ListAsync(client, "b", null, 4, CancellationToken.None, null, shape));

        Assert.Equal(server.AllVersions().Select(v => $"{v.Key} {v.VersionId}"), listed);
        Assert.True(server.VersionChainStarts > 10, $"{server.VersionChainStarts} ranges");
    }

    [Theory]
    [InlineData(10, 1)]   // one page: its own request, no survey
    [InlineData(20, 2)]   // two pages: the survey beside the second page, no third request on the listing's path
    public async Task A_bucket_of_one_or_two_pages_is_listed_with_its_own_pages(int count, int listingRequests)
    {
        var (client, server) = ListingServer.Create(Numbered("f{0:D2}/x", count));

        var keys = await ListAsync(client, null, null, ListingShape.Default with { PageSize = 10, SurveyPageSize = 10 });

        Assert.Equal(count, keys.Count);
        Assert.Equal(listingRequests, server.Requests - server.DelimitedRequests);
        Assert.Equal(listingRequests - 1, server.DelimitedRequests > 0 ? 1 : 0);
    }

    [Fact]
    public async Task A_big_bucket_lists_its_ranges_at_once_within_the_bound()
    {
        var (client, server) = ListingServer.Create(Enumerable.Range(0, 40).SelectMany(i => Numbered($"day{i:D2}/{{0:D3}}", 50)));
        server.Latency = TimeSpan.FromMilliseconds(5);
        var shape = new ListingShape { PageSize = 20, SurveyPageSize = 20, RangesAhead = 6, RangePages = 2 };

        var keys = await ListAsync(client, null, null, shape);

        output.WriteLine($"{server.Requests} requests ({server.DelimitedRequests} delimited), at most {server.MostInFlight} at once");
        Assert.Equal(2000, keys.Count);
        Assert.True(server.MostInFlight > 2, $"at most {server.MostInFlight} requests at once");
        Assert.True(server.MostInFlight <= shape.RangesAhead + shape.ExpandBelow + 3, $"{server.MostInFlight} requests at once");
        // 100 pages serially; each range adds at most the page that crosses its end, each survey one request per folder it looks into.
        Assert.True(server.Requests <= 100 * 2, $"{server.Requests} requests");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public async Task A_server_listing_in_another_order_is_caught_never_passed_over(int pageSize)
    {
        // UTF-16 order puts U+10000 and above before U+E000..U+FFFF: bounds of one order cut the other's listing wrongly.
        var keys = new[] { "\uE000", "\uFFFD", "\U0001F600", "\U0001F601" }
            .SelectMany(c => Enumerable.Range(0, 6).SelectMany(i => new[] { $"{c}{i}/x", $"{c}{i}/y", $"{c}/{i}", $"k/{c}{i}" })).ToList();
        var (client, _) = ListingServer.Create(keys, order: StringComparer.Ordinal);

        List<string> listed;
        try { listed = await ListAsync(client, null, null, new ListingShape { PageSize = pageSize, RangesAhead = 3, RangePages = 1 }); }
        catch (MinioRestore.Engine.Errors.RestoreException e) when (e.ErrorId == MinioRestore.Engine.Errors.ErrorIds.ListingOutOfOrder) { return; }
        // Not caught here: then every key came, and the merge's order check stops the run.
        Assert.Equal(keys.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_failed_survey_leaves_the_rest_to_one_chain_and_loses_nothing()
    {
        var keys = Enumerable.Range(0, 20).SelectMany(i => Numbered($"day{i:D2}/{{0:D2}}", 10)).ToList();
        var (client, server) = ListingServer.Create(keys);
        server.FailDelimitedWith = "InternalError";

        Assert.Equal(keys, await ListAsync(client, null, null, new ListingShape { PageSize = 7 }));
        Assert.True(server.DelimitedRequests > 0);
    }

    [Theory]
    [InlineData(2)]  // the second page, beside the survey
    [InlineData(6)]  // a range's page
    [InlineData(30)]
    public async Task A_page_that_goes_on_without_a_token_fails_the_listing_wherever_it_comes(int from)
    {
        var (client, server) = ListingServer.Create(Enumerable.Range(0, 30).SelectMany(i => Numbered($"day{i:D2}/{{0:D2}}", 20)));
        server.DropTokensFrom = from;

        // Taking the listing so far for the whole would let -Remove delete what the backup holds.
        var failure = await Assert.ThrowsAsync<MinioRestore.Engine.Errors.RestoreException>(() => ListAsync(client, null, null, new ListingShape { PageSize = 10, RangePages = 3 }));
        Assert.Contains("continuation token", failure.Message);
    }

    [Fact]
    public async Task A_listing_left_early_stops_its_ranges()
    {
        var (client, server) = ListingServer.Create(Enumerable.Range(0, 30).SelectMany(i => Numbered($"day{i:D2}/{{0:D3}}", 40)));
        int taken = 0;
        await foreach (var _ in BucketLister.ListAsync(client, "b", null, CancellationToken.None, null, new ListingShape { PageSize = 10, RangesAhead = 4 }))
            if (++taken == 100) break;
        int after = server.Requests;
        await Task.Delay(100);

        Assert.Equal(after, server.Requests); // nothing lists on once the listing is left
    }
}
