using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using MinioRestore.Engine.Copying;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Transport;
using MinioRestore.Tests.Support;
using Xunit.Abstractions;

namespace MinioRestore.Tests.Integration.Restoring;

/// <summary>
/// Archived backup objects. RGW 16 has no archive tier, so this is a SIMULATION of Amazon S3's
/// documented behaviour by the fault proxy in front of the real RGW source: GLACIER and
/// DEEP_ARCHIVE in the listing's StorageClass, 403 InvalidObjectState on GET until restored,
/// POST ?restore accepted (202), and x-amz-restore on HEAD (ongoing-request="true", then "false"
/// with an expiry-date). The bytes still come from RGW.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class ArchivedObjectTests(RgwPair rgw, ITestOutputHelper output)
{
    private static readonly RetryPolicy FastRetry = new(3, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50));

    /// <summary>Amazon S3 as its documentation describes the archive classes, for the keys given.</summary>
    private sealed class ArchiveEmulation(string bucket, IReadOnlyDictionary<string, string> classes)
    {
        /// <summary>Per key: absent (archived), "ongoing", or "ready".</summary>
        public ConcurrentDictionary<string, string> Restore { get; } = new();
        public ConcurrentQueue<string> RestoreRequests { get; } = new();
        public int RefusedReads;

        /// <summary>The version id each HEAD and restore request named ("" for none), per key.</summary>
        public ConcurrentQueue<(string Method, string Key, string VersionId)> VersionsNamed { get; } = new();

        public Emulation? Answer(ProxiedRequest r)
        {
            string path = r.Target.Split('?')[0];
            string query = r.Target.Contains('?') ? r.Target[(r.Target.IndexOf('?') + 1)..] : "";
            var parameters = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
                .ToDictionary(p => p[0], p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "", StringComparer.Ordinal);
            // Both listings say the class: ListObjectsV2 in <Contents>, ListObjectVersions in each <Version>.
            if (r.Method == "GET" && path == $"/{bucket}/" && (parameters.ContainsKey("list-type") || parameters.ContainsKey("versions")))
                return new Emulation(RewriteBody: xml => Regex.Replace(xml, "<(Contents|Version)>.*?</(Contents|Version)>", m =>
                {
                    string key = Uri.UnescapeDataString(Regex.Match(m.Value, "<Key>(.*?)</Key>").Groups[1].Value);
                    return classes.TryGetValue(key, out var cls) ? m.Value.Replace("<StorageClass>STANDARD</StorageClass>", $"<StorageClass>{cls}</StorageClass>") : m.Value;
                }, RegexOptions.Singleline));
            string key = path.StartsWith($"/{bucket}/") ? Uri.UnescapeDataString(path[(bucket.Length + 2)..]) : "";
            if (!classes.ContainsKey(key)) return null;
            string state = Restore.GetValueOrDefault(key, "");
            string versionId = parameters.GetValueOrDefault("versionId", "");
            if (r.Method == "POST" && parameters.ContainsKey("restore"))
            {
                VersionsNamed.Enqueue((r.Method, key, versionId));
                RestoreRequests.Enqueue(key);
                Restore.TryAdd(key, "ongoing");
                return new Emulation(new Emulation.Error(202, "Accepted", "")); // S3 answers 202 to a first restore request
            }
            // A read of the object (the latest or a named version; not its tags) is refused until it is restored.
            if (r.Method == "GET" && parameters.Keys.All(p => p == "versionId") && state != "ready")
            {
                Interlocked.Increment(ref RefusedReads);
                return new Emulation(new Emulation.Error(403, "InvalidObjectState", "The operation is not valid for the object's storage class"));
            }
            if (r.Method == "HEAD") VersionsNamed.Enqueue((r.Method, key, versionId));
            if (r.Method == "HEAD")
                return new Emulation(RewriteHead: head => WithHeaders(head, $"x-amz-storage-class: {classes[key]}",
                    state switch
                    {
                        "ongoing" => "x-amz-restore: ongoing-request=\"true\"",
                        "ready" => "x-amz-restore: ongoing-request=\"false\", expiry-date=\"Fri, 23 Dec 2039 00:00:00 GMT\"",
                        _ => null,
                    }));
            return null;
        }

        private static byte[] WithHeaders(byte[] head, params string?[] lines)
        {
            string text = Encoding.ASCII.GetString(head);
            string extra = string.Concat(lines.Where(l => l is not null).Select(l => l + "\r\n"));
            return Encoding.ASCII.GetBytes(text[..^2] + extra + "\r\n");
        }
    }

    private async Task<(RestoreResult Result, RecordingReporter Reporter)> RestoreAsync(FaultProxy source, string bucket, Func<RestoreOptions, RestoreOptions>? configure = null)
    {
        var from = new S3Endpoint(source.Endpoint, "us-east-1", RgwPair.SourceAccessKey, RgwPair.SourceSecretKey);
        using var restorer = new Restorer(from, rgw.TargetEndpoint);
        var reporter = new RecordingReporter();
        var options = new RestoreOptions(bucket, bucket) { Retry = FastRetry, Concurrency = 4 };
        var result = await restorer.RestoreAsync(configure?.Invoke(options) ?? options, reporter, null, CancellationToken.None);
        output.WriteLine(result + $", {result.Archived} archived");
        foreach (var e in reporter.Events.Where(e => e.Kind is not RestoreEventKind.Copied and not RestoreEventKind.Skipped)) output.WriteLine($"{e.Kind} {e.Key}: {e.Message}");
        return (result, reporter);
    }

    [Fact]
    public async Task Archived_objects_are_not_read_blindly_pending_after_a_restore_request_and_copied_by_a_later_run()
    {
        string bucket = RgwPair.NewBucket("archive");
        await S3.SeedAsync(rgw.SourceS3, bucket, "hot", "cold-glacier", "cold-deep");
        var archive = new ArchiveEmulation(bucket, new Dictionary<string, string> { ["cold-glacier"] = "GLACIER", ["cold-deep"] = "DEEP_ARCHIVE" });
        using var proxy = new FaultProxy(rgw.Source.Endpoint, _ => Fault.None, emulate: archive.Answer);

        // Without -RestoreArchived: reported and counted, never read, the bucket does not fail.
        var (first, reporter) = await RestoreAsync(proxy, bucket);
        Assert.Equal(RestoreStatus.Succeeded, first.Status);
        Assert.Equal(1, first.Copied);
        Assert.Equal(2, first.Archived);
        Assert.Equal(0, archive.RefusedReads);
        Assert.Empty(archive.RestoreRequests);
        Assert.Equal(2, reporter.Of(RestoreEventKind.Archived).Count());
        Assert.Contains(reporter.Of(RestoreEventKind.Archived), e => e.Message.Contains("DEEP_ARCHIVE"));
        Assert.Contains("-RestoreArchived", Assert.Single(reporter.Of(RestoreEventKind.ArchivedSummary)).Message);

        // -RestoreArchived: one RestoreObject per archived object, both pending.
        var (second, requested) = await RestoreAsync(proxy, bucket, o => o with { RestoreArchived = true, RestoreDays = 3, RestoreTier = "Bulk" });
        Assert.Equal(RestoreStatus.Succeeded, second.Status);
        Assert.Equal(2, second.Archived);
        Assert.Equal(["cold-deep", "cold-glacier"], archive.RestoreRequests.Order(StringComparer.Ordinal));
        Assert.Equal(2, requested.Of(RestoreEventKind.ArchiveRestoreRequested).Count());

        // One is readable now: a later run copies it and leaves the other pending, without a second request.
        archive.Restore["cold-glacier"] = "ready";
        var (third, pending) = await RestoreAsync(proxy, bucket, o => o with { RestoreArchived = true });
        Assert.Equal(RestoreStatus.Succeeded, third.Status);
        Assert.Equal(1, third.Copied);
        Assert.Equal(1, third.Archived);
        Assert.Equal(2, archive.RestoreRequests.Count);
        Assert.Contains("under way", Assert.Single(pending.Of(RestoreEventKind.Archived)).Message);
        Assert.Equal(await S3.ReadAsync(rgw.SourceS3, bucket, "cold-glacier"), await S3.ReadAsync(rgw.TargetS3, bucket, "cold-glacier"));

        archive.Restore["cold-deep"] = "ready";
        var (fourth, _) = await RestoreAsync(proxy, bucket);
        Assert.Equal(1, fourth.Copied);
        Assert.Equal(0, fourth.Archived);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);

        var (rerun, _) = await RestoreAsync(proxy, bucket);
        Assert.Equal(0, rerun.Copied);
        Assert.Equal(3, rerun.Skipped);
        Assert.Equal(0, archive.RefusedReads);
    }

    [Fact]
    public async Task Remove_never_takes_a_pending_object_for_one_the_backup_lacks()
    {
        string bucket = RgwPair.NewBucket("archive-remove");
        await S3.SeedAsync(rgw.SourceS3, bucket, "hot", "cold");
        await S3.SeedAsync(rgw.TargetS3, bucket, "extra");
        await S3.PutAsync(rgw.TargetS3, bucket, "cold", S3.RandomBytes(10, 99)); // an older copy, to be overwritten once readable
        var archive = new ArchiveEmulation(bucket, new Dictionary<string, string> { ["cold"] = "GLACIER" });
        using var proxy = new FaultProxy(rgw.Source.Endpoint, _ => Fault.None, emulate: archive.Answer);

        var (result, _) = await RestoreAsync(proxy, bucket, o => o with { Remove = true, Overwrite = true, RestoreArchived = true });

        Assert.Equal(RestoreStatus.Succeeded, result.Status);
        Assert.Equal(1, result.Archived);
        Assert.Equal(1, result.Removed);
        Assert.Equal(["cold", "hot"], await S3.KeysAsync(rgw.TargetS3, bucket));
    }

    [Fact]
    public async Task Under_AsOf_the_archived_version_of_that_instant_is_the_one_asked_about_restored_and_copied()
    {
        string bucket = RgwPair.NewBucket("archive-asof");
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, bucket);
        byte[] then = S3.RandomBytes(300, 31), later = S3.RandomBytes(400, 32);
        await S3.PutAsync(rgw.SourceS3, bucket, "cold", then);
        var instant = await S3Versions.InstantAfterAllAsync(rgw.SourceS3, bucket);
        await S3.PutAsync(rgw.SourceS3, bucket, "cold", later);
        string thenVersion = (await rgw.SourceS3.ListVersionsAsync(new Amazon.S3.Model.ListVersionsRequest { BucketName = bucket }))
            .Versions.Single(v => v.IsLatest != true).VersionId;
        var archive = new ArchiveEmulation(bucket, new Dictionary<string, string> { ["cold"] = "GLACIER" });
        using var proxy = new FaultProxy(rgw.Source.Endpoint, _ => Fault.None, emulate: archive.Answer);
        Func<RestoreOptions, RestoreOptions> asOf = o => o with { AsOf = new Engine.Listing.PointInTime(instant), RestoreArchived = true };

        var (first, _) = await RestoreAsync(proxy, bucket, asOf);
        Assert.Equal(1, first.Archived);
        Assert.Equal(0, archive.RefusedReads);
        // The restore state was read, and the restore requested, of the version at the instant, not of the latest.
        Assert.Equal([("HEAD", "cold", thenVersion), ("POST", "cold", thenVersion)], archive.VersionsNamed.ToArray());

        archive.Restore["cold"] = "ready";
        var (second, _) = await RestoreAsync(proxy, bucket, asOf);
        Assert.Equal(1, second.Copied);
        Assert.Equal(0, second.Archived);
        Assert.Equal(then, await S3.ReadAsync(rgw.TargetS3, bucket, "cold"));
    }

    [Fact]
    public async Task The_runbooks_two_steps_exit_3_while_archived_objects_are_pending_then_0_once_they_are_copied_and_verified()
    {
        string part = RgwPair.NewBucket("pending"), service = RgwPair.NewBucket("archsvc").Replace("-", "");
        string bucket = $"{service}-{part}";
        await S3.SeedAsync(rgw.SourceS3, bucket, "hot", "cold");
        var archive = new ArchiveEmulation(bucket, new Dictionary<string, string> { ["cold"] = "GLACIER" });
        using var proxy = new FaultProxy(rgw.Source.Endpoint, _ => Fault.None, emulate: archive.Answer);
        using var reports = new TempFolder();
        // The runbook as a Job runs it, in pwsh: S3 keys in AWS_*, MinIO as an mc alias.
        var environment = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = RgwPair.SourceAccessKey, ["AWS_SECRET_ACCESS_KEY"] = RgwPair.SourceSecretKey,
            ["MC_HOST_minio"] = rgw.Target.Endpoint.ToString().Replace("http://", $"http://{RgwPair.TargetAccessKey}:{RgwPair.TargetSecretKey}@"),
        };
        Pwsh.Run RunBook() => Pwsh.File(Path.Combine(Repo.Root, "examples", "Restore-Service.ps1"),
            ["-ServiceName", service, "-S3Endpoint", proxy.Endpoint.ToString(), "-OutputDirectory", reports.Path, "-RestoreArchived", "-RestoreTier", "Bulk", "-Verify"], environment);

        // Step one: the readable object is copied, the archived one's restore requested; exit 3, nothing verified yet.
        var first = RunBook();
        output.WriteLine(first.Output);
        Assert.Equal(3, first.ExitCode);
        Assert.Equal(["cold"], archive.RestoreRequests);
        Assert.Contains("1 archived object(s) pending", first.Output);
        Assert.Contains("run the same command again", first.Output);
        Assert.Equal(["hot"], await S3.KeysAsync(rgw.TargetS3, part));
        using (var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Assert.Single(Directory.GetFiles(reports.Path, "*.json")))))
        {
            var row = Assert.Single(report.RootElement.EnumerateArray());
            Assert.Equal(1, row.GetProperty("Archived").GetInt64());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, row.GetProperty("Verified").ValueKind);
        }
        SecretScan.AssertNoSecret(first.Output, RgwPair.SourceSecretKey, RgwPair.TargetSecretKey);

        // Step two, once S3 has restored it: the same command copies it, verifies the bucket and exits 0.
        archive.Restore["cold"] = "ready";
        var second = RunBook();
        output.WriteLine(second.Output);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("0 did not verify, 0 error(s), 0 archived object(s) pending", second.Output);
        Assert.Single(archive.RestoreRequests);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, part);
    }

    [Fact]
    public async Task InvalidObjectState_is_its_own_error_not_a_permission_problem()
    {
        string bucket = RgwPair.NewBucket("archive-unlisted");
        await S3.SeedAsync(rgw.SourceS3, bucket, "cold");
        // A listing that does not say the class (some S3-compatible stores): the GET's refusal then explains it.
        using var proxy = new FaultProxy(rgw.Source.Endpoint, _ => Fault.None, emulate: r => r.Method == "GET" && r.Target == $"/{bucket}/cold"
            ? new Emulation(new Emulation.Error(403, "InvalidObjectState", "The operation is not valid for the object's storage class")) : null);

        var (result, reporter) = await RestoreAsync(proxy, bucket);

        Assert.Equal(RestoreStatus.Failed, result.Status);
        var failure = Assert.Single(reporter.Of(RestoreEventKind.ObjectFailed)).Failure!;
        Assert.Equal(ErrorIds.ObjectArchived, failure.ErrorId);
        Assert.Contains("-RestoreArchived", failure.Message);
    }
}
