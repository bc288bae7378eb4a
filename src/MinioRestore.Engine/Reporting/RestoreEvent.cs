using MinioRestore.Engine.Errors;

namespace MinioRestore.Engine.Reporting;

public enum RestoreEventKind
{
    BucketCreated,
    WouldCreateBucket,
    Copied,
    WouldCopy,
    Skipped,
    Conflict,
    /// <summary>Copied, but the source ETag is not a hash we could reproduce; only read == written was checked.</summary>
    CopiedUnverified,
    Retrying,
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
}

/// <summary>Something that happened during a restore, for the caller to show (verbose, warning, error, what-if).</summary>
public sealed record RestoreEvent(RestoreEventKind Kind, string Bucket, string? Key, long Size, string Message, RestoreException? Failure = null);

/// <summary>Receives restore events. Called from worker threads: implementations must be thread-safe and quick.</summary>
public interface IRestoreReporter
{
    void Report(RestoreEvent restoreEvent);
}
