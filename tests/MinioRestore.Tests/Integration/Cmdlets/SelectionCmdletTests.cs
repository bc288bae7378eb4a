using System.Management.Automation;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Cmdlets;

/// <summary>-ServiceName and the object filters, in the hosted engine against two real S3 servers.</summary>
[Collection(RgwCollection.Name)]
public sealed class SelectionCmdletTests(RgwPair rgw) : IDisposable
{
    private readonly PowerShellSession _ps = new();
    public void Dispose() => _ps.Dispose();

    private const string Register = RgwPair.RegisterScript;

    private async Task<string[]> TargetBucketsAsync() =>
        [.. ((await rgw.TargetS3.ListBucketsAsync()).Buckets ?? []).Select(b => b.BucketName)];

    [Fact]
    public async Task ServiceName_restores_each_backup_bucket_of_the_service_into_its_own_name_and_nothing_else()
    {
        string service = RgwPair.NewBucket("svc");
        string a = RgwPair.NewBucket("alpha"), b = RgwPair.NewBucket("beta");
        await S3.SeedAsync(rgw.SourceS3, $"{service}-{a}", "a1", "a2");
        await S3.SeedAsync(rgw.SourceS3, $"{service}-{b}", "b1");
        // Same beginning, other services: never touched.
        await S3.SeedAsync(rgw.SourceS3, $"{service}2-{a}", "decoy");
        await S3.SeedAsync(rgw.SourceS3, $"other-{service}-{b}", "decoy");
        await S3.CreateBucketAsync(rgw.TargetS3, b); // exists already: restored into as it is
        var before = await TargetBucketsAsync();

        var run = _ps.Run($"{Register} | Start-MinioRestore -ServiceName {service} -Verbose", rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Errors);
        Assert.Equal([($"{service}-{a}", a, 2L, true), ($"{service}-{b}", b, 1L, false)],
            run.Output.Select(o => ((string)o.Properties["SourceBucket"].Value, (string)o.Properties["TargetBucket"].Value,
                (long)o.Properties["Copied"].Value, (bool)o.Properties["BucketCreated"].Value)));
        Assert.Contains(run.Verbose, v => v.Contains($"s3/{service}-{a} -> minio/{a}"));
        await S3.AssertSameContentAsync(rgw.SourceS3, $"{service}-{a}", rgw.TargetS3, a);
        await S3.AssertSameContentAsync(rgw.SourceS3, $"{service}-{b}", rgw.TargetS3, b);
        Assert.Equal([a], (await TargetBucketsAsync()).Except(before));
    }

    [Fact]
    public async Task A_backup_bucket_whose_MinIO_name_is_invalid_is_an_error_and_the_others_are_restored()
    {
        string service = RgwPair.NewBucket("svc-odd");
        string good = RgwPair.NewBucket("good");
        await S3.SeedAsync(rgw.SourceS3, $"{service}-{good}", "k");
        await S3.SeedAsync(rgw.SourceS3, $"{service}--dash", "k"); // would restore into "-dash"

        var run = _ps.Run($"{Register} | Start-MinioRestore -ServiceName {service}", rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        var error = Assert.Single(run.Errors);
        Assert.Equal("InvalidBucketName", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains($"{service}--dash", error.ErrorDetails.Message);
        Assert.Contains("-TargetBucket", error.ErrorDetails.Message);
        Assert.Equal([good], run.Output.Select(o => (string)o.Properties["TargetBucket"].Value));
        Assert.False(await S3.BucketExistsAsync(rgw.TargetS3, "-dash"));
    }

    [Fact]
    public async Task A_service_without_backup_buckets_is_an_error_that_lists_what_is_there()
    {
        await S3.CreateBucketAsync(rgw.SourceS3, RgwPair.NewBucket("some-other-service-x"));

        var run = _ps.Run($"{Register} | Start-MinioRestore -ServiceName no-such-service", rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        var error = Assert.Single(run.Errors);
        Assert.Equal("ServiceBucketsNotFound,MinioRestore.PowerShell.Cmdlets.StartMinioRestoreCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("no-such-service-<bucket>", error.ErrorDetails.Message);
        Assert.Contains("bucket(s):", error.ErrorDetails.Message);
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task Prefix_Include_and_Exclude_restore_a_subset_that_Test_MinioRestore_checks_the_same_way()
    {
        string bucket = RgwPair.NewBucket("filter-ps");
        await S3.SeedAsync(rgw.SourceS3, bucket, "logs/a.gz", "logs/b.txt", "logs/tmp/c.gz", "data/d.gz", "logs/E.GZ");
        const string scope = "-Prefix logs/ -Include '*.gz', '*.zip' -Exclude '*/tmp/*'";

        var run = _ps.Run($"{Register} | Out-Null; Start-MinioRestore -Bucket {bucket} {scope} -Verbose; " +
                          $"Test-MinioRestore -Bucket {bucket} {scope} -Quiet; Test-MinioRestore -Bucket {bucket} -Quiet", rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Errors);
        Assert.Equal(1L, run.Value(0, "Copied"));
        Assert.Equal(["logs/a.gz"], await S3.KeysAsync(rgw.TargetS3, bucket));
        Assert.Contains(run.Verbose, v => v.Contains("keys starting with 'logs/'") && v.Contains("not matching */tmp/*"));
        Assert.Equal([true, false], run.Output.Skip(1).Select(o => (bool)o.BaseObject));
    }

    [Fact]
    public async Task NewerThan_and_OlderThan_select_backup_objects_by_their_date()
    {
        string bucket = RgwPair.NewBucket("dates-ps");
        await S3.SeedAsync(rgw.SourceS3, bucket, "a", "b");

        var future = _ps.Run($"{Register} | Start-MinioRestore -Bucket {bucket} -NewerThan ([datetime]::Now.AddMinutes(10))", rgw.ScriptVariables());
        Assert.Null(future.TerminatingRecord);
        Assert.Equal(0L, future.Value(0, "Copied"));
        Assert.Empty(await S3.KeysAsync(rgw.TargetS3, bucket));

        var window = _ps.Run($"{Register} | Start-MinioRestore -Bucket {bucket} -NewerThan ([datetime]::Now.AddMinutes(-10)) -OlderThan ([datetime]::UtcNow.AddMinutes(10))", rgw.ScriptVariables());
        Assert.Null(window.TerminatingRecord);
        Assert.Equal(2L, window.Value(0, "Copied"));
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);
    }
}
