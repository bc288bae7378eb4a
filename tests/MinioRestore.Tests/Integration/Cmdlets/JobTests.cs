using System.Diagnostics;
using System.Management.Automation;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Cmdlets;

/// <summary>Start-MinioRestore -AsJob with the engine's own job cmdlets: Wait-Job, Receive-Job, Stop-Job.</summary>
[Collection(RgwCollection.Name)]
public sealed class JobTests(RgwPair rgw) : IDisposable
{
    private readonly PowerShellSession _ps = new();
    public void Dispose() => _ps.Dispose();

    private const string Register = RgwPair.RegisterScript;

    [Fact]
    public async Task A_job_restores_and_Receive_Job_returns_the_results()
    {
        string a = RgwPair.NewBucket("job-a"), b = RgwPair.NewBucket("job-b");
        await S3.SeedAsync(rgw.SourceS3, a, "k1", "k2");
        await S3.SeedAsync(rgw.SourceS3, b, "k3");

        var run = _ps.Run($"$j = {Register} | Start-MinioRestore -Bucket {a}, {b} -AsJob; $j.GetType().BaseType.Name; " +
                          "$j | Wait-Job | Receive-Job; $j.State.ToString(); $j.PSJobTypeName; $j.Location; $j.HasMoreData", rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Errors);
        Assert.Equal("Job", run.Output[0].BaseObject);
        var results = run.Output.Skip(1).Take(2).ToList();
        Assert.All(results, r => Assert.Equal("MinioRestore.Engine.Mirror.RestoreResult", r.TypeNames[0]));
        Assert.Equal([(a, 2L), (b, 1L)], results.Select(r => ((string)r.Properties["SourceBucket"].Value, (long)r.Properties["Copied"].Value)));
        Assert.Equal(["Completed", "MinioRestoreJob", rgw.Target.Endpoint.ToString().TrimEnd('/'), false], run.Output.Skip(3).Select(o => o.BaseObject));
        await S3.AssertSameContentAsync(rgw.SourceS3, a, rgw.TargetS3, a);
        await S3.AssertSameContentAsync(rgw.SourceS3, b, rgw.TargetS3, b);
    }

    [Fact]
    public async Task A_job_that_hits_an_error_ends_Failed_and_Receive_Job_shows_the_error()
    {
        string ok = RgwPair.NewBucket("job-ok");
        await S3.SeedAsync(rgw.SourceS3, ok, "k");

        var run = _ps.Run($"$j = {Register} | Start-MinioRestore -Bucket no-such-backup-for-job, {ok} -AsJob; $j | Wait-Job | Receive-Job; $j.State.ToString()", rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        var error = Assert.Single(run.Errors);
        Assert.Equal("SourceBucketNotFound", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal(ok, run.Value(0, "SourceBucket"));
        Assert.Equal("Failed", run.Output[1].BaseObject);
        Assert.Equal(["k"], await S3.KeysAsync(rgw.TargetS3, ok));
    }

    [Fact]
    public async Task A_job_removes_only_with_Force_because_it_cannot_ask()
    {
        string bucket = RgwPair.NewBucket("job-remove");
        await S3.SeedAsync(rgw.SourceS3, bucket, "k");
        await S3.CreateBucketAsync(rgw.TargetS3, bucket);
        await S3.PutAsync(rgw.TargetS3, bucket, "extra", [1]);

        var unforced = _ps.Run($"{Register} | Out-Null; Start-MinioRestore -Bucket {bucket} -Remove -AsJob | Receive-Job -Wait -AutoRemoveJob", rgw.ScriptVariables());

        Assert.Equal(0L, unforced.Value(0, "Removed"));
        Assert.Contains(unforced.Warnings, w => w.Contains("Nothing was removed") && w.Contains("-Force"));
        Assert.Equal(["extra", "k"], await S3.KeysAsync(rgw.TargetS3, bucket));

        var forced = _ps.Run($"{Register} | Out-Null; Start-MinioRestore -Bucket {bucket} -Remove -Force -AsJob -Verbose | Wait-Job | Receive-Job -Verbose", rgw.ScriptVariables());

        Assert.Empty(forced.Errors);
        Assert.Equal(1L, forced.Value(0, "Removed"));
        Assert.Contains(forced.Verbose, v => v.Contains("Removed 'extra'"));
        Assert.Equal(["k"], await S3.KeysAsync(rgw.TargetS3, bucket));
    }

    [Fact]
    public async Task WhatIf_runs_in_the_foreground_and_starts_no_job()
    {
        string bucket = RgwPair.NewBucket("job-whatif");
        await S3.SeedAsync(rgw.SourceS3, bucket, "k");

        var run = _ps.Run($"{Register} | Start-MinioRestore -Bucket {bucket} -AsJob -WhatIf; @(Get-Job).Count", rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        Assert.Equal([0], run.Output.Select(o => o.BaseObject));
        Assert.Contains($"minio/{bucket}/k", run.HostText);
        Assert.False(await S3.BucketExistsAsync(rgw.TargetS3, bucket));
    }

    private async Task<bool> UploadUnderWayAsync(string bucket)
    {
        try { return await S3.IncompleteUploadsAsync(rgw.TargetS3, bucket) > 0; }
        catch (Amazon.S3.AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket") { return false; }
    }

    [Fact]
    public async Task Stop_Job_cancels_the_copies_and_leaves_no_partial_object()
    {
        string bucket = RgwPair.NewBucket("job-stop");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        for (int i = 0; i < 4; i++)
            await S3.PutMultipartAsync(rgw.SourceS3, bucket, $"big-{i}", S3.RandomBytes(24 * 1024 * 1024, i), 8 * 1024 * 1024);

        var started = _ps.Run($"$j = {Register} | Start-MinioRestore -Bucket {bucket} -Concurrency 1 -AsJob; $j", rgw.ScriptVariables());
        var job = (Job)started.Output.Single().BaseObject;
        // Stop once the first object's upload is under way (the job's progress ticks only every second).
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!await UploadUnderWayAsync(bucket) && job.JobStateInfo.State == JobState.Running && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        Assert.Equal(JobState.Running, job.JobStateInfo.State);

        var clock = Stopwatch.StartNew();
        var stopped = _ps.Run("Stop-Job $j; $j.State.ToString(); @($j | Receive-Job).Count");
        clock.Stop();

        Assert.Null(stopped.TerminatingRecord);
        Assert.Equal(["Stopped", 0], stopped.Output.Select(o => o.BaseObject));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"Stop-Job took {clock.Elapsed}");
        var source = await S3.ListAsync(rgw.SourceS3, bucket);
        var target = await S3.ListAsync(rgw.TargetS3, bucket);
        Assert.True(target.Count < source.Count, "stopped too late to prove anything");
        foreach (var (key, entry) in target) Assert.Equal(source[key], entry);
        Assert.Equal(0, await S3.IncompleteUploadsAsync(rgw.TargetS3, bucket));

        var rerun = _ps.Run($"Remove-Job $j; {Register} | Start-MinioRestore -Bucket {bucket}", rgw.ScriptVariables());
        Assert.Equal((long)(source.Count - target.Count), rerun.Value(0, "Copied"));
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);
    }
}
