using System.Management.Automation;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Versions;

/// <summary>-AllVersions through the built module in hosted PowerShell: the map (-PassThru), the result and its view, the check, -WhatIf, -Confirm, refusals.</summary>
[Collection(RgwCollection.Name)]
public sealed class AllVersionsCmdletTests(RgwPair rgw) : IDisposable
{
    private readonly PowerShellSession _ps = new();

    public void Dispose() => _ps.Dispose();

    private async Task<string> SeedAsync(string purpose)
    {
        string bucket = RgwPair.NewBucket(purpose);
        await S3Versions.CreateVersionedBucketAsync(rgw.SourceS3, bucket);
        await S3.PutAsync(rgw.SourceS3, bucket, "report.csv", S3.RandomBytes(300, 1));
        await S3.PutAsync(rgw.SourceS3, bucket, "report.csv", S3.RandomBytes(301, 2));
        await S3.PutAsync(rgw.SourceS3, bucket, "gone.csv", S3.RandomBytes(400, 3));
        await S3Versions.DeleteAsync(rgw.SourceS3, bucket, "gone.csv");
        return bucket;
    }

    [Fact]
    public async Task PassThru_maps_every_version_written_the_result_counts_them_the_view_shows_them_and_it_pipes_into_Test_AllVersions()
    {
        string bucket = await SeedAsync("tav");

        var run = _ps.Run($"{RgwPair.RegisterScript} | Out-Null; $o = Start-MinioRestore -Bucket {bucket} -AllVersions -PassThru -Verbose; $o; " +
            "$r = $o | Where-Object { $null -ne $_.Status }; $r | Out-Default; $r | Test-MinioRestore -Content -Quiet -Verbose",
            rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Errors);
        var versions = run.Output.Where(o => o.BaseObject.GetType().Name == "RestoredVersion").ToList();
        var result = Assert.Single(run.Output, o => o.BaseObject.GetType().Name == "RestoreResult");
        Assert.Equal(4, versions.Count);
        Assert.Equal(["report.csv", "report.csv", "gone.csv", "gone.csv"], versions.Select(v => (string)v.Properties["Key"].Value).OrderDescending());
        Assert.Single(versions, v => (bool)v.Properties["IsDeleteMarker"].Value);
        var targetIds = (await S3Versions.ListAsync(rgw.TargetS3, bucket)).Select(v => v.VersionId).ToHashSet();
        var sourceIds = (await S3Versions.ListAsync(rgw.SourceS3, bucket)).Select(v => v.VersionId).ToHashSet();
        Assert.All(versions, v =>
        {
            Assert.Contains((string)v.Properties["TargetVersionId"].Value, targetIds);
            Assert.Contains((string)v.Properties["SourceVersionId"].Value, sourceIds);
        });
        Assert.True((bool)result.Properties["AllVersions"].Value);
        Assert.Equal(3L, result.Properties["Versions"].Value);
        Assert.Equal(1L, result.Properties["DeleteMarkers"].Value);
        Assert.Equal(2L, result.Properties["Copied"].Value);
        Assert.Equal("MinioRestore.Engine.Mirror.RestoreResult#AllVersions", result.TypeNames[0]);
        Assert.True((bool)run.Output[^1].BaseObject, "Test-MinioRestore with the piped -AllVersions found differences");
        Assert.Contains(run.Verbose, v => v.StartsWith("Restoring every key's whole history"));
        Assert.Contains(run.Verbose, v => v.Contains("backup version") && v.Contains("-> target version"));
        Assert.Contains(run.Verbose, v => v.StartsWith("Enabled versioning on bucket"));
        Assert.Contains(run.Verbose, v => v.Contains("whole histories: 4 backup versions and delete markers"));
        Assert.Matches(@"Status\s+Versions\s+DeleteMarkers\s+Keys\s+Skipped", run.HostText);
        Assert.Matches(@"Succeeded\s+3\s+1\s+2\s+0", run.HostText);

        // The versions' own view, and the map on its own (the Pester suite exports it to JSON).
        var view = _ps.Run($"Start-MinioRestore -Bucket {bucket} -TargetBucket {bucket}-2 -AllVersions -PassThru | Where-Object IsDeleteMarker | Out-Default; " +
            $"Start-MinioRestore -Bucket {bucket} -TargetBucket {bucket}-3 -AllVersions -PassThru | Where-Object Key");
        Assert.Empty(view.Errors);
        Assert.Matches(@"LastModified\s+Size\s+SourceVersionId\s+TargetVersionId\s+Key", view.HostText);
        Assert.Contains("(deleted)", view.HostText);
        Assert.True(view.Output.Count == 4, view.AllText());
        Assert.All(view.Output, o => Assert.NotNull(o.Properties["TargetVersionId"]?.Value));

        // Without -AllVersions the check compares the latest objects only, and finds them the same.
        var latest = _ps.Run($"Test-MinioRestore -Bucket {bucket} -Quiet");
        Assert.True((bool)Assert.Single(latest.Output).BaseObject);
    }

    [Fact]
    public async Task WhatIf_names_enabling_versioning_and_each_version_and_writes_nothing_and_Confirm_asks_for_versioning()
    {
        string bucket = await SeedAsync("tavw");
        var whatIf = _ps.Run($"{RgwPair.RegisterScript} | Out-Null; Start-MinioRestore -Bucket {bucket} -AllVersions -WhatIf", rgw.ScriptVariables());

        Assert.Empty(whatIf.Errors);
        Assert.Empty(whatIf.Output);
        Assert.Contains($"Performing the operation \"Enable versioning (it can be suspended later, never turned off)\" on target \"MinIO bucket '{bucket}'\"", whatIf.HostText);
        Assert.Contains($"\"Write delete marker\" on target \"minio/{bucket}/gone.csv\"", whatIf.HostText);
        Assert.Contains($"\"Copy version ", whatIf.HostText);
        Assert.False(await S3.BucketExistsAsync(rgw.TargetS3, bucket));

        using var asking = new PowerShellSession(choiceAnswer: "&Yes");
        var confirmed = asking.Run($"{RgwPair.RegisterScript} | Out-Null; Start-MinioRestore -Bucket {bucket} -AllVersions -Confirm", rgw.ScriptVariables());
        Assert.Empty(confirmed.Errors);
        Assert.Contains(asking.Prompts, p => p.Contains("Enable versioning"));
        Assert.Equal(4, (await S3Versions.ListAsync(rgw.TargetS3, bucket)).Count);
    }

    [Fact]
    public void AllVersions_with_Remove_or_Overwrite_stops_the_command_before_anything_is_done()
    {
        foreach (var other in new[] { "-Remove", "-Overwrite", "-OlderThan ([datetime]::Now)" })
        {
            var run = _ps.Run($"{RgwPair.RegisterScript} | Out-Null; Start-MinioRestore -Bucket never-touched -AllVersions {other}", rgw.ScriptVariables());
            Assert.NotNull(run.TerminatingRecord);
            Assert.Equal("InvalidParameterCombination", run.TerminatingRecord!.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.InvalidArgument, run.TerminatingRecord.CategoryInfo.Category);
            Assert.Contains("cannot be combined with -AllVersions", run.TerminatingRecord.ErrorDetails.Message);
        }
    }
}
