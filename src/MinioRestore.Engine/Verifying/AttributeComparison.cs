using System.Globalization;
using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Engine.Verifying;

/// <summary>
/// What a restore keeps besides the bytes, compared for Test-MinioRestore -Attributes: the content
/// headers, user metadata, website redirect, tags, and Object Lock retention and legal hold. Reading
/// them costs a HEAD and a GetObjectTagging on each end per object (listings carry none of it),
/// which is why it is a switch.
/// </summary>
internal static class AttributeComparison
{
    /// <summary>One end's attributes of one object.</summary>
    public static async Task<ObjectHeaders> ReadAsync(IAmazonS3 client, S3Endpoint endpoint, string role, string bucket, string key, string? versionId, CancellationToken cancel)
    {
        try
        {
            var head = client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key, VersionId = versionId }, cancel);
            var tags = client.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = key, VersionId = versionId }, cancel);
            return ObjectHeaders.From(await head.ConfigureAwait(false)) with { Tags = (await tags.ConfigureAwait(false)).Tagging ?? [] };
        }
        catch (Exception e) when (!cancel.IsCancellationRequested)
        {
            throw S3Failure.Explain(e, role, endpoint,
                $"reading the headers, tags and Object Lock settings of '{key}' in bucket '{bucket}' to compare them (-Attributes needs s3:GetObject and s3:GetObjectTagging)",
                ErrorIds.ObjectCopyFailed);
        }
    }

    /// <summary>What differs, in words (one clause per attribute), or null when the target keeps everything the backup has.</summary>
    public static string? Differences(ObjectHeaders backup, ObjectHeaders target)
    {
        var found = new List<string>();
        void Compare(string name, string? inBackup, string? onTarget)
        {
            if (!string.Equals(inBackup ?? "", onTarget ?? "", StringComparison.Ordinal))
                found.Add($"{name} ({Shown(inBackup)} in the backup, {Shown(onTarget)} on the target)");
        }
        Compare("Content-Type", backup.ContentType, target.ContentType);
        Compare("Content-Encoding", backup.ContentEncoding, target.ContentEncoding);
        Compare("Content-Disposition", backup.ContentDisposition, target.ContentDisposition);
        Compare("Content-Language", backup.ContentLanguage, target.ContentLanguage);
        Compare("Cache-Control", backup.CacheControl, target.CacheControl);
        if (!SameInstant(backup.Expires, target.Expires)) Compare("Expires", backup.Expires, target.Expires);
        Compare("website redirect", backup.WebsiteRedirect, target.WebsiteRedirect);
        Compare("metadata", Joined(backup.Metadata.Select(m => $"{m.Key.ToLowerInvariant()}={m.Value}")), Joined(target.Metadata.Select(m => $"{m.Key.ToLowerInvariant()}={m.Value}")));
        Compare("tags", Joined((backup.Tags ?? []).Select(t => $"{t.Key}={t.Value}")), Joined((target.Tags ?? []).Select(t => $"{t.Key}={t.Value}")));

        // Retention: the target's must be the backup's mode, until at least the same moment (a
        // longer one protects more and is no loss). A target retention where the backup has none
        // is the bucket's default retention, which a restore cannot leave out: not a difference.
        var (kept, onTarget) = (backup.Lock, target.Lock);
        if (kept?.Mode is { } mode &&
            (onTarget?.Mode != mode || onTarget.RetainUntil < kept.RetainUntil!.Value.AddSeconds(-1)))
            found.Add($"retention ({mode} until {kept.RetainUntilText} in the backup, {(onTarget?.Mode is null ? "none" : $"{onTarget.Mode} until {onTarget.RetainUntilText}")} on the target)");
        bool holdInBackup = kept?.LegalHold == true, holdOnTarget = onTarget?.LegalHold == true;
        if (holdInBackup != holdOnTarget)
            found.Add($"legal hold ({(holdInBackup ? "ON" : "OFF")} in the backup, {(holdOnTarget ? "ON" : "OFF")} on the target)");
        return found.Count == 0 ? null : "attributes differ: " + string.Join("; ", found);
    }

    private static string Shown(string? value) => string.IsNullOrEmpty(value) ? "none" : $"'{value}'";

    private static string Joined(IEnumerable<string> pairs) => string.Join(", ", pairs.Order(StringComparer.Ordinal));

    // Servers write an HTTP date their own way (RFC 1123 or ISO); the same instant is the same Expires.
    private static bool SameInstant(string? a, string? b) =>
        DateTimeOffset.TryParse(a, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var x) &&
        DateTimeOffset.TryParse(b, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var y) && x == y;
}
