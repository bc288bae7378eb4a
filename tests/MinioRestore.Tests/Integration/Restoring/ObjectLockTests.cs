using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Transport;
using MinioRestore.Tests.Support;
using Xunit.Abstractions;
using RestoreStatus = MinioRestore.Engine.Mirror.RestoreStatus;

namespace MinioRestore.Tests.Integration.Restoring;

/// <summary>
/// Object Lock on real RGW servers (RGW 16 has it: buckets created with it, default retention
/// rules, per-object retention and legal holds). Test buckets stay locked until the servers go.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class ObjectLockTests(RgwPair rgw, ITestOutputHelper output)
{
    private async Task<(RestoreResult Result, RecordingReporter Reporter)> RestoreAsync(string source, string target, bool viaSdk = false, bool whatIf = false)
    {
        using var restorer = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint, 16, viaSdk ? DataPath.Sdk : DataPath.Auto);
        var reporter = new RecordingReporter();
        var result = await restorer.RestoreAsync(new RestoreOptions(source, target) { Concurrency = 4, WhatIf = whatIf }, reporter, null, CancellationToken.None);
        output.WriteLine(result.ToString());
        foreach (var e in reporter.Events) output.WriteLine($"{e.Kind} {e.Key}: {e.Message}");
        return (result, reporter);
    }

    private async Task<string> LockedBucketAsync(string purpose, ObjectLockRetentionMode mode)
    {
        string bucket = RgwPair.NewBucket(purpose);
        await rgw.SourceS3.PutBucketAsync(new PutBucketRequest { BucketName = bucket, ObjectLockEnabledForBucket = true });
        await rgw.SourceS3.PutObjectLockConfigurationAsync(new PutObjectLockConfigurationRequest
        {
            BucketName = bucket,
            ObjectLockConfiguration = new ObjectLockConfiguration
            {
                ObjectLockEnabled = ObjectLockEnabled.Enabled,
                Rule = new ObjectLockRule { DefaultRetention = new DefaultRetention { Mode = mode, Days = 1 } },
            },
        });
        return bucket;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Retention_and_legal_hold_come_with_each_object_into_a_bucket_created_with_Object_Lock(bool viaSdk)
    {
        string source = await LockedBucketAsync("locked", ObjectLockRetentionMode.Governance), target = RgwPair.NewBucket("locked-restored");
        var until = DateTime.UtcNow.AddDays(3);
        await S3.PutAsync(rgw.SourceS3, source, "held-single", S3.RandomBytes(1000, 1), r =>
        {
            r.ObjectLockMode = ObjectLockMode.Governance;
            r.ObjectLockRetainUntilDate = until;
            r.ObjectLockLegalHoldStatus = ObjectLockLegalHoldStatus.On;
        });
        await S3.PutMultipartAsync(rgw.SourceS3, source, "held-multi", S3.RandomBytes(11 * 1024 * 1024, 2), 5 * 1024 * 1024);
        // RGW 16 ignores retention sent with CreateMultipartUpload: set on the object, as a client would.
        await rgw.SourceS3.PutObjectRetentionAsync(new PutObjectRetentionRequest
        {
            BucketName = source, Key = "held-multi", Retention = new ObjectLockRetention { Mode = ObjectLockRetentionMode.Governance, RetainUntilDate = until },
        });
        await rgw.SourceS3.PutObjectLegalHoldAsync(new PutObjectLegalHoldRequest
        {
            BucketName = source, Key = "held-multi", LegalHold = new ObjectLockLegalHold { Status = ObjectLockLegalHoldStatus.On },
        });

        var (result, reporter) = await RestoreAsync(source, target, viaSdk);

        Assert.Equal(RestoreStatus.Succeeded, result.Status);
        Assert.True(result.BucketCreated);
        Assert.Equal(2, result.Copied);
        Assert.Contains("Object Lock, default retention GOVERNANCE for 1 day(s)", Assert.Single(reporter.Of(RestoreEventKind.BucketCreated)).Message);
        var rule = (await rgw.TargetS3.GetObjectLockConfigurationAsync(new GetObjectLockConfigurationRequest { BucketName = target })).ObjectLockConfiguration;
        Assert.Equal(ObjectLockEnabled.Enabled, rule.ObjectLockEnabled);
        Assert.Equal(ObjectLockRetentionMode.Governance, rule.Rule.DefaultRetention.Mode);
        Assert.Equal(1, rule.Rule.DefaultRetention.Days);
        await S3.AssertSameContentAsync(rgw.SourceS3, source, rgw.TargetS3, target);
        foreach (var key in new[] { "held-single", "held-multi" })
        {
            var s = await rgw.SourceS3.GetObjectMetadataAsync(source, key);
            var t = await rgw.TargetS3.GetObjectMetadataAsync(target, key);
            Assert.Equal(ObjectLockMode.Governance, t.ObjectLockMode);
            // Never shorter than the backup's; the headers carry milliseconds.
            Assert.InRange(t.ObjectLockRetainUntilDate!.Value - s.ObjectLockRetainUntilDate!.Value, TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
            Assert.Equal(ObjectLockLegalHoldStatus.On, t.ObjectLockLegalHoldStatus);
        }

        var (rerun, _) = await RestoreAsync(source, target, viaSdk);
        Assert.Equal(0, rerun.Copied);
        Assert.Equal(2, rerun.Skipped);
    }

    [Fact]
    public async Task Locked_objects_are_refused_before_anything_is_written_into_an_existing_bucket_without_Object_Lock()
    {
        string source = await LockedBucketAsync("locked-refused", ObjectLockRetentionMode.Governance), target = RgwPair.NewBucket("plain-target");
        await S3.SeedAsync(rgw.SourceS3, source, "a", "b");
        await S3.SeedAsync(rgw.TargetS3, target, "existing");

        var refused = await Assert.ThrowsAsync<RestoreException>(() => RestoreAsync(source, target));

        Assert.Equal(ErrorIds.TargetBucketLacksObjectLock, refused.ErrorId);
        Assert.Equal(FailureKind.Conflict, refused.Kind);
        Assert.Contains("-TargetBucket", refused.Message);
        Assert.Contains("nothing was written", refused.Message);
        Assert.Equal(["existing"], await S3.KeysAsync(rgw.TargetS3, target));
    }

    [Fact]
    public async Task WhatIf_names_COMPLIANCE_retention_on_the_bucket_and_on_each_object()
    {
        string source = await LockedBucketAsync("compliance", ObjectLockRetentionMode.Compliance), target = RgwPair.NewBucket("compliance-restored");
        await S3.PutAsync(rgw.SourceS3, source, "kept", S3.RandomBytes(100, 1), r =>
        {
            r.ObjectLockMode = ObjectLockMode.Compliance;
            r.ObjectLockRetainUntilDate = DateTime.UtcNow.AddMinutes(10);
        });

        var (result, reporter) = await RestoreAsync(source, target, whatIf: true);

        Assert.Equal(RestoreStatus.WhatIf, result.Status);
        Assert.Contains("COMPLIANCE retention cannot be shortened or removed, even by the owner", Assert.Single(reporter.Of(RestoreEventKind.WouldCreateBucket)).Detail);
        Assert.Contains("with COMPLIANCE retention until", Assert.Single(reporter.Of(RestoreEventKind.WouldCopy)).Detail);
        Assert.False(await S3.BucketExistsAsync(rgw.TargetS3, target));
    }
}
