// Output types keep the namespace of the first one (MinioRestore.Engine.Mirror.RestoreResult): format views, the help and scripts name them.
namespace MinioRestore.Engine.Mirror;

/// <summary>
/// -AllVersions: one version (or delete marker) written to the target, and the version id the
/// target gave it, which is not the backup's: servers assign version ids. Written by
/// Start-MinioRestore -PassThru, one per entry written, in the order written (per key oldest
/// first). Flat, for CSV and JSON: the map from backup version ids to target ones.
/// </summary>
public sealed class RestoredVersion
{
    public required string SourceBucket { get; init; }
    public required string TargetBucket { get; init; }
    public required string Key { get; init; }
    /// <summary>The backup's version id ("null" for an object written before versioning was enabled on the backup).</summary>
    public required string SourceVersionId { get; init; }
    /// <summary>The version id the target gave it.</summary>
    public required string TargetVersionId { get; init; }
    public bool IsDeleteMarker { get; init; }
    /// <summary>When the backup's version was written (UTC); the target's version is dated by the restore.</summary>
    public DateTime LastModified { get; init; }
    /// <summary>Bytes of the version (0 for a delete marker).</summary>
    public long Size { get; init; }
    /// <summary>The backup version's ETag, without quotes (empty for a delete marker).</summary>
    public string ETag { get; init; } = "";

    public override string ToString() =>
        $"{Key} {SourceVersionId} -> {TargetVersionId}{(IsDeleteMarker ? " (delete marker)" : "")}";
}
