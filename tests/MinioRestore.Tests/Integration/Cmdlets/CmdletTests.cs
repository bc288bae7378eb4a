using System.Management.Automation;
using System.Text.Json;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Cmdlets;

/// <summary>
/// The built module (out/MinioRestore) imported into the real PowerShell engine, driven by the
/// pipelines a runbook runs, against two real S3 servers.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class CmdletTests(RgwPair rgw) : IDisposable
{
    private readonly PowerShellSession _ps = new();

    public void Dispose() => _ps.Dispose();

    private Dictionary<string, object?> Endpoints(string? s3Secret = null, string? minioSecret = null, string? minioEndpoint = null) =>
        rgw.ScriptVariables(s3Secret, minioSecret, minioEndpoint);

    private const string Register = RgwPair.RegisterScript;

    private async Task<string> SeedAsync(string purpose, int objects = 3)
    {
        string bucket = RgwPair.NewBucket(purpose);
        await S3.SeedAsync(rgw.SourceS3, bucket, [.. Enumerable.Range(0, objects).Select(i => $"dir/object {i}.bin")]);
        return bucket;
    }

    private static void AssertNoSecret(PowerShellRun run)
    {
        string all = run.AllText();
        Assert.DoesNotContain(RgwPair.SourceSecretKey, all);
        Assert.DoesNotContain(RgwPair.TargetSecretKey, all);
        Assert.DoesNotContain("WrongSecret", all);
    }

    [Fact]
    public async Task RetryTimeoutSec_sets_how_long_an_object_keeps_retrying_and_0_keeps_only_the_six_attempts()
    {
        string bucket = await SeedAsync("retry-budget");
        // The target throttles every write of one object, for good.
        using var target = new FaultProxy(rgw.Target.Endpoint, r => r.Method == "PUT" && r.Target.Contains("object%201") ? Fault.SlowDown : Fault.None);

        var run = _ps.Run(Register + $" | Start-MinioRestore -Bucket {bucket} -RetryTimeoutSec 0 -Verbose", Endpoints(minioEndpoint: target.Endpoint.ToString()));

        var failed = Assert.Single(run.Errors);
        Assert.StartsWith("ObjectCopyFailed,", failed.FullyQualifiedErrorId);
        Assert.Equal(6, target.Injected[Fault.SlowDown]);
        Assert.Equal(5, run.Verbose.Count(v => v.Contains("Retrying 'dir/object 1.bin'")));
        var refused = _ps.Run(Register + $" | Start-MinioRestore -Bucket {bucket} -RetryTimeoutSec -1", Endpoints());
        Assert.StartsWith("ParameterArgumentValidationError,", refused.TerminatingRecord?.FullyQualifiedErrorId);
    }

    [Fact]
    public async Task The_result_shows_as_a_table_and_exports_to_JSON_without_secrets()
    {
        string bucket = await SeedAsync("format", objects: 1);

        var run = _ps.Run($"{Register} | Start-MinioRestore -Bucket {bucket} -TargetBucket {bucket}-copy | Out-Default", Endpoints());

        Assert.Null(run.TerminatingRecord);
        var lines = run.HostText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("SourceBucket") && l.Contains("TargetBucket") && l.Contains("Status") && l.Contains("Copied") && l.Contains("Conflicts") && l.Contains("Removed"));
        Assert.Contains(lines, l => l.Contains(bucket) && l.Contains($"{bucket}-copy") && l.Contains("Succeeded"));

        var json = _ps.Run($"{Register} | Start-MinioRestore -Bucket {bucket} -TargetBucket {bucket}-copy", Endpoints());
        string text = JsonSerializer.Serialize(json.Output[0].BaseObject, json.Output[0].BaseObject.GetType());
        Assert.Contains("\"Skipped\":1", text);
        Assert.DoesNotContain(RgwPair.SourceSecretKey, text);
    }

    [Fact]
    public async Task Start_alone_uses_the_clients_registered_last_and_S3_BUCKET()
    {
        string bucket = await SeedAsync("seed-env", 2);
        Environment.SetEnvironmentVariable("S3_BUCKET", bucket);
        try
        {
            var run = _ps.Run($"{Register} | Out-Null; Start-MinioRestore", Endpoints());
            Assert.Null(run.TerminatingRecord);
            Assert.Equal(bucket, run.Value(0, "SourceBucket"));
            Assert.Equal(2L, run.Value(0, "Copied"));

            // The seed's shape: the init task's clients piped into the restore task, bucket from S3_BUCKET.
            var piped = _ps.Run($"{Register} | Start-MinioRestore", Endpoints());
            Assert.Null(piped.TerminatingRecord);
            Assert.Empty(piped.Errors);
            Assert.Equal(bucket, piped.Value(0, "SourceBucket"));
            Assert.Equal(2L, piped.Value(0, "Skipped"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("S3_BUCKET", null);
        }
    }

    [Fact]
    public async Task Register_takes_the_seed_AWS_variables_when_no_S3_credential_is_given()
    {
        string bucket = await SeedAsync("aws-env", 1);
        using var empty = new TempFolder();
        using var environment = EnvironmentScope.Isolated(empty.Path)
            .Set("AWS_ACCESS_KEY_ID", RgwPair.SourceAccessKey).Set("AWS_SECRET_ACCESS_KEY", RgwPair.SourceSecretKey);

        var run = _ps.Run($"$c = Register-RestoreClients -S3Endpoint $s3 -MinioEndpoint $minio -MinioCredential $miniocred; $c.S3CredentialSource; $c | Start-MinioRestore -Bucket {bucket}", Endpoints());

        Assert.Null(run.TerminatingRecord);
        Assert.Equal("Environment", run.Output[0].BaseObject);
        Assert.Equal(1L, run.Value(1, "Copied"));
        AssertNoSecret(run);
    }

    [Fact]
    public void Register_writes_both_endpoints_without_any_secret()
    {
        var run = _ps.Run(Register + " | Out-Default; " + Register, Endpoints());

        Assert.Null(run.TerminatingRecord);
        var clients = Assert.Single(run.Output);
        Assert.Equal(RgwPair.SourceAccessKey, clients.Properties["S3AccessKeyId"].Value);
        Assert.Equal(RgwPair.TargetAccessKey, clients.Properties["MinioAccessKeyId"].Value);
        Assert.Equal(rgw.Target.Endpoint.ToString().TrimEnd('/'), clients.Properties["MinioEndpoint"].Value);
        Assert.Contains("MinioEndpoint", run.HostText);
        AssertNoSecret(run);
    }

    [Theory]
    [InlineData("s3", "S3 source")]
    [InlineData("minio", "MinIO target")]
    public void A_wrong_secret_stops_Register_and_names_the_endpoint_that_refused(string which, string role)
    {
        var endpoints = which == "s3" ? Endpoints(s3Secret: "WrongSecret0000000000000000000000000000") : Endpoints(minioSecret: "WrongSecret0000000000000000000000000000");

        var run = _ps.Run(Register, endpoints);

        var error = run.TerminatingRecord;
        Assert.NotNull(error);
        Assert.Equal("CredentialsRejected,MinioRestore.PowerShell.Cmdlets.RegisterRestoreClientsCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.Contains(role, error.ErrorDetails.Message);
        Assert.Contains("secret key", error.ErrorDetails.Message);
        Assert.DoesNotContain("   at ", error.ErrorDetails.Message);
        Assert.Empty(run.Output);
        AssertNoSecret(run);
    }

    [Fact]
    public void An_unknown_access_key_is_named_as_such()
    {
        var endpoints = Endpoints();
        endpoints["miniocred"] = RgwPair.Credential("NOSUCHACCESSKEY00001", RgwPair.TargetSecretKey);

        var run = _ps.Run(Register, endpoints);

        Assert.Equal("CredentialsRejected", run.TerminatingRecord!.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("does not know the access key id 'NOSUCHACCESSKEY00001'", run.TerminatingRecord.ErrorDetails.Message);
    }

    [Fact]
    public async Task Conflicts_are_warnings_and_Overwrite_replaces_them()
    {
        string bucket = await SeedAsync("conflict-ps", 1);
        await S3.CreateBucketAsync(rgw.TargetS3, bucket);
        await S3.PutAsync(rgw.TargetS3, bucket, "dir/object 0.bin", [1, 2, 3]);

        var first = _ps.Run($"{Register} | Start-MinioRestore -Bucket {bucket}", Endpoints());
        Assert.Equal(1L, first.Value(0, "Conflicts"));
        Assert.Contains(first.Warnings, w => w.Contains("dir/object 0.bin") && w.Contains("-Overwrite"));
        Assert.Equal([1, 2, 3], await S3.ReadAsync(rgw.TargetS3, bucket, "dir/object 0.bin"));

        var second = _ps.Run($"{Register} | Start-MinioRestore -Bucket {bucket} -Overwrite", Endpoints());
        Assert.Equal(1L, second.Value(0, "Copied"));
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);
    }

    [Fact]
    public async Task Stopping_the_pipeline_returns_promptly_and_leaves_no_partial_object()
    {
        string bucket = RgwPair.NewBucket("stop-ps");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        for (int i = 0; i < 4; i++)
            await S3.PutMultipartAsync(rgw.SourceS3, bucket, $"big-{i}", S3.RandomBytes(24 * 1024 * 1024, i), 8 * 1024 * 1024);

        var stopwatch = new System.Diagnostics.Stopwatch();
        var run = _ps.Run($"{Register} | Start-MinioRestore -Bucket {bucket} -Concurrency 1", Endpoints(), whileRunning: ps =>
        {
            // Stop once copying is under way (a few percent of the bytes sent).
            while (!ps.Streams.Progress.ToList().Any(p => p.PercentComplete >= 3) && ps.InvocationStateInfo.State == PSInvocationState.Running) Thread.Sleep(10);
            stopwatch.Start();
            ps.Stop();
            stopwatch.Stop();
        });

        Assert.Equal(PSInvocationState.Stopped, run.State);
        Assert.Empty(run.Output);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"Stop took {stopwatch.Elapsed}");
        var source = await S3.ListAsync(rgw.SourceS3, bucket);
        var target = await S3.ListAsync(rgw.TargetS3, bucket);
        Assert.True(target.Count < source.Count, "stopped too late to prove anything");
        foreach (var (key, entry) in target) Assert.Equal(source[key], entry);
        Assert.Equal(0, await S3.IncompleteUploadsAsync(rgw.TargetS3, bucket));

        var rerun = _ps.Run($"{Register} | Start-MinioRestore -Bucket {bucket}", Endpoints());
        Assert.Equal((long)(source.Count - target.Count), rerun.Value(0, "Copied"));
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);
    }
}
