using Xunit.Abstractions;
using MinioRestore.Engine.Copying;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Transport;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Faults;

/// <summary>
/// Restores through a fault-injecting proxy in front of the real servers. Each test: the restore
/// completes (or names exactly what failed), and the target then equals the source, read back
/// independently from both servers.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class FaultInjectionTests(RgwPair rgw, ITestOutputHelper output)
{
    private static readonly RetryPolicy FastRetry = new(10, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(200));

    /// <summary>A bucket with small objects and multipart objects, like a real backup.</summary>
    private async Task<string> SeedAsync(string purpose, int small = 40, int multipart = 2)
    {
        string bucket = RgwPair.NewBucket(purpose);
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        for (int i = 0; i < small; i++)
            await S3.PutAsync(rgw.SourceS3, bucket, $"small/{i:D3}", S3.RandomBytes(3000 + 37 * i, i));
        for (int i = 0; i < multipart; i++)
            await S3.PutMultipartAsync(rgw.SourceS3, bucket, $"large/{i}", S3.RandomBytes(12 * 1024 * 1024 + 17, 100 + i), 5 * 1024 * 1024);
        return bucket;
    }

    /// <summary>Injects <paramref name="fault"/> into a share of the requests that match.</summary>
    private static Func<ProxiedRequest, Fault> Sometimes(Fault fault, double share, Func<ProxiedRequest, bool> matches, int seed = 1)
    {
        var random = new Random(seed);
        return r => { lock (random) return matches(r) && random.NextDouble() < share ? fault : Fault.None; };
    }

    private static bool ObjectWrite(ProxiedRequest r) => r.Method == "PUT" && r.BodyLength != 0 && !r.Target.Contains("uploads");
    // A GET of a key: not a listing, nor a bucket-level request such as GET /bucket/?object-lock.
    private static bool ObjectRead(ProxiedRequest r) => r.Method == "GET" && !r.Target.Contains("list-type") && !r.Target.Split('?')[0].EndsWith('/');

    /// <param name="viaSdk">Copy on the SDK's data path, the one Amazon S3 sources take, instead of the lean HTTP one.</param>
    private async Task<(RestoreResult Result, RecordingReporter Reporter)> RestoreThroughAsync(
        string bucket, FaultProxy? sourceProxy, FaultProxy? targetProxy, TimeSpan? idle = null, bool viaSdk = false, CancellationToken cancel = default)
    {
        var source = new S3Endpoint(sourceProxy?.Endpoint ?? rgw.Source.Endpoint, "us-east-1", RgwPair.SourceAccessKey, RgwPair.SourceSecretKey);
        var target = new S3Endpoint(targetProxy?.Endpoint ?? rgw.Target.Endpoint, "us-east-1", RgwPair.TargetAccessKey, RgwPair.TargetSecretKey);
        using var restorer = new Restorer(source, target, RestoreOptions.DefaultConcurrency * RestoreOptions.DefaultPartConcurrency, viaSdk ? DataPath.Sdk : DataPath.Auto);
        var reporter = new RecordingReporter();
        var result = await restorer.RestoreAsync(new RestoreOptions(bucket, bucket + "-r")
        {
            Retry = FastRetry, IdleTimeout = idle ?? TimeSpan.FromSeconds(30), Concurrency = 8,
        }, reporter, null, cancel);
        output.WriteLine($"{result}; faults injected: source {Describe(sourceProxy)}, target {Describe(targetProxy)}; retries {reporter.Of(RestoreEventKind.Retrying).Count()}");
        foreach (var failure in reporter.Of(RestoreEventKind.ObjectFailed).Concat(reporter.Of(RestoreEventKind.BucketFailed)))
        {
            output.WriteLine("FAILED " + failure.Message + " <- " + failure.Failure?.InnerException?.ToString().Split('\n')[0]);
            foreach (var retry in reporter.Of(RestoreEventKind.Retrying).Where(r => r.Key == failure.Key))
                output.WriteLine("  after " + retry.Message + " <- " + retry.Failure?.InnerException?.ToString().Split('\n')[0]);
        }
        return (result, reporter);
    }

    private static string Describe(FaultProxy? proxy) =>
        proxy is null ? "none" : string.Join(", ", proxy.Injected.Select(kv => $"{kv.Key} x{kv.Value}")) + $" in {proxy.Requests} requests";

    private async Task AssertRestoredAsync(string bucket, RestoreResult result)
    {
        Assert.Equal(RestoreStatus.Succeeded, result.Status);
        Assert.Equal(0, result.Failed);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket + "-r");
        Assert.Equal(0, await S3.IncompleteUploadsAsync(rgw.TargetS3, bucket + "-r"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Throttling_and_server_errors_on_both_ends_are_retried(bool viaSdk)
    {
        string bucket = await SeedAsync("throttle");
        using var source = new FaultProxy(rgw.Source.Endpoint, Sometimes(Fault.SlowDown, 0.15, _ => true, seed: 2));
        using var target = new FaultProxy(rgw.Target.Endpoint, r => r.Sequence % 9 == 4 ? Fault.InternalError : r.Sequence % 7 == 3 ? Fault.SlowDown : Fault.None);

        var (result, _) = await RestoreThroughAsync(bucket, source, target, viaSdk: viaSdk);

        Assert.True(source.TotalInjected > 5 && target.TotalInjected > 5, "too few faults to prove anything");
        await AssertRestoredAsync(bucket, result);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Connections_reset_in_the_middle_of_GET_and_PUT_bodies_are_retried(bool viaSdk)
    {
        string bucket = await SeedAsync("resets");
        using var source = new FaultProxy(rgw.Source.Endpoint, Sometimes(Fault.ResetResponseBody, 0.2, ObjectRead, seed: 3));
        using var target = new FaultProxy(rgw.Target.Endpoint, Sometimes(Fault.ResetRequestBody, 0.2, ObjectWrite, seed: 4));

        var (result, _) = await RestoreThroughAsync(bucket, source, target, viaSdk: viaSdk);

        Assert.True(source.TotalInjected > 3 && target.TotalInjected > 3, "too few faults to prove anything");
        await AssertRestoredAsync(bucket, result);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Truncated_source_bodies_never_reach_the_target(bool viaSdk)
    {
        string bucket = await SeedAsync("truncated");
        using var source = new FaultProxy(rgw.Source.Endpoint, Sometimes(Fault.TruncateResponseBody, 0.25, ObjectRead, seed: 5));

        var (result, _) = await RestoreThroughAsync(bucket, source, null, viaSdk: viaSdk);

        Assert.True(source.TotalInjected > 3, "too few faults to prove anything");
        await AssertRestoredAsync(bucket, result);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Bytes_corrupted_on_the_way_to_the_target_are_refused_and_sent_again(bool viaSdk)
    {
        string bucket = await SeedAsync("corrupted");
        using var target = new FaultProxy(rgw.Target.Endpoint, Sometimes(Fault.CorruptRequestBody, 0.25, ObjectWrite, seed: 6));

        var (result, reporter) = await RestoreThroughAsync(bucket, null, target, viaSdk: viaSdk);

        Assert.True(target.TotalInjected > 3, "too few faults to prove anything");
        Assert.Contains(reporter.Of(RestoreEventKind.Retrying), e => e.Failure?.ErrorId == ErrorIds.ObjectIntegrityFailed);
        await AssertRestoredAsync(bucket, result);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Bytes_corrupted_on_the_way_from_the_source_are_never_stored_and_the_object_is_read_again(bool viaSdk)
    {
        string bucket = await SeedAsync("corrupted-read", small: 20, multipart: 2);
        // A quarter of the single-part reads, and the first two part reads of each multipart object
        // (both in its first read, so its composite misses although the layout is right).
        var random = new Random(8);
        var partReads = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        using var source = new FaultProxy(rgw.Source.Endpoint, r =>
        {
            if (!ObjectRead(r)) return Fault.None;
            string key = r.Target.Split('?')[0];
            if (key.Contains("/large/")) return partReads.AddOrUpdate(key, 1, (_, n) => n + 1) <= 2 ? Fault.CorruptResponseBody : Fault.None;
            lock (random) return random.NextDouble() < 0.25 ? Fault.CorruptResponseBody : Fault.None;
        });

        var (result, reporter) = await RestoreThroughAsync(bucket, source, null, viaSdk: viaSdk);

        Assert.True(source.Injected[Fault.CorruptResponseBody] > 5, "too few faults to prove anything");
        Assert.Contains(reporter.Of(RestoreEventKind.Retrying), e => e.Failure?.ErrorId == ErrorIds.ObjectIntegrityFailed && e.Key?.StartsWith("large/0") == true);
        // Read again in the same (right) layout, not given up for a wrong one: each copy is the backup's, ETag and all.
        Assert.Equal(0, result.Unverified);
        var etags = async (Amazon.S3.IAmazonS3 s3, string b) => (await s3.ListObjectsV2Async(new() { BucketName = b })).S3Objects.Select(o => (o.Key, o.ETag)).ToList();
        Assert.Equal(await etags(rgw.SourceS3, bucket), await etags(rgw.TargetS3, bucket + "-r"));
        await AssertRestoredAsync(bucket, result);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stalled_response_is_abandoned_after_the_idle_timeout_and_retried(bool viaSdk)
    {
        string bucket = await SeedAsync("stalled", small: 6, multipart: 1);
        int stalls = 0;
        using var source = new FaultProxy(rgw.Source.Endpoint, r => ObjectRead(r) && Interlocked.Increment(ref stalls) <= 2 ? Fault.Stall : Fault.None);

        var (result, reporter) = await RestoreThroughAsync(bucket, source, null, idle: TimeSpan.FromSeconds(2), viaSdk: viaSdk);

        Assert.Equal(2, source.Injected[Fault.Stall]);
        Assert.Contains(reporter.Of(RestoreEventKind.Retrying), e => e.Failure?.Kind == FailureKind.Timeout);
        await AssertRestoredAsync(bucket, result);
    }

    [Theory]
    [InlineData(Fault.Stall)]             // the request forwarded and never answered
    [InlineData(Fault.StallResponseBody)] // answered, and the body stopped half-way (as RGW under load was seen to, for 65 s)
    public async Task Listing_requests_the_servers_never_answer_whole_are_asked_again_and_the_restore_goes_on(Fault fault)
    {
        string bucket = await SeedAsync("unanswered-listing", small: 12, multipart: 0);
        // Every listing request of either end (bucket checks, surveys, pages), the first time it is sent.
        Func<ProxiedRequest, Fault> FirstAsksStall()
        {
            var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
            return r => r.Method == "GET" && r.Target.Contains("list-type=2") && seen.AddOrUpdate(r.Target, 1, (_, n) => n + 1) == 1 ? fault : Fault.None;
        }
        using var source = new FaultProxy(rgw.Source.Endpoint, FirstAsksStall());
        using var target = new FaultProxy(rgw.Target.Endpoint, FirstAsksStall());
        // Far more than the few asks again (5 s each), far less than the SDK's 2-minute timeout of one
        // request; a body the SDK read itself would wait for the server to close the connection.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        // WaitAsync: a synchronous read of a stalled body heeds no cancellation; the proxies' end frees it.
        var (result, _) = await RestoreThroughAsync(bucket, source, target, cancel: bound.Token).WaitAsync(TimeSpan.FromSeconds(100));

        Assert.True(source.Injected.GetValueOrDefault(fault) >= 2, "the source's bucket check and listing were not left unanswered");
        Assert.True(target.Injected.GetValueOrDefault(fault) >= 1, "the target's listing was not left unanswered");
        Assert.Equal(12, result.Copied);
        await AssertRestoredAsync(bucket, result);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_target_that_never_answers_the_start_of_a_multipart_upload_is_abandoned_after_the_idle_timeout_and_retried(bool viaSdk)
    {
        string bucket = await SeedAsync("stalled-initiate", small: 2, multipart: 2);
        int stalls = 0;
        using var target = new FaultProxy(rgw.Target.Endpoint, r => r.Method == "POST" && r.Target.Contains("uploads") && !r.Target.Contains("uploadId")
            && Interlocked.Increment(ref stalls) <= 2 ? Fault.Stall : Fault.None);

        var (result, reporter) = await RestoreThroughAsync(bucket, null, target, idle: TimeSpan.FromSeconds(2), viaSdk: viaSdk);

        Assert.Equal(2, target.Injected[Fault.Stall]);
        Assert.Contains(reporter.Of(RestoreEventKind.Retrying), e => e.Failure?.Kind == FailureKind.Timeout);
        Assert.Equal((RestoreStatus.Succeeded, 0L), (result.Status, result.Failed));
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket + "-r");
        // The server made the two uploads it never told us of: no upload id to abort, so they are named.
        var left = await S3.IncompleteUploadKeysAsync(rgw.TargetS3, bucket + "-r");
        Assert.Equal(2, left.Count);
        var warning = Assert.Single(reporter.Of(RestoreEventKind.UploadsLeftBehind));
        Assert.All(left, key => Assert.Contains($"'{key}'", warning.Message));
    }

    [Fact]
    public async Task An_object_that_keeps_failing_is_reported_by_name_and_the_rest_is_restored()
    {
        string bucket = await SeedAsync("doomed", small: 10, multipart: 0);
        using var target = new FaultProxy(rgw.Target.Endpoint, r => r.Method == "PUT" && r.Target.Contains("small/004") ? Fault.SlowDown : Fault.None);

        var (result, reporter) = await RestoreThroughAsync(bucket, null, target);

        Assert.Equal(RestoreStatus.Failed, result.Status);
        Assert.Equal(1, result.Failed);
        Assert.Equal(9, result.Copied);
        var failure = Assert.Single(reporter.Of(RestoreEventKind.ObjectFailed));
        Assert.Equal("small/004", failure.Key);
        Assert.Contains("small/004", failure.Message);
        var restored = await S3.ListAsync(rgw.TargetS3, bucket + "-r");
        Assert.DoesNotContain("small/004", restored.Keys);
        Assert.Equal(9, restored.Count);
    }

    [Fact]
    public async Task Verifying_content_through_throttling_and_broken_bodies_finds_no_false_difference()
    {
        string bucket = await SeedAsync("verify-faults", small: 20, multipart: 1);
        var (restored, _) = await RestoreThroughAsync(bucket, null, null);
        await AssertRestoredAsync(bucket, restored);

        using var source = new FaultProxy(rgw.Source.Endpoint, r => !ObjectRead(r) ? Fault.None
            : (r.Sequence % 5) switch { 1 => Fault.SlowDown, 3 => Fault.TruncateResponseBody, _ => Fault.None });
        using var target = new FaultProxy(rgw.Target.Endpoint, r => !ObjectRead(r) ? Fault.None
            : (r.Sequence % 5) switch { 2 => Fault.ResetResponseBody, 4 => Fault.InternalError, _ => Fault.None });
        using var verifier = new MinioRestore.Engine.Verifying.Verifier(
            new S3Endpoint(source.Endpoint, "us-east-1", RgwPair.SourceAccessKey, RgwPair.SourceSecretKey),
            new S3Endpoint(target.Endpoint, "us-east-1", RgwPair.TargetAccessKey, RgwPair.TargetSecretKey));
        var differences = new List<string>();
        var result = await verifier.VerifyAsync(bucket, bucket + "-r", content: true, concurrency: 8,
            d => { lock (differences) differences.Add($"{d.Key}: {d.Reason}"); }, null, CancellationToken.None);
        output.WriteLine($"{result}; faults injected: source {Describe(source)}, target {Describe(target)}");

        Assert.True(source.Injected.GetValueOrDefault(Fault.TruncateResponseBody) > 0 && target.Injected.GetValueOrDefault(Fault.ResetResponseBody) > 0);
        Assert.Empty(differences);
        Assert.True(result.ContentCompared);
        Assert.Equal(21, result.Compared);
        Assert.Equal(21, result.Matching);
    }
}
