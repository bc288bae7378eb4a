using System.Globalization;
using System.Text.Json;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Mirror;

namespace MinioRestore.Engine.Reporting;

/// <summary>
/// Reads a shard's <see cref="RestoreResult"/> back from what a report holds of it: the runbook's
/// JSON or CSV export (Status as text or number, times as text), or an object with its properties
/// (ConvertFrom-Json's, Import-Csv's, a result itself). By property name, so all read alike.
/// </summary>
public static class ResultReader
{
    /// <summary>Reads a result from its properties; <paramref name="what"/> names it in an error (a file, "input object 3").</summary>
    /// <exception cref="RestoreException"><see cref="ErrorIds.InvalidRestoreResult"/>.</exception>
    public static RestoreResult From(Func<string, object?> property, string what)
    {
        string? Text(string name) => property(name) is { } v && Convert.ToString(v, CultureInfo.InvariantCulture) is { Length: > 0 } s ? s : null;
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
        return new RestoreResult
        {
            SourceBucket = source, TargetBucket = target, Status = status,
            ShardIndex = (int)Count("ShardIndex"), ShardCount = (int)Math.Max(1, Count("ShardCount")),
            Copied = Count("Copied"), Skipped = Count("Skipped"), Conflicts = Count("Conflicts"), Failed = Count("Failed"),
            Unverified = Count("Unverified"), Archived = Count("Archived"), TargetOnly = Count("TargetOnly"), Removed = Count("Removed"),
            RemovalSkippedReason = Text("RemovalSkippedReason"), ResumedAfter = Text("ResumedAfter"), AsOf = Time("AsOf"), Bytes = Count("Bytes"),
            BucketCreated = string.Equals(Text("BucketCreated"), "true", StringComparison.OrdinalIgnoreCase),
            SourceEndpoint = Text("SourceEndpoint") ?? "", TargetEndpoint = Text("TargetEndpoint") ?? "",
            StartTime = Time("StartTime") ?? default, EndTime = Time("EndTime") ?? default,
        };
    }

    /// <summary>The results in a JSON report: one object, or an array of them.</summary>
    public static IEnumerable<RestoreResult> FromJson(string json, string file)
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
            var results = new List<RestoreResult>();
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
