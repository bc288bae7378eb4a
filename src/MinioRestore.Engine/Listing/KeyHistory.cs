using System.Runtime.CompilerServices;

namespace MinioRestore.Engine.Listing;

/// <summary>
/// One key's history in a versioned bucket, oldest first: its versions and delete markers as
/// ListObjectVersions shows them (newest first), reversed. A run of delete markers in a row is
/// one entry, the newest of the run: it says no more than one (the key is absent), and a target
/// may keep only one (RGW 16 writes no delete marker over a delete marker: DeleteObject answers
/// 204 without x-amz-delete-marker, measured), so histories are compared and written that way.
/// </summary>
public sealed record KeyHistory(string Key, IReadOnlyList<ObjectEntry> Versions)
{
    /// <summary>The number of object versions (not delete markers).</summary>
    public int ObjectVersions => Versions.Count(v => !v.IsDeleteMarker);

    /// <summary>
    /// Groups a version listing (keys in order, each key newest first: RGW 16 lists a key's versions
    /// and delete markers interleaved in the order written, newest first, with LastModified in
    /// milliseconds; measured, RgwVersioningFactsTests) into histories, one key at
    /// a time: memory holds the key being read, however long its history, never the bucket's.
    /// With <paramref name="upToUtc"/>, only versions modified at or before it (-AllVersions -AsOf);
    /// a key left with no version is not listed.
    /// </summary>
    internal static async IAsyncEnumerable<KeyHistory> GroupAsync(IAsyncEnumerable<ObjectEntry> versions, DateTime? upToUtc,
        [EnumeratorCancellation] CancellationToken cancel = default)
    {
        string? key = null;
        var newestFirst = new List<ObjectEntry>();
        await foreach (var version in versions.WithCancellation(cancel).ConfigureAwait(false))
        {
            if (key is null || !string.Equals(key, version.Key, StringComparison.Ordinal))
            {
                if (Finish(key, newestFirst) is { } done) yield return done;
                key = version.Key;
                newestFirst = [];
            }
            if (upToUtc is { } t && version.LastModified.ToUniversalTime() > t) continue;
            if (version.IsDeleteMarker && newestFirst.Count > 0 && newestFirst[^1].IsDeleteMarker) continue; // an older marker of the same run
            // One string for the key in every entry of its history: a long key with many versions is held once.
            newestFirst.Add(ReferenceEquals(version.Key, key) ? version : version with { Key = key });
        }
        if (Finish(key, newestFirst) is { } last) yield return last;
    }

    private static KeyHistory? Finish(string? key, List<ObjectEntry> newestFirst)
    {
        if (key is null || newestFirst.Count == 0) return null;
        newestFirst.Reverse();
        return new KeyHistory(key, newestFirst);
    }
}
