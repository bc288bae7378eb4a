using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using System.Runtime.CompilerServices;

namespace MinioRestore.Engine.Comparing;

/// <summary>A key as seen on both ends: the source entry, the target entry, or both.</summary>
public readonly record struct MergedEntry(ObjectEntry? Source, ObjectEntry? Target)
{
    public string Key => (Source ?? Target)!.Key;
}

/// <summary>A key's history as seen on both ends (-AllVersions): the backup's, the target's, or both.</summary>
public readonly record struct MergedHistory(KeyHistory? Source, KeyHistory? Target)
{
    public string Key => (Source ?? Target)!.Key;
}

/// <summary>
/// Sorted merge of the source and target listings (rclone's "march"): one pass, no per-object
/// request, memory independent of the object count.
/// </summary>
public static class ListingMerge
{
    public static IAsyncEnumerable<MergedEntry> MergeAsync(
        IAsyncEnumerable<ObjectEntry> source, IAsyncEnumerable<ObjectEntry> target, CancellationToken cancel = default) =>
        MergeAsync(source, target, e => e.Key, (s, t) => new MergedEntry(s, t), cancel);

    /// <summary>Two streams of key histories merged by key, as two listings are.</summary>
    public static IAsyncEnumerable<MergedHistory> MergeAsync(
        IAsyncEnumerable<KeyHistory> source, IAsyncEnumerable<KeyHistory> target, CancellationToken cancel = default) =>
        MergeAsync(source, target, h => h.Key, (s, t) => new MergedHistory(s, t), cancel);

    private static async IAsyncEnumerable<TMerged> MergeAsync<T, TMerged>(
        IAsyncEnumerable<T> source, IAsyncEnumerable<T> target, Func<T, string> keyOf, Func<T?, T?, TMerged> pair,
        [EnumeratorCancellation] CancellationToken cancel = default) where T : class
    {
        var order = KeyOrder.Instance;
        await using var s = InOrder(source, keyOf, "source", cancel).GetAsyncEnumerator(cancel);
        await using var t = InOrder(target, keyOf, "target", cancel).GetAsyncEnumerator(cancel);
        // Both first pages are asked for at once: the target's would otherwise wait for the source's answer.
        // WhenAll lets both end (a listing must be idle to be disposed) and throws the source's failure first.
        var first = await Task.WhenAll(s.MoveNextAsync().AsTask(), t.MoveNextAsync().AsTask()).ConfigureAwait(false);
        bool hasS = first[0], hasT = first[1];
        while (hasS || hasT)
        {
            int c = !hasS ? 1 : !hasT ? -1 : order.Compare(keyOf(s.Current), keyOf(t.Current));
            if (c < 0)
            {
                yield return pair(s.Current, null);
                hasS = await s.MoveNextAsync().ConfigureAwait(false);
            }
            else if (c > 0)
            {
                yield return pair(null, t.Current);
                hasT = await t.MoveNextAsync().ConfigureAwait(false);
            }
            else
            {
                yield return pair(s.Current, t.Current);
                hasS = await s.MoveNextAsync().ConfigureAwait(false);
                hasT = await t.MoveNextAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A merge of listings in different orders would take present objects for missing ones and
    /// overwrite them, so a listing out of order stops the run.
    /// </summary>
    private static async IAsyncEnumerable<T> InOrder<T>(
        IAsyncEnumerable<T> listing, Func<T, string> keyOf, string side, [EnumeratorCancellation] CancellationToken cancel)
    {
        string? previous = null;
        await foreach (var entry in listing.WithCancellation(cancel).ConfigureAwait(false))
        {
            string key = keyOf(entry);
            if (previous is not null && KeyOrder.Instance.Compare(previous, key) >= 0)
                throw new RestoreException(ErrorIds.ListingOutOfOrder, FailureKind.Unexpected,
                    $"The {side} server listed keys out of UTF-8 byte order ('{previous}' before '{key}'); " +
                    "the restore stopped so that nothing is overwritten by mistake.");
            previous = key;
            yield return entry;
        }
    }
}
