using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Listing;

namespace MinioRestore.Engine.Restoring;

/// <summary>-AllVersions: a key whose history the plan decided to write (or check), with the target's history of it.</summary>
internal readonly record struct PlannedHistory(KeyHistory Source, KeyHistory? Target, HistoryDecision Decision)
{
    /// <summary>The target's newest entry of the key before anything is written, or null when it has none.</summary>
    public string? TargetLatest(int from) => from > 0 ? Target!.Versions[from - 1].VersionId : null;
}

/// <summary>
/// -AllVersions: decides per key from the two histories (listings only) and yields the keys whose
/// history needs writing; complete and diverged histories and target-only keys are dealt with
/// here. Memory: the history of the key being merged, plus those being written
/// (<see cref="RestoreOptions.Concurrency"/> keys at once).
/// </summary>
internal static class HistoryPlan
{
    public static async IAsyncEnumerable<PlannedHistory> PlanAsync(BucketRun run, IAsyncEnumerable<MergedHistory> merged)
    {
        await foreach (var item in merged.ConfigureAwait(false))
        {
            if (item.Source is not { } source)
            {
                run.Tally.OnTargetOnly();
                continue;
            }
            run.Progress.OnListed(source.Versions.Count);
            var decision = HistoryPlanner.Decide(source.Versions, item.Target?.Versions);
            if (decision.Action is HistoryAction.Complete or HistoryAction.Diverged)
            {
                run.SettleHistory(source, decision);
                continue;
            }
            for (int i = decision.From; i < source.Versions.Count; i++) run.Progress.OnPlanned(source.Versions[i].Size);
            yield return new PlannedHistory(source, item.Target, decision);
        }
        run.Progress.OnListingComplete();
    }
}
