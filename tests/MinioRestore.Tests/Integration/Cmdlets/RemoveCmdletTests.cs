using System.Management.Automation;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Cmdlets;

/// <summary>
/// Start-MinioRestore -Remove in the hosted engine, which cannot prompt (like a runbook): what it
/// deletes, when it refuses, and that it never deletes without -Force or -Confirm:$false.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class RemoveCmdletTests(RgwPair rgw) : IDisposable
{
    private readonly PowerShellSession _ps = new();
    public void Dispose() => _ps.Dispose();

    private const string Register = RgwPair.RegisterScript + " | Out-Null; ";

    /// <summary>A backup with "a" and "b"; the target has "a" and two objects the backup lacks.</summary>
    private async Task<string> BucketWithExtrasAsync(string purpose)
    {
        string bucket = RgwPair.NewBucket(purpose);
        await S3.SeedAsync(rgw.SourceS3, bucket, "a", "b");
        await S3.CreateBucketAsync(rgw.TargetS3, bucket);
        await S3.PutAsync(rgw.TargetS3, bucket, "a", await S3.ReadAsync(rgw.SourceS3, bucket, "a"));
        await S3.PutAsync(rgw.TargetS3, bucket, "extra 1", [1]);
        await S3.PutAsync(rgw.TargetS3, bucket, "dir/extra 2", [2]);
        return bucket;
    }

    [Fact]
    public async Task Remove_with_Force_makes_the_target_a_mirror_of_the_backup()
    {
        string bucket = await BucketWithExtrasAsync("remove-force");

        var run = _ps.Run(Register + $"Start-MinioRestore -Bucket {bucket} -Remove -Force -Verbose", rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Errors);
        Assert.Empty(run.Warnings);
        Assert.Equal("Succeeded", run.Value(0, "Status")!.ToString());
        Assert.Equal(1L, run.Value(0, "Copied"));
        Assert.Equal(2L, run.Value(0, "Removed"));
        Assert.Null(run.Value(0, "RemovalSkippedReason"));
        Assert.Contains(run.Verbose, v => v.Contains("Removed 'dir/extra 2'"));
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);
    }

    [Theory]
    [InlineData("&Yes", new[] { "a", "b" })]
    [InlineData("&No", new[] { "a", "b", "dir/extra 2", "extra 1" })]
    public async Task An_interactive_user_is_asked_once_per_bucket_and_the_answer_decides(string answer, string[] left)
    {
        string bucket = await BucketWithExtrasAsync("remove-ask");
        using var session = new PowerShellSession(choiceAnswer: answer);

        var run = session.Run(Register + $"Start-MinioRestore -Bucket {bucket} -Remove", rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        var prompt = Assert.Single(session.Prompts);
        Assert.Contains($"Remove 2 object(s) from MinIO bucket '{bucket}'", prompt);
        Assert.Equal(answer == "&Yes" ? 2L : 0L, run.Value(0, "Removed"));
        Assert.Equal(left, await S3.KeysAsync(rgw.TargetS3, bucket));
    }

    [Fact]
    public async Task Remove_WhatIf_lists_each_deletion_and_deletes_nothing()
    {
        string bucket = await BucketWithExtrasAsync("remove-whatif");

        var run = _ps.Run(Register + $"Start-MinioRestore -Bucket {bucket} -Remove -Force -WhatIf", rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Output);
        Assert.Contains($"What if: Performing the operation \"Remove object\" on target \"minio/{bucket}/extra 1\"", run.HostText);
        Assert.Contains($"What if: Performing the operation \"Remove object\" on target \"minio/{bucket}/dir/extra 2\"", run.HostText);
        Assert.Contains($"minio/{bucket}/b", run.HostText); // the copy it would make
        Assert.Equal(["a", "dir/extra 2", "extra 1"], await S3.KeysAsync(rgw.TargetS3, bucket));
    }

    [Fact]
    public async Task More_deletions_than_MaxDelete_is_an_error_that_says_how_many_and_how_to_allow_them()
    {
        string bucket = await BucketWithExtrasAsync("remove-max");

        var run = _ps.Run(Register + $"Start-MinioRestore -Bucket {bucket} -Remove -Force -MaxDelete 1", rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        var error = Assert.Single(run.Errors);
        Assert.Equal("RemoveLimitExceeded,MinioRestore.PowerShell.Cmdlets.StartMinioRestoreCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.LimitsExceeded, error.CategoryInfo.Category);
        Assert.Contains("2 objects", error.ErrorDetails.Message);
        Assert.Contains("-MaxDelete 2", error.ErrorDetails.Message);
        Assert.Equal("Failed", run.Value(0, "Status")!.ToString());
        Assert.Equal(1L, run.Value(0, "Copied"));
        Assert.Equal(0L, run.Value(0, "Removed"));
        Assert.Equal(["a", "b", "dir/extra 2", "extra 1"], await S3.KeysAsync(rgw.TargetS3, bucket));
    }

    [Fact]
    public async Task An_error_earlier_in_the_run_blocks_the_removals_of_every_later_bucket()
    {
        // The first bucket fails a copy (its target bucket's quota is one object); the second is clean.
        string failing = RgwPair.NewBucket("remove-quota");
        await S3.SeedAsync(rgw.SourceS3, failing, "q1", "q2", "q3");
        await S3.CreateBucketAsync(rgw.TargetS3, failing);
        rgw.Target.Admin("quota", "set", "--quota-scope=bucket", $"--bucket={failing}", "--max-objects=1");
        rgw.Target.Admin("quota", "enable", "--quota-scope=bucket", $"--bucket={failing}");
        string clean = await BucketWithExtrasAsync("remove-later");

        var run = _ps.Run(Register + $"Start-MinioRestore -Bucket {failing}, {clean} -Remove -Force -Concurrency 1", rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        Assert.NotEmpty(run.Errors);
        Assert.All(run.Errors, e => Assert.Equal("QuotaExceeded", e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.Equal("Failed", run.Value(0, "Status")!.ToString());
        Assert.Equal(clean, run.Value(1, "SourceBucket"));
        Assert.Equal("Succeeded", run.Value(1, "Status")!.ToString());
        Assert.Equal(0L, run.Value(1, "Removed"));
        Assert.Contains("earlier error", (string)run.Value(1, "RemovalSkippedReason")!);
        Assert.Contains(run.Warnings, w => w.Contains($"Nothing was removed from '{clean}'") && w.Contains("earlier error"));
        Assert.Equal(["a", "b", "dir/extra 2", "extra 1"], await S3.KeysAsync(rgw.TargetS3, clean));
    }
}
