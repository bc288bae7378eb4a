using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Scale;

/// <summary>-ShardIndex/-ShardCount against two real RGW servers: disjoint shares whose union is the whole, at once, -Remove per shard.</summary>
[Collection(RgwCollection.Name)]
public sealed class ShardTests(RgwPair rgw)
{
    private async Task<(string Bucket, string[] Keys)> SeedAsync(string purpose, int count)
    {
        string bucket = RgwPair.NewBucket(purpose);
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        var keys = Enumerable.Range(0, count).Select(i => $"k/{i:D3}-{(char)('a' + i % 26)}").ToArray();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, _) => await S3.PutAsync(rgw.SourceS3, bucket, key, S3.RandomBytes(1000 + key.Length, key.Length)));
        return (bucket, keys);
    }

    private async Task<(RestoreResult Result, RecordingReporter Reporter)> RunShardAsync(string bucket, string target, int index, int count, Func<RestoreOptions, RestoreOptions>? configure = null,
        Engine.Transport.S3Endpoint? targetEndpoint = null)
    {
        using var restorer = new Restorer(rgw.SourceEndpoint, targetEndpoint ?? rgw.TargetEndpoint);
        var reporter = new RecordingReporter();
        var options = new RestoreOptions(bucket, target) { Shard = Shard.Create(index, count), Concurrency = 8 };
        var result = await restorer.RestoreAsync(configure?.Invoke(options) ?? options, reporter, null, CancellationToken.None);
        return (result, reporter);
    }

    [Fact]
    public async Task Of_shards_that_all_found_the_bucket_missing_only_the_one_whose_CreateBucket_made_it_says_it_created_it()
    {
        const int count = 5;
        var (bucket, keys) = await SeedAsync("shards-create", 40);
        string target = RgwPair.NewBucket("shards-create-restored");
        // MinIO in front of RGW, as far as creating a bucket goes: every shard finds the bucket missing
        // (each checks before any creates), the first CreateBucket makes it, MinIO answers the others
        // 409 BucketAlreadyOwnedByYou (RGW answers 200 to those, as Amazon's us-east-1 does) once the
        // bucket exists: MinIO says so of a bucket it has, so the answer waits for the first create to land.
        int creates = 0;
        bool Check(ProxiedRequest r) => r.Method == "GET" && r.Target.StartsWith($"/{target}/?") && (r.Target.Contains("max-keys=1&") || r.Target.EndsWith("max-keys=1"));
        bool Create(ProxiedRequest r) => r.Method == "PUT" && r.Target.TrimEnd('/') == "/" + target;
        Emulation AlreadyOwned()
        {
            for (int i = 0; i < 200 && !S3.BucketExistsAsync(rgw.TargetS3, target).GetAwaiter().GetResult(); i++) Thread.Sleep(50);
            return new Emulation(new Emulation.Error(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it."));
        }
        using var proxy = new FaultProxy(rgw.Target.Endpoint, _ => Fault.None, emulate: r =>
            Check(r) ? new Emulation(new Emulation.Error(404, "NoSuchBucket", "The specified bucket does not exist"))
            : Create(r) && Interlocked.Increment(ref creates) > 1 ? AlreadyOwned()
            : null);
        var viaProxy = new Engine.Transport.S3Endpoint(proxy.Endpoint, "us-east-1", RgwPair.TargetAccessKey, RgwPair.TargetSecretKey);

        var runs = await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(() => RunShardAsync(bucket, target, i, count, targetEndpoint: viaProxy))));

        Assert.Equal(count, creates);
        foreach (var run in runs) run.Reporter.AssertNoFailures();
        Assert.All(runs, r => Assert.Equal(RestoreStatus.Succeeded, r.Result.Status));
        var creator = Assert.Single(runs, r => r.Result.BucketCreated);
        Assert.Single(runs.SelectMany(r => r.Reporter.Of(RestoreEventKind.BucketCreated)));
        Assert.Single(creator.Reporter.Of(RestoreEventKind.BucketCreated));
        Assert.Equal(keys.Length, runs.Sum(r => r.Result.Copied));
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, target);
    }

    [Fact]
    public async Task Four_shards_at_once_create_the_bucket_together_and_restore_disjoint_shares_whose_union_is_the_whole()
    {
        var (bucket, keys) = await SeedAsync("shards", 120);
        string target = RgwPair.NewBucket("shards-restored"); // does not exist: every shard finds it missing and creates it

        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => RunShardAsync(bucket, target, i, 4))));

        var shares = new List<string[]>();
        foreach (var (result, reporter) in runs)
        {
            Assert.Equal(RestoreStatus.Succeeded, result.Status);
            Assert.Equal(0, result.Failed);
            Assert.Empty(reporter.Of(RestoreEventKind.BucketFailed));
            Assert.Equal(4, result.ShardCount);
            var copied = reporter.Of(RestoreEventKind.Copied).Select(e => e.Key!).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(copied.Length, result.Copied);
            // Each shard took exactly the keys the hash gives it.
            Assert.Equal(keys.Where(k => Shard.Of(k, 4) == result.ShardIndex).Order(StringComparer.Ordinal), copied);
            shares.Add(copied);
        }
        Assert.Equal(Enumerable.Range(0, 4), runs.Select(r => r.Result.ShardIndex!.Value).Order());
        var all = shares.SelectMany(s => s).ToList();
        Assert.Equal(all.Count, all.Distinct().Count()); // disjoint
        Assert.Equal(keys.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal)); // union == whole
        Assert.All(shares, s => Assert.NotEmpty(s));
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, target);

        // A second pass of one shard finds its share done and looks at nothing else.
        var (again, _) = await RunShardAsync(bucket, target, 2, 4);
        Assert.Equal(0, again.Copied);
        Assert.Equal(shares[runs.ToList().FindIndex(r => r.Result.ShardIndex == 2)].Length, again.Skipped);
        Assert.Equal(0, again.TargetOnly);
    }

    [Fact]
    public async Task Remove_under_sharding_removes_only_the_extras_in_the_shards_own_share_within_its_own_MaxDelete()
    {
        var (bucket, keys) = await SeedAsync("shard-rm", 20);
        string target = RgwPair.NewBucket("shard-rm-restored");
        await S3.CreateBucketAsync(rgw.TargetS3, target);
        var extras = Enumerable.Range(0, 30).Select(i => $"extra/{i:D2}").ToArray();
        foreach (var key in extras) await S3.PutAsync(rgw.TargetS3, target, key, "not in the backup"u8.ToArray());
        var mine = extras.Where(k => Shard.Of(k, 2) == 0).ToArray();
        Assert.InRange(mine.Length, 1, extras.Length - 1);

        // -MaxDelete is per shard: shard 0 may remove its own extras, however many the others have.
        var (first, reporter) = await RunShardAsync(bucket, target, 0, 2, o => o with { Remove = true, MaxDelete = mine.Length });
        Assert.Equal(RestoreStatus.Succeeded, first.Status);
        Assert.Equal(mine.Length, first.TargetOnly);
        Assert.Equal(mine.Length, first.Removed);
        Assert.Equal(mine.Order(StringComparer.Ordinal), reporter.Of(RestoreEventKind.Removed).Select(e => e.Key!).Order(StringComparer.Ordinal));
        var left = await S3.KeysAsync(rgw.TargetS3, target);
        Assert.Equal(extras.Except(mine).Order(StringComparer.Ordinal), left.Where(k => k.StartsWith("extra/")).Order(StringComparer.Ordinal));

        // Shard 1's guard is its own: a -MaxDelete below its share refuses its removal only.
        var (second, _) = await RunShardAsync(bucket, target, 1, 2, o => o with { Remove = true, MaxDelete = extras.Length - mine.Length - 1 });
        Assert.Equal(RestoreStatus.Failed, second.Status);
        Assert.Equal(0, second.Removed);
        Assert.Contains("-MaxDelete", second.RemovalSkippedReason);
        var (third, _) = await RunShardAsync(bucket, target, 1, 2, o => o with { Remove = true, MaxDelete = extras.Length - mine.Length });
        Assert.Equal(extras.Length - mine.Length, third.Removed);
        Assert.Equal(keys.Order(StringComparer.Ordinal), await S3.KeysAsync(rgw.TargetS3, target));
    }
}
