using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Reporting;

namespace MinioRestore.Engine.Restoring;

/// <summary>
/// -Remove: decides whether the target objects in scope that the backup lacks may go, after
/// every copy of the bucket, and keeps count; the <see cref="TargetWriter"/> deletes them. A run
/// that went wrong (failed copies, conflicts, an earlier error) or would delete more than
/// -MaxDelete deletes nothing: a broken or wrong backup must not empty the target.
/// </summary>
internal sealed class Removal(BucketRun run)
{
    // Kept only up to MaxDelete: beyond it nothing is removed, so memory stays bounded.
    private readonly List<string> _candidates = [];
    private long _found;
    private long _removed, _failed;

    private string TargetBucket => run.TargetBucket;

    public long Removed => Interlocked.Read(ref _removed);
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>True when -MaxDelete refused the removal: the run did not do what was asked.</summary>
    public bool Refused { get; private set; }

    /// <summary>Why objects the backup lacks were kept, or null.</summary>
    public string? SkippedReason { get; private set; }

    /// <summary>Called by the planner, one key at a time, for each target-only object in scope.</summary>
    public void OnTargetOnly(string key)
    {
        if (++_found <= run.Options.MaxDelete) _candidates.Add(key);
    }

    /// <param name="bucketFailed">The bucket's restore stopped on an error, so the listing may be incomplete.</param>
    public async Task RunAsync(bool bucketFailed)
    {
        long copyFailures = run.Tally.Failed - run.Tally.Unstorable, conflicts = run.Tally.Conflicts;
        string? blocked = bucketFailed ? "the restore of this bucket failed"
            : copyFailures > 0 ? $"{copyFailures} object(s) could not be copied"
            : conflicts > 0 ? $"{conflicts} object(s) differ on the target (conflicts), so the target changed after the backup; replace them with -Overwrite or check them first"
            : run.Options.RemovalBlockedBy;
        if (blocked is not null)
        {
            if (_found > 0 || bucketFailed)
                Skip($"Nothing was removed from '{TargetBucket}' ({_found} object(s) the backup lacks were found): {blocked}. -Remove deletes only after a run without errors.");
            return;
        }
        if (_found == 0) return;

        if (_found > run.Options.MaxDelete)
        {
            Refused = true;
            var failure = new RestoreException(ErrorIds.RemoveLimitExceeded, FailureKind.LimitExceeded,
                $"Nothing was removed from '{TargetBucket}': {_found} objects there are not in the backup, more than -MaxDelete {run.Options.MaxDelete} allows. " +
                $"Check that the backup bucket is the right one and complete, then run again with -MaxDelete {_found} to remove them.");
            SkippedReason = failure.Message;
            run.Report(RestoreEventKind.RemovalRefused, null, failure.Message, failure);
            return;
        }

        await run.Writer.RemoveAsync(this, _candidates).ConfigureAwait(false);
    }

    /// <summary>The user approved <paramref name="approved"/> of the <paramref name="asked"/> keys; the rest stay.</summary>
    internal void OnConfirmed(int approved, int asked)
    {
        if (approved == asked) return;
        Skip(approved == 0
            ? $"Nothing was removed from '{TargetBucket}': removing the {asked} object(s) the backup lacks was not confirmed. Run again with -Force to remove them without a prompt."
            : $"{asked - approved} of the {asked} object(s) the backup lacks were kept in '{TargetBucket}': their removal was not confirmed.");
    }

    internal void OnRemoved(string key)
    {
        Interlocked.Increment(ref _removed);
        run.Report(RestoreEventKind.Removed, key, $"Removed '{key}': not in the backup.");
    }

    /// <summary>-WhatIf: counted as removed, so the result says what a real run would do.</summary>
    internal void OnWouldRemove(string key)
    {
        Interlocked.Increment(ref _removed);
        run.Report(RestoreEventKind.WouldRemove, key, $"Remove '{key}': not in the backup");
    }

    internal void OnNotRemoved(string key, RestoreException failure)
    {
        Interlocked.Increment(ref _failed);
        run.Report(RestoreEventKind.ObjectFailed, key, $"'{key}' was not removed from '{TargetBucket}': {failure.Message}", failure);
    }

    private void Skip(string reason)
    {
        SkippedReason = reason;
        run.Report(RestoreEventKind.RemovalSkipped, null, reason);
    }
}
