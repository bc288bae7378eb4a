using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using System.Runtime.CompilerServices;

namespace MinioRestore.Engine.Comparing;

/// <summary>A key as seen on both ends: the source entry, the target entry, or both.</summary>
public readonly record struct MergedEntry(ObjectEntry? Source, ObjectEntry? Target)
{
    public string Key => (Source ?? Target)!.Key;
}

/// <summary>
/// Sorted merge of the source and target listings (rclone's "march"): one pass, no per-object
/// request, memory independent of the object count.
/// </summary>
public static class ListingMerge
{
    public static async IAsyncEnumerable<MergedEntry> MergeAsync(
        IAsyncEnumerable<ObjectEntry> source, IAsyncEnumerable<ObjectEntry> target,
        [EnumeratorCancellation] CancellationToken cancel = default)
    {
        var order = KeyOrder.Instance;
        await using var s = InOrder(source, "source", cancel).GetAsyncEnumerator(cancel);
        await using var t = InOrder(target, "target", cancel).GetAsyncEnumerator(cancel);
        bool hasS = await s.MoveNextAsync().ConfigureAwait(false);
        bool hasT = await t.MoveNextAsync().ConfigureAwait(false);
        while (hasS || hasT)
        {
            int c = !hasS ? 1 : !hasT ? -1 : order.Compare(s.Current.Key, t.Current.Key);
            if (c < 0)
            {
                yield return new MergedEntry(s.Current, null);
                hasS = await s.MoveNextAsync().ConfigureAwait(false);
            }
            else if (c > 0)
            {
                yield return new MergedEntry(null, t.Current);
                hasT = await t.MoveNextAsync().ConfigureAwait(false);
            }
            else
            {
                yield return new MergedEntry(s.Current, t.Current);
                hasS = await s.MoveNextAsync().ConfigureAwait(false);
                hasT = await t.MoveNextAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A merge of listings in different orders would take present objects for missing ones and
    /// overwrite them, so a listing out of order stops the run.
    /// </summary>
    private static async IAsyncEnumerable<ObjectEntry> InOrder(
        IAsyncEnumerable<ObjectEntry> listing, string side, [EnumeratorCancellation] CancellationToken cancel)
    {
        string? previous = null;
        await foreach (var entry in listing.WithCancellation(cancel).ConfigureAwait(false))
        {
            if (previous is not null && KeyOrder.Instance.Compare(previous, entry.Key) >= 0)
                throw new RestoreException(ErrorIds.ListingOutOfOrder, FailureKind.Unexpected,
                    $"The {side} server listed keys out of UTF-8 byte order ('{previous}' before '{entry.Key}'); " +
                    "the restore stopped so that nothing is overwritten by mistake.");
            previous = entry.Key;
            yield return entry;
        }
    }
}
