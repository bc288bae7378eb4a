using System.Collections.Concurrent;
using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Engine.Copying;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Mirror;
using RestoreStatus = MinioRestore.Engine.Mirror.RestoreStatus;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Transport;
using MinioRestore.Tests.Support;
using Xunit.Abstractions;

namespace MinioRestore.Tests.Integration.Restoring;

/// <summary>
/// Object tags on real RGW servers, on both data paths. The refusals of tags are emulated by the
/// fault proxy, answering as Amazon S3 documents a missing s3:GetObjectTagging or
/// s3:PutObjectTagging permission (403 AccessDenied); everything else is RGW's own behaviour.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class TagTests(RgwPair rgw, ITestOutputHelper output)
{
    private static readonly RetryPolicy FastRetry = new(3, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50));

    // Every character class S3 allows in tags (letters of any script, digits, space, + - = . _ : / @),
    // so the URL encoding of x-amz-tagging is exercised.
    private static readonly Tag[] Tags =
    [
        new() { Key = "cost center", Value = "ops+dev/2026" },
        new() { Key = "owner:email", Value = "a.b_c@example.org" },
        new() { Key = "größe", Value = "x=1 y=2" },
    ];

    private static bool TaggingRequest(ProxiedRequest r) => r.Target.Contains("?tagging") || r.Target.Contains("&tagging");

    private async Task<(RestoreResult Result, RecordingReporter Reporter)> RestoreAsync(string source, string target, bool viaSdk = false,
        FaultProxy? sourceProxy = null, FaultProxy? targetProxy = null)
    {
        var from = new S3Endpoint(sourceProxy?.Endpoint ?? rgw.Source.Endpoint, "us-east-1", RgwPair.SourceAccessKey, RgwPair.SourceSecretKey);
        var to = new S3Endpoint(targetProxy?.Endpoint ?? rgw.Target.Endpoint, "us-east-1", RgwPair.TargetAccessKey, RgwPair.TargetSecretKey);
        using var restorer = new Restorer(from, to, 16, viaSdk ? DataPath.Sdk : DataPath.Auto);
        var reporter = new RecordingReporter();
        var result = await restorer.RestoreAsync(new RestoreOptions(source, target) { Retry = FastRetry, Concurrency = 4 }, reporter, null, CancellationToken.None);
        output.WriteLine(result.ToString());
        foreach (var e in reporter.Events.Where(e => e.Failure is not null)) output.WriteLine($"{e.Kind} {e.Key}: {e.Message}");
        return (result, reporter);
    }

    private static async Task<List<Tag>> TagsAsync(IAmazonS3 s3, string bucket, string key) =>
        (await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = key })).Tagging ?? [];

    private static void AssertSameTags(IEnumerable<Tag> expected, IEnumerable<Tag> actual) =>
        Assert.Equal(expected.Select(t => (t.Key, t.Value)).OrderBy(t => t.Key, StringComparer.Ordinal),
            actual.Select(t => (t.Key, t.Value)).OrderBy(t => t.Key, StringComparer.Ordinal));

    /// <summary>A single-part and a multipart object with tags, and one of each without.</summary>
    private async Task<string> SeedAsync(string purpose)
    {
        string bucket = RgwPair.NewBucket(purpose);
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        await S3.PutAsync(rgw.SourceS3, bucket, "tagged-single", S3.RandomBytes(1000, 1), r => r.TagSet = [.. Tags]);
        await S3.PutMultipartAsync(rgw.SourceS3, bucket, "tagged-multi", S3.RandomBytes(11 * 1024 * 1024, 2), 5 * 1024 * 1024);
        // RGW 16 ignores tags on CreateMultipartUpload: tagged afterwards, as the copier does on such a target.
        await rgw.SourceS3.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "tagged-multi", Tagging = new Tagging { TagSet = [.. Tags] } });
        await S3.PutAsync(rgw.SourceS3, bucket, "plain-single", S3.RandomBytes(1000, 3));
        await S3.PutMultipartAsync(rgw.SourceS3, bucket, "plain-multi", S3.RandomBytes(6 * 1024 * 1024, 4), 5 * 1024 * 1024);
        return bucket;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Tags_come_with_single_part_and_multipart_objects_and_none_are_invented(bool viaSdk)
    {
        string source = await SeedAsync("tags"), target = RgwPair.NewBucket("tags-restored");
        var tagRequests = new ConcurrentQueue<string>();
        using var proxy = new FaultProxy(rgw.Source.Endpoint, r =>
        {
            if (TaggingRequest(r)) tagRequests.Enqueue(r.Target);
            return Fault.None;
        });

        var taggedWrites = new ConcurrentQueue<string>();
        using var targetProxy = new FaultProxy(rgw.Target.Endpoint, r =>
        {
            if (r.Header(ObjectHeaders.TaggingHeader) is not null) taggedWrites.Enqueue($"{r.Method} {r.Target}");
            return Fault.None;
        });
        var (result, reporter) = await RestoreAsync(source, target, viaSdk, proxy, targetProxy);
        output.WriteLine(string.Join("\n", tagRequests.Concat(taggedWrites)));

        Assert.Equal(RestoreStatus.Succeeded, result.Status);
        Assert.Equal(4, result.Copied);
        Assert.Empty(reporter.Of(RestoreEventKind.AttributesNotCopied));
        await S3.AssertSameContentAsync(rgw.SourceS3, source, rgw.TargetS3, target);
        AssertSameTags(Tags, await TagsAsync(rgw.TargetS3, target, "tagged-single"));
        AssertSameTags(Tags, await TagsAsync(rgw.TargetS3, target, "tagged-multi"));
        Assert.Empty(await TagsAsync(rgw.TargetS3, target, "plain-single"));
        Assert.Empty(await TagsAsync(rgw.TargetS3, target, "plain-multi"));
        // Written with the object, as S3 documents it: x-amz-tagging on the PUT and on CreateMultipartUpload
        // (RGW 16 ignores the latter, so the copier tags a completed multipart object once more).
        Assert.Contains(taggedWrites, w => w.StartsWith("PUT ") && w.EndsWith("/tagged-single"));
        Assert.Contains(taggedWrites, w => w.StartsWith("POST ") && w.Contains("/tagged-multi?uploads"));
        Assert.DoesNotContain(taggedWrites, w => w.Contains("plain-"));
        // A single-part object without tags costs no tag request: its GET said it has none.
        Assert.DoesNotContain(tagRequests, t => t.Contains("plain-single"));
        Assert.Contains(tagRequests, t => t.Contains("tagged-single"));

        // A rerun finds every object identical and writes nothing.
        var (rerun, _) = await RestoreAsync(source, target, viaSdk);
        Assert.Equal(0, rerun.Copied);
        Assert.Equal(4, rerun.Skipped);
    }

    [Fact]
    public async Task A_source_that_refuses_tags_gives_one_warning_and_the_objects_come_without_them()
    {
        string source = await SeedAsync("tags-unreadable"), target = RgwPair.NewBucket("tags-unreadable-restored");
        using var proxy = new FaultProxy(rgw.Source.Endpoint, _ => Fault.None,
            emulate: r => TaggingRequest(r) ? new Emulation(new Emulation.Error(403, "AccessDenied", "Access Denied")) : null);

        var (result, reporter) = await RestoreAsync(source, target, sourceProxy: proxy);

        Assert.True(proxy.Emulated > 0);
        Assert.Equal(RestoreStatus.Succeeded, result.Status);
        Assert.Equal(4, result.Copied);
        var warning = Assert.Single(reporter.Of(RestoreEventKind.AttributesNotCopied));
        Assert.Equal(ErrorIds.TagsNotCopied, warning.Failure!.ErrorId);
        Assert.Contains("s3:GetObjectTagging", warning.Message);
        Assert.Contains(RgwPair.SourceAccessKey, warning.Message);
        Assert.DoesNotContain(RgwPair.SourceSecretKey, warning.Message);
        await S3.AssertSameContentAsync(rgw.SourceS3, source, rgw.TargetS3, target);
        foreach (var key in new[] { "tagged-single", "tagged-multi" })
            Assert.Empty(await TagsAsync(rgw.TargetS3, target, key));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_target_that_refuses_tags_gives_one_warning_and_takes_the_objects_without_them(bool viaSdk)
    {
        string source = await SeedAsync("tags-unwritable"), target = RgwPair.NewBucket("tags-unwritable-restored");
        // Amazon S3 refuses a PUT or CreateMultipartUpload with x-amz-tagging without s3:PutObjectTagging.
        using var proxy = new FaultProxy(rgw.Target.Endpoint, _ => Fault.None,
            emulate: r => r.Method is "PUT" or "POST" && (r.Header(ObjectHeaders.TaggingHeader) is not null || TaggingRequest(r))
                ? new Emulation(new Emulation.Error(403, "AccessDenied", "Access Denied")) : null);

        var (result, reporter) = await RestoreAsync(source, target, viaSdk, targetProxy: proxy);

        Assert.True(proxy.Emulated > 0);
        Assert.Equal(RestoreStatus.Succeeded, result.Status);
        Assert.Equal(4, result.Copied);
        var warning = Assert.Single(reporter.Of(RestoreEventKind.AttributesNotCopied));
        Assert.Equal(ErrorIds.TagsNotCopied, warning.Failure!.ErrorId);
        Assert.Contains("s3:PutObjectTagging", warning.Message);
        await S3.AssertSameContentAsync(rgw.SourceS3, source, rgw.TargetS3, target);
        Assert.Equal(0, await S3.IncompleteUploadsAsync(rgw.TargetS3, target));
        foreach (var key in new[] { "tagged-single", "tagged-multi" })
            Assert.Empty(await TagsAsync(rgw.TargetS3, target, key));
    }
}
