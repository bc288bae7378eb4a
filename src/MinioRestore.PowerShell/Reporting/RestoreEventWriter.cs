using System.Management.Automation;
using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Reporting;
using MinioRestore.PowerShell.Hosting;

namespace MinioRestore.PowerShell.Reporting;

/// <summary>
/// Engine events to PowerShell streams, the one place that says which event kind becomes a
/// verbose line, a warning, an error or a -WhatIf line. The first of the two hops from the engine
/// to a stream: it calls <see cref="IPipelineOutput"/>, which queues for the pipeline thread (or
/// adds to a job's streams). Called from the engine's workers.
/// </summary>
/// <param name="writeError">Writes an error and remembers it as the run's first (which blocks -Remove).</param>
/// <param name="passThru">-AllVersions -PassThru: each version written goes to the output as a RestoredVersion.</param>
internal sealed class RestoreEventWriter(IPipelineOutput output, bool verbose, Action<ErrorRecord> writeError, bool passThru = false) : IRestoreReporter
{
    /// <summary>The MinIO object as -WhatIf and -Confirm name it.</summary>
    public static string ObjectTarget(string bucket, string key) => $"minio/{bucket}/{key}";

    public void Report(RestoreEvent e)
    {
        switch (e.Kind)
        {
            // Each unverified object is named in the verbose stream; the warning gives their number, once per bucket.
            case RestoreEventKind.Copied or RestoreEventKind.Skipped or RestoreEventKind.Retrying or RestoreEventKind.BucketCreated or RestoreEventKind.Removed
                or RestoreEventKind.CopiedUnverified or RestoreEventKind.SkippedUnverified or RestoreEventKind.Archived or RestoreEventKind.ArchiveRestoreRequested
                or RestoreEventKind.VersioningEnabled:
                if (verbose) output.WriteVerbose(e.Message);
                break;
            case RestoreEventKind.VersionWritten:
                if (verbose) output.WriteVerbose(e.Message);
                if (passThru && e.Version is { } version) output.WriteObject(version);
                break;
            case RestoreEventKind.HistoryWritten:
                break; // each entry had its own verbose line (VersionWritten)
            case RestoreEventKind.WouldEnableVersioning:
                _ = output.ShouldProcessAsync($"MinIO bucket '{e.Bucket}'", "Enable versioning (it can be suspended later, never turned off)");
                break;
            case RestoreEventKind.WouldWriteVersion:
                _ = output.ShouldProcessAsync(ObjectTarget(e.Bucket, e.Key!), e.Detail ?? "Copy version");
                break;
            case RestoreEventKind.Conflict or RestoreEventKind.UnverifiedSummary or RestoreEventKind.RemovalSkipped or RestoreEventKind.AttributesNotCopied
                or RestoreEventKind.ArchivedSummary or RestoreEventKind.UploadsLeftBehind:
                output.WriteWarning(e.Message);
                break;
            case RestoreEventKind.WouldCreateBucket:
                _ = output.ShouldProcessAsync($"MinIO bucket '{e.Bucket}'", e.Detail is null ? "Create bucket" : $"Create bucket {e.Detail}");
                break;
            case RestoreEventKind.WouldCopy:
                _ = output.ShouldProcessAsync(ObjectTarget(e.Bucket, e.Key!), (e.Action == CopyAction.Overwrite ? "Overwrite object" : "Copy object") + (e.Detail is null ? "" : $" {e.Detail}"));
                break;
            case RestoreEventKind.WouldRequestArchiveRestore:
                _ = output.ShouldProcessAsync($"S3 object '{e.Key}'", "Request restore of archived object");
                break;
            case RestoreEventKind.WouldRemove:
                _ = output.ShouldProcessAsync(ObjectTarget(e.Bucket, e.Key!), "Remove object");
                break;
            case RestoreEventKind.ObjectFailed or RestoreEventKind.BucketFailed or RestoreEventKind.RemovalRefused:
                var record = ErrorRecords.From(e.Failure!, e.Key ?? e.Bucket);
                record.ErrorDetails = new ErrorDetails(e.Message);
                writeError(record);
                break;
        }
    }
}
