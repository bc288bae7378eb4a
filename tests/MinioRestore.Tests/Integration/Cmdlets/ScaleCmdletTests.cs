using System.Management.Automation;
using MinioRestore.Engine.Restoring;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Cmdlets;

/// <summary>-CheckpointPath, -ShardIndex/-ShardCount and Merge-RestoreResult through the cmdlets, in hosted PowerShell against real RGW.</summary>
[Collection(RgwCollection.Name)]
public sealed class ScaleCmdletTests(RgwPair rgw) : IDisposable
{
    private readonly PowerShellSession _ps = new();
    private readonly TempFolder _folder = new();

    public void Dispose()
    {
        _ps.Dispose();
        _folder.Dispose();
    }

    private const string Register = RgwPair.RegisterScript;

    [Theory]
    [InlineData("-ShardIndex 1", "without -ShardCount")]
    [InlineData("-ShardCount 3", "without -ShardIndex")]
    [InlineData("-ShardIndex 3 -ShardCount 3", "numbered 0 to 2")]
    [InlineData("-ShardIndex 0 -ShardCount 0", "1 or more")]
    public async Task A_shard_that_does_not_exist_stops_the_run_with_InvalidShard_before_anything_is_written(string shard, string says)
    {
        string bucket = RgwPair.NewBucket("bad-shard");
        await S3.SeedAsync(rgw.SourceS3, bucket, "k");

        var run = _ps.Run($"{Register} | Start-MinioRestore -Bucket {bucket} {shard} -ErrorAction Stop", rgw.ScriptVariables());

        var error = run.TerminatingRecord!;
        Assert.Equal("InvalidShard", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains(says, error.ErrorDetails.Message);
        Assert.Empty(run.Output);
        Assert.False(await S3.BucketExistsAsync(rgw.TargetS3, bucket));
    }

    [Fact]
    public async Task A_service_keeps_one_checkpoint_file_per_bucket_and_shard_in_the_folder_and_WhatIf_writes_none()
    {
        string service = "ckptsvc" + Environment.ProcessId % 10000;
        string[] names = [$"one{Environment.ProcessId % 10000}", $"two{Environment.ProcessId % 10000}"];
        foreach (var b in names) await S3.SeedAsync(rgw.SourceS3, $"{service}-{b}", "x/1", "x/2", "y/3");
        string folder = Path.Combine(_folder.Path, "checkpoints"); // does not exist yet

        var dry = _ps.Run($"{Register} | Start-MinioRestore -ServiceName {service} -CheckpointPath '{folder}' -ShardIndex 1 -ShardCount 2 -WhatIf", rgw.ScriptVariables());
        Assert.Null(dry.TerminatingRecord);
        Assert.Empty(dry.Errors);
        Assert.False(Directory.Exists(folder));

        var run = _ps.Run($"{Register} | Start-MinioRestore -ServiceName {service} -CheckpointPath '{folder}' -ShardIndex 1 -ShardCount 2", rgw.ScriptVariables());
        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Errors);
        Assert.Equal(2, run.Output.Count);
        // Each checkpoint with its lock file beside it (the lock itself went with the run).
        Assert.Equal(
            names.SelectMany(b => new[] { $"{service}-{b}--{b}.shard-1-of-2.checkpoint.json", $"{service}-{b}--{b}.shard-1-of-2.checkpoint.json.lock" }),
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var result in run.Output)
        {
            Assert.Equal(1, result.Properties["ShardIndex"].Value);
            Assert.Equal(2, result.Properties["ShardCount"].Value);
            Assert.Equal(true, result.Properties["CheckpointFinished"].Value);
            long mine = new[] { "x/1", "x/2", "y/3" }.Count(k => Shard.Of(k, 2) == 1);
            Assert.Equal(mine, (long)result.Properties["Copied"].Value);
        }
    }

    [Fact]
    public async Task Shard_results_exported_as_JSON_merge_into_one_result_per_bucket_and_a_missing_shard_is_named()
    {
        string bucket = RgwPair.NewBucket("merge");
        var keys = Enumerable.Range(0, 30).Select(i => $"m/{i:D2}").ToArray();
        await S3.SeedAsync(rgw.SourceS3, bucket, keys);
        string reports = _folder.Path;

        // Each shard's result exported to JSON (the hosted session has no ConvertTo-Json: System.Text.Json,
        // with enums by name as ConvertTo-Json -EnumsAsStrings writes them; the Pester suite does it in pwsh).
        var json = new System.Text.Json.JsonSerializerOptions { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
        for (int i = 0; i < 3; i++)
        {
            var shard = _ps.Run($"{Register} | Start-MinioRestore -Bucket {bucket} -ShardIndex {i} -ShardCount 3", rgw.ScriptVariables());
            Assert.Empty(shard.Errors);
            var result = Assert.Single(shard.Output).BaseObject;
            File.WriteAllText(Path.Combine(reports, $"shard-{i}.json"), System.Text.Json.JsonSerializer.Serialize(result, result.GetType(), json));
        }

        var run = _ps.Run($"Merge-RestoreResult -Path '{reports}/shard-*.json'");
        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Errors);
        var merged = Assert.Single(run.Output);
        Assert.Equal("MinioRestore.Engine.Mirror.MergedRestoreResult", merged.TypeNames[0]);
        Assert.Equal("Succeeded", merged.Properties["Status"].Value.ToString());
        Assert.Equal(30L, merged.Properties["Copied"].Value);
        Assert.Equal(3, merged.Properties["Shards"].Value);
        Assert.Equal(3, merged.Properties["ShardCount"].Value);
        Assert.Empty((int[])merged.Properties["MissingShards"].Value);

        // Without shard 1's report: the bucket is not Succeeded, and the error names the shard.
        File.Delete(Path.Combine(reports, "shard-1.json"));
        var half = _ps.Run($"Merge-RestoreResult -Path '{reports}/shard-*.json'");
        var partial = Assert.Single(half.Output);
        Assert.Equal("Failed", partial.Properties["Status"].Value.ToString());
        Assert.Equal(new[] { 1 }, (int[])partial.Properties["MissingShards"].Value);
        var error = Assert.Single(half.Errors);
        Assert.Equal("ShardResultsMissing", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("shard(s) 1 of 3", error.ErrorDetails.Message);

        // Not a result at all.
        File.WriteAllText(Path.Combine(reports, "other.json"), "{\"Name\": \"not a result\"}");
        var wrong = _ps.Run($"Merge-RestoreResult -Path '{reports}/other.json'");
        Assert.Equal("InvalidRestoreResult", Assert.Single(wrong.Errors).FullyQualifiedErrorId.Split(',')[0]);
        Assert.Empty(wrong.Output);
    }
}
