using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Copying;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Transport;
using MinioRestore.Engine.Verifying;
using MinioRestore.Tests.Integration.Restoring;
using MinioRestore.Tests.Support;
using Xunit.Abstractions;
using RestoreStatus = MinioRestore.Engine.Mirror.RestoreStatus;

namespace MinioRestore.Tests.Integration.Versions;

/// <summary>-AllVersions: whole histories, against two real RGW servers.</summary>
[Collection(RgwCollection.Name)]
public sealed class AllVersionsRestoreTests(RgwPair rgw, ITestOutputHelper output)
{
    private async Task<(RestoreResult Result, RecordingReporter Reporter)> RestoreAsync(RestoreOptions options, DataPath path = DataPath.Auto,
        bool expectFailures = false, S3Endpoint? target = null)
    {
        using var restorer = new Restorer(rgw.SourceEndpoint, target ?? rgw.TargetEndpoint, 32, path);
        var reporter = new RecordingReporter();
        var result = await restorer.RestoreAsync(options, reporter, null, CancellationToken.None);
        output.WriteLine(result.ToString());
        if (!expectFailures) reporter.AssertNoFailures();
        return (result, reporter);
    }

    private static byte[] Body(string key, int version) => S3.RandomBytes(200 + key.Length % 50 + version, HashCode.Combine(key, version));

    /// <summary>Every key's history as the server lists it, oldest first.</summary>
    internal static async Task<SortedDictionary<string, List<S3ObjectVersion>>> HistoriesAsync(IAmazonS3 s3, string bucket)
    {
        var all = new SortedDictionary<string, List<S3ObjectVersion>>(StringComparer.Ordinal);
        foreach (var v in await S3Versions.ListAsync(s3, bucket))
        {
            if (!all.TryGetValue(v.Key, out var history)) all[v.Key] = history = [];
            history.Insert(0, v);
        }
        return all;
    }

    /// <summary>
    /// The target's ListObjectVersions shows per key the backup's sequence: delete markers in the
    /// same places, the same sizes and ETags, and, read back version by version, the same bytes and
    /// headers; its own versions were written in order (LastModified never goes back).
    /// </summary>
    private async Task AssertSameHistoriesAsync(string source, string target, bool readBack = true)
    {
        var backup = await HistoriesAsync(rgw.SourceS3, source);
        var restored = await HistoriesAsync(rgw.TargetS3, target);
        Assert.Equal(backup.Keys, restored.Keys);
        foreach (var (key, history) in backup)
        {
            var theirs = restored[key];
            Assert.True(history.Count == theirs.Count, $"'{key}': {history.Count} entries in the backup, {theirs.Count} on the target");
            for (int i = 0; i < history.Count; i++)
            {
                var (s, t) = (history[i], theirs[i]);
                Assert.True(s.IsDeleteMarker == t.IsDeleteMarker, $"'{key}' entry {i + 1}: delete marker {s.IsDeleteMarker} in the backup, {t.IsDeleteMarker} on the target");
                if (s.IsDeleteMarker == true) continue;
                Assert.Equal(s.Size, t.Size);
                Assert.Equal(s.ETag, t.ETag);
                if (i > 0) Assert.True(theirs[i - 1].LastModified <= t.LastModified, $"'{key}': the target's versions are out of order");
                if (!readBack) continue;
                using var a = await rgw.SourceS3.GetObjectAsync(new GetObjectRequest { BucketName = source, Key = key, VersionId = s.VersionId });
                using var b = await rgw.TargetS3.GetObjectAsync(new GetObjectRequest { BucketName = target, Key = key, VersionId = t.VersionId });
                Assert.True(MD5.HashData(a.ResponseStream).AsSpan().SequenceEqual(MD5.HashData(b.ResponseStream)), $"'{key}' entry {i + 1}: other bytes");
                Assert.Equal(a.Headers.ContentType, b.Headers.ContentType);
                Assert.Equal(a.Metadata.Keys.Order().Select(k => (k, a.Metadata[k])), b.Metadata.Keys.Order().Select(k => (k, b.Metadata[k])));
            }
            Assert.True(theirs[^1].IsLatest == true, $"'{key}': the last entry written is not the latest on the target");
        }
    }

    private async Task<VersionStatus?> VersioningAsync(string bucket) =>
        (await rgw.TargetS3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket })).VersioningConfig?.Status;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AllVersions_writes_each_history_oldest_first_with_delete_markers_multipart_versions_headers_and_every_key_shape(bool sdkDataPath)
    {
        string source = RgwPair.NewBucket("allv");
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, source);
        string[] shapes = [.. RestoreTests.AwkwardKeys];
        // Every shape twice (its second version with other headers), then: overwritten three times,
        // deleted, deleted and recreated, deleted first (a history that starts with a marker), a
        // multipart version between single-part ones, and an unchanged key.
        foreach (var key in shapes)
        {
            await S3.PutAsync(rgw.SourceS3, source, key, Body(key, 1));
            await S3.PutAsync(rgw.SourceS3, source, key, Body(key, 2), r => { r.ContentType = "text/x-second"; r.Metadata["round"] = "two"; });
        }
        for (int v = 1; v <= 3; v++) await S3.PutAsync(rgw.SourceS3, source, "overwritten", Body("overwritten", v), r => r.Metadata["v"] = v.ToString());
        await S3.PutAsync(rgw.SourceS3, source, "deleted", Body("deleted", 1));
        await S3Versions.DeleteAsync(rgw.SourceS3, source, "deleted");
        await S3.PutAsync(rgw.SourceS3, source, "recreated", Body("recreated", 1));
        await S3Versions.DeleteAsync(rgw.SourceS3, source, "recreated");
        await S3.PutAsync(rgw.SourceS3, source, "recreated", Body("recreated", 2));
        await S3Versions.DeleteAsync(rgw.SourceS3, source, "marker-first");
        await S3.PutAsync(rgw.SourceS3, source, "marker-first", Body("marker-first", 1));
        await S3.PutAsync(rgw.SourceS3, source, "multi", Body("multi", 1));
        await S3.PutMultipartAsync(rgw.SourceS3, source, "multi", S3.RandomBytes(11 * 1024 * 1024, 71), 5 * 1024 * 1024, r => r.Metadata["layout"] = "3 parts");
        await S3.PutAsync(rgw.SourceS3, source, "multi", Body("multi", 3));
        await S3.PutAsync(rgw.SourceS3, source, "unchanged", Body("unchanged", 1));
        int versions = shapes.Length * 2 + 3 + 1 + 2 + 1 + 3 + 1, markers = 3, keys = shapes.Length + 6;

        string target = RgwPair.NewBucket("allv-restored");
        // Two entries a page: every history crosses page boundaries, markers included.
        var (result, reporter) = await RestoreAsync(new RestoreOptions(source, target) { AllVersions = true, VersionPageSize = 2 }, sdkDataPath ? DataPath.Sdk : DataPath.Auto);

        Assert.Equal(RestoreStatus.Succeeded, result.Status);
        Assert.True(result.AllVersions);
        Assert.True(result.BucketCreated);
        Assert.Equal(versions, result.Versions);
        Assert.Equal(markers, result.DeleteMarkers);
        Assert.Equal(keys, result.Copied);
        Assert.Equal(0, result.Unverified);
        Assert.Equal(VersionStatus.Enabled, await VersioningAsync(target));
        await AssertSameHistoriesAsync(source, target);
        Assert.EndsWith("-3", (await HistoriesAsync(rgw.TargetS3, target))["multi"][1].ETag.Trim('"'));

        // The map: one entry per version and marker written, each backup version id to the target's.
        var written = reporter.Of(RestoreEventKind.VersionWritten).Select(e => e.Version!).ToList();
        Assert.Equal(versions + markers, written.Count);
        var backupIds = (await S3Versions.ListAsync(rgw.SourceS3, source)).ToDictionary(v => v.VersionId);
        var targetIds = (await S3Versions.ListAsync(rgw.TargetS3, target)).ToDictionary(v => v.VersionId);
        foreach (var v in written)
        {
            Assert.Equal(backupIds[v.SourceVersionId].Key, v.Key);
            Assert.Equal(v.Key, targetIds[v.TargetVersionId].Key);
            Assert.Equal(v.IsDeleteMarker, targetIds[v.TargetVersionId].IsDeleteMarker == true);
            Assert.Equal(backupIds[v.SourceVersionId].LastModified!.Value.ToUniversalTime(), v.LastModified);
            Assert.NotEqual(v.SourceVersionId, v.TargetVersionId);
        }
        Assert.Equal(targetIds.Count, written.Select(v => v.TargetVersionId).Distinct().Count());

        // A rerun writes nothing: every history is complete.
        var (again, _) = await RestoreAsync(new RestoreOptions(source, target) { AllVersions = true, VersionPageSize = 3 });
        Assert.Equal(0, again.Versions + again.DeleteMarkers + again.Copied);
        Assert.Equal(keys, again.Skipped);
        Assert.Equal(RestoreStatus.Succeeded, again.Status);

        // The check agrees, by listing and by content; and without -AllVersions it compares the latest objects only.
        using var verifier = new Verifier(rgw.SourceEndpoint, rgw.TargetEndpoint);
        foreach (bool content in new[] { false, true })
        {
            var differences = new List<ObjectDifference>();
            var check = await verifier.VerifyAsync(source, target, content, 4, differences.Add, null, CancellationToken.None, allVersions: true);
            Assert.True(check.Restored, string.Join("; ", differences));
            Assert.Equal(keys, check.Matching);
            Assert.Equal(versions + markers, check.Versions);
        }
    }

    [Fact]
    public async Task A_key_with_120_versions_spanning_listing_pages_and_delete_markers_on_page_boundaries_keeps_its_history()
    {
        string source = RgwPair.NewBucket("allv-pages");
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, source);
        for (int i = 0; i < 120; i++)
        {
            await S3.PutAsync(rgw.SourceS3, source, "hot", Body("hot", i));
            if (i % 25 == 24) await S3Versions.DeleteAsync(rgw.SourceS3, source, "hot");
        }
        string[] cold = [.. Enumerable.Range(0, 10).Select(i => $"cold/{i:00}")];
        foreach (var key in cold) await S3.PutAsync(rgw.SourceS3, source, key, Body(key, 1));
        foreach (var key in cold) await S3Versions.DeleteAsync(rgw.SourceS3, source, key);
        foreach (var key in cold.Where((_, i) => i % 2 == 0)) await S3.PutAsync(rgw.SourceS3, source, key, Body(key, 2));
        Assert.Equal(124, (await S3Versions.ListAsync(rgw.SourceS3, source)).Count(v => v.Key == "hot"));

        // Page sizes 3 and 7 cut the history everywhere: inside "hot", right after markers, between a key's marker and its versions.
        foreach (int pageSize in new[] { 3, 7 })
        {
            string target = RgwPair.NewBucket("allv-pages-restored");
            var (result, _) = await RestoreAsync(new RestoreOptions(source, target) { AllVersions = true, VersionPageSize = pageSize, Concurrency = 4 });
            Assert.Equal(120 + 15, result.Versions);
            Assert.Equal(4 + 10, result.DeleteMarkers);
            await AssertSameHistoriesAsync(source, target, readBack: pageSize == 3);
        }
    }

    [Fact]
    public async Task A_rerun_writes_only_the_rest_of_a_partial_history_and_a_diverged_history_is_a_conflict_left_untouched()
    {
        string source = RgwPair.NewBucket("allv-rerun");
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, source);
        foreach (var key in new[] { "partial", "diverged", "longer", "marker-instead" })
            for (int v = 1; v <= 4; v++) await S3.PutAsync(rgw.SourceS3, source, key, Body(key, v));
        await S3.PutAsync(rgw.SourceS3, source, "fresh", Body("fresh", 1));

        // The target, versioned already, holds: the first two versions of "partial" (the same bytes:
        // the same ETags), another first version of "diverged", all of "longer" and one more, and a
        // delete marker where "marker-instead" has its second version.
        string target = RgwPair.NewBucket("allv-rerun-restored");
        await S3Versions.CreateVersionedBucketAsync(rgw.TargetS3, target);
        for (int v = 1; v <= 2; v++) await S3.PutAsync(rgw.TargetS3, target, "partial", Body("partial", v));
        await S3.PutAsync(rgw.TargetS3, target, "diverged", Body("diverged", 9));
        for (int v = 1; v <= 5; v++) await S3.PutAsync(rgw.TargetS3, target, "longer", Body("longer", v));
        await S3.PutAsync(rgw.TargetS3, target, "marker-instead", Body("marker-instead", 1));
        await S3Versions.DeleteAsync(rgw.TargetS3, target, "marker-instead");
        var before = await HistoriesAsync(rgw.TargetS3, target);

        var (result, reporter) = await RestoreAsync(new RestoreOptions(source, target) { AllVersions = true });

        Assert.Equal(RestoreStatus.Succeeded, result.Status);
        Assert.Equal(2 + 1, result.Versions); // the rest of "partial", and "fresh"
        Assert.Equal(2, result.Copied);
        Assert.Equal(3, result.Conflicts);
        Assert.False(result.BucketCreated);
        var conflicts = reporter.Of(RestoreEventKind.Conflict).ToList();
        Assert.Equal(["diverged", "longer", "marker-instead"], conflicts.Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.All(conflicts, c => Assert.Equal(ErrorIds.VersionHistoryDiverged, c.Failure?.ErrorId));
        Assert.Contains("entry 1", conflicts.Single(c => c.Key == "diverged").Message);
        Assert.Contains("1 version(s) or delete marker(s) more", conflicts.Single(c => c.Key == "longer").Message);
        Assert.Contains("delete marker on the target", conflicts.Single(c => c.Key == "marker-instead").Message);

        var after = await HistoriesAsync(rgw.TargetS3, target);
        foreach (var key in new[] { "diverged", "longer", "marker-instead" })
            Assert.Equal(before[key].Select(v => v.VersionId), after[key].Select(v => v.VersionId));
        // "partial" kept its two versions and got the two it lacked, after them.
        Assert.Equal(before["partial"].Select(v => v.VersionId), after["partial"].Take(2).Select(v => v.VersionId));
        Assert.Equal((await HistoriesAsync(rgw.SourceS3, source))["partial"].Select(v => v.ETag), after["partial"].Select(v => v.ETag));

        // The check names each difference: diverged ones, and none for the completed ones.
        using var verifier = new Verifier(rgw.SourceEndpoint, rgw.TargetEndpoint);
        var differences = new List<ObjectDifference>();
        var check = await verifier.VerifyAsync(source, target, content: false, 4, differences.Add, null, CancellationToken.None, allVersions: true);
        Assert.Equal(3, check.Different);
        Assert.Equal(2, check.Matching);
        Assert.Equal(["diverged", "longer", "marker-instead"], differences.Select(d => d.Key).Order(StringComparer.Ordinal));

        // -Overwrite does not rewrite a history: refused up front.
        using var restorer = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint);
        var refused = await Assert.ThrowsAsync<RestoreException>(() => restorer.RestoreAsync(new RestoreOptions(source, target) { AllVersions = true, Overwrite = true },
            new RecordingReporter(), null, CancellationToken.None));
        Assert.Equal(ErrorIds.InvalidParameterCombination, refused.ErrorId);
    }

    [Fact]
    public async Task WhatIf_says_it_would_enable_versioning_and_write_each_version_and_writes_nothing()
    {
        string source = RgwPair.NewBucket("allv-whatif");
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, source);
        await S3.PutAsync(rgw.SourceS3, source, "a", Body("a", 1));
        await S3Versions.DeleteAsync(rgw.SourceS3, source, "a");
        await S3.PutAsync(rgw.SourceS3, source, "a", Body("a", 2));
        string existing = RgwPair.NewBucket("allv-whatif-existing"), missing = RgwPair.NewBucket("allv-whatif-missing");
        await S3.SeedAsync(rgw.TargetS3, existing, "only-here");

        foreach (var target in new[] { existing, missing })
        {
            var (dry, reporter) = await RestoreAsync(new RestoreOptions(source, target) { AllVersions = true, WhatIf = true });
            Assert.Equal(RestoreStatus.WhatIf, dry.Status);
            Assert.Equal(2, dry.Versions);
            Assert.Equal(1, dry.DeleteMarkers);
            Assert.Single(reporter.Of(RestoreEventKind.WouldEnableVersioning));
            Assert.Equal(3, reporter.Of(RestoreEventKind.WouldWriteVersion).Count());
            Assert.Contains(reporter.Of(RestoreEventKind.WouldWriteVersion), e => e.Detail == "Write delete marker");
        }
        Assert.NotEqual(VersionStatus.Enabled, await VersioningAsync(existing));
        Assert.Equal(["only-here"], await S3.KeysAsync(rgw.TargetS3, existing));
        Assert.Single(await S3Versions.ListAsync(rgw.TargetS3, existing));
        Assert.False(await S3.BucketExistsAsync(rgw.TargetS3, missing));
    }

    [Fact]
    public async Task AllVersions_AsOf_restores_the_history_up_to_the_instant_and_a_later_run_extends_it()
    {
        string source = RgwPair.NewBucket("allv-asof");
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, source);
        await S3.PutAsync(rgw.SourceS3, source, "k", Body("k", 1));
        await S3Versions.DeleteAsync(rgw.SourceS3, source, "k");
        await S3.PutAsync(rgw.SourceS3, source, "k", Body("k", 2));
        await S3.PutAsync(rgw.SourceS3, source, "early", Body("early", 1));
        var t1 = await S3Versions.InstantAfterAllAsync(rgw.SourceS3, source);
        await S3.PutAsync(rgw.SourceS3, source, "k", Body("k", 3));
        await S3Versions.DeleteAsync(rgw.SourceS3, source, "early");
        await S3.PutAsync(rgw.SourceS3, source, "late", Body("late", 1));

        string target = RgwPair.NewBucket("allv-asof-restored");
        var (upToT1, _) = await RestoreAsync(new RestoreOptions(source, target) { AllVersions = true, AsOf = new PointInTime(t1) });
        Assert.Equal(t1, upToT1.AsOf);
        Assert.Equal(3, upToT1.Versions);
        Assert.Equal(1, upToT1.DeleteMarkers);
        var restored = await HistoriesAsync(rgw.TargetS3, target);
        Assert.Equal(["early", "k"], restored.Keys);
        Assert.Equal([false, true, false], restored["k"].Select(v => v.IsDeleteMarker == true));

        using var verifier = new Verifier(rgw.SourceEndpoint, rgw.TargetEndpoint);
        var atT1 = await verifier.VerifyAsync(source, target, content: true, 4, _ => { }, null, CancellationToken.None, asOf: new PointInTime(t1), allVersions: true);
        Assert.True(atT1.Restored);
        var now = new List<ObjectDifference>();
        var latest = await verifier.VerifyAsync(source, target, content: false, 4, now.Add, null, CancellationToken.None, allVersions: true);
        Assert.Equal(3, latest.Missing); // k and early lack their newest entries; late is missing
        Assert.All(now, d => Assert.Equal(DifferenceKind.Missing, d.Difference));

        // The history up to t1 is a prefix of the whole history: a run without -AsOf writes only what came after.
        var (rest, _) = await RestoreAsync(new RestoreOptions(source, target) { AllVersions = true });
        Assert.Equal(2, rest.Versions);
        Assert.Equal(1, rest.DeleteMarkers);
        Assert.Equal(0, rest.Conflicts);
        await AssertSameHistoriesAsync(source, target);
    }

    [Fact]
    public async Task Parameters_that_cannot_go_with_AllVersions_and_a_never_versioned_backup_are_refused_before_anything_is_written()
    {
        string plain = RgwPair.NewBucket("allv-plain"), target = RgwPair.NewBucket("allv-plain-restored");
        await S3.SeedAsync(rgw.SourceS3, plain, "a");
        using var restorer = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint);
        foreach (var options in new[]
        {
            new RestoreOptions(plain, target) { AllVersions = true, Remove = true },
            new RestoreOptions(plain, target) { AllVersions = true, Overwrite = true },
            new RestoreOptions(plain, target) { AllVersions = true, Filter = ObjectFilter.Create(newerThan: DateTime.UtcNow.AddDays(-1)) },
            new RestoreOptions(plain, target) { AllVersions = true, Filter = ObjectFilter.Create(olderThan: DateTime.UtcNow) },
        })
        {
            var e = await Assert.ThrowsAsync<RestoreException>(() => restorer.RestoreAsync(options, new RecordingReporter(), null, CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidParameterCombination, e.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, e.Kind);
            Assert.Contains("cannot be combined with -AllVersions", e.Message);
        }
        var unversioned = await Assert.ThrowsAsync<RestoreException>(() => restorer.RestoreAsync(new RestoreOptions(plain, target) { AllVersions = true },
            new RecordingReporter(), null, CancellationToken.None));
        Assert.Equal(ErrorIds.SourceBucketNotVersioned, unversioned.ErrorId);
        Assert.Contains("-AllVersions would restore its current objects only", unversioned.Message);
        Assert.False(await S3.BucketExistsAsync(rgw.TargetS3, target));

        // Declining to enable versioning (-Confirm, answered no) leaves the bucket unrestored.
        string versioned = RgwPair.NewBucket("allv-declined");
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, versioned);
        await S3.PutAsync(rgw.SourceS3, versioned, "a", Body("a", 1));
        var declined = await Assert.ThrowsAsync<RestoreException>(() => restorer.RestoreAsync(
            new RestoreOptions(versioned, target) { AllVersions = true, ConfirmVersioning = (_, _) => Task.FromResult(false) }, new RecordingReporter(), null, CancellationToken.None));
        Assert.Equal(ErrorIds.TargetVersioningNotEnabled, declined.ErrorId);
        Assert.False(await S3.BucketExistsAsync(rgw.TargetS3, target));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_version_write_whose_answer_is_lost_is_retried_without_writing_it_twice(bool sdkDataPath)
    {
        // The proxy forwards the first PUT of every version of "k", then never answers it: the write
        // lands on RGW, the copier's idle timeout gives up, and the retry must find it there.
        string source = RgwPair.NewBucket("allv-lost");
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, source);
        for (int v = 1; v <= 3; v++) await S3.PutAsync(rgw.SourceS3, source, "k", Body("k", v));
        await S3.PutAsync(rgw.SourceS3, source, "k", Body("k", 2)); // the same bytes again: only the version id tells it landed
        string target = RgwPair.NewBucket("allv-lost-restored");
        // Every PUT of "k" is stalled: a retry that wrote again would be stalled too, and would add a version.
        using var proxy = new FaultProxy(rgw.Target.Endpoint, r => r.Method == "PUT" && r.BodyLength > 0 && r.Target.Split('?')[0].EndsWith("/k") ? Fault.Stall : Fault.None);
        var endpoint = new S3Endpoint(proxy.Endpoint, "us-east-1", RgwPair.TargetAccessKey, RgwPair.TargetSecretKey);

        var (result, reporter) = await RestoreAsync(new RestoreOptions(source, target)
        {
            AllVersions = true, IdleTimeout = TimeSpan.FromSeconds(2), Retry = new RetryPolicy(4, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50)),
        }, sdkDataPath ? DataPath.Sdk : DataPath.Auto, target: endpoint);

        output.WriteLine($"stalls: {proxy.Injected.GetValueOrDefault(Fault.Stall)}; retries: {reporter.Of(RestoreEventKind.Retrying).Count()}");
        Assert.Equal(4, proxy.Injected.GetValueOrDefault(Fault.Stall)); // one PUT per version: each retry found its version landed
        Assert.Equal(RestoreStatus.Succeeded, result.Status);
        Assert.Equal(4, result.Versions);
        await AssertSameHistoriesAsync(source, target);
        var written = reporter.Of(RestoreEventKind.VersionWritten).Select(e => e.Version!.TargetVersionId).ToList();
        Assert.Equal((await S3Versions.ListAsync(rgw.TargetS3, target)).Select(v => v.VersionId).Reverse(), written);
    }

    [Fact]
    public async Task Another_writer_between_two_attempts_of_a_version_write_is_a_conflict_and_the_rest_of_the_history_waits()
    {
        string source = RgwPair.NewBucket("allv-writer");
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, source);
        for (int v = 1; v <= 3; v++) await S3.PutAsync(rgw.SourceS3, source, "k", Body("k", v));
        string target = RgwPair.NewBucket("allv-writer-restored");
        int puts = 0;
        // The first PUT is answered 500 without reaching RGW; before the retry another writer puts its own version.
        using var proxy = new FaultProxy(rgw.Target.Endpoint, r =>
        {
            if (r.Method != "PUT" || r.BodyLength <= 0 || !r.Target.Split('?')[0].EndsWith("/k")) return Fault.None;
            if (Interlocked.Increment(ref puts) != 2) return Fault.None;
            S3.PutAsync(rgw.TargetS3, target, "k", Body("other", 1)).GetAwaiter().GetResult();
            return Fault.InternalError;
        });
        var endpoint = new S3Endpoint(proxy.Endpoint, "us-east-1", RgwPair.TargetAccessKey, RgwPair.TargetSecretKey);

        var (result, reporter) = await RestoreAsync(new RestoreOptions(source, target)
        {
            AllVersions = true, Retry = new RetryPolicy(4, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50)),
        }, target: endpoint);

        Assert.Equal(1, result.Conflicts);
        Assert.Equal(1, result.Versions);
        var conflict = Assert.Single(reporter.Of(RestoreEventKind.Conflict));
        Assert.Equal(ErrorIds.TargetObjectChanged, conflict.Failure?.ErrorId);
        Assert.Contains("VersionHistoryDiverged", conflict.Message);
        Assert.Equal(2, (await S3Versions.ListAsync(rgw.TargetS3, target)).Count); // ours, then the other writer's; nothing after
        var (rerun, rerunReporter) = await RestoreAsync(new RestoreOptions(source, target) { AllVersions = true });
        Assert.Equal(1, rerun.Conflicts);
        Assert.Equal(ErrorIds.VersionHistoryDiverged, Assert.Single(rerunReporter.Of(RestoreEventKind.Conflict)).Failure?.ErrorId);
    }

    [Fact]
    public async Task Two_shards_of_AllVersions_each_write_their_own_keys_histories_and_together_the_whole()
    {
        string source = RgwPair.NewBucket("allv-shards"), target = RgwPair.NewBucket("allv-shards-restored");
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, source);
        var keys = Enumerable.Range(0, 24).Select(i => $"k/{i:D2}").ToList();
        foreach (var key in keys)
        {
            await S3.PutAsync(rgw.SourceS3, source, key, Body(key, 1));
            await S3.PutAsync(rgw.SourceS3, source, key, Body(key, 2));
        }
        await S3Versions.DeleteAsync(rgw.SourceS3, source, keys[0]);

        var shards = new[] { Shard.Create(0, 2), Shard.Create(1, 2) };
        var results = await Task.WhenAll(shards.Select(shard => RestoreAsync(new RestoreOptions(source, target) { AllVersions = true, Shard = shard, Concurrency = 4 })));

        var written = await HistoriesAsync(rgw.TargetS3, target);
        for (int i = 0; i < shards.Length; i++)
        {
            var own = keys.Where(shards[i].Owns).ToList();
            Assert.NotEmpty(own);
            Assert.Equal(own.Count, results[i].Result.Copied);
        }
        Assert.Equal(keys.Count * 2 + 1, results.Sum(r => r.Result.Versions + r.Result.DeleteMarkers));
        await AssertSameHistoriesAsync(source, target);
    }
}

/// <summary>-AllVersions and the restoring process killed (-9) in the middle of a key's history.</summary>
[Collection(RgwCollection.Name)]
public sealed class AllVersionsCrashTests(RgwPair rgw, ITestOutputHelper output)
{
    [Fact]
    public async Task Killed_in_the_middle_of_a_keys_history_a_rerun_completes_it_without_duplicating_a_version()
    {
        // One key with 150 versions (a delete marker every 30), written one after another: the kill lands inside its history.
        string bucket = RgwPair.NewBucket("allv-kill");
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, bucket);
        for (int i = 0; i < 150; i++)
        {
            await S3.PutAsync(rgw.SourceS3, bucket, "hot", S3.RandomBytes(2000 + i % 7, i));
            if (i % 30 == 29) await S3Versions.DeleteAsync(rgw.SourceS3, bucket, "hot");
        }
        var backup = (await S3Versions.ListAsync(rgw.SourceS3, bucket)).AsEnumerable().Reverse().ToList();
        Assert.Equal(155, backup.Count);

        async Task<List<S3ObjectVersion>> TargetHistoryAsync() =>
            await S3.BucketExistsAsync(rgw.TargetS3, bucket) ? [.. (await S3Versions.ListAsync(rgw.TargetS3, bucket)).AsEnumerable().Reverse()] : [];
        await RestoreProcess.KillWhenAsync(rgw, bucket, async () => (await TargetHistoryAsync()).Count >= 20, "-Concurrency 1 -AllVersions");

        var partial = await TargetHistoryAsync();
        output.WriteLine($"{partial.Count} of {backup.Count} entries of the history restored when the process was killed");
        Assert.InRange(partial.Count, 20, backup.Count - 1);
        // What is there is the start of the backup's history, nothing twice.
        Assert.Equal(backup.Take(partial.Count).Select(v => (v.IsDeleteMarker, v.ETag)), partial.Select(v => (v.IsDeleteMarker, v.ETag)));

        using var again = new Restorer(rgw.SourceEndpoint, rgw.TargetEndpoint);
        var reporter = new RecordingReporter();
        var rerun = await again.RestoreAsync(new RestoreOptions(bucket, bucket) { AllVersions = true }, reporter, null, CancellationToken.None);
        output.WriteLine(rerun.ToString());
        Assert.Equal(RestoreStatus.Succeeded, rerun.Status);
        Assert.Equal(backup.Count - partial.Count, rerun.Versions + rerun.DeleteMarkers);
        var restored = await TargetHistoryAsync();
        Assert.Equal(backup.Select(v => (v.IsDeleteMarker, v.Size, v.ETag)), restored.Select(v => (v.IsDeleteMarker, v.Size, v.ETag)));
        Assert.Equal(partial.Select(v => v.VersionId), restored.Take(partial.Count).Select(v => v.VersionId));
    }
    [Fact]
    public async Task Killed_with_a_checkpoint_a_rerun_lists_versions_after_the_mark_and_completes_every_history_once_in_order()
    {
        // 40 keys of 6 versions (every third with a delete marker in the middle), written one key at a time: the kill lands after some keys, inside another's history.
        string bucket = RgwPair.NewBucket("allv-ckpt-kill");
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, bucket);
        var keys = Enumerable.Range(0, 40).Select(i => $"k/{i:D2}").ToArray();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, _) =>
        {
            for (int v = 0; v < 6; v++)
            {
                await S3.PutAsync(rgw.SourceS3, bucket, key, S3.RandomBytes(1000 + v, HashCode.Combine(key, v)));
                if (v == 2 && Array.IndexOf(keys, key) % 3 == 0) await S3Versions.DeleteAsync(rgw.SourceS3, bucket, key);
            }
        });
        var backup = await AllVersionsRestoreTests.HistoriesAsync(rgw.SourceS3, bucket);
        using var folder = new TempFolder();
        string checkpoint = Path.Combine(folder.Path, "history.checkpoint.json");

        // Both runs read the backup through one proxy (the endpoint is part of what a run is), which keeps its version listings.
        var listings = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var proxy = new FaultProxy(rgw.Source.Endpoint, r =>
        {
            if (r.Method == "GET" && r.Target.Contains("versions") && !r.Target.Contains("max-keys=1&") && !r.Target.EndsWith("max-keys=1"))
                listings.Enqueue(Uri.UnescapeDataString(r.Target));
            return Fault.None;
        });
        string? Mark()
        {
            try { return File.Exists(checkpoint) ? System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(checkpoint))!["after"]?.GetValue<string>() : null; }
            catch (Exception e) when (e is IOException or System.Text.Json.JsonException) { return null; }
        }
        await RestoreProcess.KillWhenAsync(rgw, bucket, () => Task.FromResult(Mark() is { } m && Array.IndexOf(keys, m) >= 5),
            $"-Concurrency 1 -AllVersions -CheckpointPath '{checkpoint}'", proxy.Endpoint);

        string mark = Mark()!;
        int done = Array.IndexOf(keys, mark) + 1;
        var partial = await AllVersionsRestoreTests.HistoriesAsync(rgw.TargetS3, bucket);
        int partialEntries = partial.Values.Sum(h => h.Count);
        output.WriteLine($"killed with {partialEntries} of {backup.Values.Sum(h => h.Count)} entries on the target; the checkpoint says done up to '{mark}' ({done} keys)");
        Assert.InRange(done, 6, keys.Length - 1);
        // The mark never passes a key whose history is not complete.
        Assert.All(keys.Take(done), k => Assert.True(partial.TryGetValue(k, out var h) && h.Count == backup[k].Count, $"'{k}' is before the mark but its history is not complete"));

        listings.Clear();
        var viaProxy = new S3Endpoint(proxy.Endpoint, "us-east-1", RgwPair.SourceAccessKey, RgwPair.SourceSecretKey);
        using var again = new Restorer(viaProxy, rgw.TargetEndpoint);
        var reporter = new RecordingReporter();
        var resumed = await again.RestoreAsync(new RestoreOptions(bucket, bucket) { AllVersions = true, CheckpointPath = checkpoint }, reporter, null, CancellationToken.None);
        output.WriteLine(resumed.ToString());
        reporter.AssertNoFailures();
        Assert.Equal(RestoreStatus.Succeeded, resumed.Status);
        Assert.Equal(mark, resumed.ResumedAfter);
        Assert.True(resumed.CheckpointFinished);
        // The backup's version listing started after the mark (a key marker, no version-id marker: the next key whole).
        Assert.NotEmpty(listings);
        Assert.All(listings, l => Assert.Contains("key-marker=" + mark, l));
        Assert.All(listings, l => Assert.DoesNotContain("version-id-marker", l));
        Assert.Equal(keys.Length - done, resumed.Copied + resumed.Skipped);
        // Only what was missing was written (a key half-written at the kill got the rest of its history), nothing twice.
        Assert.Equal(backup.Values.Sum(h => h.Count) - partialEntries, resumed.Versions + resumed.DeleteMarkers);
        var restored = await AllVersionsRestoreTests.HistoriesAsync(rgw.TargetS3, bucket);
        Assert.Equal(backup.Keys, restored.Keys);
        foreach (var (key, history) in backup)
            Assert.Equal(history.Select(v => (v.IsDeleteMarker, v.Size, v.ETag)), restored[key].Select(v => (v.IsDeleteMarker, v.Size, v.ETag)));
    }
}
