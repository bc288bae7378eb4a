using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Copying;
using MinioRestore.Engine.Ends;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Reporting;

namespace MinioRestore.Engine.Restoring;

/// <summary>
/// One bucket's restore: what was asked, the bucket pair, where events and counts go, and the
/// parts that act on the target. Built once per bucket by <see cref="Restorer"/> and handed to
/// each stage (plan, copy, remove), so that a new per-bucket concern is a member here, not a
/// parameter threaded through every method.
/// </summary>
internal sealed class BucketRun
{
    public BucketRun(RestoreEnds ends, RestoreOptions options, string sourceBucket, string targetBucket,
        IRestoreReporter reporter, RestoreProgress progress, CancellationToken cancel)
    {
        Ends = ends;
        Options = options;
        SourceBucket = sourceBucket;
        TargetBucket = targetBucket;
        Reporter = reporter;
        Progress = progress;
        Cancel = cancel;
        Copier = ends.Copier(sourceBucket, targetBucket, options.Retry, new PartBudget(options.PartStreams, options.PartConcurrency), options.IdleTimeout,
            (what, failure, attempt) => Report(RestoreEventKind.Retrying, what,
                $"Retrying '{what}' (attempt {attempt + 1}{(attempt < options.Retry.Attempts ? $" of {options.Retry.Attempts}" : $", for up to {options.Retry.Budget.TotalSeconds:0} s after the first failure")}): {failure.Message}", failure),
            failure => Report(RestoreEventKind.AttributesNotCopied, null, failure.Message, failure), options.StorageClass);
        Writer = TargetWriter.For(this);
        Removal = options.Remove ? new Removal(this) : null;
        Archive = new ArchivedObjects(this);
    }

    public RestoreEnds Ends { get; }
    public RestoreOptions Options { get; }
    public string SourceBucket { get; }
    public string TargetBucket { get; }
    public IRestoreReporter Reporter { get; }
    public RestoreProgress Progress { get; }
    public Tally Tally { get; } = new();
    public ObjectCopier Copier { get; }

    /// <summary>The backup bucket's Object Lock, or null; known once the buckets were checked.</summary>
    public BucketLock? SourceLock { get; set; }

    /// <summary>Everything that changes the target goes through here; -WhatIf chose its kind.</summary>
    public TargetWriter Writer { get; }

    /// <summary>With -Remove: the target objects the backup lacks, and whether they may go.</summary>
    public Removal? Removal { get; }
    public CancellationToken Cancel { get; }

    /// <summary>Backup objects in GLACIER or DEEP_ARCHIVE: copied once readable, else counted and left for a later run.</summary>
    public ArchivedObjects Archive { get; }

    private long _lastCopy = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>An object reached the target: both ends answer.</summary>
    public void OnCopyLanded() => Volatile.Write(ref _lastCopy, System.Diagnostics.Stopwatch.GetTimestamp());

    /// <summary>
    /// An end is gone rather than restarting: an object failed as unreachable after its whole retry
    /// budget, and no copy landed within that budget either. Going on would spend the budget again
    /// on every remaining object (days, for a big bucket), so the bucket stops instead.
    /// </summary>
    public bool EndIsGone(RestoreException failure) =>
        failure.ErrorId == ErrorIds.EndpointUnreachable
        && System.Diagnostics.Stopwatch.GetElapsedTime(Volatile.Read(ref _lastCopy)) >= Options.Retry.Budget;

    /// <summary>Counts and reports a decision that writes nothing: a skip (proven or not) or a conflict.</summary>
    public void Settle(string key, CopyDecision decision)
    {
        switch (decision.Action)
        {
            case CopyAction.Skip:
                Tally.OnSkipped();
                Report(RestoreEventKind.Skipped, key, $"Skipped '{key}': {decision.Reason}.");
                break;
            case CopyAction.SkipUnverified:
                Tally.OnSkipped(unverified: true);
                Report(RestoreEventKind.SkippedUnverified, key, $"Skipped '{key}', unverified: {decision.Reason}.");
                break;
            case CopyAction.Conflict:
                Tally.OnConflict();
                Report(RestoreEventKind.Conflict, key,
                    $"'{key}' differs on the target and was left alone: {decision.Reason}. Use -Overwrite to replace it with the backup.");
                break;
            default:
                throw new InvalidOperationException($"{decision.Action} writes to the target; it is not settled here.");
        }
    }

    /// <summary>
    /// The final decision for a planned copy: an archived backup object that cannot be read yet is
    /// left for a later run, a <see cref="CopyAction.Check"/> is decided from both objects'
    /// headers, and one that needs no write after all is settled here (null).
    /// </summary>
    public async Task<CopyDecision?> ResolveAsync(PlannedCopy item, CancellationToken cancel)
    {
        if (ArchivedObjects.IsArchived(item.Entry) && !await Archive.ReadableAsync(item.Entry, cancel).ConfigureAwait(false))
        {
            Progress.OnUnplanned(item.Entry.Size);
            return null;
        }
        if (item.Decision.Action != CopyAction.Check) return item.Decision;
        var facts = await Ends.FactsAsync(SourceBucket, TargetBucket, item.Entry.Key, item.Entry.VersionId, cancel).ConfigureAwait(false);
        var decision = CopyPlanner.Decide(item.Entry, item.Target, Options.Overwrite, facts);
        if (decision.Action is CopyAction.Copy or CopyAction.Overwrite) return decision;
        Progress.OnUnplanned(item.Entry.Size);
        Settle(item.Entry.Key, decision);
        return null;
    }

    /// <summary>-AllVersions: counts and reports a key's history that needs no write: complete, or diverged (a conflict).</summary>
    public void SettleHistory(KeyHistory source, HistoryDecision decision)
    {
        string key = source.Key;
        switch (decision.Action)
        {
            case HistoryAction.Complete:
                Tally.OnSkipped();
                Tally.OnUnverified(decision.Unverified);
                if (decision.Unverified > 0)
                    Report(RestoreEventKind.SkippedUnverified, key, $"Skipped '{key}': {decision.Reason}; {decision.Unverified} of its versions are unverified (their ETags are no comparable hashes).");
                else
                    Report(RestoreEventKind.Skipped, key, $"Skipped '{key}': {decision.Reason}.");
                break;
            case HistoryAction.Diverged:
                Tally.OnConflict();
                var failure = new RestoreException(ErrorIds.VersionHistoryDiverged, FailureKind.Conflict,
                    $"'{key}': its history on the target is not the backup's, so none of it was written: {decision.Reason}. " +
                    "A history is never rewritten (the target's versions may be an application's); restore into another bucket (-TargetBucket) for the backup's.");
                Report(RestoreEventKind.Conflict, key, failure.Message, failure);
                break;
            default:
                throw new InvalidOperationException($"{decision.Action} writes to the target; it is not settled here.");
        }
    }

    /// <summary>
    /// -AllVersions: the final decision for a key's history planned for writing: a
    /// <see cref="HistoryAction.Check"/> is decided from both versions' headers, and a history that
    /// needs no write after all is settled here (null).
    /// </summary>
    public async Task<HistoryDecision?> ResolveHistoryAsync(PlannedHistory item, CancellationToken cancel)
    {
        var decision = item.Decision;
        if (decision.Action == HistoryAction.Check)
        {
            var facts = new Dictionary<int, (ObjectFacts, ObjectFacts)>();
            foreach (int i in decision.Checks!)
                facts[i] = await Ends.FactsAsync(SourceBucket, TargetBucket, item.Source.Key, item.Source.Versions[i].VersionId, cancel,
                    item.Target!.Versions[i].VersionId).ConfigureAwait(false);
            decision = HistoryPlanner.Decide(item.Source.Versions, item.Target?.Versions, facts);
        }
        if (decision.Action == HistoryAction.Append) return decision;
        Unplan(item.Source, item.Decision.From);
        SettleHistory(item.Source, decision);
        return null;
    }

    /// <summary>Takes the entries of a history from <paramref name="from"/> on out of the progress totals: they will not be written.</summary>
    public void Unplan(KeyHistory history, int from)
    {
        for (int i = from; i < history.Versions.Count; i++) Progress.OnUnplanned(history.Versions[i].Size);
    }

    public void Report(RestoreEventKind kind, string? key, string message, RestoreException? failure = null, CopyAction? action = null) =>
        Reporter.Report(new(kind, TargetBucket, key, message, failure) { Action = action });
}
