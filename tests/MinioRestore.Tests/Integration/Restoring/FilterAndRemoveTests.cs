using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Verifying;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Restoring;

/// <summary>Filters and -Remove in the mirror library, against two real S3 servers.</summary>
[Collection(RgwCollection.Name)]
public sealed class FilterAndRemoveTests(RgwPair rgw)
{
    private async Task<(RestoreResult Result, RecordingReporter Reporter)> RestoreAsync(string source, string target, Func<RestoreOptions, RestoreOptions> configure)
    {
        using var restorer = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint);
        var reporter = new RecordingReporter();
        var result = await restorer.RestoreAsync(configure(new RestoreOptions(source, target)), reporter, null, CancellationToken.None);
        return (result, reporter);
    }

    private async Task<(string Source, string Target)> BucketsAsync(string purpose, string[] sourceKeys, string[] targetKeys)
    {
        string source = RgwPair.NewBucket(purpose), target = RgwPair.NewBucket(purpose + "-restored");
        await S3.CreateBucketAsync(rgw.SourceS3, source);
        await S3.CreateBucketAsync(rgw.TargetS3, target);
        foreach (var key in sourceKeys) await S3.PutAsync(rgw.SourceS3, source, key, "backup"u8.ToArray());
        foreach (var key in targetKeys) await S3.PutAsync(rgw.TargetS3, target, key, "on the target only"u8.ToArray());
        return (source, target);
    }

    private Task<string[]> TargetKeysAsync(string target) => S3.KeysAsync(rgw.TargetS3, target);

    /// <summary>LastModified as the listing has it (the restore filters on the listing, HEAD rounds to seconds).</summary>
    private async Task<DateTime> ListedTimeAsync(string bucket, string key) =>
        (await rgw.SourceS3.ListObjectsV2Async(new() { BucketName = bucket, Prefix = key })).S3Objects.Single(o => o.Key == key).LastModified!.Value;

    [Fact]
    public async Task A_filter_scopes_copies_conflicts_and_removals_alike_on_both_ends()
    {
        var (source, target) = await BucketsAsync("scope",
            ["logs/a.gz", "logs/b.gz", "logs/tmp/c.gz", "logs/d.txt", "data/e.gz", "LOGS/f.gz"],
            ["logs/b.gz", "logs/tmp/old.gz", "logs/old.txt", "logs/old.gz", "data/e.gz", "data/old.gz"]);

        var (result, reporter) = await RestoreAsync(source, target, o => o with
        {
            Filter = ObjectFilter.Create("logs/", ["*.gz"], ["*/tmp/*"]),
            Remove = true,
        });

        // In scope: logs/a.gz (copy), logs/b.gz (differs: a conflict), logs/old.gz (only on the target).
        Assert.Equal(1, result.Copied);
        Assert.Equal(1, result.Conflicts);
        Assert.Equal(1, result.TargetOnly);
        // The conflict shows the target changed after the backup: nothing is removed.
        Assert.Equal(0, result.Removed);
        Assert.Contains("conflict", result.RemovalSkippedReason);
        Assert.Contains(reporter.Of(RestoreEventKind.RemovalSkipped), e => e.Message.Contains("Nothing was removed"));
        Assert.Equal(["data/e.gz", "data/old.gz", "logs/a.gz", "logs/b.gz", "logs/old.gz", "logs/old.txt", "logs/tmp/old.gz"], await TargetKeysAsync(target));

        var (second, _) = await RestoreAsync(source, target, o => o with
        {
            Filter = ObjectFilter.Create("logs/", ["*.gz"], ["*/tmp/*", "logs/b.gz"]),
            Remove = true,
        });

        Assert.Equal(RestoreStatus.Succeeded, second.Status);
        Assert.Equal(1, second.Skipped);
        Assert.Equal(0, second.Conflicts);
        Assert.Equal(1, second.Removed);
        Assert.Null(second.RemovalSkippedReason);
        // Out of scope stays, whatever it is: other prefix, other suffix, excluded, another case.
        Assert.Equal(["data/e.gz", "data/old.gz", "logs/a.gz", "logs/b.gz", "logs/old.txt", "logs/tmp/old.gz"], await TargetKeysAsync(target));
    }

    [Fact]
    public async Task The_date_window_picks_backup_objects_and_never_removes_a_key_the_backup_has()
    {
        var (source, target) = await BucketsAsync("dates", ["early"], ["extra"]);
        var early = await ListedTimeAsync(source, "early");
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // some servers keep LastModified in whole seconds
        await S3.PutAsync(rgw.SourceS3, source, "late", "backup"u8.ToArray());
        var late = await ListedTimeAsync(source, "late");
        Assert.True(late > early, "premise: the two objects have different times");
        // The target already has "early" with other content: out of the window, it is no conflict and stays.
        await S3.PutAsync(rgw.TargetS3, target, "early", "newer on the target"u8.ToArray());

        var (result, _) = await RestoreAsync(source, target, o => o with { Filter = ObjectFilter.Create(newerThan: early), Remove = true });

        Assert.Equal(RestoreStatus.Succeeded, result.Status);
        Assert.Equal(1, result.Copied);
        Assert.Equal(0, result.Conflicts);
        Assert.Equal(1, result.Removed);
        Assert.Equal(["early", "late"], await TargetKeysAsync(target));
        Assert.Equal("newer on the target"u8.ToArray(), await S3.ReadAsync(rgw.TargetS3, target, "early"));

        var (older, _) = await RestoreAsync(source, target, o => o with { Filter = ObjectFilter.Create(olderThan: late), Overwrite = true });
        Assert.Equal(1, older.Copied); // only "early", the one before "late"
        Assert.Equal(0, older.Skipped);
        Assert.Equal("backup"u8.ToArray(), await S3.ReadAsync(rgw.TargetS3, target, "early"));
    }

    [Fact]
    public async Task Remove_deletes_every_key_shape_in_batches_and_leaves_the_backup_alone()
    {
        // 1,000 per DeleteObjects request: 1,005 plain keys take two; control characters go one by one.
        var extras = Enumerable.Range(0, 1005).Select(i => $"bulk/{i:D4}").Concat(RestoreTests.AwkwardKeys).ToArray();
        var (source, target) = await BucketsAsync("remove-all", ["kept"], []);
        await Parallel.ForEachAsync(extras, new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (key, _) => await S3.PutAsync(rgw.TargetS3, target, key, [1]));

        var (result, reporter) = await RestoreAsync(source, target, o => o with { Remove = true, MaxDelete = 2000 });

        Assert.Equal(RestoreStatus.Succeeded, result.Status);
        Assert.Equal(1, result.Copied);
        Assert.Equal(extras.Length, result.TargetOnly);
        Assert.Equal(extras.Length, result.Removed);
        Assert.Equal(0, result.Failed);
        Assert.Equal(extras.Length, reporter.Of(RestoreEventKind.Removed).Count());
        Assert.Equal(["kept"], await TargetKeysAsync(target));
        Assert.Equal(["kept"], (await S3.ListAsync(rgw.SourceS3, source)).Keys);
    }

    [Fact]
    public async Task More_deletions_than_MaxDelete_remove_nothing_and_say_how_to_raise_it()
    {
        var (source, target) = await BucketsAsync("maxdelete", ["a"], ["x", "y", "z"]);

        var (refused, reporter) = await RestoreAsync(source, target, o => o with { Remove = true, MaxDelete = 2 });

        Assert.Equal(RestoreStatus.Failed, refused.Status);
        Assert.Equal(1, refused.Copied);
        Assert.Equal(0, refused.Removed);
        var error = Assert.Single(reporter.Of(RestoreEventKind.RemovalRefused)).Failure!;
        Assert.Equal(ErrorIds.RemoveLimitExceeded, error.ErrorId);
        Assert.Equal(FailureKind.LimitExceeded, error.Kind);
        Assert.Contains("3 objects", error.Message);
        Assert.Contains("-MaxDelete 3", error.Message);
        Assert.Equal(error.Message, refused.RemovalSkippedReason);
        Assert.Equal(["a", "x", "y", "z"], await TargetKeysAsync(target));

        var (allowed, _) = await RestoreAsync(source, target, o => o with { Remove = true, MaxDelete = 3 });
        Assert.Equal(RestoreStatus.Succeeded, allowed.Status);
        Assert.Equal(3, allowed.Removed);
        Assert.Equal(["a"], await TargetKeysAsync(target));
    }

    [Fact]
    public async Task A_key_the_target_refuses_to_delete_is_an_error_by_name_and_the_others_go()
    {
        var (source, target) = await BucketsAsync("remove-denied", ["a"], ["free/x", "protected/y", "protected/z"]);
        await rgw.TargetS3.PutBucketPolicyAsync(new Amazon.S3.Model.PutBucketPolicyRequest
        {
            BucketName = target,
            Policy = $$"""
                {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject",
                  "Resource":"arn:aws:s3:::{{target}}/protected/*"}]}
                """,
        });

        var (result, reporter) = await RestoreAsync(source, target, o => o with { Remove = true });

        Assert.Equal(RestoreStatus.Failed, result.Status);
        Assert.Equal(1, result.Removed);
        Assert.Equal(2, result.Failed);
        var failures = reporter.Of(RestoreEventKind.ObjectFailed).ToList();
        Assert.Equal(["protected/y", "protected/z"], failures.Select(f => f.Key).Order());
        Assert.All(failures, f => Assert.Equal(ErrorIds.AccessDenied, f.Failure!.ErrorId));
        Assert.All(failures, f => Assert.Contains("was not removed", f.Message));
        Assert.Equal(["a", "protected/y", "protected/z"], await TargetKeysAsync(target));
    }

    [Fact]
    public async Task An_earlier_error_in_the_run_or_a_failed_copy_blocks_every_removal()
    {
        var (source, target) = await BucketsAsync("blocked", ["a"], ["x"]);

        var (earlier, reporter) = await RestoreAsync(source, target, o => o with { Remove = true, RemovalBlockedBy = "an earlier error in this run (boom)" });

        Assert.Equal(RestoreStatus.Succeeded, earlier.Status); // this bucket's copies went well
        Assert.Equal(0, earlier.Removed);
        Assert.Contains("boom", earlier.RemovalSkippedReason);
        Assert.Contains(reporter.Of(RestoreEventKind.RemovalSkipped), e => e.Message.Contains("boom"));
        Assert.Equal(["a", "x"], await TargetKeysAsync(target));

        // A copy that fails: the target bucket takes one more object only.
        var (failing, failingTarget) = await BucketsAsync("blocked-quota", ["b", "c", "d"], ["y"]);
        rgw.Target.Admin("quota", "set", "--quota-scope=bucket", $"--bucket={failingTarget}", "--max-objects=2");
        rgw.Target.Admin("quota", "enable", "--quota-scope=bucket", $"--bucket={failingTarget}");

        var (failed, failedReporter) = await RestoreAsync(failing, failingTarget, o => o with { Remove = true, Concurrency = 1 });

        Assert.Equal(RestoreStatus.Failed, failed.Status);
        Assert.True(failed.Failed > 0, "the quota let every copy through: nothing tested");
        Assert.Equal(0, failed.Removed);
        Assert.Contains("could not be copied", failed.RemovalSkippedReason);
        Assert.Contains(failedReporter.Of(RestoreEventKind.RemovalSkipped), e => e.Message.Contains("Nothing was removed"));
        Assert.Contains("y", await TargetKeysAsync(failingTarget));
    }

    [Fact]
    public async Task Only_confirmed_keys_are_removed_and_WhatIf_removes_none()
    {
        var (source, target) = await BucketsAsync("confirm", ["a"], ["x", "y"]);

        var (whatIf, whatIfReporter) = await RestoreAsync(source, target, o => o with { Remove = true, WhatIf = true });
        Assert.Equal(RestoreStatus.WhatIf, whatIf.Status);
        Assert.Equal(2, whatIf.Removed);
        Assert.Equal(["x", "y"], whatIfReporter.Of(RestoreEventKind.WouldRemove).Select(e => e.Key).Order());
        Assert.Equal(["x", "y"], await TargetKeysAsync(target));

        IReadOnlyList<string>? asked = null;
        var (result, reporter) = await RestoreAsync(source, target, o => o with
        {
            Remove = true,
            ConfirmRemoval = (bucket, keys, _) =>
            {
                asked = keys;
                return Task.FromResult<IReadOnlyList<string>>(keys.Where(k => k == "y").ToList());
            },
        });

        Assert.Equal(["x", "y"], asked!.Order());
        Assert.Equal(1, result.Removed);
        Assert.Contains("1 of the 2", result.RemovalSkippedReason);
        Assert.Single(reporter.Of(RestoreEventKind.RemovalSkipped));
        Assert.Equal(["a", "x"], await TargetKeysAsync(target));
    }

    [Fact]
    public async Task Without_Remove_nothing_is_deleted_even_with_target_only_objects_in_scope()
    {
        var (source, target) = await BucketsAsync("no-remove", ["a"], ["x"]);

        var (result, reporter) = await RestoreAsync(source, target, o => o with { MaxDelete = 0 });

        Assert.Equal(1, result.TargetOnly);
        Assert.Equal(0, result.Removed);
        Assert.Null(result.RemovalSkippedReason);
        Assert.Empty(reporter.Of(RestoreEventKind.RemovalSkipped));
        Assert.Equal(["a", "x"], await TargetKeysAsync(target));
    }

    [Fact]
    public async Task The_verifier_compares_only_what_the_filter_selects()
    {
        var (source, target) = await BucketsAsync("verify-scope", ["logs/a", "data/b"], ["logs/extra"]);
        await S3.PutAsync(rgw.TargetS3, target, "logs/a", "backup"u8.ToArray());
        using var verifier = new Verifier(rgw.SourceEndpoint, rgw.TargetEndpoint);
        var differences = new List<ObjectDifference>();

        var scoped = await verifier.VerifyAsync(source, target, false, 4, differences.Add, null, CancellationToken.None, ObjectFilter.Create("logs/"));

        Assert.Equal(1, scoped.Compared);
        Assert.Equal(1, scoped.Matching);
        Assert.True(scoped.Restored);
        Assert.Equal([("logs/extra", DifferenceKind.Extra)], differences.Select(d => (d.Key, d.Difference)));

        differences.Clear();
        var all = await verifier.VerifyAsync(source, target, false, 4, differences.Add, null, CancellationToken.None);
        Assert.Equal(1, all.Missing);
        Assert.False(all.Restored);
    }

    [Fact]
    public async Task A_content_check_reports_progress_against_the_backup_bytes_it_planned()
    {
        // Both ends are read; the progress bar counts the backup's bytes, so it never passes 100%.
        var (source, target) = await BucketsAsync("verify-progress", ["p/a", "p/b"], []);
        foreach (var key in new[] { "p/a", "p/b" }) await S3.PutAsync(rgw.TargetS3, target, key, "backup"u8.ToArray());
        using var verifier = new Verifier(rgw.SourceEndpoint, rgw.TargetEndpoint);
        var progress = new RestoreProgress();

        var result = await verifier.VerifyAsync(source, target, true, 4, _ => { }, progress, CancellationToken.None);

        Assert.Equal(2, result.Matching);
        Assert.True(progress.ToCopyBytes > 0);
        Assert.Equal(progress.ToCopyBytes, progress.TransferredBytes);
    }
}
