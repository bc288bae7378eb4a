namespace MinioRestore.Engine.Reporting;

/// <summary>A bucket's result counters, updated from the workers; the result is built from them.</summary>
internal sealed class Tally
{
    private long _copied, _skipped, _conflicts, _failed, _unstorable, _unverified, _targetOnly, _archived, _bytes, _versions, _deleteMarkers;
    public long Copied => Interlocked.Read(ref _copied);
    public long Skipped => Interlocked.Read(ref _skipped);
    public long Conflicts => Interlocked.Read(ref _conflicts);
    public long Failed => Interlocked.Read(ref _failed);
    /// <summary>Of <see cref="Failed"/>, keys the target can never store (MinIO's name rules): a rerun cannot change them, so they do not block -Remove.</summary>
    public long Unstorable => Interlocked.Read(ref _unstorable);
    public long TargetOnly => Interlocked.Read(ref _targetOnly);
    /// <summary>Objects skipped or copied whose identity with the backup could not be proven.</summary>
    public long Unverified => Interlocked.Read(ref _unverified);
    /// <summary>Backup objects in an archive storage class, not readable yet: left for a later run.</summary>
    public long Archived => Interlocked.Read(ref _archived);
    public long Bytes => Interlocked.Read(ref _bytes);
    /// <summary>-AllVersions: object versions written (<see cref="Copied"/> then counts keys whose history was extended).</summary>
    public long Versions => Interlocked.Read(ref _versions);
    /// <summary>-AllVersions: delete markers written.</summary>
    public long DeleteMarkers => Interlocked.Read(ref _deleteMarkers);

    /// <summary>-AllVersions: a key's history got at least one entry written.</summary>
    public void OnHistoryExtended() => Interlocked.Increment(ref _copied);

    public void OnVersionWritten(long size, bool unverified)
    {
        Interlocked.Increment(ref _versions);
        Interlocked.Add(ref _bytes, size);
        if (unverified) Interlocked.Increment(ref _unverified);
    }

    public void OnDeleteMarkerWritten() => Interlocked.Increment(ref _deleteMarkers);

    /// <summary>Versions of a complete history taken for the backup's without proof.</summary>
    public void OnUnverified(long count) => Interlocked.Add(ref _unverified, count);
    public void OnArchived() => Interlocked.Increment(ref _archived);
    public void OnCopied(long size, bool unverified = false)
    {
        Interlocked.Increment(ref _copied);
        Interlocked.Add(ref _bytes, size);
        if (unverified) Interlocked.Increment(ref _unverified);
    }

    public void OnSkipped(bool unverified = false)
    {
        Interlocked.Increment(ref _skipped);
        if (unverified) Interlocked.Increment(ref _unverified);
    }
    public void OnConflict() => Interlocked.Increment(ref _conflicts);
    public void OnFailed(bool unstorable = false)
    {
        Interlocked.Increment(ref _failed);
        if (unstorable) Interlocked.Increment(ref _unstorable);
    }
    public void OnTargetOnly() => Interlocked.Increment(ref _targetOnly);
}
