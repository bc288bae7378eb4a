using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;

namespace MinioRestore.Tests.Unit.Restoring;

public sealed class ShardAndCheckpointTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(-1, 4)]
    [InlineData(4, 4)]
    public void A_shard_outside_its_count_is_refused_with_InvalidShard(int index, int count)
    {
        var e = Assert.Throws<RestoreException>(() => Shard.Create(index, count));
        Assert.Equal(ErrorIds.InvalidShard, e.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, e.Kind);
        Assert.Contains("Nothing was written", e.Message);
    }

    [Fact]
    public void Every_key_falls_to_exactly_one_shard_and_the_shares_are_balanced()
    {
        var keys = Enumerable.Range(0, 40_000).Select(i => $"photos/2026/{i % 365:D3}/{i:D6}.jpg").ToList();
        foreach (int n in new[] { 1, 2, 4, 7 })
        {
            var shards = Enumerable.Range(0, n).Select(i => Shard.Create(i, n)).ToList();
            var owners = keys.Select(k => shards.Count(s => s.Owns(k))).ToList();
            Assert.All(owners, c => Assert.Equal(1, c));
            var sizes = shards.Select(s => keys.Count(s.Owns)).ToList();
            Assert.All(sizes, size => Assert.InRange(size, keys.Count / n * 0.95, keys.Count / n * 1.05));
        }
    }

    [Fact]
    public void The_shard_of_a_key_never_changes_across_processes_and_versions()
    {
        // Pinned: shards of one Job may run different builds; a change here would give one key to two shards.
        Assert.Equal(ShardOfByHand("x/" + new string('é', 300), 97), Shard.Of("x/" + new string('é', 300), 97)); // longer than the stack buffer
        Assert.Equal(ShardOfByHand("photos/1.jpg", 1000), Shard.Of("photos/1.jpg", 1000));
        Assert.Equal(ShardOfByHand("😀/ü", 7), Shard.Of("😀/ü", 7));
    }

    /// <summary>FNV-1a 64 of the UTF-8 bytes, then SplitMix64's finaliser, written out again from their definitions.</summary>
    private static int ShardOfByHand(string key, int count)
    {
        ulong h = 0xcbf29ce484222325;
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(key)) h = (h ^ b) * 0x100000001b3;
        h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9;
        h = (h ^ (h >> 27)) * 0x94d049bb133111eb;
        h ^= h >> 31;
        return (int)(h % (ulong)count);
    }
}
