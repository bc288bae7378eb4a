namespace MinioRestore.Engine.Reporting;

/// <summary>A bucket's result counters, updated from the workers; the result is built from them.</summary>
internal sealed class Tally
{
    private long _copied, _skipped, _conflicts, _failed, _unstorable, _targetOnly, _bytes;
    public long Copied => Interlocked.Read(ref _copied);
    public long Skipped => Interlocked.Read(ref _skipped);
    public long Conflicts => Interlocked.Read(ref _conflicts);
    public long Failed => Interlocked.Read(ref _failed);
    /// <summary>Of <see cref="Failed"/>, keys the target can never store (MinIO's name rules): a rerun cannot change them, so they do not block -Remove.</summary>
    public long Unstorable => Interlocked.Read(ref _unstorable);
    public long TargetOnly => Interlocked.Read(ref _targetOnly);
    public long Bytes => Interlocked.Read(ref _bytes);
    public void OnCopied(long size) { Interlocked.Increment(ref _copied); Interlocked.Add(ref _bytes, size); }
    public void OnSkipped() => Interlocked.Increment(ref _skipped);
    public void OnConflict() => Interlocked.Increment(ref _conflicts);
    public void OnFailed(bool unstorable = false)
    {
        Interlocked.Increment(ref _failed);
        if (unstorable) Interlocked.Increment(ref _unstorable);
    }
    public void OnTargetOnly() => Interlocked.Increment(ref _targetOnly);
}
