using System.Diagnostics;
using Xunit.Abstractions;
using MinioRestore.Engine.Copying;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Transport;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Faults;

/// <summary>Crashes in the middle of a restore: the target gateway's, and the restoring process's own.</summary>
[Collection(RgwCollection.Name)]
public sealed class CrashTests(RgwPair rgw, ITestOutputHelper output)
{
    private async Task<string> SeedAsync(string purpose, int small = 40, int large = 4, int smallSize = 20_000)
    {
        string bucket = RgwPair.NewBucket(purpose);
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        await Parallel.ForEachAsync(Enumerable.Range(0, small), async (i, _) => await S3.PutAsync(rgw.SourceS3, bucket, $"small/{i:D3}", S3.RandomBytes(smallSize + i, i)));
        for (int i = 0; i < large; i++) await S3.PutMultipartAsync(rgw.SourceS3, bucket, $"large/{i}", S3.RandomBytes(20 * 1024 * 1024, 50 + i), 5 * 1024 * 1024);
        return bucket;
    }

    /// <summary>Every object visible on the target is whole: same size and ETag as in the backup.</summary>
    private async Task<int> AssertNothingPartialAsync(string bucket, string target)
    {
        var source = await S3.ListAsync(rgw.SourceS3, bucket);
        var restored = await S3.ListAsync(rgw.TargetS3, target);
        foreach (var (key, entry) in restored) Assert.Equal(source[key], entry);
        return restored.Count;
    }

    [Fact]
    public async Task The_target_gateway_killed_mid_restore_fails_the_run_and_a_rerun_completes()
    {
        string bucket = await SeedAsync("gw-kill");
        var progress = new RestoreProgress();
        RestoreResult crashed;
        using (var restorer = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint))
        {
            var options = new RestoreOptions(bucket, bucket)
            {
                Concurrency = 4, Retry = new RetryPolicy(3, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)),
                IdleTimeout = TimeSpan.FromSeconds(5),
            };
            var run = restorer.RestoreAsync(options, new RecordingReporter(), progress, CancellationToken.None);
            while (progress.Done < 6 && !run.IsCompleted) await Task.Delay(10);
            rgw.Target.KillGateway();
            try
            {
                crashed = await run;
            }
            finally
            {
                rgw.Target.RestartGateway();
            }
        }
        output.WriteLine(crashed.ToString());

        Assert.NotEqual(RestoreStatus.Succeeded, crashed.Status);
        Assert.True(crashed.Failed > 0);
        int visible = await AssertNothingPartialAsync(bucket, bucket);
        Assert.InRange(visible, 1, 43); // killed in the middle

        using var again = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint);
        var rerun = await again.RestoreAsync(new RestoreOptions(bucket, bucket), new RecordingReporter(), null, CancellationToken.None);
        output.WriteLine(rerun.ToString());
        Assert.Equal(RestoreStatus.Succeeded, rerun.Status);
        Assert.Equal(44 - visible, rerun.Copied);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);
    }

    [Fact]
    public async Task A_target_that_stays_away_stops_the_bucket_after_one_retry_budget_instead_of_one_per_object()
    {
        string bucket = await SeedAsync("gone", small: 300, large: 0, smallSize: 2048);
        var progress = new RestoreProgress();
        var reporter = new RecordingReporter();
        var proxy = new FaultProxy(rgw.Target.Endpoint, _ => Fault.None);
        RestoreResult result;
        try
        {
            var minio = new S3Endpoint(proxy.Endpoint, "us-east-1", RgwPair.TargetAccessKey, RgwPair.TargetSecretKey);
            using var restorer = new Restorer(rgw.SourceEndpoint, minio);
            var options = new RestoreOptions(bucket, bucket)
            {
                Concurrency = 8, Retry = new RetryPolicy(3, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200), budget: TimeSpan.FromSeconds(3)),
            };
            var run = restorer.RestoreAsync(options, reporter, progress, CancellationToken.None);
            while (progress.Done < 20 && !run.IsCompleted) await Task.Delay(10);
            Assert.False(run.IsCompleted, "the restore finished before the target could go away");
            proxy.Dispose(); // from now on every connection to the "MinIO target" is refused
            result = await run;
        }
        finally
        {
            proxy.Dispose();
        }
        output.WriteLine(result.ToString());
        foreach (var e in reporter.Of(RestoreEventKind.BucketFailed)) output.WriteLine($"BUCKET FAILED: {e.Message}");

        Assert.Equal(RestoreStatus.Failed, result.Status);
        var stop = Assert.Single(reporter.Of(RestoreEventKind.BucketFailed));
        Assert.Equal(MinioRestore.Engine.Errors.ErrorIds.EndpointUnreachable, stop.Failure!.ErrorId);
        Assert.Contains("stopped rather than spend as long on every remaining object", stop.Message);
        // Only the objects in flight when it went away failed, not the 250-odd after them.
        Assert.InRange(result.Failed, 1, 16);
        Assert.True(result.Copied + result.Failed < 300);

        // Once it is back, a rerun copies the rest.
        using var again = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint);
        var rerun = await again.RestoreAsync(new RestoreOptions(bucket, bucket), new RecordingReporter(), null, CancellationToken.None);
        Assert.Equal(RestoreStatus.Succeeded, rerun.Status);
        Assert.Equal(300, rerun.Copied + rerun.Skipped);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);
    }

    [Fact]
    public async Task A_target_gateway_down_for_five_seconds_is_ridden_through_within_the_retry_budget()
    {
        // Operators restart MinIO nodes during long restores: objects in flight keep retrying, none fails.
        string bucket = await SeedAsync("gw-restart", small: 300, large: 2, smallSize: 4096);
        var progress = new RestoreProgress();
        var reporter = new RecordingReporter();
        RestoreResult result;
        using (var restorer = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint))
        {
            var options = new RestoreOptions(bucket, bucket)
            {
                Concurrency = 8, IdleTimeout = TimeSpan.FromSeconds(5),
                Retry = new RetryPolicy(3, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), budget: TimeSpan.FromSeconds(45)),
            };
            var run = restorer.RestoreAsync(options, reporter, progress, CancellationToken.None);
            while (progress.Done < 20 && !run.IsCompleted) await Task.Delay(10);
            Assert.False(run.IsCompleted, "the restore finished before the gateway could be stopped");
            rgw.Target.KillGateway();
            var down = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(5));
            rgw.Target.RestartGateway();
            output.WriteLine($"target gateway down for {down.Elapsed.TotalSeconds:0.0} s");
            result = await run;
        }
        output.WriteLine(result.ToString());
        foreach (var failed in reporter.Of(RestoreEventKind.ObjectFailed)) output.WriteLine($"FAILED {failed.Message} <- {failed.Failure?.InnerException?.GetType().Name}");
        foreach (var left in reporter.Of(RestoreEventKind.UploadsLeftBehind)) output.WriteLine($"LEFT BEHIND: {left.Message}");

        Assert.True(reporter.Of(RestoreEventKind.Retrying).Any(e => e.Failure?.ErrorId == MinioRestore.Engine.Errors.ErrorIds.EndpointUnreachable),
            "no retry saw the target down");
        Assert.Equal(RestoreStatus.Succeeded, result.Status);
        Assert.Equal(0, result.Failed);
        Assert.Equal(302, result.Copied);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);
        // An upload the gateway started as it went down, its answer lost, has an id we never
        // learnt: it may stay, but only named in the warning.
        string named = string.Join("\n", reporter.Of(RestoreEventKind.UploadsLeftBehind).Select(e => e.Message));
        Assert.All(await S3.IncompleteUploadKeysAsync(rgw.TargetS3, bucket), key => Assert.Contains($"'{key}'", named));
    }

    /// <summary>Runs Start-MinioRestore (-Concurrency 1 unless <paramref name="parameters"/> say otherwise) in a separate PowerShell process and kills it (-9) once <paramref name="killWhen"/> holds.</summary>
    private Task KillRestoreProcessWhenAsync(string bucket, Func<Task<bool>> killWhen, Uri? source = null, string parameters = "-Concurrency 1") =>
        RestoreProcess.KillWhenAsync(rgw, bucket, killWhen, parameters, source);

    private async Task<RestoreResult> RerunAsync(string bucket)
    {
        using var again = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint);
        var rerun = await again.RestoreAsync(new RestoreOptions(bucket, bucket), new RecordingReporter(), null, CancellationToken.None);
        Assert.Equal(RestoreStatus.Succeeded, rerun.Status);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);
        return rerun;
    }

    [Fact]
    public async Task The_restoring_process_killed_mid_run_leaves_nothing_partial_and_a_rerun_copies_only_the_rest()
    {
        // Many objects, copied one at a time: the run takes seconds, so the kill lands in the middle.
        string bucket = await SeedAsync("proc-kill", small: 300, large: 1, smallSize: 4096);
        const int total = 301;
        await KillRestoreProcessWhenAsync(bucket, async () => await S3.BucketExistsAsync(rgw.TargetS3, bucket) && (await S3.ListAsync(rgw.TargetS3, bucket)).Count >= 5);

        int visible = await AssertNothingPartialAsync(bucket, bucket);
        output.WriteLine($"{visible} of {total} objects restored when the process was killed");
        Assert.InRange(visible, 1, total - 1);

        var rerun = await RerunAsync(bucket);
        Assert.Equal(total - visible, rerun.Copied);
        Assert.Equal(visible, rerun.Skipped);
    }

    [Fact]
    public async Task The_restoring_process_killed_while_a_multipart_upload_is_in_flight_leaves_nothing_visible_and_a_rerun_completes()
    {
        string bucket = await SeedAsync("proc-kill-mp", small: 0, large: 3);
        // Killed once the target holds an upload in progress: between two parts of one object.
        await KillRestoreProcessWhenAsync(bucket, async () => await S3.BucketExistsAsync(rgw.TargetS3, bucket) && await S3.IncompleteUploadsAsync(rgw.TargetS3, bucket) > 0);

        int visible = await AssertNothingPartialAsync(bucket, bucket);
        int leftOpen = await S3.IncompleteUploadsAsync(rgw.TargetS3, bucket);
        output.WriteLine($"{visible} of 3 objects restored when the process was killed; {leftOpen} incomplete upload(s) left (invisible; a process killed -9 cannot abort)");
        Assert.InRange(visible, 0, 2);
        Assert.InRange(leftOpen, 0, 1); // the kill may land just after a completion

        var rerun = await RerunAsync(bucket);
        Assert.Equal(3 - visible, rerun.Copied);
    }

    [Fact]
    public async Task The_target_gateway_killed_while_a_multipart_upload_is_in_flight_leaves_nothing_visible_and_a_rerun_completes()
    {
        string bucket = await SeedAsync("gw-kill-mp", small: 0, large: 3);
        var progress = new RestoreProgress();
        RestoreResult crashed;
        using (var restorer = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint))
        {
            var options = new RestoreOptions(bucket, bucket)
            {
                Concurrency = 1, Retry = new RetryPolicy(2, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)), IdleTimeout = TimeSpan.FromSeconds(5),
            };
            var run = restorer.RestoreAsync(options, new RecordingReporter(), progress, CancellationToken.None);
            // In the middle of the first object's parts (20 MiB in 5 MiB parts).
            while (progress.TransferredBytes < 6 * 1024 * 1024 && !run.IsCompleted) await Task.Delay(5);
            Assert.False(run.IsCompleted, "the restore finished before the gateway could be killed");
            rgw.Target.KillGateway();
            try
            {
                crashed = await run;
            }
            finally
            {
                rgw.Target.RestartGateway();
            }
        }
        int visible = await AssertNothingPartialAsync(bucket, bucket);
        int leftOpen = await S3.IncompleteUploadsAsync(rgw.TargetS3, bucket);
        output.WriteLine($"{crashed}; {visible} of 3 visible; {leftOpen} incomplete upload(s) left (the abort could not reach the gateway)");
        Assert.True(crashed.Failed > 0);
        Assert.InRange(visible, 0, 2);

        var rerun = await RerunAsync(bucket);
        Assert.Equal(3 - visible, rerun.Copied);
    }

    [Fact]
    public async Task The_restoring_process_killed_past_its_first_listing_page_resumes_from_its_checkpoint_without_relisting_what_was_done_and_loses_nothing()
    {
        // More than two listing pages (1,000 keys each), so that what a resumed run does not relist shows in the request count.
        const int total = 2_100;
        string bucket = RgwPair.NewBucket("ckpt-kill");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        var keys = Enumerable.Range(0, total).Select(i => $"obj/{i:D5}").ToArray();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, _) => await S3.PutAsync(rgw.SourceS3, bucket, key, S3.RandomBytes(512, key.Length)));
        using var folder = new TempFolder();
        string checkpoint = Path.Combine(folder.Path, "restore.checkpoint.json");

        // Every run reads the backup through one proxy (the endpoint is part of what a run is), which counts its listings.
        var listings = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var proxy = new FaultProxy(rgw.Source.Endpoint, r =>
        {
            // Pages of the listing; not the survey of its folders (a delimiter listing: Listing/LayoutSurvey).
            if (r.Method == "GET" && r.Target.Contains("list-type=2") && !r.Target.Contains("max-keys=1&") && !r.Target.EndsWith("max-keys=1") && !r.Target.Contains("delimiter="))
                listings.Enqueue(Uri.UnescapeDataString(r.Target));
            return Fault.None;
        });
        await KillRestoreProcessWhenAsync(bucket, async () => await S3.BucketExistsAsync(rgw.TargetS3, bucket) && (await S3.ListAsync(rgw.TargetS3, bucket)).Count >= 1_400,
            proxy.Endpoint, $"-Concurrency 16 -CheckpointPath '{checkpoint}'");

        var saved = (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(checkpoint))!;
        string mark = saved["after"]!.GetValue<string>();
        int done = Array.IndexOf(keys, mark) + 1;
        var onTarget = await S3.ListAsync(rgw.TargetS3, bucket);
        output.WriteLine($"killed with {onTarget.Count} of {total} objects on the target; the checkpoint says done up to '{mark}' ({done} keys)");
        Assert.InRange(done, 1000, total - 1);
        // Never an object lost: every key up to the mark is on the target, whole.
        Assert.All(keys.Take(done), k => Assert.True(onTarget.ContainsKey(k), $"'{k}' is before the mark but not on the target"));
        await AssertNothingPartialAsync(bucket, bucket);

        listings.Clear();
        RestoreResult resumed;
        var viaProxy = new S3Endpoint(proxy.Endpoint, "us-east-1", RgwPair.SourceAccessKey, RgwPair.SourceSecretKey);
        using (var again = new Restorer(viaProxy, rgw.TargetEndpoint))
            resumed = await again.RestoreAsync(new RestoreOptions(bucket, bucket) { CheckpointPath = checkpoint }, new RecordingReporter(), null, CancellationToken.None);
        int resumedListings = listings.Count;
        Assert.Equal(RestoreStatus.Succeeded, resumed.Status);
        Assert.Equal(mark, resumed.ResumedAfter);
        Assert.Equal(total - done, resumed.Copied + resumed.Skipped);
        Assert.Equal(total - onTarget.Count, resumed.Copied);
        Assert.All(listings, l => Assert.Contains("start-after=" + mark, l));
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);

        // A full pass of the same bucket (no checkpoint) lists every page.
        listings.Clear();
        using (var full = new Restorer(viaProxy, rgw.TargetEndpoint))
            Assert.Equal(total, (await full.RestoreAsync(new RestoreOptions(bucket, bucket), new RecordingReporter(), null, CancellationToken.None)).Skipped);
        output.WriteLine($"source listings: resumed run {resumedListings}, full pass {listings.Count}");
        Assert.Equal((total + 999) / 1000, listings.Count);
        Assert.Equal((total - done + 999) / 1000, resumedListings);
        Assert.True(resumedListings < listings.Count);
    }
}
