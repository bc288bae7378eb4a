using System.Diagnostics;
using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Copying;
using MinioRestore.Engine.Endpoints;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;

namespace MinioRestore.Engine.Mirror;

/// <summary>
/// Restores buckets from an S3 source into a MinIO target: list both -> merge -> decide -> copy
/// (rclone's pipeline), then, with -Remove, delete what the backup lacks. One instance keeps the
/// HTTP connections of both ends for several buckets.
/// </summary>
public sealed class Restorer : IDisposable
{
    private readonly BucketAccess _access;

    public Restorer(S3Endpoint source, S3Endpoint target, int maxConnections = RestoreOptions.DefaultConcurrency * RestoreOptions.DefaultPartConcurrency)
        : this(source, target, maxConnections, DataPath.Auto)
    {
    }

    internal Restorer(S3Endpoint source, S3Endpoint target, int maxConnections, DataPath dataPath)
    {
        _access = new BucketAccess(source, target, maxConnections, dataPath);
    }

    public async Task<RestoreResult> RestoreAsync(RestoreOptions options, IRestoreReporter reporter, RestoreProgress? progress, CancellationToken cancel)
    {
        progress ??= new RestoreProgress();
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        string sourceBucket = BucketNames.Validate(options.SourceBucket, "source", legacy: true);
        string targetBucket = BucketNames.Validate(options.TargetBucket, "target");
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxDelete);

        // Everything that can stop the run is checked before anything is written.
        await _access.EnsureSourceBucketAsync(sourceBucket, cancel).ConfigureAwait(false);
        bool targetExists = await _access.TargetBucketExistsAsync(targetBucket, cancel).ConfigureAwait(false);
        bool created = false;
        if (!targetExists)
        {
            if (options.WhatIf)
            {
                reporter.Report(new(RestoreEventKind.WouldCreateBucket, targetBucket, null, 0, $"Create bucket '{targetBucket}' on the MinIO target"));
            }
            else
            {
                await _access.CreateTargetBucketAsync(targetBucket, cancel).ConfigureAwait(false);
                created = true;
                reporter.Report(new(RestoreEventKind.BucketCreated, targetBucket, null, 0, $"Created bucket '{targetBucket}' on the MinIO target."));
            }
        }

        var tally = new Tally();
        var removal = options.Remove ? new Removal(_access, options, targetBucket, reporter) : null;
        var status = RestoreStatus.Succeeded;
        try
        {
            await CopyAllAsync(options, sourceBucket, targetBucket, targetExists, reporter, progress, tally, removal, cancel).ConfigureAwait(false);
            // Deletions come last, once every copy of the bucket has finished.
            if (removal is not null)
                await removal.RunAsync(bucketFailed: false, tally.Failed - tally.Unstorable, tally.Conflicts, cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            status = RestoreStatus.Stopped;
        }
        catch (RestoreException failure)
        {
            status = RestoreStatus.Failed;
            reporter.Report(new(RestoreEventKind.BucketFailed, sourceBucket, null, 0, failure.Message, failure));
            if (removal is not null)
                await removal.RunAsync(bucketFailed: true, tally.Failed, tally.Conflicts, cancel).ConfigureAwait(false);
        }

        long failed = tally.Failed + (removal?.Failed ?? 0);
        if (status == RestoreStatus.Succeeded)
            status = options.WhatIf ? RestoreStatus.WhatIf : failed > 0 || removal is { Refused: true } ? RestoreStatus.Failed : RestoreStatus.Succeeded;
        return new RestoreResult
        {
            SourceBucket = sourceBucket, TargetBucket = targetBucket, Status = status,
            Copied = tally.Copied, Skipped = tally.Skipped, Conflicts = tally.Conflicts, Failed = failed,
            TargetOnly = tally.TargetOnly, Removed = removal?.Removed ?? 0, RemovalSkippedReason = removal?.SkippedReason,
            Bytes = tally.Bytes, Duration = clock.Elapsed, BucketCreated = created,
            SourceEndpoint = _access.SourceEndpoint.Url.GetLeftPart(UriPartial.Authority),
            TargetEndpoint = _access.TargetEndpoint.Url.GetLeftPart(UriPartial.Authority),
            StartTime = started, EndTime = started + clock.Elapsed,
        };
    }

    private async Task CopyAllAsync(RestoreOptions options, string sourceBucket, string targetBucket, bool targetExists,
        IRestoreReporter reporter, RestoreProgress progress, Tally tally, Removal? removal, CancellationToken cancel)
    {
        var copier = Copier(sourceBucket, targetBucket, options.Retry, options.PartConcurrency, options.IdleTimeout,
            (what, failure, attempt) => reporter.Report(new(RestoreEventKind.Retrying, targetBucket, what, 0,
                $"Retrying '{what}' (attempt {attempt + 1} of {options.Retry.Attempts}): {failure.Message}", failure)));

        var merged = _access.MergeListingsAsync(sourceBucket, targetExists ? targetBucket : null, options.Filter, cancel);
        var toCopy = PlanAsync(merged, options, targetBucket, reporter, progress, tally, removal);

        if (options.WhatIf)
        {
            await foreach (var _ in toCopy.WithCancellation(cancel).ConfigureAwait(false)) { }
            return;
        }

        await Parallel.ForEachAsync(toCopy, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancel },
            async (entry, ct) =>
            {
                try
                {
                    var verification = await copier.CopyAsync(entry, progress.OnBytes, ct).ConfigureAwait(false);
                    tally.OnCopied(entry.Size);
                    reporter.Report(verification == Verification.MatchesSourceETag
                        ? new(RestoreEventKind.Copied, targetBucket, entry.Key, entry.Size, $"Copied '{entry.Key}' ({entry.Size} bytes, verified against the backup's ETag).")
                        : new(RestoreEventKind.CopiedUnverified, targetBucket, entry.Key, entry.Size,
                            $"Copied '{entry.Key}' ({entry.Size} bytes); the target holds exactly the bytes read, but the backup's ETag '{ETag.Parse(entry.ETag)}' is not a hash that could be reproduced."));
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    var failure = S3Failure.Explain(e, ObjectCopier.TargetRole, _access.TargetEndpoint, $"copying '{entry.Key}'", ErrorIds.ObjectCopyFailed);
                    tally.OnFailed(unstorable: failure.ErrorId == ErrorIds.UnsupportedObjectName);
                    reporter.Report(new(RestoreEventKind.ObjectFailed, targetBucket, entry.Key, entry.Size,
                        $"'{entry.Key}' was not restored: {failure.Message}", failure));
                }
                finally
                {
                    progress.OnDone();
                }
            }).ConfigureAwait(false);
    }

    /// <summary>A copier between two buckets of this restorer's endpoints, on its connections and data paths.</summary>
    internal ObjectCopier Copier(string sourceBucket, string targetBucket, RetryPolicy retry, int partConcurrency, TimeSpan idleTimeout,
        Action<string, RestoreException, int>? onRetry) =>
        new(new CopyEnd(_access.Source, _access.SourceData, _access.SourceEndpoint, sourceBucket),
            new CopyEnd(_access.Target, _access.TargetData, _access.TargetEndpoint, targetBucket),
            retry, partConcurrency, idleTimeout, onRetry);

    /// <summary>Decides per key and yields the objects to copy; skips and conflicts are reported here.</summary>
    private static async IAsyncEnumerable<ObjectEntry> PlanAsync(IAsyncEnumerable<MergedEntry> merged, RestoreOptions options,
        string targetBucket, IRestoreReporter reporter, RestoreProgress progress, Tally tally, Removal? removal)
    {
        await foreach (var item in merged.ConfigureAwait(false))
        {
            if (item.Source is { } s) progress.OnListed(s.Size);
            var decision = CopyPlanner.Decide(item.Source, item.Target, options.Overwrite);
            switch (decision.Action)
            {
                case CopyAction.TargetOnly:
                    tally.OnTargetOnly();
                    removal?.OnTargetOnly(item.Key);
                    break;
                case CopyAction.Skip:
                    tally.OnSkipped();
                    reporter.Report(new(RestoreEventKind.Skipped, targetBucket, item.Key, item.Source!.Size, $"Skipped '{item.Key}': {decision.Reason}."));
                    break;
                case CopyAction.Conflict:
                    tally.OnConflict();
                    reporter.Report(new(RestoreEventKind.Conflict, targetBucket, item.Key, item.Source!.Size,
                        $"'{item.Key}' differs on the target and was left alone: {decision.Reason}. Use -Overwrite to replace it with the backup."));
                    break;
                default:
                    progress.OnPlanned(item.Source!.Size);
                    if (options.WhatIf)
                    {
                        tally.OnCopied(item.Source.Size);
                        reporter.Report(new(RestoreEventKind.WouldCopy, targetBucket, item.Key, item.Source.Size,
                            $"{(decision.Action == CopyAction.Overwrite ? "Overwrite" : "Copy")} '{item.Key}' ({item.Source.Size} bytes): {decision.Reason}"));
                    }
                    yield return item.Source;
                    break;
            }
        }
        progress.OnListingComplete();
    }

    public void Dispose() => _access.Dispose();

    /// <summary>Result counters, updated from the workers.</summary>
    private sealed class Tally
    {
        private long _copied, _skipped, _conflicts, _failed, _unstorable, _targetOnly, _bytes;
        public long Copied => Interlocked.Read(ref _copied);
        public long Skipped => Interlocked.Read(ref _skipped);
        public long Conflicts => Interlocked.Read(ref _conflicts);
        public long Failed => Interlocked.Read(ref _failed);
        /// <summary>Of <see cref="Failed"/>, keys the target can never store (MinIO's name rules): a rerun cannot change them, so they do not block -Remove.</summary>
        public long Unstorable => Interlocked.Read(ref _unstorable);
        public long TargetOnly => Interlocked.Read(ref _targetOnly);
        public long Bytes => Interlocked.Read(ref _bytes);
        public void OnCopied(long size) { Interlocked.Increment(ref _copied); Interlocked.Add(ref _bytes, size); }
        public void OnSkipped() => Interlocked.Increment(ref _skipped);
        public void OnConflict() => Interlocked.Increment(ref _conflicts);
        public void OnFailed(bool unstorable = false)
        {
            Interlocked.Increment(ref _failed);
            if (unstorable) Interlocked.Increment(ref _unstorable);
        }
        public void OnTargetOnly() => Interlocked.Increment(ref _targetOnly);
    }
}
