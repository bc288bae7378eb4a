using System.Security.Cryptography;
using GetObjectMetadataResponse = Amazon.S3.Model.GetObjectMetadataResponse;
using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Transport;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Mirror;
using MinioRestore.Tests.Support;
using Xunit.Abstractions;

namespace MinioRestore.Tests.Integration.Zoo;

/// <summary>
/// Restores the backup zoo (objects written by real clients on the source RGW, see
/// <see cref="BackupZoo"/>) and checks that every uniform layout comes back with the backup's
/// ETag, that a rerun copies nothing and calls nothing a conflict, and that both ends, read
/// independently, hold the same bytes and metadata (SSE-KMS sources included; the target stores
/// them as plaintext, as the restore does not ask it to encrypt).
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class ZooRestoreTests(RgwPair rgw, ITestOutputHelper output)
{
    private async Task<(RestoreResult Result, RecordingReporter Reporter)> RestoreAsync(S3Endpoint source, string sourceBucket, string targetBucket,
        ObjectFilter? filter = null)
    {
        using var restorer = new Restorer(source, rgw.TargetEndpoint);
        var reporter = new RecordingReporter();
        var result = await restorer.RestoreAsync(new RestoreOptions(sourceBucket, targetBucket) { Filter = filter ?? ObjectFilter.All }, reporter, null, CancellationToken.None);
        return (result, reporter);
    }

    /// <summary>Candidate layouts that missed, per key: each one read and uploaded the whole object again.</summary>
    private static Dictionary<string, int> LayoutMisses(RecordingReporter reporter) =>
        reporter.Of(RestoreEventKind.Retrying).Where(e => e.Key!.EndsWith(" (part layout)", StringComparison.Ordinal))
            .GroupBy(e => e.Key![..^" (part layout)".Length]).ToDictionary(g => g.Key, g => g.Count());

    private static string Strip(string etag) => etag.Trim('"');

    /// <summary>The source, reached through the proxy.</summary>
    private static S3Endpoint Via(FaultProxy proxy) =>
        new(proxy.Endpoint, "us-east-1", RgwPair.SourceAccessKey, RgwPair.SourceSecretKey);

    [Fact]
    public async Task Every_client_layout_comes_back_with_the_backups_ETag_and_a_rerun_copies_nothing()
    {
        var zoo = await BackupZoo.GetAsync(rgw);
        var source = await S3.ListAsync(rgw.SourceS3, zoo.Bucket);
        // The clients wrote the layouts their rules give: the composite of those parts is the backup's ETag.
        foreach (var o in zoo.Objects)
            Assert.True(o.ExpectedETag(zoo.Bodies[o.Key]) == Strip(source[o.Key].ETag), $"{o.Client} {o.Setting}: ETag {source[o.Key].ETag} is not the layout {string.Join(",", o.Parts)}");

        // SSE-KMS took effect on the source (RGW's testing KMS); its ETags stay the plaintext's
        foreach (var o in zoo.Objects.Where(o => o.Key.StartsWith("sse-kms/", StringComparison.Ordinal)))
            Assert.Equal(Amazon.S3.ServerSideEncryptionMethod.AWSKMS, (await rgw.SourceS3.GetObjectMetadataAsync(zoo.Bucket, o.Key)).ServerSideEncryptionMethod);

        string target = RgwPair.NewBucket("zoo-restored");
        var (first, reporter) = await RestoreAsync(rgw.SourceEndpoint, zoo.Bucket, target);

        reporter.AssertNoFailures();
        Assert.Equal(zoo.Objects.Count, first.Copied);
        var restored = await S3.ListAsync(rgw.TargetS3, target);
        var misses = LayoutMisses(reporter);
        var unverified = reporter.Of(RestoreEventKind.CopiedUnverified).Select(e => e.Key).ToHashSet();
        long reread = 0;
        output.WriteLine("client | setting | size | parts | true part size | found by | target ETag equal");
        foreach (var o in zoo.Objects)
        {
            bool equal = Strip(restored[o.Key].ETag) == Strip(source[o.Key].ETag);
            int missed = misses.GetValueOrDefault(o.Key);
            reread += missed * o.Size;
            string foundBy = !o.IsMultipart ? "single PUT (Content-MD5)" : equal ? $"candidate #{missed + 1}" : $"none ({missed} candidates missed)";
            output.WriteLine($"{o.Client} | {o.Setting} | {o.Size} | {o.Parts.Length} | {(o.IsUniform ? o.Parts[0].ToString() : "unequal")} | {foundBy} | {(equal ? "yes" : "no, unverified")}");
            if (o.IsUniform && o.Guessable)
            {
                Assert.True(equal, $"{o.Client} {o.Setting}: target ETag {restored[o.Key].ETag}, backup {source[o.Key].ETag}");
                Assert.DoesNotContain(o.Key, unverified);
                Assert.InRange(missed, 0, MinioRestore.Engine.Copying.ObjectCopier.MaxCandidateTries - 1);
            }
            else
            {
                Assert.Contains(o.Key, unverified);
                // another part count, so the two ETags are never compared as content hashes
                Assert.NotEqual(ETag.Parse(source[o.Key].ETag).PartCount, ETag.Parse(restored[o.Key].ETag).PartCount);
            }
        }
        long bytes = zoo.Objects.Sum(o => o.Size);
        output.WriteLine($"candidate misses: {misses.Values.Sum()}, {reread} bytes read again ({100.0 * reread / bytes:F1}% of the zoo's {bytes} bytes)");
        Assert.Equal(0, await S3.IncompleteUploadsAsync(rgw.TargetS3, target));

        var (rerun, rerunReporter) = await RestoreAsync(rgw.SourceEndpoint, zoo.Bucket, target);
        rerunReporter.AssertNoFailures();
        Assert.Equal(RestoreStatus.Succeeded, rerun.Status);
        Assert.Equal(0, rerun.Copied);
        Assert.Equal(0, rerun.Conflicts);
        Assert.Equal(zoo.Objects.Count, rerun.Skipped);

        await AssertBothEndsHoldTheZooAsync(zoo, target);
        var awscli = await rgw.TargetS3.GetObjectMetadataAsync(target, "awscli/default-8MiB.bin");
        Assert.Equal(BackupZoo.ContentType, awscli.Headers.ContentType);
        Assert.Equal(BackupZoo.ContentDisposition, awscli.Headers.ContentDisposition);
        Assert.Equal("ops-team", awscli.Metadata["owner"]);
        Assert.Contains("x-amz-meta-mtime", (await rgw.TargetS3.GetObjectMetadataAsync(target, "rclone/chunk-32MiB.bin")).Metadata.Keys);
        Assert.Contains("x-amz-meta-s3cmd-attrs", (await rgw.TargetS3.GetObjectMetadataAsync(target, "s3cmd/default-15MiB.bin")).Metadata.Keys);
    }

    /// <summary>Reads every object from both ends, independently of the engine: bytes (also against what the client was given) and metadata.</summary>
    private async Task AssertBothEndsHoldTheZooAsync(BackupZoo zoo, string target, IEnumerable<ZooObject>? objects = null)
    {
        foreach (var o in objects ?? zoo.Objects)
        {
            var expected = MD5.HashData(zoo.Bodies[o.Key]);
            Assert.Equal(expected, MD5.HashData(await S3.ReadAsync(rgw.SourceS3, zoo.Bucket, o.Key)));
            var restored = MD5.HashData(await S3.ReadAsync(rgw.TargetS3, target, o.Key));
            Assert.True(expected.SequenceEqual(restored), $"bytes of {o.Key} differ");
            var s = await rgw.SourceS3.GetObjectMetadataAsync(zoo.Bucket, o.Key);
            var t = await rgw.TargetS3.GetObjectMetadataAsync(target, o.Key);
            Assert.Equal(Describe(s), Describe(t));
        }
    }

    /// <summary>What a restore must keep of an object's headers and metadata, in one comparable string.</summary>
    private static string Describe(GetObjectMetadataResponse r) =>
        string.Join("\n", new[]
        {
            $"Content-Type: {r.Headers.ContentType}", $"Content-Encoding: {r.Headers.ContentEncoding}",
            $"Content-Disposition: {r.Headers.ContentDisposition}", $"Content-Language: {r.Headers["Content-Language"]}",
            $"Cache-Control: {r.Headers.CacheControl}", $"Expires: {r.ExpiresString}",
        }.Concat(r.Metadata.Keys.Order(StringComparer.Ordinal).Select(k => $"{k}: {r.Metadata[k]}")));

    /// <summary>
    /// EMULATION of Amazon S3 / MinIO: the fault proxy answers HEAD ?partNumber=N from the zoo's
    /// layouts in front of real RGW (which ignores it). The copier then takes the layout from the
    /// server, unequal parts included, and tries no candidate; with or without Content-Range.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Where_the_server_tells_the_layout_even_unequal_parts_come_back_with_the_backups_ETag(bool withContentRange)
    {
        var zoo = await BackupZoo.GetAsync(rgw);
        // without Content-Range only the objects the candidates miss, to keep the target's memory store small
        var filter = withContentRange ? ObjectFilter.All : ObjectFilter.Create(include: ["lowlevel/*", "transferutility/*"]);
        var inScope = zoo.Objects.Where(o => filter.SelectsKey(o.Key)).ToList();
        int partHeads = 0;
        var answer = PartNumberEmulation.Answer(zoo.Bucket, key => zoo.Objects.FirstOrDefault(o => o.Key == key && o.IsMultipart)?.Parts, withContentRange);
        using var proxy = new FaultProxy(rgw.Source.Endpoint, _ => Fault.None, emulate: Emulation.OfHeads((request, head) =>
        {
            if (request.Method == "HEAD" && request.Target.Contains("partNumber=")) Interlocked.Increment(ref partHeads);
            return answer(request, head);
        }));
        var viaProxy = Via(proxy);
        string target = RgwPair.NewBucket("zoo-told");

        var (first, reporter) = await RestoreAsync(viaProxy, zoo.Bucket, target, filter);

        reporter.AssertNoFailures();
        Assert.Equal(inScope.Count, first.Copied);
        Assert.Empty(reporter.Of(RestoreEventKind.CopiedUnverified));
        Assert.Empty(LayoutMisses(reporter));
        var source = await S3.ListAsync(rgw.SourceS3, zoo.Bucket);
        var restored = await S3.ListAsync(rgw.TargetS3, target);
        foreach (var o in inScope)
            Assert.True(source[o.Key].ETag == restored[o.Key].ETag, $"{o.Key}: {restored[o.Key].ETag} instead of {source[o.Key].ETag}");
        // one HEAD per multipart object, and one per further part only for unequal ones
        var unequal = zoo.Objects.Where(o => o.IsMultipart && !o.IsUniform).ToList();
        Assert.Equal(2, unequal.Count);
        Assert.Equal(inScope.Count(o => o.IsMultipart) + unequal.Sum(o => o.Parts.Length - 1), partHeads);
        // 7, 6, 5 MiB first looks like 7 MiB parts: one upload in those, aborted, then the parts asked one by one
        var retold = reporter.Of(RestoreEventKind.Retrying).Where(e => e.Key!.EndsWith(" (told layout)", StringComparison.Ordinal)).Select(e => e.Key).ToList();
        Assert.Equal(["lowlevel/first-part-largest.bin (told layout)"], retold);

        var (rerun, _) = await RestoreAsync(viaProxy, zoo.Bucket, target, filter);
        Assert.Equal(0, rerun.Copied);
        Assert.Equal(0, rerun.Conflicts);
        await AssertBothEndsHoldTheZooAsync(zoo, target, inScope);
    }

    /// <summary>EMULATION as above, but the server claims a layout the bytes do not hash to: a failed copy, never completed.</summary>
    [Fact]
    public async Task A_told_layout_that_does_not_reproduce_the_ETag_fails_the_object_and_leaves_nothing_behind()
    {
        var zoo = await BackupZoo.GetAsync(rgw);
        var s3cmd = zoo.Objects.Single(o => o.Key == "s3cmd/default-15MiB.bin");
        const long MiB = 1024 * 1024;
        long[] wrong = [16 * MiB, 16 * MiB, s3cmd.Size - 32 * MiB]; // the same count as the real 15 MiB parts
        using var proxy = new FaultProxy(rgw.Source.Endpoint, _ => Fault.None,
            emulate: Emulation.OfHeads(PartNumberEmulation.Answer(zoo.Bucket, key => key == s3cmd.Key ? wrong : null)));
        string target = RgwPair.NewBucket("zoo-lied");

        var (result, reporter) = await RestoreAsync(Via(proxy), zoo.Bucket, target, ObjectFilter.Create(prefix: "s3cmd/"));

        Assert.Equal(1, result.Failed);
        Assert.Equal(0, result.Copied);
        var failure = Assert.Single(reporter.Of(RestoreEventKind.ObjectFailed));
        Assert.Equal(ErrorIds.ObjectIntegrityFailed, failure.Failure?.ErrorId);
        Assert.Empty(reporter.Of(RestoreEventKind.Copied).Concat(reporter.Of(RestoreEventKind.CopiedUnverified)));
        Assert.Empty(await S3.ListAsync(rgw.TargetS3, target));
        Assert.Equal(0, await S3.IncompleteUploadsAsync(rgw.TargetS3, target));
    }

    /// <summary>A server that refuses HEAD ?partNumber= (400): the copier asks for the whole object and finds the layout among the candidates.</summary>
    [Fact]
    public async Task A_server_that_refuses_partNumber_is_asked_without_it()
    {
        var zoo = await BackupZoo.GetAsync(rgw);
        int refused = 0;
        using var proxy = new FaultProxy(rgw.Source.Endpoint, _ => Fault.None, emulate: Emulation.OfHeads((request, head) =>
        {
            var answer = PartNumberEmulation.RefusePartNumber(request, head);
            if (!ReferenceEquals(answer, head)) Interlocked.Increment(ref refused);
            return answer;
        }));
        string target = RgwPair.NewBucket("zoo-refused");

        var (result, reporter) = await RestoreAsync(Via(proxy), zoo.Bucket, target, ObjectFilter.Create(prefix: "s3cmd/"));

        reporter.AssertNoFailures();
        Assert.Equal(1, result.Copied);
        Assert.True(refused >= 1, "the proxy refused no partNumber HEAD");
        var key = "s3cmd/default-15MiB.bin";
        Assert.Equal((await S3.ListAsync(rgw.SourceS3, zoo.Bucket))[key].ETag, (await S3.ListAsync(rgw.TargetS3, target))[key].ETag);
    }

    /// <summary>Same size, other bytes on the target: conflicts, left as they are, on every run.</summary>
    [Fact]
    public async Task Same_size_clashes_on_the_target_are_conflicts_and_stay()
    {
        var zoo = await BackupZoo.GetAsync(rgw);
        string target = RgwPair.NewBucket("zoo-clash");
        await S3.CreateBucketAsync(rgw.TargetS3, target);
        var multipart = zoo.Objects.Single(o => o.Key == "s3cmd/default-15MiB.bin");
        var single = zoo.Objects.Single(o => o.Key == "single/awscli.txt");
        byte[] otherMultipart = S3.RandomBytes((int)multipart.Size, 7), otherSingle = S3.RandomBytes((int)single.Size, 8);
        await S3.PutMultipartAsync(rgw.TargetS3, target, multipart.Key, otherMultipart, (int)multipart.Parts[0]);
        await S3.PutAsync(rgw.TargetS3, target, single.Key, otherSingle);
        var filter = ObjectFilter.Create(include: ["s3cmd/*", "single/*"]);
        int inScope = zoo.Objects.Count(o => filter.SelectsKey(o.Key));

        for (int run = 0; run < 2; run++)
        {
            var (result, reporter) = await RestoreAsync(rgw.SourceEndpoint, zoo.Bucket, target, filter);
            reporter.AssertNoFailures();
            Assert.Equal(2, result.Conflicts);
            Assert.Equal(run == 0 ? inScope - 2 : 0, result.Copied);
            Assert.Equal([multipart.Key, single.Key], reporter.Of(RestoreEventKind.Conflict).Select(e => e.Key!).Order(StringComparer.Ordinal));
        }
        Assert.Equal(MD5.HashData(otherMultipart), MD5.HashData(await S3.ReadAsync(rgw.TargetS3, target, multipart.Key)));
        Assert.Equal(MD5.HashData(otherSingle), MD5.HashData(await S3.ReadAsync(rgw.TargetS3, target, single.Key)));
    }
}
