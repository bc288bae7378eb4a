// The output type keeps the namespace it shipped with: format views, the help and scripts name it
// (MinioRestore.Engine.Mirror.RestoreResult), as they name error IDs.
namespace MinioRestore.Engine.Mirror;

public enum RestoreStatus
{
    /// <summary>Every object of the backup is on the target (conflicts aside, which were left alone on purpose).</summary>
    Succeeded,
    /// <summary>Some objects could not be copied, or the run stopped on an error; a rerun copies the rest.</summary>
    Failed,
    /// <summary>Stopped by the user (Ctrl+C); a rerun copies the rest.</summary>
    Stopped,
    /// <summary>-WhatIf: the counts are what would have been done; nothing was written.</summary>
    WhatIf,
}

/// <summary>The outcome of restoring one bucket. Flat and secret-free, so it exports cleanly to JSON and CSV.</summary>
public sealed class RestoreResult
{
    public required string SourceBucket { get; init; }
    public required string TargetBucket { get; init; }
    public required RestoreStatus Status { get; init; }
    /// <summary>Objects copied; with -AllVersions, keys whose history was extended (<see cref="Versions"/> and <see cref="DeleteMarkers"/> count what was written).</summary>
    public long Copied { get; init; }
    /// <summary>Objects already identical on the target; with -AllVersions, keys whose whole history was already there.</summary>
    public long Skipped { get; init; }
    /// <summary>Objects that differ on the target, left alone; with -AllVersions, keys whose history diverged (VersionHistoryDiverged).</summary>
    public long Conflicts { get; init; }
    /// <summary>Objects (with -AllVersions, keys) that could not be restored; a rerun goes on where they stopped.</summary>
    public long Failed { get; init; }
    /// <summary>
    /// Objects skipped or copied whose identity with the backup could not be proven (encrypted
    /// objects without a checksum to compare, part layouts that could not be reproduced); they
    /// are on the target, and Test-MinioRestore -Content compares their bytes.
    /// </summary>
    public long Unverified { get; init; }
    /// <summary>
    /// Backup objects in GLACIER or DEEP_ARCHIVE that could not be read yet (archived, or their
    /// restore requested with -RestoreArchived and still pending); a later run copies them once
    /// they are restored. They never fail the bucket and -Remove never removes their key.
    /// </summary>
    public long Archived { get; init; }
    /// <summary>Objects only on the target (within the filter); deleted only with -Remove.</summary>
    public long TargetOnly { get; init; }
    /// <summary>Target objects deleted because the backup lacks them (-Remove).</summary>
    public long Removed { get; init; }
    /// <summary>With -Remove: why objects the backup lacks were kept (errors in the run, conflicts, -MaxDelete, no confirmation), or null.</summary>
    public string? RemovalSkippedReason { get; init; }
    /// <summary>-AsOf: the instant (UTC) whose backup state was restored; null for the latest objects.</summary>
    public DateTime? AsOf { get; init; }
    /// <summary>-AllVersions: whole histories were restored (up to <see cref="AsOf"/> when set).</summary>
    public bool AllVersions { get; init; }
    /// <summary>-AllVersions: object versions written to the target.</summary>
    public long Versions { get; init; }
    /// <summary>-AllVersions: delete markers written to the target.</summary>
    public long DeleteMarkers { get; init; }
    public long Bytes { get; init; }
    public TimeSpan Duration { get; init; }
    public bool BucketCreated { get; init; }
    public required string SourceEndpoint { get; init; }
    public required string TargetEndpoint { get; init; }
    public DateTime StartTime { get; init; }
    public DateTime EndTime { get; init; }

    /// <summary>-ShardIndex: which shard of <see cref="ShardCount"/> this result is (0-based); null without sharding.</summary>
    public int? ShardIndex { get; init; }
    /// <summary>-ShardCount: how many shards share the bucket; null without sharding.</summary>
    public int? ShardCount { get; init; }
    /// <summary>-CheckpointPath: the key this run resumed after (the counts are of the keys after it only); null for a full pass.</summary>
    public string? ResumedAfter { get; init; }
    /// <summary>-CheckpointPath: the checkpoint says the bucket is finished, so the next run with it is a full pass.</summary>
    public bool? CheckpointFinished { get; init; }

    public override string ToString() => AllVersions
        ? $"{SourceBucket} -> {TargetBucket} (all versions): {Status}, {Versions} versions and {DeleteMarkers} delete markers written for {Copied} keys, {Skipped} skipped, {Conflicts} conflicts, {Failed} failed"
        : $"{SourceBucket} -> {TargetBucket}: {Status}, {Copied} copied, {Skipped} skipped, {Conflicts} conflicts, {Failed} failed, {Removed} removed";
}
