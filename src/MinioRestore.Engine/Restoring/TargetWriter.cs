using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Copying;
using MinioRestore.Engine.Ends;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Mirror;
using RestoredVersion = MinioRestore.Engine.Mirror.RestoredVersion;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Transport;
using RestoreStatus = MinioRestore.Engine.Mirror.RestoreStatus;

namespace MinioRestore.Engine.Restoring;

/// <summary>An object the plan decided to copy, and why.</summary>
/// <param name="Target">The target's listing entry, if it has the key (for a decision the copy stage makes: <see cref="CopyAction.Check"/>).</param>
internal readonly record struct PlannedCopy(ObjectEntry Entry, ObjectEntry? Target, CopyDecision Decision);

/// <summary>
/// The only part of a restore that changes the target: creates the bucket, copies, deletes.
/// -WhatIf is decided here, once per bucket (<see cref="For"/>): the dry run reports what it
/// would write and writes nothing, so the planner and the removal policy never ask.
/// </summary>
internal abstract class TargetWriter(BucketRun run)
{
    protected BucketRun Run { get; } = run;

    public static TargetWriter For(BucketRun run) => run.Options.WhatIf ? new DryRun(run) : new Live(run);

    /// <summary>Creates the missing target bucket, with the backup bucket's Object Lock if it has one; true when this run created it (not another run meanwhile).</summary>
    public abstract Task<bool> CreateBucketAsync(BucketLock? withLock);

    /// <summary>Copies (or would copy) every planned object; failures are reported per object.</summary>
    public abstract Task CopyAllAsync(IAsyncEnumerable<PlannedCopy> planned);

    /// <summary>-AllVersions: enables (or would enable) versioning on the target bucket.</summary>
    public abstract Task EnableVersioningAsync();

    /// <summary>
    /// -AllVersions: writes (or would write) the rest of every planned key's history, oldest first,
    /// each key's entries one after another (the target orders a key's versions by when they are
    /// written), keys in parallel; failures and conflicts are reported per key.
    /// </summary>
    public abstract Task WriteHistoriesAsync(IAsyncEnumerable<PlannedHistory> planned);

    /// <summary>An entry of a history in words: "version X (N bytes)" or "the delete marker X".</summary>
    private static string Entry(ObjectEntry entry) =>
        entry.IsDeleteMarker ? $"the delete marker {entry.VersionId}" : $"version {entry.VersionId} ({entry.Size} bytes)";

    /// <summary>Deletes (or would delete) the keys -Remove may delete, after the user's confirmation.</summary>
    public abstract Task RemoveAsync(Removal removal, IReadOnlyList<string> keys);

    /// <summary>The status of a bucket that ran to its end.</summary>
    public abstract RestoreStatus Completed(bool anyFailure);

    /// <summary>With -AsOf, which version of the backup was (or would be) copied, for the messages.</summary>
    private static string Version(ObjectEntry entry) => entry.VersionId is { } id ? $"version {id}, " : "";

    /// <summary>Whether DeleteObjects' XML (1.0) can carry the key; others are deleted one request each.</summary>
    internal static bool XmlSafe(string key)
    {
        foreach (char c in key)
            if (c < ' ' || c is '\uFFFE' or '\uFFFF') return false;
        return true;
    }

    /// <summary>Writes to the target.</summary>
    private sealed class Live(BucketRun run) : TargetWriter(run)
    {
        /// <summary>The most keys one DeleteObjects request takes.</summary>
        private const int DeleteBatchSize = 1000;

        public override async Task<bool> CreateBucketAsync(BucketLock? withLock)
        {
            if (!await Run.Ends.CreateTargetBucketAsync(Run.TargetBucket, Run.Cancel, withLock).ConfigureAwait(false))
                return false; // another run (a shard) created it meanwhile: it says so, not this one
            Run.Report(RestoreEventKind.BucketCreated, null, $"Created bucket '{Run.TargetBucket}' on the {EndRole.Target}{(withLock is null ? "" : $" with {withLock.Describe()}")}.");
            return true;
        }

        public override Task CopyAllAsync(IAsyncEnumerable<PlannedCopy> planned) =>
            Parallel.ForEachAsync(planned, new ParallelOptions { MaxDegreeOfParallelism = Run.Options.Concurrency, CancellationToken = Run.Cancel },
                async (item, ct) =>
                {
                    var entry = item.Entry;
                    bool planned = true;
                    try
                    {
                        // A check reads both objects' headers; it may find nothing to write after all.
                        if (await Run.ResolveAsync(item, ct).ConfigureAwait(false) is not { } decision)
                        {
                            planned = false;
                            return;
                        }
                        // Written only over what the listing showed: an object another writer put there since stays.
                        var guard = decision.Action == CopyAction.Overwrite && item.Target is { } listed ? new WriteGuard(listed.ETag) : WriteGuard.Absent;
                        var verification = await Run.Copier.CopyAsync(entry, Run.Progress.OnBytes, ct, guard).ConfigureAwait(false);
                        bool proven = verification == Verification.MatchesSourceETag;
                        Run.OnCopyLanded();
                        Run.Tally.OnCopied(entry.Size, unverified: !proven);
                        if (proven)
                            Run.Report(RestoreEventKind.Copied, entry.Key, $"Copied '{entry.Key}' ({Version(entry)}{entry.Size} bytes, verified against the backup's ETag).", action: decision.Action);
                        else
                            Run.Report(RestoreEventKind.CopiedUnverified, entry.Key,
                                $"Copied '{entry.Key}' ({Version(entry)}{entry.Size} bytes), unverified: the target holds exactly the bytes read, but the backup's ETag '{ETag.Parse(entry.ETag)}' is not a hash that could be reproduced.",
                                action: decision.Action);
                    }
                    catch (Exception e) when (!ct.IsCancellationRequested)
                    {
                        var failure = S3Failure.Explain(e, EndRole.Target, Run.Ends.TargetEndpoint, $"copying '{entry.Key}'", ErrorIds.ObjectCopyFailed);
                        if (failure.ErrorId == ErrorIds.TargetObjectChanged)
                        {
                            Run.Tally.OnConflict();
                            Run.Report(RestoreEventKind.Conflict, entry.Key, failure.Message, failure);
                            return;
                        }
                        Run.Tally.OnFailed(unstorable: failure.ErrorId == ErrorIds.UnsupportedObjectName);
                        Run.Report(RestoreEventKind.ObjectFailed, entry.Key, $"'{entry.Key}' was not restored: {failure.Message}", failure);
                        if (Run.EndIsGone(failure))
                            throw new RestoreException(ErrorIds.EndpointUnreachable, failure.Kind,
                                $"No object was copied for {Run.Options.Retry.Budget.TotalSeconds:0} s, and '{entry.Key}' failed after retrying that long: {failure.Message} " +
                                $"The restore of '{Run.SourceBucket}' stopped rather than spend as long on every remaining object; nothing partial is left. " +
                                "Run the same command again once both ends answer: it copies only what is still missing (-RetryTimeoutSec sets how long an outage is ridden through).",
                                failure);
                    }
                    finally
                    {
                        if (planned) Run.Progress.OnDone();
                    }
                });

        public override async Task EnableVersioningAsync()
        {
            await Run.Ends.EnableTargetVersioningAsync(Run.TargetBucket, Run.Cancel).ConfigureAwait(false);
            Run.Report(RestoreEventKind.VersioningEnabled, null, $"Enabled versioning on bucket '{Run.TargetBucket}' on the {EndRole.Target}, to restore whole histories.");
        }

        public override Task WriteHistoriesAsync(IAsyncEnumerable<PlannedHistory> planned) =>
            Parallel.ForEachAsync(planned, new ParallelOptions { MaxDegreeOfParallelism = Run.Options.Concurrency, CancellationToken = Run.Cancel },
                async (item, ct) =>
                {
                    var history = item.Source.Versions;
                    string key = item.Source.Key;
                    HistoryDecision? decision;
                    try
                    {
                        // A check reads both versions' headers; it may find nothing to write after all.
                        decision = await Run.ResolveHistoryAsync(item, ct).ConfigureAwait(false);
                    }
                    catch (Exception e) when (!ct.IsCancellationRequested)
                    {
                        Run.Unplan(item.Source, item.Decision.From);
                        Run.Tally.OnFailed();
                        var failure = S3Failure.Explain(e, EndRole.Target, Run.Ends.TargetEndpoint, $"comparing the history of '{key}'", ErrorIds.ObjectCopyFailed);
                        Run.Report(RestoreEventKind.ObjectFailed, key, $"The history of '{key}' was not restored: {failure.Message}", failure);
                        return;
                    }
                    if (decision is null) return;
                    string? after = item.TargetLatest(decision.From);
                    int written = 0, i = decision.From;
                    try
                    {
                        for (; i < history.Count; i++)
                        {
                            var version = history[i];
                            // A version that cannot be read yet stops the history there: what follows it must come after it.
                            if (!version.IsDeleteMarker && ArchivedObjects.IsArchived(version) && !await Run.Archive.ReadableAsync(version, ct).ConfigureAwait(false))
                                break;
                            var append = new VersionAppend(after);
                            bool proven = true;
                            if (version.IsDeleteMarker)
                                await Run.Copier.AppendDeleteMarkerAsync(key, append, ct).ConfigureAwait(false);
                            else
                                proven = await Run.Copier.CopyAsync(version, Run.Progress.OnBytes, ct, WriteGuard.Appending(append)).ConfigureAwait(false) == Verification.MatchesSourceETag;
                            after = append.WrittenVersionId;
                            written++;
                            if (version.IsDeleteMarker) Run.Tally.OnDeleteMarkerWritten();
                            else Run.Tally.OnVersionWritten(version.Size, unverified: !proven);
                            Run.Progress.OnDone();
                            Written(version, after!, proven, i, history.Count);
                        }
                        if (i == history.Count)
                            Run.Report(RestoreEventKind.HistoryWritten, key, $"Restored the history of '{key}' to its end ({written} of its {history.Count} entries written by this run).");
                    }
                    catch (Exception e) when (!ct.IsCancellationRequested)
                    {
                        var failure = S3Failure.Explain(e, EndRole.Target, Run.Ends.TargetEndpoint, $"writing {Entry(history[i])} of '{key}'", ErrorIds.ObjectCopyFailed);
                        string done = written == 0 ? "" : $" ({written} entr{(written == 1 ? "y" : "ies")} of its history were written first)";
                        if (failure.ErrorId == ErrorIds.TargetObjectChanged)
                        {
                            Run.Tally.OnConflict();
                            Run.Report(RestoreEventKind.Conflict, key, failure.Message + done, failure);
                        }
                        else
                        {
                            Run.Tally.OnFailed(unstorable: failure.ErrorId == ErrorIds.UnsupportedObjectName);
                            Run.Report(RestoreEventKind.ObjectFailed, key,
                                $"The history of '{key}' was restored only up to entry {i} of {history.Count}{done}: {failure.Message} A rerun goes on from there.", failure);
                        }
                    }
                    finally
                    {
                        // What was not written (a failure, an archived version) leaves the totals.
                        for (int rest = i; rest < history.Count; rest++) Run.Progress.OnUnplanned(history[rest].Size);
                        if (written > 0) Run.Tally.OnHistoryExtended();
                    }
                });

        private void Written(ObjectEntry version, string targetVersionId, bool proven, int index, int count)
        {
            var mapped = new RestoredVersion
            {
                SourceBucket = Run.SourceBucket, TargetBucket = Run.TargetBucket, Key = version.Key,
                SourceVersionId = version.VersionId ?? "null", TargetVersionId = targetVersionId, IsDeleteMarker = version.IsDeleteMarker,
                LastModified = version.LastModified.ToUniversalTime(), Size = version.Size, ETag = version.IsDeleteMarker ? "" : ETag.Parse(version.ETag).Value,
            };
            string what = version.IsDeleteMarker
                ? $"Wrote a delete marker for '{version.Key}' (entry {index + 1} of {count} of its history): backup version {mapped.SourceVersionId} -> target version {targetVersionId}."
                : $"Copied '{version.Key}' (entry {index + 1} of {count} of its history, {version.Size} bytes, {(proven ? "verified against the backup's ETag" : "unverified: the backup's ETag is not a hash that could be reproduced")}): " +
                  $"backup version {mapped.SourceVersionId} -> target version {targetVersionId}.";
            Run.Reporter.Report(new(RestoreEventKind.VersionWritten, Run.TargetBucket, version.Key, what) { Version = mapped });
        }

        public override async Task RemoveAsync(Removal removal, IReadOnlyList<string> keys)
        {
            var confirm = Run.Options.ConfirmRemoval;
            var approved = confirm is null ? keys : await confirm(Run.TargetBucket, keys, Run.Cancel).WaitAsync(Run.Cancel).ConfigureAwait(false);
            removal.OnConfirmed(approved.Count, keys.Count);
            // XML 1.0 cannot carry control characters, so such keys go one request each.
            foreach (var batch in approved.Where(XmlSafe).Chunk(DeleteBatchSize))
                await DeleteBatchAsync(removal, batch).ConfigureAwait(false);
            foreach (var key in approved.Where(k => !XmlSafe(k)))
                await DeleteOneAsync(removal, key).ConfigureAwait(false);
        }

        private async Task DeleteBatchAsync(Removal removal, string[] batch)
        {
            var request = new DeleteObjectsRequest
            {
                BucketName = Run.TargetBucket,
                Quiet = true, // the answer lists only the keys that failed
                Objects = batch.Select(k => new KeyVersion { Key = k }).ToList(),
            };
            List<DeleteError> errors;
            try
            {
                var response = await Run.Ends.Target.DeleteObjectsAsync(request, Run.Cancel).ConfigureAwait(false);
                errors = response.DeleteErrors ?? [];
            }
            catch (DeleteObjectsException e)
            {
                errors = e.Response?.DeleteErrors ?? [];
            }
            catch (Exception e) when (!Run.Cancel.IsCancellationRequested)
            {
                // The whole request failed: none of these keys was removed.
                foreach (var key in batch) removal.OnNotRemoved(key, ExplainRemoval(e, key));
                return;
            }

            var failed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var error in errors)
            {
                failed.Add(error.Key);
                removal.OnNotRemoved(error.Key, Refusal(error));
            }
            foreach (var key in batch.Where(k => !failed.Contains(k)))
                removal.OnRemoved(key);
        }

        private async Task DeleteOneAsync(Removal removal, string key)
        {
            try
            {
                await Run.Ends.Target.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Run.TargetBucket, Key = key }, Run.Cancel).ConfigureAwait(false);
                removal.OnRemoved(key);
            }
            catch (Exception e) when (!Run.Cancel.IsCancellationRequested)
            {
                removal.OnNotRemoved(key, ExplainRemoval(e, key));
            }
        }

        private RestoreException ExplainRemoval(Exception e, string key) =>
            S3Failure.Explain(e, EndRole.Target, Run.Ends.TargetEndpoint, $"removing '{key}'", ErrorIds.ObjectRemoveFailed);

        /// <summary>A key the DeleteObjects answer lists as not deleted.</summary>
        private RestoreException Refusal(DeleteError error)
        {
            string said = $"the {EndRole.Target} answered {error.Code} {error.Message}".TrimEnd();
            return error.Code switch
            {
                "AccessDenied" => new(ErrorIds.AccessDenied, FailureKind.PermissionDenied,
                    $"{said}: access key '{Run.Ends.TargetEndpoint.AccessKeyId}' may not delete objects there."),
                "SlowDown" or "InternalError" or "ServiceUnavailable" => new(ErrorIds.ObjectRemoveFailed, FailureKind.Unavailable,
                    $"{said}; run the restore again to remove it.", transient: true),
                _ => new(ErrorIds.ObjectRemoveFailed, FailureKind.Unexpected, said + "."),
            };
        }

        public override RestoreStatus Completed(bool anyFailure) => anyFailure ? RestoreStatus.Failed : RestoreStatus.Succeeded;
    }

    /// <summary>-WhatIf: reports what would be written, in listing order, and writes nothing.</summary>
    private sealed class DryRun(BucketRun run) : TargetWriter(run)
    {
        public override Task<bool> CreateBucketAsync(BucketLock? withLock)
        {
            Run.Reporter.Report(new(RestoreEventKind.WouldCreateBucket, Run.TargetBucket, null,
                $"Create bucket '{Run.TargetBucket}' on the {EndRole.Target}{(withLock is null ? "" : $" with {withLock.Describe()}")}") { Detail = withLock is null ? null : $"with {withLock.Describe()}" });
            return Task.FromResult(false);
        }

        public override async Task CopyAllAsync(IAsyncEnumerable<PlannedCopy> planned)
        {
            await foreach (var item in planned.WithCancellation(Run.Cancel).ConfigureAwait(false))
            {
                // Reading headers writes nothing: a dry run checks as a real one does.
                if (await Run.ResolveAsync(item, Run.Cancel).ConfigureAwait(false) is not { } decision) continue;
                var entry = item.Entry;
                // Counted as copied, so the result says what a real run would do.
                Run.Tally.OnCopied(entry.Size);
                string? compliance = await ComplianceAsync(entry.Key, entry.VersionId).ConfigureAwait(false);
                Run.Reporter.Report(new(RestoreEventKind.WouldCopy, Run.TargetBucket, entry.Key,
                    $"{(decision.Action == CopyAction.Overwrite ? "Overwrite" : "Copy")} '{entry.Key}' ({Version(entry)}{entry.Size} bytes){(compliance is null ? "" : " " + compliance)}: {decision.Reason}")
                    { Action = decision.Action, Detail = compliance });
            }
        }

        public override Task EnableVersioningAsync()
        {
            Run.Reporter.Report(new(RestoreEventKind.WouldEnableVersioning, Run.TargetBucket, null,
                $"Enable versioning on bucket '{Run.TargetBucket}' on the {EndRole.Target} (it can be suspended later, never turned off)"));
            return Task.CompletedTask;
        }

        public override async Task WriteHistoriesAsync(IAsyncEnumerable<PlannedHistory> planned)
        {
            await foreach (var item in planned.WithCancellation(Run.Cancel).ConfigureAwait(false))
            {
                if (await Run.ResolveHistoryAsync(item, Run.Cancel).ConfigureAwait(false) is not { } decision) continue;
                var history = item.Source.Versions;
                int written = 0;
                for (int i = decision.From; i < history.Count; i++)
                {
                    var version = history[i];
                    if (!version.IsDeleteMarker && ArchivedObjects.IsArchived(version) && !await Run.Archive.ReadableAsync(version, Run.Cancel).ConfigureAwait(false))
                    {
                        Run.Unplan(item.Source, i);
                        break;
                    }
                    written++;
                    string? compliance = null;
                    if (version.IsDeleteMarker) Run.Tally.OnDeleteMarkerWritten();
                    else
                    {
                        Run.Tally.OnVersionWritten(version.Size, unverified: false);
                        compliance = await ComplianceAsync(version.Key, version.VersionId).ConfigureAwait(false);
                    }
                    Run.Reporter.Report(new(RestoreEventKind.WouldWriteVersion, Run.TargetBucket, version.Key,
                        $"{(version.IsDeleteMarker ? "Write a delete marker for" : "Copy")} '{version.Key}' ({Entry(version)} of the backup, entry {i + 1} of {history.Count} of its history)" +
                        $"{(compliance is null ? "" : " " + compliance)}: {decision.Reason}")
                        { Detail = (version.IsDeleteMarker ? "Write delete marker" : $"Copy version {version.VersionId}") + (compliance is null ? "" : " " + compliance) });
                }
                if (written > 0) Run.Tally.OnHistoryExtended();
            }
        }

        /// <summary>
        /// From a backup bucket with Object Lock: the object's COMPLIANCE retention in words, since
        /// nobody can shorten or remove it once it is written (one HEAD per object, in a dry run only).
        /// </summary>
        private async Task<string?> ComplianceAsync(string key, string? versionId)
        {
            if (Run.SourceLock is null) return null;
            try
            {
                var head = await Run.Ends.Source.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Run.SourceBucket, Key = key, VersionId = versionId }, Run.Cancel).ConfigureAwait(false);
                return ObjectLock.Of(head.ObjectLockMode, head.ObjectLockRetainUntilDate, head.ObjectLockLegalHoldStatus) is { IsCompliance: true } locked
                    ? $"with COMPLIANCE retention until {locked.RetainUntilText} (it cannot be shortened or removed, even by the owner)"
                    : null;
            }
            catch (Exception e) when (!Run.Cancel.IsCancellationRequested)
            {
                throw S3Failure.Explain(e, EndRole.Source, Run.Ends.SourceEndpoint, $"reading the headers of '{key}'", ErrorIds.ObjectCopyFailed);
            }
        }

        public override Task RemoveAsync(Removal removal, IReadOnlyList<string> keys)
        {
            foreach (var key in keys)
                removal.OnWouldRemove(key);
            return Task.CompletedTask;
        }

        public override RestoreStatus Completed(bool anyFailure) => RestoreStatus.WhatIf;
    }
}
