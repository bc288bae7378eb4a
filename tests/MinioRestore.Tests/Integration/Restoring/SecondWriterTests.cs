using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Transport;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Restoring;

/// <summary>
/// An application writes to the target while the restore runs: an object it creates (or changes)
/// after the listing is never overwritten without -Overwrite. The proxy in front of the real
/// target plays that application: just before the restore's write of a key reaches RGW, it
/// writes the key itself, straight to RGW.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class SecondWriterTests(RgwPair rgw)
{
    private static readonly byte[] Theirs = "the application's newer object"u8.ToArray();

    /// <summary>A target proxy that lets the application write <paramref name="key"/> when the restore's first write of it (PUT or a part) arrives.</summary>
    private FaultProxy ApplicationWritesFirst(string bucket, string key, Func<ProxiedRequest, bool>? when = null)
    {
        int written = 0;
        return new FaultProxy(rgw.Target.Endpoint, _ => Fault.None, emulate: r =>
        {
            if (r.Method == "PUT" && r.Target.StartsWith($"/{bucket}/{Uri.EscapeDataString(key)}", StringComparison.Ordinal) && (when?.Invoke(r) ?? true)
                && Interlocked.Exchange(ref written, 1) == 0)
                S3.PutAsync(rgw.TargetS3, bucket, key, Theirs).GetAwaiter().GetResult();
            return null;
        });
    }

    private async Task<(RestoreResult Result, RecordingReporter Reporter)> RestoreAsync(string bucket, FaultProxy target, bool overwrite = false)
    {
        using var restorer = new Restorer(rgw.SourceEndpoint, new S3Endpoint(target.Endpoint, "us-east-1", RgwPair.TargetAccessKey, RgwPair.TargetSecretKey));
        var reporter = new RecordingReporter();
        var result = await restorer.RestoreAsync(new RestoreOptions(bucket, bucket) { Overwrite = overwrite, Concurrency = 2 }, reporter, null, CancellationToken.None);
        Assert.Empty(reporter.Of(RestoreEventKind.ObjectFailed));
        return (result, reporter);
    }

    [Fact]
    public async Task An_object_created_on_the_target_after_the_listing_is_left_alone_as_a_conflict()
    {
        string bucket = RgwPair.NewBucket("second-writer");
        await S3.SeedAsync(rgw.SourceS3, bucket, "a", "late", "z");
        await S3.CreateBucketAsync(rgw.TargetS3, bucket);
        using var target = ApplicationWritesFirst(bucket, "late");

        var (result, reporter) = await RestoreAsync(bucket, target);

        Assert.Equal((2L, 1L, 0L), (result.Copied, result.Conflicts, result.Failed));
        var conflict = Assert.Single(reporter.Of(RestoreEventKind.Conflict));
        Assert.Equal("late", conflict.Key);
        Assert.Equal(ErrorIds.TargetObjectChanged, conflict.Failure?.ErrorId);
        Assert.Equal(Theirs, await S3.ReadAsync(rgw.TargetS3, bucket, "late"));
    }

    [Fact]
    public async Task A_multipart_copy_of_an_object_that_appeared_meanwhile_is_aborted_and_leaves_it_alone()
    {
        string bucket = RgwPair.NewBucket("second-writer-mp");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        await S3.CreateBucketAsync(rgw.TargetS3, bucket);
        await S3.PutMultipartAsync(rgw.SourceS3, bucket, "big", S3.RandomBytes(11 * 1024 * 1024, 5), 5 * 1024 * 1024);
        // The application writes while the restore uploads the parts, before the upload completes.
        using var target = ApplicationWritesFirst(bucket, "big", r => r.Target.Contains("partNumber="));

        var (result, _) = await RestoreAsync(bucket, target);

        Assert.Equal((0L, 1L), (result.Copied, result.Conflicts));
        Assert.Equal(Theirs, await S3.ReadAsync(rgw.TargetS3, bucket, "big"));
        Assert.Equal(0, await S3.IncompleteUploadsAsync(rgw.TargetS3, bucket));
    }

    [Fact]
    public async Task Overwrite_replaces_only_the_object_it_listed_not_one_changed_since()
    {
        string bucket = RgwPair.NewBucket("second-writer-ow");
        await S3.SeedAsync(rgw.SourceS3, bucket, "k");
        await S3.CreateBucketAsync(rgw.TargetS3, bucket);
        await S3.PutAsync(rgw.TargetS3, bucket, "k", [1, 2, 3]); // differs: -Overwrite replaces it
        using var target = ApplicationWritesFirst(bucket, "k");

        var (result, _) = await RestoreAsync(bucket, target, overwrite: true);

        Assert.Equal((0L, 1L), (result.Copied, result.Conflicts));
        Assert.Equal(Theirs, await S3.ReadAsync(rgw.TargetS3, bucket, "k"));

        // Without a second writer, -Overwrite does replace it.
        using var quiet = new FaultProxy(rgw.Target.Endpoint, _ => Fault.None);
        var (again, _) = await RestoreAsync(bucket, quiet, overwrite: true);
        Assert.Equal(1, again.Copied);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);
    }
}
