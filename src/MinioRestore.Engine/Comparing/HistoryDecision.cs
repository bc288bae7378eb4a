using MinioRestore.Engine.Listing;

namespace MinioRestore.Engine.Comparing;

public enum HistoryAction
{
    /// <summary>The target's history of the key is the backup's: nothing to write.</summary>
    Complete,
    /// <summary>The target's history is a prefix of the backup's (possibly empty): the rest is written, from <see cref="HistoryDecision.From"/> on.</summary>
    Append,
    /// <summary>The target's history is no prefix of the backup's: a conflict for the key, never rewritten.</summary>
    Diverged,
    /// <summary>The listings cannot tell whether some versions are the same: both versions' headers decide (<see cref="HistoryDecision.Checks"/>).</summary>
    Check,
}

/// <summary>What to do with one key's history, and why (for -Verbose and warnings).</summary>
/// <param name="From">The first position of the backup's history the target lacks (the target's length, for <see cref="HistoryAction.Append"/>).</param>
/// <param name="Unverified">Positions taken for the same version without proof (the rules of <see cref="CopyPlanner"/>: encrypted, unreproducible layout).</param>
/// <param name="Checks">For <see cref="HistoryAction.Check"/>: the positions whose headers are needed.</param>
public sealed record HistoryDecision(HistoryAction Action, int From, string Reason, int Unverified = 0, IReadOnlyList<int>? Checks = null);

/// <summary>
/// -AllVersions: compares a key's history on the target with the backup's, position by
/// position (oldest first): a delete marker matches a delete marker, and two object versions
/// match when <see cref="CopyPlanner"/> would skip one for the other (same size and ETag, or
/// what the headers prove). The target's history must be a prefix of the backup's: then only the
/// rest is written. Anything else (a version that differs, a delete marker where the backup has
/// an object, more versions than the backup) is a divergence, reported and never rewritten: the
/// target's versions may be an application's, and a versioned bucket keeps every write anyway.
/// </summary>
public static class HistoryPlanner
{
    /// <param name="facts">Both versions' headers at the positions a <see cref="HistoryAction.Check"/> asked for.</param>
    public static HistoryDecision Decide(IReadOnlyList<ObjectEntry> source, IReadOnlyList<ObjectEntry>? target,
        IReadOnlyDictionary<int, (ObjectFacts Source, ObjectFacts Target)>? facts = null)
    {
        target ??= [];
        int unverified = 0;
        List<int>? checks = null;
        int common = Math.Min(source.Count, target.Count);
        for (int i = 0; i < common; i++)
        {
            var (s, t) = (source[i], target[i]);
            if (s.IsDeleteMarker || t.IsDeleteMarker)
            {
                if (s.IsDeleteMarker && t.IsDeleteMarker) continue;
                return Diverged(checks, i, s.IsDeleteMarker
                    ? $"{Position(i, source)} is a delete marker in the backup, but an object version ({t.Size} bytes, ETag {ETag.Parse(t.ETag)}) on the target"
                    : $"{Position(i, source)} is an object version ({s.Size} bytes) in the backup, but a delete marker on the target");
            }
            (ObjectFacts, ObjectFacts)? known = facts is not null && facts.TryGetValue(i, out var f) ? f : null;
            var decision = CopyPlanner.Decide(s, t, overwrite: false, known);
            switch (decision.Action)
            {
                case CopyAction.Skip: break;
                case CopyAction.SkipUnverified: unverified++; break;
                case CopyAction.Check: (checks ??= []).Add(i); break;
                default: return Diverged(checks, i, $"{Position(i, source)} differs: {decision.Reason}");
            }
        }
        if (target.Count > source.Count)
            return Diverged(checks, source.Count, $"the target has {target.Count - source.Count} version(s) or delete marker(s) more than the backup's {source.Count}");
        if (checks is not null) return new(HistoryAction.Check, target.Count, "the listings cannot tell whether some versions are the same", unverified, checks);
        if (target.Count == source.Count)
            return new(HistoryAction.Complete, source.Count, $"the target holds its whole history ({Count(source)})", unverified);
        return new(HistoryAction.Append, target.Count, target.Count == 0
            ? $"missing on the target ({Count(source)})"
            : $"the target holds the first {target.Count} of {source.Count} entries of its history", unverified);
    }

    /// <summary>A divergence after positions still to check is known only once those are checked: they might differ first.</summary>
    private static HistoryDecision Diverged(List<int>? checks, int at, string why) =>
        checks is null ? new(HistoryAction.Diverged, at, why) : new(HistoryAction.Check, at, why, 0, checks);

    private static string Position(int i, IReadOnlyList<ObjectEntry> source) =>
        i < source.Count && source[i].VersionId is { } id ? $"entry {i + 1} of its history (backup version {id})" : $"entry {i + 1} of its history";

    /// <summary>"3 versions and 1 delete marker".</summary>
    public static string Count(IReadOnlyList<ObjectEntry> history)
    {
        int markers = history.Count(v => v.IsDeleteMarker), versions = history.Count - markers;
        return $"{versions} version{(versions == 1 ? "" : "s")}" + (markers == 0 ? "" : $" and {markers} delete marker{(markers == 1 ? "" : "s")}");
    }
}
