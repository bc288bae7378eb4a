namespace MinioRestore.Engine.Listing;

/// <summary>
/// The rule of a point-in-time listing: per key, the newest version whose LastModified is at or
/// before the instant; a key whose newest such entry is a delete marker, or that has none, is
/// not in the backup at that instant. Fed one version at a time in listing order (keys in order,
/// each key's versions newest first), it holds one candidate, so memory does not grow with the
/// number of versions.
/// </summary>
internal sealed class AsOfPicker(DateTime asOfUtc)
{
    private string? _key;
    private ObjectEntry? _best;
    private bool _hasCandidate, _bestIsDeleteMarker;
    private DateTime _bestTime;

    public DateTime AsOfUtc { get; } = asOfUtc.ToUniversalTime();

    /// <summary>Takes the next version (or delete marker) of the listing.</summary>
    /// <returns>The previous key's chosen version when <paramref name="version"/> starts a new key, else null.</returns>
    public ObjectEntry? Offer(ObjectEntry version, bool isDeleteMarker)
    {
        ObjectEntry? finished = null;
        if (_key is null || !string.Equals(_key, version.Key, StringComparison.Ordinal))
        {
            finished = Finish();
            _key = version.Key;
        }
        var time = version.LastModified.ToUniversalTime();
        // Ties keep the first listed: servers list a key's versions newest first, and two
        // writes in the same second (listings show seconds or milliseconds) are ordered only there.
        if (time <= AsOfUtc && (!_hasCandidate || time > _bestTime))
        {
            _best = version;
            _bestIsDeleteMarker = isDeleteMarker;
            _bestTime = time;
            _hasCandidate = true;
        }
        return finished;
    }

    /// <summary>Ends the current key: its chosen version, or null when it did not exist at the instant (deleted, or not yet written).</summary>
    public ObjectEntry? Finish()
    {
        var chosen = _hasCandidate && !_bestIsDeleteMarker ? _best : null;
        _key = null;
        _best = null;
        _hasCandidate = false;
        return chosen;
    }
}
