// The same namespace as RestoreResult: format views, the help and scripts name the type.
namespace MinioRestore.Engine.Mirror;

/// <summary>
/// One bucket's restore put together from the results of its shards (Merge-RestoreResult):
/// counts summed, the status the whole has, and which shards are missing. Flat and secret-free,
/// like <see cref="RestoreResult"/>.
/// </summary>
public sealed class MergedRestoreResult
{
    public required string SourceBucket { get; init; }
    public required string TargetBucket { get; init; }
    /// <summary>Succeeded only when every shard's result is there and succeeded; WhatIf when all were dry runs; else the worst of them (Failed over Stopped).</summary>
    public required RestoreStatus Status { get; init; }
    /// <summary>How many shards share the bucket (1 for a run without sharding).</summary>
    public int ShardCount { get; init; }
    /// <summary>How many shards' results were merged.</summary>
    public int Shards { get; init; }
    /// <summary>The shards (0-based) whose result is missing: the bucket is not known to be restored while any is.</summary>
    public int[] MissingShards { get; init; } = [];
    public long Copied { get; init; }
    public long Skipped { get; init; }
    public long Conflicts { get; init; }
    public long Failed { get; init; }
    public long Unverified { get; init; }
    public long Archived { get; init; }
    public long TargetOnly { get; init; }
    public long Removed { get; init; }
    /// <summary>Each shard's reason for keeping objects the backup lacks, "shard i: reason", or null.</summary>
    public string? RemovalSkippedReason { get; init; }
    /// <summary>How many of the merged results resumed from a checkpoint (their counts are of the keys after their mark).</summary>
    public int Resumed { get; init; }
    public DateTime? AsOf { get; init; }
    public long Bytes { get; init; }
    /// <summary>From the first shard's start to the last shard's end.</summary>
    public TimeSpan Duration { get; init; }
    public bool BucketCreated { get; init; }
    public string? SourceEndpoint { get; init; }
    public string? TargetEndpoint { get; init; }
    public DateTime StartTime { get; init; }
    public DateTime EndTime { get; init; }

    public override string ToString() =>
        $"{SourceBucket} -> {TargetBucket}: {Status} ({Shards} of {ShardCount} shards), {Copied} copied, {Skipped} skipped, {Conflicts} conflicts, {Failed} failed, {Removed} removed";
}
