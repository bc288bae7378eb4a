using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Cmdlets;

/// <summary>Test-MinioRestore on restores made by us and by "another tool" (direct writes).</summary>
[Collection(RgwCollection.Name)]
public sealed class VerifyCmdletTests(RgwPair rgw) : IDisposable
{
    private readonly PowerShellSession _ps = new();
    public void Dispose() => _ps.Dispose();

    private Dictionary<string, object?> Variables() => rgw.ScriptVariables();

    private const string Register = RgwPair.RegisterScript + " | Out-Null; ";

    [Fact]
    public async Task A_complete_restore_verifies_clean_by_listing_and_by_content()
    {
        string bucket = RgwPair.NewBucket("verify-ok");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        for (int i = 0; i < 5; i++) await S3.PutAsync(rgw.SourceS3, bucket, $"k{i}", S3.RandomBytes(500 + i, i));
        await S3.PutMultipartAsync(rgw.SourceS3, bucket, "big", S3.RandomBytes(11 * 1024 * 1024, 9), 5 * 1024 * 1024);

        var run = _ps.Run(Register + $"Start-MinioRestore -Bucket {bucket} | Out-Null; Test-MinioRestore -Bucket {bucket}; Test-MinioRestore -Bucket {bucket} -Content; Test-MinioRestore -Bucket {bucket} -Content -Quiet", Variables());

        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Errors);
        Assert.Equal([true], run.Output.Select(o => o.BaseObject));
    }

    [Fact]
    public async Task Missing_different_and_extra_objects_are_reported_and_content_finds_what_listings_cannot()
    {
        string bucket = RgwPair.NewBucket("verify-diff");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        await S3.CreateBucketAsync(rgw.TargetS3, bucket);
        // "Another tool" restored some of it: same bytes, one missing, one changed, one extra,
        // and a multipart object rewritten as one part with other bytes of the same size.
        await S3.PutAsync(rgw.SourceS3, bucket, "same", [1, 2, 3]);
        await S3.PutAsync(rgw.TargetS3, bucket, "same", [1, 2, 3]);
        await S3.PutAsync(rgw.SourceS3, bucket, "missing", [4]);
        await S3.PutAsync(rgw.SourceS3, bucket, "changed", [5, 5]);
        await S3.PutAsync(rgw.TargetS3, bucket, "changed", [6, 6]);
        await S3.PutAsync(rgw.TargetS3, bucket, "extra", [7]);
        await S3.PutMultipartAsync(rgw.SourceS3, bucket, "multipart", S3.RandomBytes(11 * 1024 * 1024, 1), 5 * 1024 * 1024);
        await S3.PutAsync(rgw.TargetS3, bucket, "multipart", S3.RandomBytes(11 * 1024 * 1024, 2));

        var byListing = _ps.Run(Register + $"Test-MinioRestore -Bucket {bucket}", Variables());
        var byContent = _ps.Run(Register + $"Test-MinioRestore -Bucket {bucket} -Content", Variables());
        var quiet = _ps.Run(Register + $"Test-MinioRestore -Bucket {bucket} -Quiet", Variables());

        static Dictionary<string, string> Differences(PowerShellRun run) =>
            run.Output.ToDictionary(o => (string)o.Properties["Key"].Value, o => o.Properties["Difference"].Value.ToString()!);
        Assert.Equal(new Dictionary<string, string> { ["missing"] = "Missing", ["changed"] = "Different", ["extra"] = "Extra" }, Differences(byListing));
        Assert.Equal(new Dictionary<string, string> { ["missing"] = "Missing", ["changed"] = "Different", ["extra"] = "Extra", ["multipart"] = "Different" }, Differences(byContent));
        Assert.Equal([false], quiet.Output.Select(o => o.BaseObject));
        Assert.Contains("content differs", (string)byContent.Output.Single(o => (string)o.Properties["Key"].Value == "multipart").Properties["Reason"].Value);
    }
}
