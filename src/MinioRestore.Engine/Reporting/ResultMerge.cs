using System.Globalization;
using System.Text.Json;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Mirror;

namespace MinioRestore.Engine.Reporting;

/// <summary>
/// One shard's result as a report holds it: a <see cref="RestoreResult"/>, or what the runbook
/// exported of one as JSON or CSV (Status as text or number, times as text). Read by property
/// name, so a result object, ConvertFrom-Json's and Import-Csv's read alike.
/// </summary>
public sealed record ShardResult(string SourceBucket, string TargetBucket, RestoreStatus Status, int ShardIndex, int ShardCount)
{
    public long Copied { get; init; }
    public long Skipped { get; init; }
    public long Conflicts { get; init; }
    public long Failed { get; init; }
    public long Unverified { get; init; }
    public long Archived { get; init; }
    public long TargetOnly { get; init; }
    public long Removed { get; init; }
    public string? RemovalSkippedReason { get; init; }
    public string? ResumedAfter { get; init; }
    public DateTime? AsOf { get; init; }
    public long Bytes { get; init; }
    public bool BucketCreated { get; init; }
    public string? SourceEndpoint { get; init; }
    public string? TargetEndpoint { get; init; }
    public DateTime StartTime { get; init; }
    public DateTime EndTime { get; init; }

    /// <summary>Reads a result from its properties; <paramref name="what"/> names it in an error (a file, "input object 3").</summary>
    /// <exception cref="RestoreException"><see cref="ErrorIds.InvalidRestoreResult"/>.</exception>
    public static ShardResult From(Func<string, object?> property, string what)
    {
        string Text(string name) => property(name) is { } v && Convert.ToString(v, CultureInfo.InvariantCulture) is { Length: > 0 } s ? s : null!;
        long Count(string name) => Text(name) is { } s && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : 0;
        DateTime? Time(string name) => property(name) switch
        {
            DateTime t => t.ToUniversalTime(),
            DateTimeOffset o => o.UtcDateTime,
            var v when Text(name) is { } s && DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) => t,
            _ => null,
        };

        string? source = Text("SourceBucket"), target = Text("TargetBucket"), statusText = Text("Status");
        if (source is null || target is null || statusText is null)
            throw new RestoreException(ErrorIds.InvalidRestoreResult, FailureKind.InvalidArgument,
                $"{what} is not a restore result: it has no {(source is null ? "SourceBucket" : target is null ? "TargetBucket" : "Status")}. " +
                "Give Merge-RestoreResult the JSON reports of Restore-Service.ps1 or Start-MinioRestore's results (ConvertTo-Json -EnumsAsStrings).");
        if (!Enum.TryParse<RestoreStatus>(statusText, ignoreCase: true, out var status) || !Enum.IsDefined(status))
            throw new RestoreException(ErrorIds.InvalidRestoreResult, FailureKind.InvalidArgument,
                $"{what} has the status '{statusText}', which is none of {string.Join(", ", Enum.GetNames<RestoreStatus>())}.");
        int shardCount = (int)Math.Max(1, Count("ShardCount"));
        return new ShardResult(source, target, status, (int)Count("ShardIndex"), shardCount)
        {
            Copied = Count("Copied"), Skipped = Count("Skipped"), Conflicts = Count("Conflicts"), Failed = Count("Failed"),
            Unverified = Count("Unverified"), Archived = Count("Archived"), TargetOnly = Count("TargetOnly"), Removed = Count("Removed"),
            RemovalSkippedReason = Text("RemovalSkippedReason"), ResumedAfter = Text("ResumedAfter"), AsOf = Time("AsOf"), Bytes = Count("Bytes"),
            BucketCreated = string.Equals(Text("BucketCreated"), "true", StringComparison.OrdinalIgnoreCase),
            SourceEndpoint = Text("SourceEndpoint"), TargetEndpoint = Text("TargetEndpoint"),
            StartTime = Time("StartTime") ?? default, EndTime = Time("EndTime") ?? default,
        };
    }

    /// <summary>The results in a JSON report: one object, or an array of them.</summary>
    public static IEnumerable<ShardResult> FromJson(string json, string file)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new RestoreException(ErrorIds.InvalidRestoreResult, FailureKind.InvalidArgument, $"The report '{file}' is not JSON: {e.Message}", e);
        }
        using (document)
        {
            var items = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement.EnumerateArray().ToList() : [document.RootElement];
            var results = new List<ShardResult>();
            for (int i = 0; i < items.Count; i++)
            {
                var item = items[i];
                if (item.ValueKind != JsonValueKind.Object)
                    throw new RestoreException(ErrorIds.InvalidRestoreResult, FailureKind.InvalidArgument, $"Item {i + 1} of the report '{file}' is not a restore result (not a JSON object).");
                results.Add(From(name => item.TryGetProperty(name, out var v) ? Value(v) : null, items.Count == 1 ? $"The report '{file}'" : $"Item {i + 1} of the report '{file}'"));
            }
            return results;
        }
    }

    private static object? Value(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };
}

/// <summary>Merges shards' results into one per bucket pair (Merge-RestoreResult).</summary>
public static class ResultMerge
{
    /// <summary>
    /// One result per bucket pair, in the order first seen. A shard reported twice (a pod that was
    /// retried) counts once, by its latest result. <paramref name="onProblem"/> gets
    /// <see cref="ErrorIds.ShardResultsMissing"/> for a bucket whose shards are incomplete or of
    /// different counts; such a bucket's status is Failed.
    /// </summary>
    public static List<MergedRestoreResult> Merge(IEnumerable<ShardResult> results, Action<RestoreException> onProblem)
    {
        var merged = new List<MergedRestoreResult>();
        foreach (var bucket in results.GroupBy(r => (r.SourceBucket, r.TargetBucket)))
        {
            var counts = bucket.Select(r => r.ShardCount).Distinct().Order().ToList();
            var shards = bucket.GroupBy(r => r.ShardIndex).Select(g => g.MaxBy(r => r.EndTime)!).OrderBy(r => r.ShardIndex).ToList();
            int count = counts.Max();
            var missing = Enumerable.Range(0, count).Except(shards.Select(s => s.ShardIndex)).ToArray();
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
            var reasons = shards.Where(s => s.RemovalSkippedReason is not null).Select(s => count > 1 ? $"shard {s.ShardIndex}: {s.RemovalSkippedReason}" : s.RemovalSkippedReason!).ToList();
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
                SourceEndpoint = shards.Select(s => s.SourceEndpoint).FirstOrDefault(e => e is not null),
                TargetEndpoint = shards.Select(s => s.TargetEndpoint).FirstOrDefault(e => e is not null),
                StartTime = start, EndTime = end, Duration = end > start ? end - start : TimeSpan.Zero,
            });
        }
        return merged;
    }
}
