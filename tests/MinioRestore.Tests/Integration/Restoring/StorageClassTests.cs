using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using MinioRestore.Engine.Copying;
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
/// Storage classes on real RGW servers, which know only STANDARD (other classes: 400
/// InvalidArgument, measured). A backup in REDUCED_REDUNDANCY is emulated by the fault proxy
/// rewriting the source listing's StorageClass, as Amazon S3 lists such objects.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class StorageClassTests(RgwPair rgw, ITestOutputHelper output)
{
    private static readonly RetryPolicy FastRetry = new(3, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50));

    private async Task<(RestoreResult Result, RecordingReporter Reporter, ConcurrentQueue<string> Classes)> RestoreAsync(string bucket, string target,
        FaultProxy? sourceProxy, string? storageClass, bool viaSdk = false)
    {
        var classes = new ConcurrentQueue<string>();
        using var targetProxy = new FaultProxy(rgw.Target.Endpoint, r =>
        {
            if (r.Header(ObjectHeaders.StorageClassHeader) is { } sent) classes.Enqueue($"{r.Method} {r.Target.Split('?')[0]} {sent}");
            return Fault.None;
        });
        var from = new S3Endpoint(sourceProxy?.Endpoint ?? rgw.Source.Endpoint, "us-east-1", RgwPair.SourceAccessKey, RgwPair.SourceSecretKey);
        var to = new S3Endpoint(targetProxy.Endpoint, "us-east-1", RgwPair.TargetAccessKey, RgwPair.TargetSecretKey);
        using var restorer = new Restorer(from, to, 16, viaSdk ? DataPath.Sdk : DataPath.Auto);
        var reporter = new RecordingReporter();
        var result = await restorer.RestoreAsync(new RestoreOptions(bucket, target) { Retry = FastRetry, Concurrency = 4, StorageClass = storageClass },
            reporter, null, CancellationToken.None);
        output.WriteLine(result.ToString());
        foreach (var e in reporter.Events.Where(e => e.Failure is not null)) output.WriteLine($"{e.Kind} {e.Key}: {e.Message}");
        return (result, reporter, classes);
    }

    private async Task<string> SeedAsync(string purpose)
    {
        string bucket = RgwPair.NewBucket(purpose);
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        await S3.PutAsync(rgw.SourceS3, bucket, "single", S3.RandomBytes(1000, 1));
        await S3.PutMultipartAsync(rgw.SourceS3, bucket, "multi", S3.RandomBytes(6 * 1024 * 1024, 2), 5 * 1024 * 1024);
        return bucket;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_chosen_storage_class_is_sent_with_every_object(bool viaSdk)
    {
        string bucket = await SeedAsync("class-chosen"), target = RgwPair.NewBucket("class-chosen-restored");

        var (result, reporter, classes) = await RestoreAsync(bucket, target, null, "STANDARD", viaSdk);

        Assert.Equal(RestoreStatus.Succeeded, result.Status);
        Assert.Equal(2, result.Copied);
        Assert.Contains($"PUT /{target}/single STANDARD", classes);
        Assert.Contains($"POST /{target}/multi STANDARD", classes);
        Assert.Empty(reporter.Of(RestoreEventKind.AttributesNotCopied));
    }

    [Fact]
    public async Task Without_a_choice_the_standard_class_is_the_target_s_default_and_nothing_is_sent()
    {
        string bucket = await SeedAsync("class-default"), target = RgwPair.NewBucket("class-default-restored");

        var (result, _, classes) = await RestoreAsync(bucket, target, null, null);

        Assert.Equal(2, result.Copied);
        Assert.Empty(classes);
    }

    [Fact]
    public async Task A_backup_class_the_target_refuses_gives_one_warning_and_the_default_class()
    {
        string bucket = await SeedAsync("class-kept"), target = RgwPair.NewBucket("class-kept-restored");
        using var source = new FaultProxy(rgw.Source.Endpoint, _ => Fault.None, emulate: r => r.Method == "GET" && r.Target.Contains("list-type=2")
            ? new Emulation(RewriteBody: xml => xml.Replace("<StorageClass>STANDARD</StorageClass>", "<StorageClass>REDUCED_REDUNDANCY</StorageClass>"))
            : null);

        var (result, reporter, classes) = await RestoreAsync(bucket, target, source, null);

        Assert.True(source.Emulated > 0);
        Assert.Equal(RestoreStatus.Succeeded, result.Status);
        Assert.Equal(2, result.Copied);
        Assert.Contains(classes, c => c.EndsWith(" REDUCED_REDUNDANCY")); // kept where the target may have it
        var warning = Assert.Single(reporter.Of(RestoreEventKind.AttributesNotCopied));
        Assert.Equal(ErrorIds.StorageClassNotKept, warning.Failure!.ErrorId);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, target);
    }
}
