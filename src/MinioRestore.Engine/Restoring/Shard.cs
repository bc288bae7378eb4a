using System.Text;
using MinioRestore.Engine.Errors;

namespace MinioRestore.Engine.Restoring;

/// <summary>
/// -ShardIndex i -ShardCount n: shard i of n takes the keys whose stable hash is i modulo n, on
/// both ends, so the shards' shares are disjoint and their union is the whole restore, whatever
/// moment each shard starts at and whether or not the backup changes meanwhile (no split points
/// to agree on). Every shard lists both buckets whole and keeps only its keys; why a hash and not
/// key ranges is in docs/SCALE.md (measured). 0-based, as Kubernetes' JOB_COMPLETION_INDEX.
/// </summary>
public sealed record Shard
{
    private Shard(int index, int count)
    {
        Index = index;
        Count = count;
    }

    public int Index { get; }
    public int Count { get; }

    /// <summary>Checks the pair before anything is listed or written.</summary>
    public static Shard Create(int index, int count)
    {
        if (count < 1)
            throw new RestoreException(ErrorIds.InvalidShard, FailureKind.InvalidArgument,
                $"-ShardCount {count} is not a number of shards: give 1 or more (the Job's completions). Nothing was written.");
        if (index < 0 || index >= count)
            throw new RestoreException(ErrorIds.InvalidShard, FailureKind.InvalidArgument,
                $"-ShardIndex {index} is not a shard of -ShardCount {count}: shards are numbered 0 to {count - 1} (Kubernetes' JOB_COMPLETION_INDEX). Nothing was written.");
        return new Shard(index, count);
    }

    /// <summary>Whether the key is in this shard's share.</summary>
    public bool Owns(string key) => Count == 1 || Of(key, Count) == Index;

    /// <summary>
    /// The shard of a key: FNV-1a over its UTF-8 bytes, then SplitMix64's finaliser so that keys
    /// differing in their last characters spread over all shards. Stable across processes,
    /// machines and .NET versions (string.GetHashCode is not); never change it, or shards of a
    /// run that started before the change would take keys another shard already took.
    /// </summary>
    public static int Of(string key, int count)
    {
        ulong h = 14695981039346656037UL;
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetMaxByteCount(key.Length) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(key, buffer)] : Encoding.UTF8.GetBytes(key);
        foreach (byte b in bytes)
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        h ^= h >> 30; h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 27; h *= 0x94D049BB133111EBUL;
        h ^= h >> 31;
        return (int)(h % (ulong)count);
    }

    public override string ToString() => $"shard {Index} of {Count} (0-based)";
}
