using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Restoring;

/// <summary>The mirror library against two real S3 servers.</summary>
[Collection(RgwCollection.Name)]
public sealed class RestoreTests(RgwPair rgw)
{
    /// <param name="viaSdk">Copy on the SDK's data path, the one Amazon S3 sources take, instead of the lean HTTP one.</param>
    private async Task<(RestoreResult Result, RecordingReporter Reporter)> RestoreAsync(string source, string target, Func<RestoreOptions, RestoreOptions>? configure = null,
        CancellationToken cancel = default, bool viaSdk = false)
    {
        using var restorer = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint, RestoreOptions.DefaultConcurrency * RestoreOptions.DefaultPartConcurrency,
            viaSdk ? MinioRestore.Engine.Transport.DataPath.Sdk : MinioRestore.Engine.Transport.DataPath.Auto);
        var reporter = new RecordingReporter();
        var options = new RestoreOptions(source, target);
        var result = await restorer.RestoreAsync(configure?.Invoke(options) ?? options, reporter, null, cancel);
        reporter.AssertNoFailures();
        return (result, reporter);
    }

    public static readonly string[] AwkwardKeys =
    [
        "plain.txt", "with space.txt", "a+b%20c?d#e&f=g.txt", "unicode/é-日本語-Ω.txt", "astral/😀-𝄞-𐍈.txt",
        "\uFFFD-above-bmp-order-\U0001F600", "\uE000-private-use", "double//slash", "folder/", "nested/folder/",
        "empty-object", "trailing space ", "tab\tand\u0001control", "dots/./here", "dots/../there", "..", new string('k', 1024),
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Restores_every_key_shape_exactly_and_creates_the_target_bucket(bool viaSdk)
    {
        string source = RgwPair.NewBucket("keys"), target = RgwPair.NewBucket("keys-restored");
        await S3.CreateBucketAsync(rgw.SourceS3, source);
        for (int i = 0; i < AwkwardKeys.Length; i++)
        {
            string key = AwkwardKeys[i];
            byte[] body = key is "empty-object" or "folder/" or "nested/folder/" ? [] : S3.RandomBytes(100 + i, i);
            await S3.PutAsync(rgw.SourceS3, source, key, body);
        }

        var (result, reporter) = await RestoreAsync(source, target, viaSdk: viaSdk);

        Assert.Equal(RestoreStatus.Succeeded, result.Status);
        Assert.True(result.BucketCreated);
        Assert.Equal(AwkwardKeys.Length, result.Copied);
        Assert.Equal(0, result.Failed);
        Assert.Single(reporter.Of(RestoreEventKind.BucketCreated));
        await S3.AssertSameContentAsync(rgw.SourceS3, source, rgw.TargetS3, target);
        var targetKeys = (await S3.ListAsync(rgw.TargetS3, target)).Keys;
        Assert.Equal(AwkwardKeys.OrderBy(k => k, StringComparer.Ordinal), targetKeys.OrderBy(k => k, StringComparer.Ordinal));
    }

    /// <summary>Key shapes that need encoding, on the paths that sign other query strings: UploadPart and ranged GETs.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Awkward_keys_come_through_the_multipart_and_ranged_paths(bool viaSdk)
    {
        string source = RgwPair.NewBucket("keys-mp"), target = RgwPair.NewBucket("keys-mp-restored");
        await S3.CreateBucketAsync(rgw.SourceS3, source);
        string[] keys = ["with space.bin", "a+b%20c?d#e&f=g.bin", "astral/😀-𝄞.bin", new string('m', 1020) + ".bin"];
        for (int i = 0; i < keys.Length; i++)
            await S3.PutMultipartAsync(rgw.SourceS3, source, keys[i], S3.RandomBytes(11 * 1024 * 1024 + i, 40 + i), 5 * 1024 * 1024);

        var (result, reporter) = await RestoreAsync(source, target, viaSdk: viaSdk);

        Assert.Equal(keys.Length, result.Copied);
        Assert.Empty(reporter.Of(RestoreEventKind.CopiedUnverified));
        Assert.Equal(await S3.ListAsync(rgw.SourceS3, source), await S3.ListAsync(rgw.TargetS3, target)); // keys, sizes and ETags
        await S3.AssertSameContentAsync(rgw.SourceS3, source, rgw.TargetS3, target);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Keeps_the_website_redirect_of_single_part_and_multipart_objects(bool viaSdk)
    {
        string source = RgwPair.NewBucket("redirect"), target = RgwPair.NewBucket("redirect-restored");
        await S3.CreateBucketAsync(rgw.SourceS3, source);
        await S3.PutAsync(rgw.SourceS3, source, "single", S3.RandomBytes(100, 1), r => r.WebsiteRedirectLocation = "/new/place.html");
        await S3.PutMultipartAsync(rgw.SourceS3, source, "multi", S3.RandomBytes(6 * 1024 * 1024, 2), 5 * 1024 * 1024, r => r.WebsiteRedirectLocation = "https://example.org/moved");
        await S3.PutAsync(rgw.SourceS3, source, "plain", S3.RandomBytes(100, 3));

        using var restorer = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint, 16, viaSdk ? MinioRestore.Engine.Transport.DataPath.Sdk : MinioRestore.Engine.Transport.DataPath.Auto);
        var result = await restorer.RestoreAsync(new RestoreOptions(source, target), new RecordingReporter(), null, default);

        Assert.Equal(3, result.Copied);
        Assert.Equal("/new/place.html", (await rgw.TargetS3.GetObjectMetadataAsync(target, "single")).WebsiteRedirectLocation);
        Assert.Equal("https://example.org/moved", (await rgw.TargetS3.GetObjectMetadataAsync(target, "multi")).WebsiteRedirectLocation);
        Assert.Null((await rgw.TargetS3.GetObjectMetadataAsync(target, "plain")).WebsiteRedirectLocation);
    }

    [Fact]
    public async Task Non_ASCII_user_metadata_comes_back_byte_for_byte_on_the_single_part_and_multipart_paths()
    {
        string source = RgwPair.NewBucket("meta-utf8"), target = RgwPair.NewBucket("meta-utf8-restored");
        await S3.CreateBucketAsync(rgw.SourceS3, source);
        using var files = new TempFolder();
        string small = files.Write("small.bin", "small object");
        // UTF-8 in a header, as curl sends it; RGW (and MinIO) store and answer the bytes as they came.
        string[] metadata = ["x-amz-meta-city: Zürich", "x-amz-meta-note: naïve café ☕"];
        await Curl.PutAsync(rgw.Source, source, "single", small, metadata);
        string uploadId = await Curl.InitiateAsync(rgw.Source, source, "multi", metadata);
        var parts = new List<Amazon.S3.Model.PartETag>();
        for (int n = 1; n <= 3; n++)
        {
            var part = await rgw.SourceS3.UploadPartAsync(new Amazon.S3.Model.UploadPartRequest
            {
                BucketName = source, Key = "multi", UploadId = uploadId, PartNumber = n, PartSize = 5 * 1024 * 1024,
                InputStream = new MemoryStream(S3.RandomBytes(5 * 1024 * 1024, n)),
            });
            parts.Add(new(n, part.ETag));
        }
        await rgw.SourceS3.CompleteMultipartUploadAsync(new Amazon.S3.Model.CompleteMultipartUploadRequest { BucketName = source, Key = "multi", UploadId = uploadId, PartETags = parts });

        var (result, _) = await RestoreAsync(source, target);

        Assert.Equal(2, result.Copied);
        foreach (var key in new[] { "single", "multi" })
            foreach (var name in new[] { "x-amz-meta-city", "x-amz-meta-note" })
            {
                string? backup = await Curl.HeaderAsync(rgw.Source, source, key, name);
                Assert.NotNull(backup);
                Assert.Equal(backup, await Curl.HeaderAsync(rgw.Target, target, key, name));
            }
        Assert.Equal("Z\u00C3\u00BCrich", await Curl.HeaderAsync(rgw.Target, target, "multi", "x-amz-meta-city")); // the UTF-8 bytes of "Zürich"
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Keeps_content_headers_and_user_metadata(bool viaSdk)
    {
        string source = RgwPair.NewBucket("meta"), target = RgwPair.NewBucket("meta-restored");
        await S3.CreateBucketAsync(rgw.SourceS3, source);
        void Headers(Amazon.S3.Model.HeadersCollection h, Amazon.S3.Model.MetadataCollection m)
        {
            h.ContentType = "application/vnd.test+json";
            h.ContentEncoding = "gzip";
            h.ContentDisposition = "attachment; filename=\"report.json\"";
            h["Content-Language"] = "de-CH";
            h.CacheControl = "max-age=3600, private";
            h["Expires"] = "Wed, 21 Oct 2037 07:28:00 GMT";
            m["owner"] = "ops-team";
            m["x-amz-meta-backup-id"] = "2026-11-23T03:00";
        }
        await S3.PutAsync(rgw.SourceS3, source, "single", S3.RandomBytes(1000, 1), r => Headers(r.Headers, r.Metadata));
        await S3.PutMultipartAsync(rgw.SourceS3, source, "multi", S3.RandomBytes(11 * 1024 * 1024, 2), 5 * 1024 * 1024, r => Headers(r.Headers, r.Metadata));

        var (result, _) = await RestoreAsync(source, target, viaSdk: viaSdk);

        Assert.Equal(2, result.Copied);
        foreach (var key in new[] { "single", "multi" })
        {
            var s = await rgw.SourceS3.GetObjectMetadataAsync(source, key);
            var t = await rgw.TargetS3.GetObjectMetadataAsync(target, key);
            Assert.Equal("application/vnd.test+json", t.Headers.ContentType);
            Assert.Equal("gzip", t.Headers.ContentEncoding);
            Assert.Equal("attachment; filename=\"report.json\"", t.Headers.ContentDisposition);
            Assert.Equal("de-CH", t.Headers["Content-Language"]);
            Assert.Equal("max-age=3600, private", t.Headers.CacheControl);
            Assert.Equal(s.ExpiresString, t.ExpiresString);
            Assert.Equal("ops-team", t.Metadata["owner"]);
            Assert.Equal("2026-11-23T03:00", t.Metadata["backup-id"]);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Multipart_sources_keep_their_part_layout_and_ETag_and_a_rerun_copies_nothing(bool viaSdk)
    {
        string source = RgwPair.NewBucket("multi"), target = RgwPair.NewBucket("multi-restored");
        await S3.CreateBucketAsync(rgw.SourceS3, source);
        await S3.PutMultipartAsync(rgw.SourceS3, source, "big/8MiB-parts", S3.RandomBytes(20 * 1024 * 1024 + 123, 3), 8 * 1024 * 1024);
        await S3.PutMultipartAsync(rgw.SourceS3, source, "big/5MiB-parts", S3.RandomBytes(12 * 1024 * 1024, 4), 5 * 1024 * 1024);
        await S3.PutAsync(rgw.SourceS3, source, "small", S3.RandomBytes(10, 5));

        var (first, reporter) = await RestoreAsync(source, target, viaSdk: viaSdk);

        Assert.Equal(3, first.Copied);
        Assert.Empty(reporter.Of(RestoreEventKind.CopiedUnverified));
        var s = await S3.ListAsync(rgw.SourceS3, source);
        var t = await S3.ListAsync(rgw.TargetS3, target);
        Assert.EndsWith("-3", s["big/8MiB-parts"].ETag.Trim('"'));
        Assert.Equal(s["big/8MiB-parts"].ETag, t["big/8MiB-parts"].ETag);
        Assert.Equal(s["big/5MiB-parts"].ETag, t["big/5MiB-parts"].ETag);
        await S3.AssertSameContentAsync(rgw.SourceS3, source, rgw.TargetS3, target);
        Assert.Equal(0, await S3.IncompleteUploadsAsync(rgw.TargetS3, target));

        var (second, _) = await RestoreAsync(source, target, viaSdk: viaSdk);
        Assert.Equal(RestoreStatus.Succeeded, second.Status);
        Assert.Equal(0, second.Copied);
        Assert.Equal(3, second.Skipped);
        Assert.False(second.BucketCreated);
    }

    [Fact]
    public async Task A_differing_target_object_is_a_conflict_unless_overwrite_is_given_and_nothing_is_deleted()
    {
        string source = RgwPair.NewBucket("conflict"), target = RgwPair.NewBucket("conflict-restored");
        await S3.CreateBucketAsync(rgw.SourceS3, source);
        await S3.CreateBucketAsync(rgw.TargetS3, target);
        await S3.PutAsync(rgw.SourceS3, source, "same-size", "backup!"u8.ToArray());
        await S3.PutAsync(rgw.TargetS3, target, "same-size", "NEWER!!"u8.ToArray());
        await S3.PutAsync(rgw.SourceS3, source, "other-size", "backup"u8.ToArray());
        await S3.PutAsync(rgw.TargetS3, target, "other-size", "newer version"u8.ToArray());
        await S3.PutAsync(rgw.TargetS3, target, "only-on-target", "keep me"u8.ToArray());

        var (first, reporter) = await RestoreAsync(source, target);

        Assert.Equal(2, first.Conflicts);
        Assert.Equal(0, first.Copied);
        Assert.Equal(1, first.TargetOnly);
        Assert.Contains(reporter.Of(RestoreEventKind.Conflict), e => e.Key == "same-size" && e.Message.Contains("-Overwrite"));
        Assert.Equal("NEWER!!"u8.ToArray(), await S3.ReadAsync(rgw.TargetS3, target, "same-size"));
        Assert.Equal("newer version"u8.ToArray(), await S3.ReadAsync(rgw.TargetS3, target, "other-size"));

        var (second, _) = await RestoreAsync(source, target, o => o with { Overwrite = true });

        Assert.Equal(2, second.Copied);
        Assert.Equal(0, second.Conflicts);
        Assert.Equal("backup!"u8.ToArray(), await S3.ReadAsync(rgw.TargetS3, target, "same-size"));
        Assert.Equal("backup"u8.ToArray(), await S3.ReadAsync(rgw.TargetS3, target, "other-size"));
        Assert.Equal("keep me"u8.ToArray(), await S3.ReadAsync(rgw.TargetS3, target, "only-on-target"));
    }

    [Fact]
    public async Task WhatIf_lists_what_would_be_created_and_copied_and_writes_nothing()
    {
        string source = RgwPair.NewBucket("whatif"), target = RgwPair.NewBucket("whatif-restored");
        await S3.CreateBucketAsync(rgw.SourceS3, source);
        await S3.PutAsync(rgw.SourceS3, source, "a", [1, 2, 3]);
        await S3.PutAsync(rgw.SourceS3, source, "b", [4]);

        var (result, reporter) = await RestoreAsync(source, target, o => o with { WhatIf = true });

        Assert.Equal(RestoreStatus.WhatIf, result.Status);
        Assert.Single(reporter.Of(RestoreEventKind.WouldCreateBucket));
        Assert.Equal(["a", "b"], reporter.Of(RestoreEventKind.WouldCopy).Select(e => e.Key).Order());
        Assert.False(await S3.BucketExistsAsync(rgw.TargetS3, target));
    }

    [Fact]
    public async Task A_missing_source_bucket_stops_before_anything_is_written()
    {
        string target = RgwPair.NewBucket("never-created");
        var e = await Assert.ThrowsAsync<RestoreException>(() => RestoreAsync("no-such-backup-bucket", target));
        Assert.Equal(ErrorIds.SourceBucketNotFound, e.ErrorId);
        Assert.Equal(FailureKind.NotFound, e.Kind);
        Assert.Contains("no-such-backup-bucket", e.Message);
        Assert.False(await S3.BucketExistsAsync(rgw.TargetS3, target));
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper-Case")]
    [InlineData("under_score")]
    [InlineData("-leading-dash")]
    [InlineData("192.168.1.1")]
    [InlineData("two..dots")]
    public async Task An_invalid_target_bucket_name_is_refused_before_any_request(string name)
    {
        var e = await Assert.ThrowsAsync<RestoreException>(() => RestoreAsync("any-source", name));
        Assert.Equal(ErrorIds.InvalidBucketName, e.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, e.Kind);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_object_that_changed_after_listing_is_not_copied_and_nothing_is_stored(bool viaSdk)
    {
        // The listing promised an ETag the object no longer has: the copy must not mix versions.
        string source = RgwPair.NewBucket("corrupt"), target = RgwPair.NewBucket("corrupt-restored");
        await S3.CreateBucketAsync(rgw.SourceS3, source);
        await S3.CreateBucketAsync(rgw.TargetS3, target);
        await S3.PutAsync(rgw.SourceS3, source, "victim", S3.RandomBytes(5000, 9));
        using var copy = rgw.Copier(source, target, attempts: 2, partConcurrency: 2, viaSdk ? MinioRestore.Engine.Transport.DataPath.Sdk : MinioRestore.Engine.Transport.DataPath.Auto);
        var copier = copy.Copier;
        var realETag = (await S3.ListAsync(rgw.SourceS3, source))["victim"].ETag;
        var lie = new MinioRestore.Engine.Listing.ObjectEntry("victim", 5000, "\"00112233445566778899aabbccddeeff\"", DateTime.UtcNow);
        var e = await Assert.ThrowsAsync<RestoreException>(() => copier.CopyAsync(lie, _ => { }, CancellationToken.None));
        Assert.Equal(ErrorIds.SourceObjectChanged, e.ErrorId);
        Assert.Empty(await S3.ListAsync(rgw.TargetS3, target));
        Assert.NotEqual("\"00112233445566778899aabbccddeeff\"", realETag);
    }

    [Fact]
    public async Task Cancelling_mid_copy_leaves_no_partial_object_and_a_rerun_finishes()
    {
        string source = RgwPair.NewBucket("cancel"), target = RgwPair.NewBucket("cancel-restored");
        await S3.CreateBucketAsync(rgw.SourceS3, source);
        for (int i = 0; i < 3; i++)
            await S3.PutMultipartAsync(rgw.SourceS3, source, $"big-{i}", S3.RandomBytes(24 * 1024 * 1024, i), 8 * 1024 * 1024);

        using var cancel = new CancellationTokenSource();
        var progress = new RestoreProgress();
        using (var restorer = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint))
        {
            var run = restorer.RestoreAsync(new RestoreOptions(source, target) { Concurrency = 1, PartConcurrency = 1 }, new RecordingReporter(), progress, cancel.Token);
            while (progress.TransferredBytes < 4 * 1024 * 1024 && !run.IsCompleted) await Task.Delay(10);
            cancel.Cancel();
            var stopped = await run;
            Assert.Equal(RestoreStatus.Stopped, stopped.Status);
        }

        var partial = await S3.ListAsync(rgw.TargetS3, target);
        var sourceList = await S3.ListAsync(rgw.SourceS3, source);
        foreach (var (key, (size, etag)) in partial)
            Assert.Equal(sourceList[key], (size, etag)); // whatever is visible is complete
        Assert.True(partial.Count < 3, "the cancel came too late to test anything");
        Assert.Equal(0, await S3.IncompleteUploadsAsync(rgw.TargetS3, target));

        var (rerun, _) = await RestoreAsync(source, target);
        Assert.Equal(3 - partial.Count, rerun.Copied);
        await S3.AssertSameContentAsync(rgw.SourceS3, source, rgw.TargetS3, target);
    }
}
