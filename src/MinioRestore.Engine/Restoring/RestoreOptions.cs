using MinioRestore.Engine.Copying;

namespace MinioRestore.Engine.Restoring;

/// <summary>What to restore and how. Defaults are what a user gets without tuning.</summary>
public sealed record RestoreOptions(string SourceBucket, string TargetBucket)
{
    public const int DefaultConcurrency = 64;
    /// <summary>
    /// The most parts of one object at once: an object alone takes this many of the bucket's
    /// <see cref="PartStreams"/> (a 1 GiB backup in 8 MiB parts had 4 when this was the fixed width).
    /// </summary>
    public const int DefaultPartConcurrency = 16;
    /// <summary>Part transfers at once over a bucket, shared by its multipart objects.</summary>
    public const int DefaultPartStreams = DefaultConcurrency;
    /// <summary>Connections per end for the defaults: whole objects, part streams, and the listings and control requests beside them.</summary>
    public const int DefaultConnections = DefaultConcurrency + DefaultPartStreams + 8;
    public const int DefaultMaxDelete = 1000;

    /// <summary>Replace target objects whose content differs from the backup (never deletes).</summary>
    public bool Overwrite { get; init; }

    /// <summary>Which objects the restore covers, on both ends.</summary>
    public Comparing.ObjectFilter Filter { get; init; } = Comparing.ObjectFilter.All;

    /// <summary>
    /// Mirror: delete target objects in scope that the backup lacks, only after every copy of the
    /// bucket succeeded with no conflict, and only as many as <see cref="MaxDelete"/>.
    /// </summary>
    public bool Remove { get; init; }

    /// <summary>With <see cref="Remove"/>: when more objects than this would go, none goes.</summary>
    public int MaxDelete { get; init; } = DefaultMaxDelete;

    /// <summary>Why nothing may be removed whatever this bucket's outcome (an error earlier in the same run), or null.</summary>
    public string? RemovalBlockedBy { get; init; }

    /// <summary>
    /// Asked with the target bucket and the keys about to be removed; answers the keys it approves.
    /// Null approves them all.
    /// </summary>
    public Func<string, IReadOnlyList<string>, CancellationToken, Task<IReadOnlyList<string>>>? ConfirmRemoval { get; init; }

    /// <summary>Plan only: list, compare and report what would be created and copied; write nothing.</summary>
    public bool WhatIf { get; init; }

    /// <summary>
    /// Restore the backup as it was at this instant (its versions at or before it), not as it is
    /// now; null restores the latest objects. The backup bucket must be versioned.
    /// </summary>
    public Listing.PointInTime? AsOf { get; init; }

    /// <summary>
    /// Restore every key's whole history (its versions oldest first, its delete markers in their
    /// places) into a versioned target, instead of its latest object; with <see cref="AsOf"/>, the
    /// history up to that instant. Versioning is enabled on the target bucket. Not with
    /// <see cref="Remove"/>, <see cref="Overwrite"/> or the filter's dates (<see cref="Validate"/>).
    /// </summary>
    public bool AllVersions { get; init; }

    /// <summary>
    /// With <see cref="AllVersions"/>: asked with the target bucket before versioning is enabled on
    /// it (it can be suspended afterwards, never turned off); false leaves the bucket unrestored.
    /// Null approves. Not asked in a dry run, which reports it instead.
    /// </summary>
    public Func<string, CancellationToken, Task<bool>>? ConfirmVersioning { get; init; }

    /// <summary>Entries per ListObjectVersions page for <see cref="AllVersions"/>; tests make it small to cut histories across pages.</summary>
    internal int VersionPageSize { get; init; } = Listing.VersionLister.DefaultPageSize;

    /// <summary>How the buckets' listings are read (page size, ranges ahead); tests make pages small to cut listings into many ranges.</summary>
    internal Listing.ListingShape ListingShape { get; init; } = Engine.Listing.ListingShape.Default;

    /// <summary>
    /// Refuses combinations that cannot be done, before anything is: a history is never rewritten
    /// (-Overwrite) nor deleted from (-Remove: on a versioned target a delete only adds a marker, and
    /// the target's own keys stay as they are), and dates select single versions, which would cut
    /// holes in histories (-AsOf gives the history up to an instant).
    /// </summary>
    public void Validate()
    {
        if (!AllVersions) return;
        string? other = Remove ? "-Remove" : Overwrite ? "-Overwrite" : Filter.NewerThan is not null ? "-NewerThan" : Filter.OlderThan is not null ? "-OlderThan" : null;
        if (other is null) return;
        string why = other switch
        {
            "-Remove" => "-AllVersions restores histories and never deletes: keys that only the target has stay as they are (they are counted in TargetOnly)",
            "-Overwrite" => "-AllVersions never rewrites a history: a key whose history on the target differs from the backup's is reported (VersionHistoryDiverged) and left alone; restore it into another bucket with -TargetBucket",
            _ => "dates would pick single versions out of each history; -AsOf restores each history up to an instant",
        };
        throw new Errors.RestoreException(Errors.ErrorIds.InvalidParameterCombination, Errors.FailureKind.InvalidArgument,
            $"{other} cannot be combined with -AllVersions: {why}. Nothing was done.");
    }

    /// <summary>Send RestoreObject for backup objects in GLACIER or DEEP_ARCHIVE; a later run copies them once readable.</summary>
    public bool RestoreArchived { get; init; }

    /// <summary>With <see cref="RestoreArchived"/>: how many days the restored copy stays readable on the source.</summary>
    public int RestoreDays { get; init; } = DefaultRestoreDays;

    /// <summary>With <see cref="RestoreArchived"/>: Standard, Bulk or Expedited (Amazon's retrieval tiers).</summary>
    public string RestoreTier { get; init; } = "Standard";

    public const int DefaultRestoreDays = 7;

    /// <summary>The storage class every object is written in (one of <see cref="Copying.StorageClasses.Known"/>); null keeps the backup's where the target has it.</summary>
    public string? StorageClass { get; init; }

    /// <summary>
    /// The checkpoint file of this bucket (-CheckpointPath), or null: a rerun with the same file
    /// starts both listings after the last key up to which everything was done (Checkpoint).
    /// </summary>
    public string? CheckpointPath { get; init; }

    /// <summary>-ShardIndex/-ShardCount: only this shard's share of the keys, on both ends; null for all of them.</summary>
    public Shard? Shard { get; init; }

    /// <summary>Objects copied at once.</summary>
    public int Concurrency { get; init; } = DefaultConcurrency;

    /// <summary>The most parts of one multipart object copied at once (it takes them from <see cref="PartStreams"/>).</summary>
    public int PartConcurrency { get; init; } = DefaultPartConcurrency;

    /// <summary>Part transfers at once over the bucket, shared by its multipart objects (<see cref="Copying.PartBudget"/>).</summary>
    public int PartStreams { get; init; } = DefaultPartStreams;

    /// <summary>Connections each end needs for these options: objects at once, part streams, plus listings and control requests.</summary>
    public int Connections => Concurrency + PartStreams + 8;

    public Copying.RetryPolicy Retry { get; init; } = Copying.RetryPolicy.Default;

    /// <summary>An object transfer that moves no byte for this long is abandoned and retried.</summary>
    public TimeSpan IdleTimeout { get; init; } = StallGuard.DefaultLimit;
}
