using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Transport;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Scale;

/// <summary>-CheckpointPath against two real RGW servers: resume after the mark, refusal of another run's checkpoint, a finished checkpoint.</summary>
[Collection(RgwCollection.Name)]
public sealed class CheckpointTests(RgwPair rgw) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string CheckpointFile(string name) => Path.Combine(_folder.Path, name + ".checkpoint.json");

    private static JsonObject ReadCheckpoint(string path) => (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;

    /// <summary>A proxy in front of the source that keeps every listing request (ListObjectsV2, ListObjectVersions; not the one-key bucket checks).</summary>
    private (FaultProxy Proxy, ConcurrentQueue<string> Listings) CountingSourceProxy()
    {
        var listings = new ConcurrentQueue<string>();
        var proxy = new FaultProxy(rgw.Source.Endpoint, request =>
        {
            if (request.Method == "GET" && (request.Target.Contains("list-type=2") || request.Target.Contains("versions")) && !request.Target.Contains("max-keys=1&") && !request.Target.EndsWith("max-keys=1"))
                listings.Enqueue(Uri.UnescapeDataString(request.Target));
            return Fault.None;
        });
        return (proxy, listings);
    }

    private async Task<(string Bucket, string[] Keys)> SeedAsync(string purpose, int count, bool versioned = false)
    {
        string bucket = RgwPair.NewBucket(purpose);
        if (versioned) await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, bucket);
        else await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        var keys = Enumerable.Range(0, count).Select(i => $"obj/{i:D4}").ToArray();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, _) => await S3.PutAsync(rgw.SourceS3, bucket, key, S3.RandomBytes(2048, key.GetHashCode())));
        return (bucket, keys);
    }

    private static async Task<RestoreResult> RunAsync(S3Endpoint source, S3Endpoint target, RestoreOptions options, RecordingReporter? reporter = null,
        RestoreProgress? progress = null, CancellationToken cancel = default)
    {
        using var restorer = new Restorer(source, target);
        return await restorer.RestoreAsync(options, reporter ?? new RecordingReporter(), progress, cancel);
    }

    private static S3Endpoint Via(FaultProxy proxy) => new(proxy.Endpoint, "us-east-1", RgwPair.SourceAccessKey, RgwPair.SourceSecretKey);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stopped_run_resumes_after_its_mark_lists_only_the_rest_and_loses_nothing(bool asOf)
    {
        var (bucket, keys) = await SeedAsync(asOf ? "ckpt-asof" : "ckpt", 80, versioned: asOf);
        var instant = asOf ? new PointInTime(await S3Versions.InstantAfterAllAsync(rgw.SourceS3, bucket)) : null;
        if (asOf) await S3.PutAsync(rgw.SourceS3, bucket, keys[70], "written after the instant"u8.ToArray()); // must not be restored
        string target = RgwPair.NewBucket("ckpt-restored");
        await S3.CreateBucketAsync(rgw.TargetS3, target);
        await S3.PutAsync(rgw.TargetS3, target, "zz-extra", "not in the backup"u8.ToArray());
        string file = CheckpointFile(target);
        CheckpointKeeper.Interval = TimeSpan.FromMilliseconds(100);
        var options = new RestoreOptions(bucket, target) { CheckpointPath = file, Concurrency = 2, AsOf = instant, Remove = true };

        // Every run goes through one proxy (the endpoints are part of what the run is); it counts the listings.
        var (proxy, listings) = CountingSourceProxy();
        using var _ = proxy;
        var source = Via(proxy);

        // 1. Stopped once a third is done.
        var progress = new RestoreProgress();
        using var stop = new CancellationTokenSource();
        var first = RunAsync(source, rgw.TargetEndpoint, options, progress: progress, cancel: stop.Token);
        while (progress.Done < 27 && !first.IsCompleted) await Task.Delay(5);
        stop.Cancel();
        var stopped = await first;
        Assert.Equal(RestoreStatus.Stopped, stopped.Status);
        var saved = ReadCheckpoint(file);
        Assert.False(saved["finished"]!.GetValue<bool>());
        string mark = saved["after"]!.GetValue<string>();
        int markIndex = Array.IndexOf(keys, mark);
        Assert.InRange(markIndex, 0, keys.Length - 2);
        // The mark never passes a key that is not done: everything up to it is on the target.
        var onTarget = await S3.ListAsync(rgw.TargetS3, target);
        Assert.All(keys.Take(markIndex + 1), k => Assert.True(onTarget.ContainsKey(k), $"'{k}' is before the mark '{mark}' but not on the target"));

        // 2. Resumed: both listings start after the mark; only the rest is looked at; -Remove waits for a full pass.
        listings.Clear();
        var resumed = await RunAsync(source, rgw.TargetEndpoint, options);
        Assert.Equal(RestoreStatus.Succeeded, resumed.Status);
        Assert.Equal(mark, resumed.ResumedAfter);
        Assert.NotEmpty(listings);
        Assert.All(listings, l => Assert.Contains((asOf ? "key-marker=" : "start-after=") + mark, l));
        Assert.Equal(keys.Length - markIndex - 1, resumed.Copied + resumed.Skipped);
        Assert.Equal(0, resumed.Removed);
        Assert.Contains("resumed from its checkpoint", resumed.RemovalSkippedReason);
        Assert.True(resumed.CheckpointFinished);
        Assert.True(ReadCheckpoint(file)["finished"]!.GetValue<bool>());
        Assert.Equal(keys.Concat(["zz-extra"]), await S3.KeysAsync(rgw.TargetS3, target));

        // 3. A finished checkpoint: a normal full pass, which removes what the backup lacks, and is finished again.
        listings.Clear();
        var fullReporter = new RecordingReporter();
        var full = await RunAsync(source, rgw.TargetEndpoint, options, fullReporter);
        Assert.Equal(["zz-extra"], fullReporter.Of(RestoreEventKind.Removed).Select(e => e.Key));
        Assert.Null(full.ResumedAfter);
        Assert.All(listings, l => Assert.DoesNotContain("start-after=", l));
        Assert.All(listings, l => Assert.DoesNotContain("key-marker=obj", l));
        Assert.Equal(keys.Length, full.Skipped);
        Assert.Equal(1, full.Removed);
        Assert.True(ReadCheckpoint(file)["finished"]!.GetValue<bool>());
        Assert.Equal(keys, await S3.KeysAsync(rgw.TargetS3, target));
        if (!asOf) await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, target);
        if (asOf) Assert.NotEqual("written after the instant", System.Text.Encoding.UTF8.GetString(await S3.ReadAsync(rgw.TargetS3, target, keys[70])));
    }

    [Fact]
    public async Task A_checkpoint_of_another_run_is_refused_before_anything_is_written()
    {
        var (bucket, _) = await SeedAsync("ckpt-other", 5);
        string target = RgwPair.NewBucket("ckpt-other-restored");
        string file = CheckpointFile(target);
        var written = await RunAsync(rgw.SourceEndpoint, rgw.TargetEndpoint, new RestoreOptions(bucket, target) { CheckpointPath = file });
        Assert.Equal(RestoreStatus.Succeeded, written.Status);
        byte[] before = File.ReadAllBytes(file);

        string otherTarget = RgwPair.NewBucket("ckpt-other-elsewhere");
        var refused = await Assert.ThrowsAsync<RestoreException>(() => RunAsync(rgw.SourceEndpoint, rgw.TargetEndpoint, new RestoreOptions(bucket, otherTarget) { CheckpointPath = file }));
        Assert.Equal(ErrorIds.CheckpointMismatch, refused.ErrorId);
        Assert.Contains($"target bucket '{target}' (this run: '{otherTarget}')", refused.Message);
        Assert.False(await S3.BucketExistsAsync(rgw.TargetS3, otherTarget));

        // Another shard, or other options that change which keys are done, are another run too.
        var shard = await Assert.ThrowsAsync<RestoreException>(() => RunAsync(rgw.SourceEndpoint, rgw.TargetEndpoint,
            new RestoreOptions(bucket, target) { CheckpointPath = file, Shard = Shard.Create(1, 2), Overwrite = true }));
        Assert.Equal(ErrorIds.CheckpointMismatch, shard.ErrorId);
        Assert.Contains("shard", shard.Message);
        Assert.Contains("-Overwrite", shard.Message);
        Assert.Equal(before, File.ReadAllBytes(file));

        File.WriteAllText(file, "{\"not\": \"ours\"}");
        var unreadable = await Assert.ThrowsAsync<RestoreException>(() => RunAsync(rgw.SourceEndpoint, rgw.TargetEndpoint, new RestoreOptions(bucket, target) { CheckpointPath = file }));
        Assert.Equal(ErrorIds.CheckpointUnreadable, unreadable.ErrorId);
    }

    [Fact]
    public async Task A_plain_checkpoint_is_refused_for_an_AllVersions_run_and_the_other_way_round()
    {
        var (bucket, _) = await SeedAsync("ckpt-allv", 4, versioned: true);
        string plainTarget = RgwPair.NewBucket("ckpt-allv-plain"), historyTarget = RgwPair.NewBucket("ckpt-allv-history");
        string plainFile = CheckpointFile(plainTarget), historyFile = CheckpointFile(historyTarget);
        Assert.Equal(RestoreStatus.Succeeded, (await RunAsync(rgw.SourceEndpoint, rgw.TargetEndpoint, new RestoreOptions(bucket, plainTarget) { CheckpointPath = plainFile })).Status);
        var history = await RunAsync(rgw.SourceEndpoint, rgw.TargetEndpoint, new RestoreOptions(bucket, historyTarget) { CheckpointPath = historyFile, AllVersions = true });
        Assert.Equal(RestoreStatus.Succeeded, history.Status);
        Assert.True(history.CheckpointFinished);
        Assert.Equal("true", ReadCheckpoint(historyFile)["run"]!["allVersions"]!.GetValue<string>());
        byte[] plainBefore = File.ReadAllBytes(plainFile), historyBefore = File.ReadAllBytes(historyFile);

        var toHistory = await Assert.ThrowsAsync<RestoreException>(() => RunAsync(rgw.SourceEndpoint, rgw.TargetEndpoint,
            new RestoreOptions(bucket, plainTarget) { CheckpointPath = plainFile, AllVersions = true }));
        Assert.Equal(ErrorIds.CheckpointMismatch, toHistory.ErrorId);
        Assert.Contains("-AllVersions (none) (this run: 'true')", toHistory.Message);
        var toPlain = await Assert.ThrowsAsync<RestoreException>(() => RunAsync(rgw.SourceEndpoint, rgw.TargetEndpoint,
            new RestoreOptions(bucket, historyTarget) { CheckpointPath = historyFile }));
        Assert.Equal(ErrorIds.CheckpointMismatch, toPlain.ErrorId);
        Assert.Contains("-AllVersions 'true' (this run: (none))", toPlain.Message);
        // Refused before anything was written: versioning was not enabled on the plain run's target, and both files are as they were.
        Assert.NotEqual(Amazon.S3.VersionStatus.Enabled, (await rgw.TargetS3.GetBucketVersioningAsync(new Amazon.S3.Model.GetBucketVersioningRequest { BucketName = plainTarget })).VersioningConfig?.Status);
        Assert.Equal(plainBefore, File.ReadAllBytes(plainFile));
        Assert.Equal(historyBefore, File.ReadAllBytes(historyFile));
    }

    [Fact]
    public async Task A_checkpoint_whose_lock_another_run_holds_is_refused_with_CheckpointInUse_and_nothing_is_written()
    {
        var (bucket, _) = await SeedAsync("ckpt-busy", 5);
        string target = RgwPair.NewBucket("ckpt-busy-restored");
        string file = CheckpointFile(target);
        Assert.Equal(5, (await RunAsync(rgw.SourceEndpoint, rgw.TargetEndpoint, new RestoreOptions(bucket, target) { CheckpointPath = file })).Copied);
        await S3.PutAsync(rgw.SourceS3, bucket, "late", "backed up after the first run"u8.ToArray());
        byte[] before = File.ReadAllBytes(file);

        // Another run holding the checkpoint: the exclusive lock on its sidecar, as a run takes it.
        RestoreException busy;
        using (new FileStream(file + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            busy = await Assert.ThrowsAsync<RestoreException>(() => RunAsync(rgw.SourceEndpoint, rgw.TargetEndpoint, new RestoreOptions(bucket, target) { CheckpointPath = file }));
            // Whatever the run: the lock is taken before the checkpoint is compared with it.
            var other = await Assert.ThrowsAsync<RestoreException>(() => RunAsync(rgw.SourceEndpoint, rgw.TargetEndpoint,
                new RestoreOptions(bucket, target + "-x") { CheckpointPath = file }));
            Assert.Equal(ErrorIds.CheckpointInUse, other.ErrorId);
            Assert.False(await S3.BucketExistsAsync(rgw.TargetS3, target + "-x"));
            // A dry run writes no checkpoint, so it takes no lock.
            Assert.Equal(RestoreStatus.WhatIf, (await RunAsync(rgw.SourceEndpoint, rgw.TargetEndpoint, new RestoreOptions(bucket, target) { CheckpointPath = file, WhatIf = true })).Status);
        }
        Assert.Equal(ErrorIds.CheckpointInUse, busy.ErrorId);
        Assert.Equal(FailureKind.Busy, busy.Kind);
        Assert.Contains($"The checkpoint '{file}' is in use by another restore running now", busy.Message);
        Assert.Contains($"last written by host '{Environment.MachineName}' (process {Environment.ProcessId})", busy.Message);
        Assert.Equal(before, File.ReadAllBytes(file));
        Assert.DoesNotContain("late", await S3.KeysAsync(rgw.TargetS3, target));

        // Released (the other run ended): the same run goes on, and lets the lock go when it ends.
        Assert.Equal(1, (await RunAsync(rgw.SourceEndpoint, rgw.TargetEndpoint, new RestoreOptions(bucket, target) { CheckpointPath = file })).Copied);
        using var free = new FileStream(file + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None);
    }

    [Fact]
    public async Task A_run_holding_the_checkpoint_refuses_a_second_run_and_killed_with_kill_9_leaves_no_stale_lock()
    {
        var (bucket, keys) = await SeedAsync("ckpt-lock-kill", 300);
        string file = CheckpointFile(bucket);
        string elsewhere = RgwPair.NewBucket("ckpt-lock-second");
        RestoreException? second = null;
        // A restore process holds the checkpoint; while it copies, a second run with the same file is started here, then the process is killed (-9).
        await RestoreProcess.KillWhenAsync(rgw, bucket, async () =>
        {
            if (!File.Exists(file) || !await S3.BucketExistsAsync(rgw.TargetS3, bucket) || (await S3.ListAsync(rgw.TargetS3, bucket)).Count < 5) return false;
            second = await Assert.ThrowsAsync<RestoreException>(() => RunAsync(rgw.SourceEndpoint, rgw.TargetEndpoint, new RestoreOptions(bucket, elsewhere) { CheckpointPath = file }));
            return true;
        }, $"-Concurrency 1 -CheckpointPath '{file}'");
        Assert.NotNull(second);
        Assert.Equal(ErrorIds.CheckpointInUse, second!.ErrorId);
        Assert.Contains("last written by host '", second.Message); // the holder, named from the checkpoint it wrote
        Assert.False(await S3.BucketExistsAsync(rgw.TargetS3, elsewhere));

        // The lock went with the process (its file stays): the rerun takes it and resumes.
        Assert.True(File.Exists(file + ".lock"));
        var rerun = await RunAsync(rgw.SourceEndpoint, rgw.TargetEndpoint, new RestoreOptions(bucket, bucket) { CheckpointPath = file });
        Assert.Equal(RestoreStatus.Succeeded, rerun.Status);
        Assert.True(rerun.CheckpointFinished);
        Assert.Equal(keys, await S3.KeysAsync(rgw.TargetS3, bucket));
    }

    [Fact]
    public async Task A_failed_object_holds_the_mark_before_it_and_the_rerun_retries_it()
    {
        var (bucket, keys) = await SeedAsync("ckpt-fail", 30);
        string target = RgwPair.NewBucket("ckpt-fail-restored");
        string file = CheckpointFile(target);
        string failing = keys[12];
        // Every write of one key fails (500 from a proxy in front of the target), the rest go through.
        // (the same proxy for the rerun, without the fault: the endpoints are part of what the run is).
        bool faulty = true;
        using var proxy = new FaultProxy(rgw.Target.Endpoint, r => Volatile.Read(ref faulty) && r.Method == "PUT" && r.Target.Contains(failing) ? Fault.InternalError : Fault.None);
        var viaProxy = new S3Endpoint(proxy.Endpoint, "us-east-1", RgwPair.TargetAccessKey, RgwPair.TargetSecretKey);
        var failed = await RunAsync(rgw.SourceEndpoint, viaProxy,
            new RestoreOptions(bucket, target) { CheckpointPath = file, Retry = new Engine.Copying.RetryPolicy(2, TimeSpan.Zero, TimeSpan.Zero) });
        Assert.Equal(RestoreStatus.Failed, failed.Status);
        Assert.Equal(1, failed.Failed);
        Assert.False(failed.CheckpointFinished);
        Volatile.Write(ref faulty, false);
        var saved = ReadCheckpoint(file);
        Assert.False(saved["finished"]!.GetValue<bool>());
        Assert.Equal(keys[11], saved["after"]!.GetValue<string>());

        var rerun = await RunAsync(rgw.SourceEndpoint, viaProxy, new RestoreOptions(bucket, target) { CheckpointPath = file });
        Assert.Equal(RestoreStatus.Succeeded, rerun.Status);
        Assert.Equal(keys[11], rerun.ResumedAfter);
        Assert.Equal(1, rerun.Copied);
        Assert.Equal(keys.Length - 13, rerun.Skipped);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, target);
    }

    [Fact]
    public async Task A_checkpoint_whose_target_bucket_was_deleted_since_starts_from_the_beginning()
    {
        var (bucket, keys) = await SeedAsync("ckpt-gone", 12);
        string target = RgwPair.NewBucket("ckpt-gone-restored");
        string file = CheckpointFile(target);
        bool faulty = true;
        using var proxy = new FaultProxy(rgw.Target.Endpoint, r => Volatile.Read(ref faulty) && r.Method == "PUT" && r.Target.Contains(keys[8]) ? Fault.InternalError : Fault.None);
        var viaProxy = new S3Endpoint(proxy.Endpoint, "us-east-1", RgwPair.TargetAccessKey, RgwPair.TargetSecretKey);
        var first = await RunAsync(rgw.SourceEndpoint, viaProxy, new RestoreOptions(bucket, target) { CheckpointPath = file, Retry = new Engine.Copying.RetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero) });
        Assert.Equal(1, first.Failed);
        Assert.Equal(keys[7], ReadCheckpoint(file)["after"]!.GetValue<string>());
        Volatile.Write(ref faulty, false);
        foreach (var key in await S3.KeysAsync(rgw.TargetS3, target)) await rgw.TargetS3.DeleteObjectAsync(target, key);
        await rgw.TargetS3.DeleteBucketAsync(target);

        var rerun = await RunAsync(rgw.SourceEndpoint, viaProxy, new RestoreOptions(bucket, target) { CheckpointPath = file });
        Assert.Null(rerun.ResumedAfter);
        Assert.Equal(keys.Length, rerun.Copied);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, target);
    }

    [Fact]
    public async Task WhatIf_reads_the_checkpoint_and_writes_none()
    {
        var (bucket, _) = await SeedAsync("ckpt-whatif", 3);
        string target = RgwPair.NewBucket("ckpt-whatif-restored");
        string file = CheckpointFile(target);
        var dry = await RunAsync(rgw.SourceEndpoint, rgw.TargetEndpoint, new RestoreOptions(bucket, target) { CheckpointPath = file, WhatIf = true });
        Assert.Equal(RestoreStatus.WhatIf, dry.Status);
        Assert.Equal(3, dry.Copied);
        Assert.False(File.Exists(file));
        Assert.Empty(Directory.GetFiles(_folder.Path));
    }
}
