using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Verifying;
using MinioRestore.Tests.Support;
using Xunit.Abstractions;
using RestoreStatus = MinioRestore.Engine.Mirror.RestoreStatus;

namespace MinioRestore.Tests.Integration.Verifying;

/// <summary>
/// Test-MinioRestore -Attributes on real RGW servers: after a restore every object's headers,
/// metadata, website redirect, tags, retention and legal hold match; each kind of change made on
/// the target afterwards (same bytes, so listings and content still match) is found and named,
/// and only with the switch.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class AttributeVerifyTests(RgwPair rgw, ITestOutputHelper output)
{
    private async Task<(VerifyResult Result, List<ObjectDifference> Differences)> VerifyAsync(string source, string target, bool attributes, bool content = false)
    {
        using var verifier = new Verifier(rgw.SourceEndpoint, rgw.TargetEndpoint);
        var differences = new List<ObjectDifference>();
        var result = await verifier.VerifyAsync(source, target, content, 4, d => { lock (differences) differences.Add(d); }, null, CancellationToken.None, attributes: attributes);
        output.WriteLine(result.ToString());
        foreach (var d in differences) output.WriteLine($"{d.Key} {d.Difference}: {d.Reason}");
        return (result, differences);
    }

    [Fact]
    public async Task Attributes_match_after_a_restore_and_each_later_change_on_the_target_is_found_by_name()
    {
        string source = RgwPair.NewBucket("attrs"), target = RgwPair.NewBucket("attrs-restored");
        await rgw.SourceS3.PutBucketAsync(new PutBucketRequest { BucketName = source, ObjectLockEnabledForBucket = true });
        var until = DateTime.UtcNow.AddDays(2);
        byte[] plain = S3.RandomBytes(700, 1), tagged = S3.RandomBytes(800, 2), multi = S3.RandomBytes(11 * 1024 * 1024, 3);
        await S3.PutAsync(rgw.SourceS3, source, "plain", plain, r =>
        {
            r.ContentType = "text/csv";
            r.Headers.CacheControl = "max-age=60";
            r.Headers.ContentDisposition = "attachment; filename=\"r.csv\"";
            r.Metadata["owner"] = "reports";
            r.WebsiteRedirectLocation = "/elsewhere.html";
        });
        await S3.PutAsync(rgw.SourceS3, source, "tagged", tagged, r => r.TagSet = [new Tag { Key = "env", Value = "prod" }, new Tag { Key = "team", Value = "a b" }]);
        await S3.PutMultipartAsync(rgw.SourceS3, source, "tagged-multi", multi, 5 * 1024 * 1024);
        await rgw.SourceS3.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = source, Key = "tagged-multi", Tagging = new Tagging { TagSet = [new Tag { Key = "tier", Value = "cold" }] } });
        await S3.PutAsync(rgw.SourceS3, source, "locked", S3.RandomBytes(900, 4), r =>
        {
            r.ObjectLockMode = ObjectLockMode.Governance;
            r.ObjectLockRetainUntilDate = until;
            r.ObjectLockLegalHoldStatus = ObjectLockLegalHoldStatus.On;
        });
        await S3.PutAsync(rgw.SourceS3, source, "retained", S3.RandomBytes(600, 5), r =>
        {
            r.ObjectLockMode = ObjectLockMode.Governance;
            r.ObjectLockRetainUntilDate = until;
        });
        using (var restorer = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint))
            Assert.Equal(RestoreStatus.Succeeded, (await restorer.RestoreAsync(new RestoreOptions(source, target), new RecordingReporter(), null, CancellationToken.None)).Status);

        var (restored, none) = await VerifyAsync(source, target, attributes: true);
        Assert.Empty(none);
        Assert.True(restored.AttributesCompared);
        Assert.Equal(5, restored.Matching);
        Assert.True(restored.Restored);

        // Changes on the target that keep the bytes: the listings (and -Content) still match.
        await S3.PutAsync(rgw.TargetS3, target, "plain", plain, r => { r.ContentType = "text/plain"; r.Metadata["owner"] = "reports"; r.WebsiteRedirectLocation = "/elsewhere.html"; });
        await rgw.TargetS3.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = target, Key = "tagged", Tagging = new Tagging { TagSet = [new Tag { Key = "env", Value = "dev" }] } });
        await rgw.TargetS3.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = target, Key = "tagged-multi", Tagging = new Tagging { TagSet = [new Tag { Key = "tier", Value = "hot" }] } });
        await rgw.TargetS3.PutObjectLegalHoldAsync(new PutObjectLegalHoldRequest { BucketName = target, Key = "locked", LegalHold = new ObjectLockLegalHold { Status = ObjectLockLegalHoldStatus.Off } });
        await rgw.TargetS3.PutObjectRetentionAsync(new PutObjectRetentionRequest
        {
            BucketName = target, Key = "retained", BypassGovernanceRetention = true,
            Retention = new ObjectLockRetention { Mode = ObjectLockRetentionMode.Governance, RetainUntilDate = DateTime.UtcNow.AddHours(2) },
        });

        var (withoutSwitch, _) = await VerifyAsync(source, target, attributes: false);
        Assert.True(withoutSwitch.Restored);
        Assert.False(withoutSwitch.AttributesCompared);

        foreach (bool content in new[] { false, true })
        {
            var (changed, found) = await VerifyAsync(source, target, attributes: true, content);
            Assert.False(changed.Restored);
            Assert.Equal(5, changed.AttributesDifferent);
            Assert.Equal(0, changed.Different);
            Assert.All(found, d => Assert.Equal(DifferenceKind.Attributes, d.Difference));
            var reasons = found.ToDictionary(d => d.Key, d => d.Reason);
            Assert.Equal(["locked", "plain", "retained", "tagged", "tagged-multi"], reasons.Keys.Order(StringComparer.Ordinal));
            Assert.Contains("Content-Type ('text/csv' in the backup, 'text/plain' on the target)", reasons["plain"]);
            Assert.Contains("Cache-Control", reasons["plain"]);
            Assert.DoesNotContain("metadata", reasons["plain"]);
            Assert.Contains("tags ('env=prod, team=a b' in the backup, 'env=dev' on the target)", reasons["tagged"]);
            Assert.Contains("tags ('tier=cold' in the backup, 'tier=hot' on the target)", reasons["tagged-multi"]);
            Assert.Contains("legal hold (ON in the backup, OFF on the target)", reasons["locked"]);
            Assert.DoesNotContain("retention", reasons["locked"]);
            Assert.Contains("retention (GOVERNANCE until", reasons["retained"]);
        }
    }

    [Fact]
    public void Test_MinioRestore_Attributes_writes_the_differences_and_Quiet_answers_false()
    {
        string bucket = RgwPair.NewBucket("attrs-cmdlet");
        S3.SeedAsync(rgw.SourceS3, bucket, "a", "b").GetAwaiter().GetResult();
        using var ps = new PowerShellSession();
        var restore = ps.Run($"{RgwPair.RegisterScript} | Start-MinioRestore -Bucket {bucket}", rgw.ScriptVariables());
        Assert.Empty(restore.Errors);
        rgw.TargetS3.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "b", Tagging = new Tagging { TagSet = [new Tag { Key = "added", Value = "later" }] } }).GetAwaiter().GetResult();

        var plain = ps.Run($"{RgwPair.RegisterScript} | Test-MinioRestore -Bucket {bucket} -Quiet", rgw.ScriptVariables());
        var quiet = ps.Run($"{RgwPair.RegisterScript} | Test-MinioRestore -Bucket {bucket} -Attributes -Quiet", rgw.ScriptVariables());
        var listed = ps.Run($"{RgwPair.RegisterScript} | Test-MinioRestore -Bucket {bucket} -Attributes -Verbose", rgw.ScriptVariables());

        Assert.Equal(true, Assert.Single(plain.Output).BaseObject);
        Assert.Equal(false, Assert.Single(quiet.Output).BaseObject);
        var difference = (ObjectDifference)Assert.Single(listed.Output).BaseObject;
        Assert.Equal(("b", DifferenceKind.Attributes), (difference.Key, difference.Difference));
        Assert.Contains("tags (none in the backup, 'added=later' on the target)", difference.Reason);
        Assert.Contains(listed.Verbose, v => v.Contains("1 with other attributes") && v.Contains("attributes compared"));
    }

    [Fact]
    public async Task Attributes_with_AllVersions_is_refused_before_anything_is_read()
    {
        using var verifier = new Verifier(rgw.SourceEndpoint, rgw.TargetEndpoint);
        var refused = await Assert.ThrowsAsync<MinioRestore.Engine.Errors.RestoreException>(() => verifier.VerifyAsync("no-such-bucket-attrs", "no-such-bucket-attrs", false, 4,
            _ => { }, null, CancellationToken.None, allVersions: true, attributes: true));
        Assert.Equal(MinioRestore.Engine.Errors.ErrorIds.InvalidParameterCombination, refused.ErrorId);
        Assert.Contains("-Attributes cannot be combined with -AllVersions", refused.Message);
    }
}
