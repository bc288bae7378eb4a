using System.Diagnostics;
using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Ends;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Engine.Restoring;

/// <summary>
/// Restores buckets from an S3 source into a MinIO target: list both -> merge -> decide -> copy
/// (rclone's pipeline), then, with -Remove, delete what the backup lacks, and report. One
/// instance keeps the HTTP connections of both ends for several buckets.
/// </summary>
public sealed class Restorer : IDisposable
{
    public Restorer(S3Endpoint source, S3Endpoint target, int maxConnections = RestoreOptions.DefaultConnections)
        : this(source, target, maxConnections, DataPath.Auto)
    {
    }

    internal Restorer(S3Endpoint source, S3Endpoint target, int maxConnections, DataPath dataPath)
    {
        Ends = new RestoreEnds(source, target, maxConnections, dataPath);
    }

    /// <summary>Both ends' connections, for tests and tools that copy single objects.</summary>
    internal RestoreEnds Ends { get; }

    public async Task<RestoreResult> RestoreAsync(RestoreOptions options, IRestoreReporter reporter, RestoreProgress? progress, CancellationToken cancel)
    {
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        string sourceBucket = BucketNames.Validate(options.SourceBucket, "source", legacy: true);
        string targetBucket = BucketNames.Validate(options.TargetBucket, "target");
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxDelete);
        options.Validate();
        // Locked and read (a checkpoint in use or of another run refused) before anything is checked or written; unlocked when the bucket ends.
        using var checkpoint = options.CheckpointPath is null ? null : CheckpointKeeper.Open(options with { SourceBucket = sourceBucket, TargetBucket = targetBucket }, Ends, reporter);
        if (checkpoint?.ResumeAfter is { } resumedAfter)
            options = options with { RemovalBlockedBy = options.RemovalBlockedBy ?? ResumedRemoval(resumedAfter) };
        var run = new BucketRun(Ends, options, sourceBucket, targetBucket, checkpoint ?? reporter, progress ?? new RestoreProgress(), cancel);

        // Everything that can stop the run is checked before anything is written.
        BucketLock? sourceLock = null;
        bool targetExists = await Ends.CheckBucketsAsync(async () =>
        {
            await Ends.EnsureSourceBucketAsync(sourceBucket, cancel).ConfigureAwait(false);
            if (options.AsOf is not null || options.AllVersions) await Ends.EnsureSourceVersionedAsync(sourceBucket, cancel, options.AllVersions).ConfigureAwait(false);
            sourceLock = await BucketLock.ReadAsync(Ends.Source, sourceBucket, EndRole.Source, Ends.SourceEndpoint,
                refused => run.Report(RestoreEventKind.AttributesNotCopied, null,
                    $"{refused.Message} The bucket is restored as one without Object Lock: no retention or legal hold is kept.", refused), cancel).ConfigureAwait(false);
        }, targetBucket, cancel).ConfigureAwait(false);
        if (targetExists && sourceLock is not null
            && await BucketLock.ReadAsync(Ends.Target, targetBucket, EndRole.Target, Ends.TargetEndpoint, null, cancel).ConfigureAwait(false) is null)
            throw BucketLock.TargetLacksLock(sourceBucket, targetBucket);
        run.SourceLock = sourceLock;
        // -AllVersions: a history needs a versioned target; enabling versioning cannot be undone
        // (only suspended), so it is asked (-Confirm) before the bucket is created or anything written.
        bool enableVersioning = options.AllVersions && !(targetExists && await Ends.TargetVersioningEnabledAsync(targetBucket, cancel).ConfigureAwait(false));
        if (enableVersioning && !options.WhatIf && options.ConfirmVersioning is { } confirm && !await confirm(targetBucket, cancel).ConfigureAwait(false))
        {
            checkpoint?.Abandon();
            throw new RestoreException(ErrorIds.TargetVersioningNotEnabled, FailureKind.Stopped,
                $"Versioning was not enabled on the target bucket '{targetBucket}' (declined), so the history of '{sourceBucket}' was not restored there; nothing was written.");
        }
        if (!targetExists) checkpoint?.TargetMissing();
        checkpoint?.Start();
        bool created;
        try
        {
            created = !targetExists && await run.Writer.CreateBucketAsync(sourceLock).ConfigureAwait(false);
            if (enableVersioning) await run.Writer.EnableVersioningAsync().ConfigureAwait(false);
        }
        catch
        {
            checkpoint?.Abandon(); // the bucket stops here: its checkpoint stays as it was written
            throw;
        }

        var status = RestoreStatus.Succeeded;
        try
        {
            if (options.AllVersions)
            {
                var histories = Ends.MergeHistoriesAsync(sourceBucket, targetExists ? targetBucket : null, options.Filter, options.AsOf?.Utc, options.VersionPageSize, cancel,
                    options.Shard, checkpoint?.ResumeAfter, options.ListingShape);
                if (checkpoint is not null) histories = checkpoint.Follow(histories, cancel);
                await run.Writer.WriteHistoriesAsync(HistoryPlan.PlanAsync(run, histories)).ConfigureAwait(false);
            }
            else
            {
                var merged = Ends.MergeListingsAsync(sourceBucket, targetExists ? targetBucket : null, options.Filter, cancel, options.AsOf, checkpoint?.ResumeAfter, options.Shard, options.ListingShape);
                if (checkpoint is not null) merged = checkpoint.Follow(merged, cancel);
                await run.Writer.CopyAllAsync(PlanAsync(run, merged)).ConfigureAwait(false);
            }
            // Deletions come last, once every copy of the bucket has finished.
            if (run.Removal is { } removal)
                await removal.RunAsync(bucketFailed: false).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            status = RestoreStatus.Stopped;
        }
        catch (RestoreException failure)
        {
            status = RestoreStatus.Failed;
            reporter.Report(new(RestoreEventKind.BucketFailed, sourceBucket, null, failure.Message, failure));
            if (run.Removal is { } removal)
                await removal.RunAsync(bucketFailed: true).ConfigureAwait(false);
        }
        catch
        {
            checkpoint?.Abandon(); // an unexpected failure: the checkpoint stays as last written
            throw;
        }

        if (status != RestoreStatus.Stopped && await run.Copier.AbortLeftBehindAsync().ConfigureAwait(false) is { Count: > 0 } left)
            run.Report(RestoreEventKind.UploadsLeftBehind, null,
                $"{left.Count} incomplete multipart upload(s) in '{targetBucket}' may be left behind (the {EndRole.Target} did not answer in time, to an abort or to the upload's start), for: " +
                $"{string.Join(", ", left.Take(10).Select(k => $"'{k}'"))}{(left.Count > 10 ? ", ..." : "")}. They are invisible and hold space: remove them with " +
                $"`mc rm --incomplete --recursive --force <alias>/{targetBucket}` or a lifecycle rule (AbortIncompleteMultipartUpload).");

        bool? finished = null;
        if (checkpoint is not null)
        {
            try
            {
                finished = await checkpoint.FinishAsync(stopped: status == RestoreStatus.Stopped).ConfigureAwait(false);
            }
            catch (RestoreException failure)
            {
                status = RestoreStatus.Failed;
                reporter.Report(new(RestoreEventKind.BucketFailed, sourceBucket, null, failure.Message, failure));
            }
        }

        var tally = run.Tally;
        if (tally.Unverified > 0)
            run.Report(RestoreEventKind.UnverifiedSummary, null,
                $"{tally.Unverified} object(s) in '{targetBucket}' are on the target, but their identity with the backup could not be proven " +
                "(encrypted objects without a checksum to compare, or part layouts that could not be reproduced); -Verbose names each. " +
                $"Test-MinioRestore -Bucket {sourceBucket} -TargetBucket {targetBucket} -Content compares their bytes.");
        run.Archive.Summarize();
        long failed = tally.Failed + (run.Removal?.Failed ?? 0);
        if (status == RestoreStatus.Succeeded)
            status = run.Writer.Completed(anyFailure: failed > 0 || run.Removal is { Refused: true });
        return new RestoreResult
        {
            SourceBucket = sourceBucket, TargetBucket = targetBucket, Status = status,
            Copied = tally.Copied, Skipped = tally.Skipped, Conflicts = tally.Conflicts, Failed = failed, Unverified = tally.Unverified, Archived = tally.Archived,
            TargetOnly = tally.TargetOnly, Removed = run.Removal?.Removed ?? 0, RemovalSkippedReason = run.Removal?.SkippedReason,
            AsOf = options.AsOf?.Utc, AllVersions = options.AllVersions, Versions = tally.Versions, DeleteMarkers = tally.DeleteMarkers, Bytes = tally.Bytes, Duration = clock.Elapsed, BucketCreated = created,
            SourceEndpoint = Ends.SourceEndpoint.Url.GetLeftPart(UriPartial.Authority),
            TargetEndpoint = Ends.TargetEndpoint.Url.GetLeftPart(UriPartial.Authority),
            StartTime = started, EndTime = started + clock.Elapsed,
            ShardIndex = options.Shard?.Index, ShardCount = options.Shard?.Count,
            ResumedAfter = checkpoint?.ResumeAfter, CheckpointFinished = options.WhatIf ? null : finished,
        };
    }

    /// <summary>
    /// -Remove on a resumed run: the keys before the mark were not listed, so the target objects
    /// the backup lacks there are unknown; removal waits for a full pass.
    /// </summary>
    private static string ResumedRemoval(string after) =>
        $"this run resumed from its checkpoint after '{after}', so it did not list the whole bucket. Once it has finished, run the same command again: " +
        "a finished checkpoint makes that run a full pass, which removes";

    /// <summary>Decides per key and yields the objects to copy; skips, conflicts and target-only objects are dealt with here.</summary>
    private static async IAsyncEnumerable<PlannedCopy> PlanAsync(BucketRun run, IAsyncEnumerable<MergedEntry> merged)
    {
        await foreach (var item in merged.ConfigureAwait(false))
        {
            if (item.Source is not null) run.Progress.OnListed();
            var decision = CopyPlanner.Decide(item.Source, item.Target, run.Options.Overwrite);
            switch (decision.Action)
            {
                case CopyAction.TargetOnly:
                    run.Tally.OnTargetOnly();
                    run.Removal?.OnTargetOnly(item.Key);
                    break;
                case CopyAction.Skip or CopyAction.SkipUnverified or CopyAction.Conflict:
                    run.Settle(item.Key, decision);
                    break;
                default:
                    run.Progress.OnPlanned(item.Source!.Size);
                    yield return new PlannedCopy(item.Source, item.Target, decision);
                    break;
            }
        }
        run.Progress.OnListingComplete();
    }

    public void Dispose() => Ends.Dispose();
}
