using System.Globalization;
using System.Management.Automation;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Versions;

/// <summary>-AsOf through the built module in hosted PowerShell: parameter binding, local time, the result, the view, the check, the error.</summary>
[Collection(RgwCollection.Name)]
public sealed class AsOfCmdletTests(RgwPair rgw) : IDisposable
{
    private readonly PowerShellSession _ps = new();

    public void Dispose() => _ps.Dispose();

    [Fact]
    public async Task Start_AsOf_takes_local_time_reports_UTC_shows_it_in_the_table_and_pipes_into_Test_AsOf()
    {
        string bucket = RgwPair.NewBucket("t");
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, bucket);
        await S3.PutAsync(rgw.SourceS3, bucket, "report.csv", S3.RandomBytes(300, 1));
        await S3.PutAsync(rgw.SourceS3, bucket, "gone.csv", S3.RandomBytes(400, 2));
        var t1 = await S3Versions.InstantAfterAllAsync(rgw.SourceS3, bucket);
        await S3.PutAsync(rgw.SourceS3, bucket, "report.csv", S3.RandomBytes(301, 3));
        await S3Versions.DeleteAsync(rgw.SourceS3, bucket, "gone.csv");
        // Text as an operator types it: local time, no offset.
        string local = t1.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

        var run = _ps.Run($"{RgwPair.RegisterScript} | Out-Null; $r = Start-MinioRestore -Bucket {bucket} -AsOf '{local}' -Verbose; $r; $r | Out-Default; $r | Test-MinioRestore -Content -Quiet",
            rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Errors);
        Assert.Equal(2, run.Output.Count);
        Assert.Equal(2L, run.Value(0, "Copied"));
        var asOf = Assert.IsType<DateTime>(run.Value(0, "AsOf"));
        Assert.Equal(DateTimeKind.Utc, asOf.Kind);
        Assert.Equal(t1, asOf);
        Assert.True((bool)run.Output[1].BaseObject, "Test-MinioRestore with the piped AsOf found differences");
        Assert.Contains(run.Verbose, v => v.Contains("as it was at " + t1.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)));
        // The table shows the instant, in UTC, after the source bucket (a short name, so the host's width shows it whole).
        Assert.True(run.HostText.Contains($"{bucket} @ {t1:yyyy-MM-dd HH:mm:ss}Z"), run.HostText);
        Assert.Equal(300, (await S3.ReadAsync(rgw.TargetS3, bucket, "report.csv")).Length);

        // Without -AsOf the same check sees the changes since.
        var latest = _ps.Run($"Test-MinioRestore -Bucket {bucket} -Quiet");
        Assert.False((bool)Assert.Single(latest.Output).BaseObject);
    }

    [Fact]
    public async Task AsOf_on_a_never_versioned_backup_is_a_documented_error_and_the_run_goes_on()
    {
        string plain = RgwPair.NewBucket("asof-plain");
        await S3.SeedAsync(rgw.SourceS3, plain, "a");

        var run = _ps.Run($"{RgwPair.RegisterScript} | Out-Null; Start-MinioRestore -Bucket {plain} -AsOf ([datetime]::Now); Test-MinioRestore -Bucket {plain} -AsOf ([datetime]::Now)",
            rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Output);
        Assert.Equal(2, run.Errors.Count);
        Assert.All(run.Errors, e =>
        {
            Assert.Equal("SourceBucketNotVersioned", e.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.InvalidOperation, e.CategoryInfo.Category);
            Assert.Contains("never had versioning enabled", e.ErrorDetails.Message);
        });
        Assert.False(await S3.BucketExistsAsync(rgw.TargetS3, plain));
    }
}
