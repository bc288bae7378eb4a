namespace MinioRestore.Engine.Copying;

/// <summary>
/// -AllVersions: one write that appends a version (or a delete marker) to a key's history on a
/// versioned target, right after <see cref="AfterVersionId"/>, the target's newest entry of the
/// key as last known (null: the key has none). The copier fills in <see cref="WrittenVersionId"/>.
/// <para>
/// No condition goes with the write: on a versioned bucket RGW 16 ignores If-None-Match: * (the
/// PUT adds a version) and refuses every If-Match, even with the current ETag (412; measured),
/// and a versioned bucket loses nothing to a write anyway. What a condition would do for retries
/// is done by looking: before an attempt that follows one which may have landed (its answer
/// lost), the target's newest entry of the key is listed. Still <see cref="AfterVersionId"/>: the
/// write did not land, and it goes ahead. An entry of ours (the same ETag and size, or a delete
/// marker for a delete marker): it landed, and is taken as written, not written twice. Anything
/// else: another writer got there first (TargetObjectChanged).
/// </para>
/// </summary>
internal sealed class VersionAppend(string? afterVersionId)
{
    /// <summary>The target's newest version id of the key before this write, or null when it has none.</summary>
    public string? AfterVersionId { get; } = afterVersionId;

    /// <summary>The version id the target gave the write, once it is written.</summary>
    public string? WrittenVersionId { get; internal set; }

    /// <summary>An attempt was sent that may have landed without our knowing: the next one looks first.</summary>
    internal bool MayHaveLanded { get; set; }
}
