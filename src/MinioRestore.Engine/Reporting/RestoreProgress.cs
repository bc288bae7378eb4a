namespace MinioRestore.Engine.Reporting;

/// <summary>Live counters of a running restore, updated by the workers and read by whoever shows progress.</summary>
public sealed class RestoreProgress
{
    private long _listed, _toCopy, _toCopyBytes, _done, _transferred;
    private int _listingDone;

    /// <summary>Source objects listed so far (with -AllVersions, versions and delete markers; so are the other counts).</summary>
    public long Listed => Interlocked.Read(ref _listed);

    /// <summary>Objects (and bytes) found to need copying so far.</summary>
    public long ToCopy => Interlocked.Read(ref _toCopy);
    public long ToCopyBytes => Interlocked.Read(ref _toCopyBytes);

    /// <summary>Objects finished (copied or failed) of those to copy.</summary>
    public long Done => Interlocked.Read(ref _done);

    /// <summary>Bytes sent to the target so far.</summary>
    public long TransferredBytes => Interlocked.Read(ref _transferred);

    /// <summary>True once both listings are read to the end, so totals are final.</summary>
    public bool ListingComplete => Volatile.Read(ref _listingDone) == 1;

    internal void OnListed() => Interlocked.Increment(ref _listed);
    /// <summary>-AllVersions: a key's history, counted in versions and delete markers.</summary>
    internal void OnListed(int versions) => Interlocked.Add(ref _listed, versions);
    internal void OnPlanned(long size) { Interlocked.Increment(ref _toCopy); Interlocked.Add(ref _toCopyBytes, size); }
    /// <summary>A planned object the check found needs no copy after all.</summary>
    internal void OnUnplanned(long size) { Interlocked.Decrement(ref _toCopy); Interlocked.Add(ref _toCopyBytes, -size); }
    internal void OnDone() => Interlocked.Increment(ref _done);
    internal void OnBytes(long n) => Interlocked.Add(ref _transferred, n);
    internal void OnListingComplete() => Volatile.Write(ref _listingDone, 1);
}
