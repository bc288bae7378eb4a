using System.Security.Cryptography;
using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Transport;
using MinioRestore.Engine.Verifying;
using MinioRestore.Tests.Integration.Restoring;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Versions;

/// <summary>-AsOf: the backup's state at an instant, from its versions, against two real RGW servers.</summary>
[Collection(RgwCollection.Name)]
public sealed class AsOfRestoreTests(RgwPair rgw)
{
    private async Task<(RestoreResult Result, RecordingReporter Reporter)> RestoreAsync(RestoreOptions options, IRestoreReporter? reporter = null,
        DataPath path = DataPath.Auto, bool expectFailures = false)
    {
        using var restorer = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint, 32, path);
        var recording = new RecordingReporter();
        var result = await restorer.RestoreAsync(options, reporter is null ? recording : new Both(recording, reporter), null, CancellationToken.None);
        if (!expectFailures) recording.AssertNoFailures();
        return (result, recording);
    }

    private sealed class Both(IRestoreReporter a, IRestoreReporter b) : IRestoreReporter
    {
        public void Report(RestoreEvent e) { a.Report(e); b.Report(e); }
    }

    /// <summary>Calls <paramref name="onFirstCopy"/> once, on the worker, when the first object has been copied.</summary>
    private sealed class FirstCopyHook(Func<Task> onFirstCopy) : IRestoreReporter
    {
        private int _fired;
        public void Report(RestoreEvent e)
        {
            if (e.Kind is RestoreEventKind.Copied or RestoreEventKind.CopiedUnverified && Interlocked.Exchange(ref _fired, 1) == 0)
                onFirstCopy().GetAwaiter().GetResult();
        }
    }

    private async Task AssertTargetHoldsAsync(string bucket, IReadOnlyDictionary<string, byte[]> expected)
    {
        var listed = await S3.ListAsync(rgw.TargetS3, bucket);
        Assert.Equal(expected.Keys.OrderBy(k => k, StringComparer.Ordinal), listed.Keys);
        foreach (var (key, body) in expected)
            Assert.True(MD5.HashData(await S3.ReadAsync(rgw.TargetS3, bucket, key)).AsSpan().SequenceEqual(MD5.HashData(body)), $"content of '{key}' is not the expected version");
    }

    private static byte[] Body(string key, int version) => S3.RandomBytes(200 + key.Length + version, HashCode.Combine(key, version));

    [Fact]
    public async Task AsOf_restores_each_keys_version_at_that_instant_overwrites_deletes_recreations_multipart_and_every_key_shape()
    {
        string source = RgwPair.NewBucket("asof");
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, source);
        string[] shapes = [.. RestoreTests.AwkwardKeys];
        var v1 = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var key in shapes.Concat(["overwritten", "deleted", "recreated", "unchanged"]))
            await S3.PutAsync(rgw.SourceS3, source, key, v1[key] = Body(key, 1));
        byte[] multi1 = S3.RandomBytes(11 * 1024 * 1024, 71), multi2 = S3.RandomBytes(13 * 1024 * 1024, 72);
        await S3.PutMultipartAsync(rgw.SourceS3, source, "multi", multi1, 5 * 1024 * 1024);
        v1["multi"] = multi1;
        var t1 = await S3Versions.InstantAfterAllAsync(rgw.SourceS3, source);

        // After t1: every shape and "overwritten" get a second version, "deleted" and "recreated" a delete marker, "born-later" appears.
        var v2 = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var key in shapes.Append("overwritten"))
            await S3.PutAsync(rgw.SourceS3, source, key, v2[key] = Body(key, 2));
        await S3.PutMultipartAsync(rgw.SourceS3, source, "multi", multi2, 6 * 1024 * 1024);
        await S3Versions.DeleteAsync(rgw.SourceS3, source, "deleted");
        await S3Versions.DeleteAsync(rgw.SourceS3, source, "recreated");
        await S3.PutAsync(rgw.SourceS3, source, "born-later", Body("born-later", 2));
        var t2 = await S3Versions.InstantAfterAllAsync(rgw.SourceS3, source);
        await S3.PutAsync(rgw.SourceS3, source, "recreated", Body("recreated", 3));

        string target = RgwPair.NewBucket("asof-restored");
        var localT1 = DateTime.SpecifyKind(t1.ToLocalTime(), DateTimeKind.Unspecified); // as PowerShell's [datetime] gives it
        // Two versions a page: every key shape's markers cross a page boundary.
        var (result, reporter) = await RestoreAsync(new RestoreOptions(source, target) { AsOf = new PointInTime(localT1) { PageSize = 2 } });

        Assert.Equal(RestoreStatus.Succeeded, result.Status);
        Assert.Equal(t1, result.AsOf);
        Assert.Equal(DateTimeKind.Utc, result.AsOf!.Value.Kind);
        Assert.Equal(v1.Count, result.Copied);
        Assert.Empty(reporter.Of(RestoreEventKind.CopiedUnverified));
        var overwrittenAtT1 = (await S3Versions.ListAsync(rgw.SourceS3, source)).Single(v => v.Key == "overwritten" && v.IsLatest != true);
        Assert.Contains(reporter.Of(RestoreEventKind.Copied), e => e.Key == "overwritten" && e.Message.Contains($"version {overwrittenAtT1.VersionId},"));
        await AssertTargetHoldsAsync(target, v1);
        // The multipart version kept its layout: the same ETag as the backup's version at t1.
        var multiAtT1 = (await S3Versions.ListAsync(rgw.SourceS3, source)).Single(v => v.Key == "multi" && !v.IsLatest!.Value);
        Assert.EndsWith("-3", multiAtT1.ETag.Trim('"'));
        Assert.Equal(multiAtT1.ETag, (await S3.ListAsync(rgw.TargetS3, target))["multi"].ETag);

        // A rerun at t1 has nothing left to do.
        var (again, _) = await RestoreAsync(new RestoreOptions(source, target) { AsOf = new PointInTime(t1) });
        Assert.Equal(0, again.Copied);
        Assert.Equal(v1.Count, again.Skipped);

        // At t2 without -Overwrite: born-later is copied; what changed since t1 is a conflict and stays, so -Remove removes nothing.
        var (conflicted, _) = await RestoreAsync(new RestoreOptions(source, target) { AsOf = new PointInTime(t2), Remove = true });
        Assert.Equal(1, conflicted.Copied);
        Assert.Equal(shapes.Length + 2, conflicted.Conflicts);
        Assert.Equal(0, conflicted.Removed);
        Assert.NotNull(conflicted.RemovalSkippedReason);

        // -WhatIf at t2 with -Overwrite -Remove: says what it would do, writes nothing.
        var (dry, _) = await RestoreAsync(new RestoreOptions(source, target) { AsOf = new PointInTime(t2), Overwrite = true, Remove = true, WhatIf = true });
        Assert.Equal(RestoreStatus.WhatIf, dry.Status);
        Assert.Equal(shapes.Length + 2, dry.Copied); // the second versions and multi
        Assert.Equal(2, dry.Removed);                // deleted, recreated
        await AssertTargetHoldsAsync(target, new Dictionary<string, byte[]>(v1) { ["born-later"] = Body("born-later", 2) });

        // At t2 with -Overwrite -Remove: the second versions, born-later, and the keys deleted at t2 go.
        var (mirrored, _) = await RestoreAsync(new RestoreOptions(source, target) { AsOf = new PointInTime(t2), Overwrite = true, Remove = true });
        Assert.Equal(RestoreStatus.Succeeded, mirrored.Status);
        Assert.Equal(2, mirrored.Removed);
        var atT2 = new Dictionary<string, byte[]>(v2, StringComparer.Ordinal)
        {
            ["unchanged"] = v1["unchanged"], ["multi"] = multi2, ["born-later"] = Body("born-later", 2),
        };
        await AssertTargetHoldsAsync(target, atT2);

        // Filters apply to the state at the instant: only "recreated", which exists again now (not at t2).
        string filtered = RgwPair.NewBucket("asof-filtered");
        var (latest, _) = await RestoreAsync(new RestoreOptions(source, filtered)
        {
            AsOf = new PointInTime(DateTime.UtcNow.AddMinutes(1)), Filter = ObjectFilter.Create(include: ["recreated", "deleted"]),
        });
        Assert.Equal(1, latest.Copied);
        await AssertTargetHoldsAsync(filtered, new Dictionary<string, byte[]> { ["recreated"] = Body("recreated", 3) });
    }

    [Fact]
    public async Task Versions_of_one_key_span_listing_pages_and_delete_markers_on_page_boundaries_are_honoured()
    {
        string source = RgwPair.NewBucket("asof-pages");
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, source);
        for (int i = 0; i < 60; i++) await S3.PutAsync(rgw.SourceS3, source, "hot", Body("hot", i));
        string[] cold = [.. Enumerable.Range(0, 10).Select(i => $"cold/{i:00}")];
        foreach (var key in cold) await S3.PutAsync(rgw.SourceS3, source, key, Body(key, 1));
        var t1 = await S3Versions.InstantAfterAllAsync(rgw.SourceS3, source);
        for (int i = 60; i < 120; i++) await S3.PutAsync(rgw.SourceS3, source, "hot", Body("hot", i));
        foreach (var key in cold) await S3Versions.DeleteAsync(rgw.SourceS3, source, key);
        foreach (var key in cold.Where((_, i) => i % 2 == 0)) await S3.PutAsync(rgw.SourceS3, source, key, Body(key, 2));

        var history = await S3Versions.ListAsync(rgw.SourceS3, source);
        Assert.Equal(120, history.Count(v => v.Key == "hot"));
        Assert.Equal(10, history.Count(v => v.IsDeleteMarker == true));

        // Page sizes 3 and 7 cut the history everywhere: inside "hot", right after delete markers, between a key's marker and its versions.
        foreach (int pageSize in new[] { 3, 7 })
        {
            string atT1 = RgwPair.NewBucket("asof-pages-t1");
            var (first, _) = await RestoreAsync(new RestoreOptions(source, atT1) { AsOf = new PointInTime(t1) { PageSize = pageSize } });
            Assert.Equal(11, first.Copied);
            await AssertTargetHoldsAsync(atT1, cold.ToDictionary(k => k, k => Body(k, 1)).Append(new("hot", Body("hot", 59))).ToDictionary());

            string now = RgwPair.NewBucket("asof-pages-now");
            var (second, _) = await RestoreAsync(new RestoreOptions(source, now) { AsOf = new PointInTime(DateTime.UtcNow) { PageSize = pageSize } });
            Assert.Equal(6, second.Copied);
            await AssertTargetHoldsAsync(now, cold.Where((_, i) => i % 2 == 0).ToDictionary(k => k, k => Body(k, 2)).Append(new("hot", Body("hot", 119))).ToDictionary());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_second_writer_changing_the_backup_during_the_restore_never_leaks_in(bool sdkDataPath)
    {
        string source = RgwPair.NewBucket("asof-writer");
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, source);
        string[] keys = [.. Enumerable.Range(0, 12).Select(i => $"k{i:00}")];
        foreach (var key in keys) await S3.PutAsync(rgw.SourceS3, source, key, Body(key, 1));
        await S3.PutMultipartAsync(rgw.SourceS3, source, "multi", S3.RandomBytes(11 * 1024 * 1024, 81), 5 * 1024 * 1024);
        var t1 = await S3Versions.InstantAfterAllAsync(rgw.SourceS3, source);

        // Once the first object is copied, the writer replaces every object and deletes some: reads of
        // the latest objects would now fail (ETag changed) or copy the wrong bytes.
        var writer = new FirstCopyHook(async () =>
        {
            foreach (var key in keys) await S3.PutAsync(rgw.SourceS3, source, key, Body(key, 2));
            await S3.PutMultipartAsync(rgw.SourceS3, source, "multi", S3.RandomBytes(11 * 1024 * 1024, 82), 5 * 1024 * 1024);
            foreach (var key in keys.Take(4)) await S3Versions.DeleteAsync(rgw.SourceS3, source, key);
        });
        string target = RgwPair.NewBucket("asof-writer-restored");
        var (result, _) = await RestoreAsync(new RestoreOptions(source, target) { AsOf = new PointInTime(t1), Concurrency = 1 }, writer, sdkDataPath ? DataPath.Sdk : DataPath.Auto);

        Assert.Equal(RestoreStatus.Succeeded, result.Status);
        Assert.Equal(13, result.Copied);
        var expected = keys.ToDictionary(k => k, k => Body(k, 1));
        expected["multi"] = S3.RandomBytes(11 * 1024 * 1024, 81);
        await AssertTargetHoldsAsync(target, expected);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Objects_written_before_versioning_was_enabled_are_read_as_the_null_version_and_suspended_versioning_is_accepted(bool sdkDataPath)
    {
        string source = RgwPair.NewBucket("asof-null");
        await S3.CreateBucketAsync(rgw.SourceS3, source);
        await S3.PutAsync(rgw.SourceS3, source, "from-before", Body("from-before", 1));
        await S3.PutMultipartAsync(rgw.SourceS3, source, "multi-from-before", S3.RandomBytes(11 * 1024 * 1024, 91), 5 * 1024 * 1024);
        await rgw.SourceS3.PutBucketVersioningAsync(new Amazon.S3.Model.PutBucketVersioningRequest
        {
            BucketName = source, VersioningConfig = new Amazon.S3.Model.S3BucketVersioningConfig { Status = Amazon.S3.VersionStatus.Enabled },
        });
        var t1 = await S3Versions.InstantAfterAllAsync(rgw.SourceS3, source);
        await S3.PutAsync(rgw.SourceS3, source, "from-before", Body("from-before", 2));
        await S3.PutMultipartAsync(rgw.SourceS3, source, "multi-from-before", S3.RandomBytes(11 * 1024 * 1024, 92), 5 * 1024 * 1024);
        await rgw.SourceS3.PutBucketVersioningAsync(new Amazon.S3.Model.PutBucketVersioningRequest
        {
            BucketName = source, VersioningConfig = new Amazon.S3.Model.S3BucketVersioningConfig { Status = Amazon.S3.VersionStatus.Suspended },
        });
        Assert.Contains(await S3Versions.ListAsync(rgw.SourceS3, source), v => v.VersionId == "null");

        string target = RgwPair.NewBucket("asof-null-restored");
        var (result, reporter) = await RestoreAsync(new RestoreOptions(source, target) { AsOf = new PointInTime(t1) }, path: sdkDataPath ? DataPath.Sdk : DataPath.Auto);

        Assert.Equal(2, result.Copied);
        Assert.Empty(reporter.Of(RestoreEventKind.CopiedUnverified));
        await AssertTargetHoldsAsync(target, new Dictionary<string, byte[]>
        {
            ["from-before"] = Body("from-before", 1), ["multi-from-before"] = S3.RandomBytes(11 * 1024 * 1024, 91),
        });
    }

    [Fact]
    public async Task AsOf_on_a_backup_bucket_that_was_never_versioned_stops_before_anything_is_written()
    {
        string source = RgwPair.NewBucket("asof-unversioned"), target = RgwPair.NewBucket("asof-unversioned-restored");
        await S3.SeedAsync(rgw.SourceS3, source, "a", "b");
        using var restorer = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint);

        var e = await Assert.ThrowsAsync<RestoreException>(() => restorer.RestoreAsync(
            new RestoreOptions(source, target) { AsOf = new PointInTime(DateTime.UtcNow) }, new RecordingReporter(), null, CancellationToken.None));

        Assert.Equal(ErrorIds.SourceBucketNotVersioned, e.ErrorId);
        Assert.Equal(FailureKind.Conflict, e.Kind);
        Assert.Contains(source, e.Message);
        Assert.Contains("never had versioning enabled", e.Message);
        Assert.False(await S3.BucketExistsAsync(rgw.TargetS3, target));

        using var verifier = new Verifier(rgw.SourceEndpoint, rgw.TargetEndpoint);
        var v = await Assert.ThrowsAsync<RestoreException>(() => verifier.VerifyAsync(source, target, content: false, 4, _ => { }, null,
            CancellationToken.None, asOf: new PointInTime(DateTime.UtcNow)));
        Assert.Equal(ErrorIds.SourceBucketNotVersioned, v.ErrorId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Verification_AsOf_compares_with_the_backup_at_that_instant(bool content)
    {
        string source = RgwPair.NewBucket("asof-verify");
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, source);
        foreach (var key in new[] { "same", "changed", "deleted" }) await S3.PutAsync(rgw.SourceS3, source, key, Body(key, 1));
        var t1 = await S3Versions.InstantAfterAllAsync(rgw.SourceS3, source);
        // Same size, other bytes: only -Content (or the ETag) tells.
        await S3.PutAsync(rgw.SourceS3, source, "changed", S3.RandomBytes(Body("changed", 1).Length, 99));
        await S3Versions.DeleteAsync(rgw.SourceS3, source, "deleted");
        string target = RgwPair.NewBucket("asof-verify-restored");
        await RestoreAsync(new RestoreOptions(source, target) { AsOf = new PointInTime(t1) });

        using var verifier = new Verifier(rgw.SourceEndpoint, rgw.TargetEndpoint);
        var atT1 = new List<ObjectDifference>();
        var ok = await verifier.VerifyAsync(source, target, content, 4, atT1.Add, null, CancellationToken.None, asOf: new PointInTime(t1));
        Assert.True(ok.Restored, string.Join("; ", atT1));
        Assert.Equal(3, ok.Matching);
        Assert.Empty(atT1);

        var now = new List<ObjectDifference>();
        var latest = await verifier.VerifyAsync(source, target, content, 4, now.Add, null, CancellationToken.None);
        Assert.False(latest.Restored);
        Assert.Contains(now, d => d.Key == "changed" && d.Difference == DifferenceKind.Different);
        Assert.Contains(now, d => d.Key == "deleted" && d.Difference == DifferenceKind.Extra);
    }
}
