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

}
