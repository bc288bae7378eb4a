using System.Net;
using System.Text.RegularExpressions;
using MinioRestore.Engine.Copying;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Transport;
using MinioRestore.Tests.Support;
using Xunit.Abstractions;

namespace MinioRestore.Tests.Integration.Faults;

/// <summary>
/// Restores from and into servers that answer otherwise than RGW does. The fault proxy in front
/// of real RGW servers plays those servers (an emulation: it answers or rewrites as the other
/// server documents it); everything else is RGW's own behaviour.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class ServerAnswerTests(RgwPair rgw, ITestOutputHelper output)
{
    private static readonly RetryPolicy FastRetry = new(3, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50));

    private static bool Listing(ProxiedRequest r) => r.Method == "GET" && r.Target.Contains("list-type=2");

    private async Task<(RestoreResult Result, RecordingReporter Reporter)> RestoreAsync(string bucket, string target, FaultProxy? sourceProxy,
        FaultProxy? targetProxy = null, bool remove = false, bool viaSdk = false, int concurrency = 4)
    {
        var source = new S3Endpoint(sourceProxy?.Endpoint ?? rgw.Source.Endpoint, "us-east-1", RgwPair.SourceAccessKey, RgwPair.SourceSecretKey);
        var minio = new S3Endpoint(targetProxy?.Endpoint ?? rgw.Target.Endpoint, "us-east-1", RgwPair.TargetAccessKey, RgwPair.TargetSecretKey);
        using var restorer = new Restorer(source, minio, RestoreOptions.DefaultConcurrency * RestoreOptions.DefaultPartConcurrency, viaSdk ? DataPath.Sdk : DataPath.Auto);
        var reporter = new RecordingReporter();
        var result = await restorer.RestoreAsync(new RestoreOptions(bucket, target) { Retry = FastRetry, Remove = remove, Concurrency = concurrency },
            reporter, null, CancellationToken.None);
        output.WriteLine(result.ToString());
        foreach (var e in reporter.Events.Where(e => e.Failure is not null)) output.WriteLine($"{e.Kind} {e.Key}: {e.Message}");
        return (result, reporter);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_upload_the_target_would_not_abort_is_aborted_at_the_end_of_the_bucket_or_named_in_a_warning(bool refusedThroughout)
    {
        string bucket = RgwPair.NewBucket(refusedThroughout ? "abort-never" : "abort-later");
        await S3.SeedAsync(rgw.SourceS3, bucket, "small");
        await S3.PutMultipartAsync(rgw.SourceS3, bucket, "big", S3.RandomBytes(11 * 1024 * 1024, 5), 5 * 1024 * 1024);
        await S3.CreateBucketAsync(rgw.TargetS3, bucket);
        // The parts of "big" are refused for good, so its upload is aborted; the target answers the
        // aborts 503 (a restarting server) for 9 s after the first one, longer than one abort's
        // budget, or throughout.
        var firstAbort = new Lazy<System.Diagnostics.Stopwatch>(System.Diagnostics.Stopwatch.StartNew, LazyThreadSafetyMode.ExecutionAndPublication);
        using var target = new FaultProxy(rgw.Target.Endpoint, _ => Fault.None, emulate: r =>
            r.Method == "PUT" && r.Target.Contains("partNumber=") ? new Emulation(new Emulation.Error(403, "AccessDenied", "Access Denied"))
            : r.Method == "DELETE" && r.Target.Contains("uploadId=") && (refusedThroughout || firstAbort.Value.Elapsed < TimeSpan.FromSeconds(9))
                ? new Emulation(new Emulation.Error(503, "ServiceUnavailable", "Please reduce your request rate."))
                : null);

        var (result, reporter) = await RestoreAsync(bucket, bucket, null, target);

        Assert.Equal(1, result.Failed);
        Assert.Equal(1, result.Copied);
        if (refusedThroughout)
        {
            var warning = Assert.Single(reporter.Of(RestoreEventKind.UploadsLeftBehind));
            Assert.Contains("'big'", warning.Message);
            Assert.Contains("mc rm --incomplete", warning.Message);
            Assert.Equal(1, await S3.IncompleteUploadsAsync(rgw.TargetS3, bucket));
            var left = await rgw.TargetS3.ListMultipartUploadsAsync(new Amazon.S3.Model.ListMultipartUploadsRequest { BucketName = bucket });
            foreach (var upload in left.MultipartUploads)
                await rgw.TargetS3.AbortMultipartUploadAsync(bucket, upload.Key, upload.UploadId);
        }
        else
        {
            Assert.Empty(reporter.Of(RestoreEventKind.UploadsLeftBehind));
            Assert.Equal(0, await S3.IncompleteUploadsAsync(rgw.TargetS3, bucket));
        }
    }

    [Fact]
    public async Task A_source_listing_marked_truncated_without_a_continuation_token_fails_the_bucket_and_removes_nothing()
    {
        string bucket = RgwPair.NewBucket("cut-listing");
        await S3.SeedAsync(rgw.SourceS3, bucket, "a", "b", "c");
        await S3.SeedAsync(rgw.TargetS3, bucket, "a", "extra-1", "extra-2");
        // A page that says more follows but gives no token to read it (a broken server or proxy).
        using var source = new FaultProxy(rgw.Source.Endpoint, _ => Fault.None, emulate: r => Listing(r)
            ? new Emulation(RewriteBody: xml => Regex.Replace(xml.Replace("<IsTruncated>false</IsTruncated>", "<IsTruncated>true</IsTruncated>"),
                "<NextContinuationToken>.*?</NextContinuationToken>", ""))
            : null);

        var (result, reporter) = await RestoreAsync(bucket, bucket, source, remove: true);

        Assert.True(source.Emulated > 0);
        Assert.Equal(RestoreStatus.Failed, result.Status);
        var failure = Assert.Single(reporter.Of(RestoreEventKind.BucketFailed));
        Assert.Equal(ErrorIds.ListingFailed, failure.Failure!.ErrorId);
        Assert.Contains("continuation token", failure.Message);
        Assert.Equal(0, result.Removed);
        Assert.Equal(["a", "extra-1", "extra-2"], await S3.KeysAsync(rgw.TargetS3, bucket));
    }

    [Fact]
    public async Task Keys_from_a_server_that_ignores_encoding_type_are_taken_as_they_are()
    {
        string bucket = RgwPair.NewBucket("raw-keys");
        string[] keys = ["a+b", "100%", "x%41y", "plus+and space", "%2B"];
        await S3.SeedAsync(rgw.SourceS3, bucket, keys);
        // Such a server sends the keys as stored and no <EncodingType>: decoding them again would turn "a+b" into "a b".
        using var source = new FaultProxy(rgw.Source.Endpoint, _ => Fault.None, emulate: r => Listing(r)
            ? new Emulation(RewriteBody: xml => Regex.Replace(xml.Replace("<EncodingType>url</EncodingType>", ""),
                "<Key>(.*?)</Key>", m => "<Key>" + System.Security.SecurityElement.Escape(WebUtility.UrlDecode(m.Groups[1].Value)) + "</Key>"))
            : null);

        var (result, _) = await RestoreAsync(bucket, bucket, source);

        Assert.True(source.Emulated > 0);
        Assert.Equal(RestoreStatus.Succeeded, result.Status);
        Assert.Equal(keys.Length, result.Copied);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);
    }

    /// <summary>MinIO's object-name checks (cmd/object-api-utils.go): keys S3 and RGW store but MinIO refuses.</summary>
    private static bool MinioRefuses(string key) =>
        key.StartsWith('/') || key.Contains("//", StringComparison.Ordinal) || key.Split('/').Any(s => s.Trim() is "." or "..");

    /// <summary>The object key of a path-style request to <paramref name="bucket"/>, or null.</summary>
    private static string? KeyOf(ProxiedRequest r, string bucket)
    {
        string path = r.Target.Split('?')[0];
        return path.StartsWith($"/{bucket}/", StringComparison.Ordinal) ? Uri.UnescapeDataString(path[(bucket.Length + 2)..]) : null;
    }

    [Fact]
    public async Task Keys_MinIO_refuses_by_name_fail_once_each_with_their_own_error_ID_and_do_not_block_Remove()
    {
        string bucket = RgwPair.NewBucket("minio-names");
        string[] refused = ["a//b", "c/./d", "e/../f", ".."];
        await S3.SeedAsync(rgw.SourceS3, bucket, ["fine/1", "fine/2", .. refused]);
        await S3.PutMultipartAsync(rgw.SourceS3, bucket, "big//parts", S3.RandomBytes(11 * 1024 * 1024, 7), 5 * 1024 * 1024);
        await S3.SeedAsync(rgw.TargetS3, bucket, "fine/1", "not-in-backup"); // the same bytes as the backup's fine/1
        int writesOfRefusedKeys = 0;
        // Emulation of MinIO: its answer to a PUT (or multipart start) of such a key, as its API documents it.
        using var target = new FaultProxy(rgw.Target.Endpoint, _ => Fault.None, emulate: r =>
        {
            if (r.Method is not ("PUT" or "POST") || KeyOf(r, bucket) is not { } key || !MinioRefuses(key)) return null;
            Interlocked.Increment(ref writesOfRefusedKeys);
            return new Emulation(new Emulation.Error(400, "XMinioInvalidObjectName", "Object name contains unsupported characters."));
        });

        var (result, reporter) = await RestoreAsync(bucket, bucket, null, target, remove: true);

        var failures = reporter.Of(RestoreEventKind.ObjectFailed).ToList();
        Assert.Equal(refused.Append("big//parts").Order(StringComparer.Ordinal), failures.Select(f => f.Key!).Order(StringComparer.Ordinal));
        Assert.All(failures, f => Assert.Equal(ErrorIds.UnsupportedObjectName, f.Failure!.ErrorId));
        Assert.All(failures, f => Assert.Contains("'//'", f.Message));
        Assert.Equal(5, writesOfRefusedKeys); // once each: no retries
        Assert.DoesNotContain(reporter.Of(RestoreEventKind.Retrying), e => refused.Contains(e.Key));
        Assert.Equal(RestoreStatus.Failed, result.Status);
        Assert.Equal(5, result.Failed);
        Assert.Equal(1, result.Copied);
        Assert.Equal(1, result.Removed);
        Assert.Equal(["fine/1", "fine/2"], await S3.KeysAsync(rgw.TargetS3, bucket));
        Assert.Equal(0, await S3.IncompleteUploadsAsync(rgw.TargetS3, bucket));
    }

    [Fact]
    public async Task A_clock_half_an_hour_off_is_corrected_from_the_server_s_answer_on_the_data_path()
    {
        string bucket = RgwPair.NewBucket("skew");
        await S3.CreateBucketAsync(rgw.TargetS3, bucket);
        byte[] body = S3.RandomBytes(5000, 3);
        // RGW refuses requests signed more than 15 minutes off its clock (RequestTimeTooSkewed), as Amazon S3 and MinIO do.
        using var store = new HttpObjectStore(rgw.TargetEndpoint, 4, clock: () => DateTime.UtcNow.AddMinutes(-30));
        var retries = new List<RestoreException>();

        var written = await new RetryPolicy(3, TimeSpan.Zero, TimeSpan.Zero).RunAsync(
            ct => store.PutAsync(bucket, "skewed", new MemoryStream(body), body.Length, System.Security.Cryptography.MD5.HashData(body),
                new ObjectHeaders(null, null, null, null, null, null, []), null, ct),
            e => S3Failure.Explain(e, "MinIO target", rgw.TargetEndpoint, "writing", ErrorIds.ObjectCopyFailed),
            (failure, _) => retries.Add(failure), CancellationToken.None);

        var skewed = Assert.Single(retries);
        Assert.Equal(ErrorIds.CredentialsRejected, skewed.ErrorId);
        Assert.Contains("clock", skewed.Message);
        Assert.Equal(body, await S3.ReadAsync(rgw.TargetS3, bucket, "skewed"));
        using var read = await store.GetAsync(bucket, "skewed", written.ETag, null, CancellationToken.None); // later requests are signed right at once
        Assert.Equal(body.Length, read.Length);
    }

    /// <summary>Adds a header to the head of an answer (status line and headers).</summary>
    private static byte[] WithHeader(byte[] head, string header)
    {
        string text = System.Text.Encoding.Latin1.GetString(head);
        return System.Text.Encoding.Latin1.GetBytes(text[..^2] + header + "\r\n\r\n");
    }

    /// <summary>A request for an object of <paramref name="bucket"/> (a key after the bucket), not for the bucket or its listing.</summary>
    private static bool ObjectRequest(ProxiedRequest r, string bucket) =>
        KeyOf(r, bucket) is { Length: > 0 } && !r.Target.Contains("list-type=");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_backup_object_the_source_calls_KMS_encrypted_is_written_without_its_ETag_as_Content_MD5_and_with_its_checksum(bool viaSdk)
    {
        string bucket = RgwPair.NewBucket("kms-source");
        await S3.SeedAsync(rgw.SourceS3, bucket, "s");
        byte[] body = await S3.ReadAsync(rgw.SourceS3, bucket, "s");
        var crc = System.IO.Hashing.Crc32.Hash(body);
        Array.Reverse(crc); // S3 writes checksums big-endian
        string checksum = Convert.ToBase64String(crc);
        // Emulation of Amazon S3: its answers for an SSE-KMS object say so (x-amz-server-side-encryption),
        // and then its ETag is no MD5 of the bytes, so it must never be sent as Content-MD5; with
        // checksum mode it also gives the full-object checksum it stores, which goes with the copy.
        using var source = new FaultProxy(rgw.Source.Endpoint, _ => Fault.None, emulate: r => ObjectRequest(r, bucket) && r.Method is "GET" or "HEAD"
            ? new Emulation(RewriteHead: head => WithHeader(WithHeader(head, "x-amz-server-side-encryption: aws:kms"), $"x-amz-checksum-crc32: {checksum}"))
            : null);
        var puts = new System.Collections.Concurrent.ConcurrentBag<(bool Md5, bool Checksum)>();
        using var target = new FaultProxy(rgw.Target.Endpoint, r =>
        {
            if (r.Method == "PUT" && ObjectRequest(r, bucket)) puts.Add((r.HasHeader("Content-MD5"), r.Head.Contains($"x-amz-checksum-crc32: {checksum}", StringComparison.OrdinalIgnoreCase)));
            return Fault.None;
        });

        var (result, _) = await RestoreAsync(bucket, bucket, source, target, viaSdk: viaSdk);

        Assert.True(source.Emulated > 0);
        Assert.Equal([(false, true)], puts);
        Assert.Equal((1L, 0L), (result.Copied, result.Failed));
        // On RGW the ETag of a KMS object is its MD5 after all (measured), which the bytes read prove.
        Assert.Equal(0, result.Unverified);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);
    }

    [Fact]
    public async Task A_target_that_encrypts_with_KMS_and_answers_another_ETag_does_not_fail_a_checked_single_PUT()
    {
        string bucket = RgwPair.NewBucket("kms-target");
        await S3.SeedAsync(rgw.SourceS3, bucket, "a", "b");
        // Emulation of MinIO or Amazon S3 with KMS default encryption: the PUT's ETag is no MD5, and the answer says why.
        using var target = new FaultProxy(rgw.Target.Endpoint, _ => Fault.None, emulate: r => r.Method == "PUT" && ObjectRequest(r, bucket)
            ? new Emulation(RewriteHead: head => WithHeader(System.Text.Encoding.Latin1.GetBytes(System.Text.RegularExpressions.Regex.Replace(
                System.Text.Encoding.Latin1.GetString(head), "(?im)^ETag:.*$", "ETag: \"0123456789abcdef0123456789abcdef\"")), "x-amz-server-side-encryption: aws:kms"))
            : null);

        var (result, reporter) = await RestoreAsync(bucket, bucket, null, target);

        Assert.Equal(2, target.Emulated);
        Assert.Empty(reporter.Of(RestoreEventKind.Retrying));
        Assert.Equal((2L, 0L), (result.Copied, result.Failed));
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);
    }

    [Fact]
    public async Task Multipart_copies_to_a_target_whose_part_ETags_are_no_MD5s_are_hashed_here_and_verified()
    {
        string bucket = RgwPair.NewBucket("kms-target-parts");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        for (int i = 0; i < 3; i++)
            await S3.PutMultipartAsync(rgw.SourceS3, bucket, $"big{i}", S3.RandomBytes(11 * 1024 * 1024, 40 + i), 5 * 1024 * 1024);
        // Emulation of MinIO or Amazon S3 with KMS default encryption: every part's answer says so,
        // so its ETag proves nothing of the bytes (RGW's real ETag is kept, or completion would fail).
        using var target = new FaultProxy(rgw.Target.Endpoint, _ => Fault.None, emulate: r => r.Method == "PUT" && r.Target.Contains("partNumber=")
            ? new Emulation(RewriteHead: head => WithHeader(head, "x-amz-server-side-encryption: aws:kms"))
            : null);
        int partReads = 0;
        using var source = new FaultProxy(rgw.Source.Endpoint, r =>
        {
            if (r.Method == "GET" && ObjectRequest(r, bucket) && r.HasHeader("Range")) Interlocked.Increment(ref partReads);
            return Fault.None;
        });

        var (result, _) = await RestoreAsync(bucket, bucket, source, target, concurrency: 1);

        Assert.Equal((3L, 0L, 0L), (result.Copied, result.Failed, result.Unverified));
        // The first object, sent before the target's answers were known, is read again and hashed;
        // the copier then hashes the next ones at once: 3 parts x (2 + 1 + 1) reads.
        Assert.Equal(12, partReads);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);
    }

    [Fact]
    public async Task A_rerun_over_KMS_objects_whose_ETags_differ_from_the_target_s_counts_them_unverified_not_as_conflicts()
    {
        string bucket = RgwPair.NewBucket("kms-rerun");
        await S3.SeedAsync(rgw.SourceS3, bucket, "a", "b");
        await S3.CreateBucketAsync(rgw.TargetS3, bucket);
        // What a restore of Amazon SSE-KMS objects leaves: the target's ETags (plaintext MD5s) differ from the backup's.
        await S3.PutAsync(rgw.TargetS3, bucket, "a", S3.RandomBytes(1000, 90));
        await S3.PutAsync(rgw.TargetS3, bucket, "b", S3.RandomBytes(1001, 91));
        // Emulation of Amazon S3: a HEAD of an SSE-KMS object says so, so its ETag proves nothing either way.
        using var source = new FaultProxy(rgw.Source.Endpoint, _ => Fault.None, emulate: r => ObjectRequest(r, bucket) && r.Method == "HEAD"
            ? new Emulation(RewriteHead: head => WithHeader(head, "x-amz-server-side-encryption: aws:kms"))
            : null);

        var (result, reporter) = await RestoreAsync(bucket, bucket, source);

        Assert.Equal(2, source.Emulated);
        Assert.Equal((0L, 0L, 2L, 2L), (result.Copied, result.Conflicts, result.Skipped, result.Unverified));
        Assert.Equal(2, reporter.Of(RestoreEventKind.SkippedUnverified).Count());
        Assert.Single(reporter.Of(RestoreEventKind.UnverifiedSummary));

        // Without the emulation the same MD5s are two content hashes that differ: conflicts.
        var (plain, _) = await RestoreAsync(bucket, bucket, null);
        Assert.Equal(2, plain.Conflicts);
    }
}
