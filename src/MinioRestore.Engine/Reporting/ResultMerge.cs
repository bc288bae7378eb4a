using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Mirror;

namespace MinioRestore.Engine.Reporting;

/// <summary>Merges shards' results into one per bucket pair (Merge-RestoreResult).</summary>
public static class ResultMerge
{
    /// <summary>
    /// One result per bucket pair, in the order first seen. A shard reported twice (a pod that was
    /// retried) counts once, by its latest result. <paramref name="onProblem"/> gets
    /// <see cref="ErrorIds.ShardResultsMissing"/> for a bucket whose shards are incomplete or of
    /// different counts; such a bucket's status is Failed.
    /// </summary>
    /// <remarks>A result without ShardIndex/ShardCount is shard 0 of 1.</remarks>
    public static List<MergedRestoreResult> Merge(IEnumerable<RestoreResult> results, Action<RestoreException> onProblem)
    {
        var merged = new List<MergedRestoreResult>();
        foreach (var bucket in results.GroupBy(r => (r.SourceBucket, r.TargetBucket)))
        {
            var counts = bucket.Select(r => r.ShardCount ?? 1).Distinct().Order().ToList();
            var shards = bucket.GroupBy(r => r.ShardIndex ?? 0).Select(g => g.MaxBy(r => r.EndTime)!).OrderBy(r => r.ShardIndex ?? 0).ToList();
            int count = counts.Max();
            var missing = Enumerable.Range(0, count).Except(shards.Select(s => s.ShardIndex ?? 0)).ToArray();
            bool mixed = counts.Count > 1;
            if (mixed)
                onProblem(new RestoreException(ErrorIds.ShardResultsMissing, FailureKind.InvalidArgument,
                    $"The results of s3/{bucket.Key.SourceBucket} -> minio/{bucket.Key.TargetBucket} come from runs of different shard counts ({string.Join(", ", counts)}): " +
                    "their shares overlap and leave gaps, so the bucket is not known to be restored. Merge the results of one Job only."));
            else if (missing.Length > 0)
                onProblem(new RestoreException(ErrorIds.ShardResultsMissing, FailureKind.NotFound,
                    $"The results of shard(s) {string.Join(", ", missing)} of {count} for s3/{bucket.Key.SourceBucket} -> minio/{bucket.Key.TargetBucket} are missing, " +
                    "so that bucket is not known to be restored. Look for those pods' reports, or run those shards again (-ShardIndex i -ShardCount n)."));

            var status = mixed || missing.Length > 0 || shards.Any(s => s.Status == RestoreStatus.Failed) ? RestoreStatus.Failed
                : shards.Any(s => s.Status == RestoreStatus.Stopped) ? RestoreStatus.Stopped
                : shards.All(s => s.Status == RestoreStatus.WhatIf) ? RestoreStatus.WhatIf
                : shards.Any(s => s.Status == RestoreStatus.WhatIf) ? RestoreStatus.Failed
                : RestoreStatus.Succeeded;
            var reasons = shards.Where(s => s.RemovalSkippedReason is not null).Select(s => count > 1 ? $"shard {s.ShardIndex ?? 0}: {s.RemovalSkippedReason}" : s.RemovalSkippedReason!).ToList();
            var start = shards.Min(s => s.StartTime);
            var end = shards.Max(s => s.EndTime);
            merged.Add(new MergedRestoreResult
            {
                SourceBucket = bucket.Key.SourceBucket, TargetBucket = bucket.Key.TargetBucket, Status = status,
                ShardCount = count, Shards = shards.Count, MissingShards = missing,
                Copied = shards.Sum(s => s.Copied), Skipped = shards.Sum(s => s.Skipped), Conflicts = shards.Sum(s => s.Conflicts),
                Failed = shards.Sum(s => s.Failed), Unverified = shards.Sum(s => s.Unverified), Archived = shards.Sum(s => s.Archived),
                TargetOnly = shards.Sum(s => s.TargetOnly), Removed = shards.Sum(s => s.Removed),
                RemovalSkippedReason = reasons.Count == 0 ? null : string.Join(" ", reasons),
                Resumed = shards.Count(s => s.ResumedAfter is not null), AsOf = shards.Select(s => s.AsOf).FirstOrDefault(a => a is not null),
                Bytes = shards.Sum(s => s.Bytes), BucketCreated = shards.Any(s => s.BucketCreated),
                SourceEndpoint = shards.Select(s => s.SourceEndpoint).FirstOrDefault(e => e.Length > 0),
                TargetEndpoint = shards.Select(s => s.TargetEndpoint).FirstOrDefault(e => e.Length > 0),
                StartTime = start, EndTime = end, Duration = end > start ? end - start : TimeSpan.Zero,
            });
        }
        return merged;
    }
}
