using System.Management.Automation;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Cmdlets;

/// <summary>
/// Bad input and hostile conditions: each gets a stable error ID, the right category and a message
/// that says what to do, and nothing is written or deleted because of it.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class BadInputTests(RgwPair rgw) : IDisposable
{
    private readonly PowerShellSession _ps = new();
    public void Dispose() => _ps.Dispose();

    private const string Register = RgwPair.RegisterScript;

    private static void AssertError(ErrorRecord? error, string id, ErrorCategory category, params string[] words)
    {
        Assert.NotNull(error);
        Assert.Equal(id, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(category, error.CategoryInfo.Category);
        foreach (var w in words) Assert.Contains(w, error.ErrorDetails.Message);
        Assert.DoesNotContain(" at MinioRestore", error.ErrorDetails.Message);
    }

    /// <summary>A second S3 user on the target, with its own keys, created once per test that needs it.</summary>
    private (string Access, string Secret) TargetUser(string name)
    {
        string access = ("U" + name.ToUpperInvariant().Replace("-", "") + "00000000000000000000")[..20];
        string secret = "secret-of-" + name + "-0000000000000000000000000000";
        rgw.Target.Admin("user", "create", "--uid", name, "--display-name", name, "--access-key", access, "--secret-key", secret);
        return (access, secret);
    }

    [Fact]
    public void No_bucket_and_no_S3_BUCKET_says_what_to_pass()
    {
        var run = _ps.Run($"{Register} | Start-MinioRestore", rgw.ScriptVariables());
        AssertError(run.TerminatingRecord, "InvalidBucketName", ErrorCategory.InvalidArgument, "-Bucket", "S3_BUCKET");
    }

    [Fact]
    public void One_target_bucket_for_several_source_buckets_is_refused()
    {
        var run = _ps.Run($"{Register} | Start-MinioRestore -Bucket aaa, bbb -TargetBucket ccc", rgw.ScriptVariables());
        AssertError(run.TerminatingRecord, "InvalidBucketName", ErrorCategory.InvalidArgument, "-TargetBucket");
        Assert.False(S3.BucketExistsAsync(rgw.TargetS3, "ccc").Result);
    }

    [Theory]
    [InlineData("-NewerThan '2024-06-01' -OlderThan '2024-05-01'", "-NewerThan")]
    [InlineData("-NewerThan '2024-06-01' -OlderThan '2024-06-01'", "-OlderThan")]
    [InlineData("-Include 'logs/[abc'", "-Include 'logs/[abc'")]
    [InlineData("-Exclude '[z-a]*'", "runs backwards")]
    public async Task An_impossible_or_broken_filter_stops_the_run_before_anything_is_written(string filter, string named)
    {
        string bucket = RgwPair.NewBucket("bad-filter");
        await S3.SeedAsync(rgw.SourceS3, bucket, "k");

        var run = _ps.Run($"{Register} | Start-MinioRestore -Bucket {bucket} {filter}", rgw.ScriptVariables());

        AssertError(run.TerminatingRecord, "InvalidFilter", ErrorCategory.InvalidArgument, named);
        Assert.Empty(run.Output);
        Assert.False(await S3.BucketExistsAsync(rgw.TargetS3, bucket));
    }

    [Theory]
    [InlineData("-RestoreDays 3", "-RestoreDays only applies")]
    [InlineData("-RestoreTier Bulk", "-RestoreTier only applies")]
    [InlineData("-RestoreTier Bulk -RestoreDays 3", "-RestoreDays and -RestoreTier")]
    public async Task Archive_restore_settings_without_RestoreArchived_are_refused_before_anything_is_written(string settings, string named)
    {
        string bucket = RgwPair.NewBucket("bad-archive");
        await S3.SeedAsync(rgw.SourceS3, bucket, "k");

        var run = _ps.Run($"{Register} | Start-MinioRestore -Bucket {bucket} {settings}", rgw.ScriptVariables());

        AssertError(run.TerminatingRecord, ErrorIds.InvalidParameterCombination, ErrorCategory.InvalidArgument, named, "-RestoreArchived");
        Assert.Empty(run.Output);
        Assert.False(await S3.BucketExistsAsync(rgw.TargetS3, bucket));
    }

    [Fact]
    public void A_negative_MaxDelete_is_refused_by_name()
    {
        var run = _ps.Run($"{Register} | Start-MinioRestore -Bucket anything -Remove -MaxDelete -1", rgw.ScriptVariables());
        var error = run.TerminatingRecord!;
        Assert.Equal("ParameterArgumentValidationError", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Contains("MaxDelete", error.Exception.Message);
        Assert.Empty(run.Output);
    }

    [Theory]
    [InlineData("svc/prod")]
    [InlineData("Minio")]
    [InlineData("svc-")]
    [InlineData("svc*")]
    public void An_invalid_service_name_is_refused_before_any_bucket_is_listed(string service)
    {
        var run = _ps.Run($"{Register} | Start-MinioRestore -ServiceName '{service}'", rgw.ScriptVariables());
        AssertError(run.TerminatingRecord, "InvalidServiceName", ErrorCategory.InvalidArgument, $"'{service}'", "lower-case");
        Assert.Empty(run.Output);
    }

    [Fact]
    public void ServiceName_and_Bucket_together_are_refused()
    {
        var run = _ps.Run($"{Register} | Start-MinioRestore -ServiceName svc -Bucket svc-a", rgw.ScriptVariables());
        Assert.Equal("AmbiguousParameterSet", run.TerminatingRecord!.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Empty(run.Output);
    }

    [Fact]
    public void No_S3_credential_anywhere_says_how_to_give_one()
    {
        using var empty = new TempFolder();
        using var environment = EnvironmentScope.Isolated(empty.Path);
        var run = _ps.Run("Register-RestoreClients -S3Endpoint $s3 -MinioEndpoint $minio -MinioCredential $miniocred", rgw.ScriptVariables());
        AssertError(run.TerminatingRecord, "MissingCredentials", ErrorCategory.InvalidArgument, "-S3Credential", "-ProfileName", "AWS_ACCESS_KEY_ID", "AWS_PROFILE", "no-credentials");
    }

    [Theory]
    [InlineData("s3", "-S3Credential")]
    [InlineData("minio", "-MinioCredential")]
    public void A_credential_with_an_empty_secret_is_refused_by_name(string side, string parameter)
    {
        var run = _ps.Run(Register, side == "s3" ? rgw.ScriptVariables(s3Secret: "") : rgw.ScriptVariables(minioSecret: ""));
        AssertError(run.TerminatingRecord, "MissingCredentials", ErrorCategory.InvalidArgument, parameter, "secret key", "is empty");
    }

    [Fact]
    public void A_host_name_that_does_not_resolve_is_named_as_such()
    {
        var run = _ps.Run(Register, rgw.ScriptVariables(minioEndpoint: "http://no-such-host.invalid:9000"));
        AssertError(run.TerminatingRecord, "EndpointUnreachable", ErrorCategory.ConnectionError, "MinIO target", "could not be resolved");
    }

    [Fact]
    public async Task An_empty_source_bucket_restores_to_an_empty_bucket()
    {
        string bucket = RgwPair.NewBucket("empty");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);

        var run = _ps.Run($"{Register} | Start-MinioRestore -Bucket {bucket}", rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        Assert.Equal("Succeeded", run.Value(0, "Status")!.ToString());
        Assert.Equal(0L, run.Value(0, "Copied"));
        Assert.True(await S3.BucketExistsAsync(rgw.TargetS3, bucket));
    }

    [Fact]
    public async Task A_target_bucket_owned_by_another_account_is_refused_and_left_untouched()
    {
        string bucket = RgwPair.NewBucket("owned");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        await S3.PutAsync(rgw.SourceS3, bucket, "a", [1]);
        await S3.CreateBucketAsync(rgw.TargetS3, bucket); // owned by the main target user
        await S3.PutAsync(rgw.TargetS3, bucket, "theirs", [9]);
        var (access, secret) = TargetUser("intruder");
        var variables = rgw.ScriptVariables();
        variables["miniocred"] = RgwPair.Credential(access, secret);

        var run = _ps.Run($"{Register} | Start-MinioRestore -Bucket {bucket}", variables);

        var error = run.TerminatingRecord ?? Assert.Single(run.Errors);
        AssertError(error, "AccessDenied", ErrorCategory.PermissionDenied, "MinIO target", access);
        Assert.Empty(run.Output);
        Assert.Equal(["theirs"], (await S3.ListAsync(rgw.TargetS3, bucket)).Keys);
    }

    [Fact]
    public async Task A_target_quota_exceeded_fails_the_objects_beyond_it_by_name_and_leaves_nothing_partial()
    {
        string bucket = RgwPair.NewBucket("quota");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        for (int i = 0; i < 8; i++) await S3.PutAsync(rgw.SourceS3, bucket, $"k{i}", S3.RandomBytes(1000, i));
        var (access, secret) = TargetUser("quota-user");
        rgw.Target.Admin("quota", "set", "--quota-scope=user", "--uid=quota-user", "--max-objects=3");
        rgw.Target.Admin("quota", "enable", "--quota-scope=user", "--uid=quota-user");
        var variables = rgw.ScriptVariables();
        variables["miniocred"] = RgwPair.Credential(access, secret);

        var run = _ps.Run($"{Register} | Start-MinioRestore -Bucket {bucket} -Concurrency 1", variables);

        Assert.Null(run.TerminatingRecord);
        Assert.Equal("Failed", run.Value(0, "Status")!.ToString());
        long copied = (long)run.Value(0, "Copied")!;
        Assert.InRange(copied, 1, 7);
        Assert.Equal(8 - copied, (long)run.Value(0, "Failed")!);
        Assert.All(run.Errors, e => AssertError(e, "QuotaExceeded", ErrorCategory.QuotaExceeded, "quota"));
        Assert.All(run.Errors, e => Assert.StartsWith("k", (string)e.TargetObject));
        using var asQuotaUser = Harness.Seeder.Client(rgw.Target.Endpoint, access, secret);
        var restored = await S3.ListAsync(asQuotaUser, bucket);
        var source = await S3.ListAsync(rgw.SourceS3, bucket);
        Assert.Equal(copied, restored.Count);
        foreach (var (key, entry) in restored) Assert.Equal(source[key], entry);
    }

    [Fact]
    public async Task An_object_deleted_between_listing_and_reading_fails_by_name()
    {
        string bucket = RgwPair.NewBucket("vanished");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        await S3.PutAsync(rgw.SourceS3, bucket, "gone", [1, 2, 3]);
        var listed = (await S3.ListAsync(rgw.SourceS3, bucket))["gone"];
        await rgw.SourceS3.DeleteObjectAsync(bucket, "gone");
        await S3.CreateBucketAsync(rgw.TargetS3, bucket);
        using var copy = rgw.Copier(bucket, bucket, attempts: 2, partConcurrency: 1);
        var copier = copy.Copier;

        var e = await Assert.ThrowsAsync<RestoreException>(() =>
            copier.CopyAsync(new ObjectEntry("gone", listed.Size, listed.ETag, DateTime.UtcNow), _ => { }, CancellationToken.None));

        Assert.Equal(ErrorIds.SourceObjectVanished, e.ErrorId);
        Assert.Equal(FailureKind.NotFound, e.Kind);
        Assert.Empty(await S3.ListAsync(rgw.TargetS3, bucket));
    }
}
