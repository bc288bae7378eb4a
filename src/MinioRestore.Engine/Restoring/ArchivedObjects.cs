using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Engine.Restoring;

/// <summary>
/// Backup objects in an archive storage class (GLACIER, DEEP_ARCHIVE: seen in the listing), which
/// Amazon S3 refuses to read (403 InvalidObjectState) until a RestoreObject has made a temporary
/// copy readable. They are never read blindly: one HEAD tells whether they are readable
/// (<c>x-amz-restore: ongoing-request="false"</c>); those are copied, the rest are reported and
/// counted as archived, with -RestoreArchived after asking for their restore. They never fail
/// the bucket, and since they are in the backup's listing -Remove never takes them for objects the
/// backup lacks.
/// </summary>
internal sealed class ArchivedObjects(BucketRun run)
{
    /// <summary>Classes that cannot be read before a restore (GLACIER_IR can: it is not one of them).</summary>
    public static bool IsArchived(ObjectEntry entry) => entry.StorageClass is "GLACIER" or "DEEP_ARCHIVE";

    /// <summary>True when the object can be read now; otherwise it was reported and counted (and, with -RestoreArchived, its restore requested).</summary>
    public async Task<bool> ReadableAsync(ObjectEntry entry, CancellationToken cancel)
    {
        var head = await Explained(run.Ends.Source.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = run.SourceBucket, Key = entry.Key, VersionId = entry.VersionId }, cancel),
            entry.Key, "reading the restore state of", cancel).ConfigureAwait(false);
        // The SDK's reading of x-amz-restore: ongoing-request="true" (under way), or "false" with an expiry-date (readable).
        bool ongoing = head.RestoreInProgress == true;
        bool requested = ongoing || head.RestoreExpiration is not null;
        if (requested && !ongoing) return true;

        string cls = entry.StorageClass!;
        if (requested)
        {
            Pending(entry, $"'{entry.Key}' is archived ({cls}); its restore is under way. A later run copies it once it is readable.");
            return false;
        }
        if (!run.Options.RestoreArchived)
        {
            Pending(entry, $"'{entry.Key}' is archived ({cls}) and cannot be read before it is restored; run with -RestoreArchived to request its restore, then run again once it is readable.");
            return false;
        }
        if (!run.Options.WhatIf)
            await Explained(run.Ends.Source.RestoreObjectAsync(new RestoreObjectRequest
            {
                BucketName = run.SourceBucket, Key = entry.Key, VersionId = entry.VersionId, Days = run.Options.RestoreDays,
                RetrievalTier = new GlacierJobTier(run.Options.RestoreTier),
            }, cancel), entry.Key, "requesting the restore of", cancel).ConfigureAwait(false);
        run.Tally.OnArchived();
        run.Reporter.Report(new(run.Options.WhatIf ? RestoreEventKind.WouldRequestArchiveRestore : RestoreEventKind.ArchiveRestoreRequested, run.TargetBucket, entry.Key,
            $"'{entry.Key}' is archived ({cls}): {(run.Options.WhatIf ? "would request" : "requested")} its restore ({run.Options.RestoreTier} tier, readable for {run.Options.RestoreDays} day(s)); a later run copies it once it is readable."));
        return false;
    }

    private void Pending(ObjectEntry entry, string message)
    {
        run.Tally.OnArchived();
        run.Report(RestoreEventKind.Archived, entry.Key, message);
    }

    /// <summary>The end of a bucket: one warning with the number of objects left archived.</summary>
    public void Summarize()
    {
        if (run.Tally.Archived == 0) return;
        run.Report(RestoreEventKind.ArchivedSummary, null,
            $"{run.Tally.Archived} object(s) of '{run.SourceBucket}' are archived (GLACIER or DEEP_ARCHIVE) and were not copied" +
            (run.Options.RestoreArchived
                ? "; their restore is requested or under way. Run the same command again once they are readable (Standard: hours, Bulk: up to two days)."
                : $". Request their restore with Start-MinioRestore -Bucket {run.SourceBucket} -RestoreArchived, then run again once they are readable.") +
            " -Verbose names each.");
    }

    private async Task<T> Explained<T>(Task<T> request, string key, string what, CancellationToken cancel)
    {
        try { return await request.ConfigureAwait(false); }
        catch (Exception e) when (!cancel.IsCancellationRequested)
        {
            throw S3Failure.Explain(e, EndRole.Source, run.Ends.SourceEndpoint, $"{what} '{key}' in bucket '{run.SourceBucket}'", ErrorIds.ObjectCopyFailed);
        }
    }
}
