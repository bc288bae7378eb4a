using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Errors;

namespace MinioRestore.Engine.Reporting;

public enum RestoreEventKind
{
    BucketCreated,
    WouldCreateBucket,
    Copied,
    /// <summary>-WhatIf: an object that would be copied; <see cref="RestoreEvent.Action"/> says whether as a copy or an overwrite.</summary>
    WouldCopy,
    Skipped,
    /// <summary>Left as it is: the target holds what a restore writes, but the identity cannot be proven (encrypted, unreproducible layout).</summary>
    SkippedUnverified,
    /// <summary>The end of a bucket with unverified objects: how many.</summary>
    UnverifiedSummary,
    Conflict,
    /// <summary>Copied, but the source ETag is not a hash we could reproduce; only read == written was checked.</summary>
    CopiedUnverified,
    Retrying,
    /// <summary>A backup object in an archive storage class that cannot be read yet (archived, or its restore pending); left for a later run.</summary>
    Archived,
    /// <summary>-AllVersions: one version or delete marker written; <see cref="RestoreEvent.Version"/> maps its backup version id to the target's.</summary>
    VersionWritten,
    /// <summary>-AllVersions: the last entry of a key's history was written (after its <see cref="VersionWritten"/> events): the key is done.</summary>
    HistoryWritten,
    /// <summary>-AllVersions -WhatIf: a version or delete marker that would be written.</summary>
    WouldWriteVersion,
    /// <summary>-AllVersions -WhatIf: versioning would be enabled on the target bucket.</summary>
    WouldEnableVersioning,
    /// <summary>-AllVersions: versioning was enabled on the target bucket.</summary>
    VersioningEnabled,
    /// <summary>-RestoreArchived sent RestoreObject for an archived object.</summary>
    ArchiveRestoreRequested,
    /// <summary>-WhatIf with -RestoreArchived: an archived object whose restore would be requested.</summary>
    WouldRequestArchiveRestore,
    /// <summary>The end of a bucket with archived objects: how many, and what to do.</summary>
    ArchivedSummary,
    /// <summary>Once per bucket and cause: an end refused an attribute (tags), so the bucket's objects are restored without it.</summary>
    AttributesNotCopied,
    ObjectFailed,
    /// <summary>The bucket's restore stopped early (e.g. a listing failed); objects copied so far stay.</summary>
    BucketFailed,
    /// <summary>-Remove deleted a target object the backup lacks.</summary>
    Removed,
    WouldRemove,
    /// <summary>-Remove deleted nothing (or not everything) on purpose: errors, conflicts, or no confirmation.</summary>
    RemovalSkipped,
    /// <summary>-Remove deleted nothing because more objects would go than -MaxDelete allows.</summary>
    RemovalRefused,
    /// <summary>The end of a bucket: incomplete multipart uploads the target would not abort (invisible, but they hold space).</summary>
    UploadsLeftBehind,
}

/// <summary>
/// Something that happened during a restore, for the caller to show (verbose, warning, error,
/// what-if). <see cref="Message"/> is for people; consumers decide by <see cref="Kind"/>,
/// <see cref="Action"/> and <see cref="Failure"/>, never by the text.
/// </summary>
/// <param name="Bucket">The target bucket.</param>
public sealed record RestoreEvent(RestoreEventKind Kind, string Bucket, string? Key, string Message, RestoreException? Failure = null)
{
    /// <summary>For copies: how the object is (or would be) written, a copy of a missing object or an overwrite.</summary>
    public CopyAction? Action { get; init; }

    /// <summary>For -WhatIf lines: what the operation does beyond its name, e.g. "with Object Lock, default retention COMPLIANCE ...".</summary>
    public string? Detail { get; init; }

    /// <summary>For <see cref="RestoreEventKind.VersionWritten"/>: the version written and its target version id.</summary>
    public Mirror.RestoredVersion? Version { get; init; }
}
