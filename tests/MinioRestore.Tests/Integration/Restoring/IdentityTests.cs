using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Verifying;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Restoring;

/// <summary>
/// Two objects are identical only when evidence proves it: same-size objects whose ETags are of
/// other kinds are never skipped as identical, on real servers.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class IdentityTests(RgwPair rgw)
{
    private async Task<(RestoreResult Result, RecordingReporter Reporter)> RestoreAsync(string bucket, bool overwrite = false)
    {
        using var restorer = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint);
        var reporter = new RecordingReporter();
        var result = await restorer.RestoreAsync(new RestoreOptions(bucket, bucket) { Overwrite = overwrite }, reporter, null, CancellationToken.None);
        Assert.Empty(reporter.Of(RestoreEventKind.ObjectFailed));
        return (result, reporter);
    }

    [Fact]
    public async Task A_same_size_target_with_other_bytes_and_another_ETag_kind_is_a_conflict_and_overwrite_replaces_it()
    {
        string bucket = RgwPair.NewBucket("kinds");
        const int size = 6 * 1024 * 1024;
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        await S3.CreateBucketAsync(rgw.TargetS3, bucket);
        // Backup: one object uploaded in one part ("md5-1"), one as a single PUT (plain MD5).
        await S3.PutMultipartAsync(rgw.SourceS3, bucket, "one-part", S3.RandomBytes(size, 1), size);
        await S3.PutAsync(rgw.SourceS3, bucket, "single", S3.RandomBytes(size, 2));
        // Target: the same sizes, other bytes, and the other ETag kind each.
        await S3.PutAsync(rgw.TargetS3, bucket, "one-part", S3.RandomBytes(size, 3));
        await S3.PutMultipartAsync(rgw.TargetS3, bucket, "single", S3.RandomBytes(size, 4), size);

        var (first, reporter) = await RestoreAsync(bucket);

        Assert.Equal(2, first.Conflicts);
        Assert.Equal(0, first.Skipped);
        Assert.Equal(["one-part", "single"], reporter.Of(RestoreEventKind.Conflict).Select(e => e.Key!).Order(StringComparer.Ordinal));

        var (replaced, _) = await RestoreAsync(bucket, overwrite: true);

        Assert.Equal(2, replaced.Copied);
        Assert.Equal(0, replaced.Unverified);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);
        Assert.Equal(await S3.ListAsync(rgw.SourceS3, bucket), await S3.ListAsync(rgw.TargetS3, bucket)); // the backup's ETags, kinds included

        var (rerun, _) = await RestoreAsync(bucket);
        Assert.Equal((0, 0, 2, 0L), (rerun.Copied, rerun.Conflicts, rerun.Skipped, rerun.Unverified));

        using var verifier = new Verifier(rgw.SourceEndpoint, rgw.TargetEndpoint);
        var verified = await verifier.VerifyAsync(bucket, bucket, content: false, 4, _ => { }, null, CancellationToken.None);
        Assert.True(verified.Restored);
        Assert.Equal(2, verified.Matching);
    }

    [Fact]
    public async Task Same_size_objects_whose_MD5_ETags_differ_are_checked_and_found_different()
    {
        string bucket = RgwPair.NewBucket("md5s");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        await S3.CreateBucketAsync(rgw.TargetS3, bucket);
        await S3.PutAsync(rgw.SourceS3, bucket, "k", S3.RandomBytes(5000, 1));
        await S3.PutAsync(rgw.TargetS3, bucket, "k", S3.RandomBytes(5000, 2));

        var (result, reporter) = await RestoreAsync(bucket);

        // Neither end is encrypted (the check reads both objects' headers), so the two MD5s prove a difference.
        Assert.Equal(1, result.Conflicts);
        Assert.Equal(0, result.Unverified);
        Assert.Contains("content differs", Assert.Single(reporter.Of(RestoreEventKind.Conflict)).Message);
    }
}
