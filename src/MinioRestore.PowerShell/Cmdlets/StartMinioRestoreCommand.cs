using System.Management.Automation;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Mirror;
using MinioRestore.PowerShell.Hosting;

namespace MinioRestore.PowerShell.Cmdlets;

/// <summary>
/// The restore plan's restore task: creates the MinIO bucket when missing and copies every object
/// of the S3 backup bucket that the MinIO bucket lacks. Never deletes; never replaces a differing
/// object unless -Overwrite is given.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "MinioRestore", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType("MinioRestore.Engine.Mirror.RestoreResult")]
public sealed class StartMinioRestoreCommand : BucketPairCmdlet
{
    /// <summary>Replace target objects whose content differs from the backup. Nothing is ever deleted.</summary>
    [Parameter]
    public SwitchParameter Overwrite { get; set; }

    /// <summary>Objects copied at once.</summary>
    [Parameter]
    [ValidateRange(1, 512)]
    public int Concurrency { get; set; } = RestoreOptions.DefaultConcurrency;

    protected override void ProcessRecord()
    {
        var (clients, pairs) = ResolveBuckets();
        using var restorer = new Restorer(clients.Source, clients.Target, Concurrency * RestoreOptions.DefaultPartConcurrency + 8);
        foreach (var (source, target) in pairs)
            RestoreBucket(restorer, clients, source, target);
    }

    private void RestoreBucket(Restorer restorer, RestoreClients clients, string source, string target)
    {
        string what = $"MinIO bucket '{target}' at {clients.MinioEndpoint}";
        bool whatIf = IsWhatIf();
        if (!ShouldProcess(what, $"Restore from S3 bucket '{source}' at {clients.S3Endpoint}") && !whatIf)
            return;

        var options = new RestoreOptions(source, target) { Overwrite = Overwrite, WhatIf = whatIf, Concurrency = Concurrency };
        var reporter = new PipelineReporter(this, IsVerbose(), target);
        var progress = new RestoreProgress();
        var meter = new ProgressMeter(NextProgressId(), $"Restoring s3/{source} -> minio/{target}");

        RestoreResult result;
        try
        {
            result = RunOnThreadPool(cancel => restorer.RestoreAsync(options, reporter, progress, cancel),
                tick: () => WriteProgress(meter.Update(progress)));
        }
        catch (RestoreException e)
        {
            // Stops this bucket before anything was written (missing bucket, refused credential, ...).
            // Credential and connection failures would fail every other bucket too: stop the run.
            var record = ErrorRecords.From(e, source);
            if (e.Kind is FailureKind.AuthenticationFailed or FailureKind.ConnectionFailed) ThrowTerminatingError(record);
            WriteError(record);
            return;
        }
        finally
        {
            WriteProgress(meter.Complete());
        }

        if (result.Status == RestoreStatus.Stopped) throw new PipelineStoppedException();
        if (!whatIf) WriteObject(result);
    }

    private bool IsWhatIf() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) ? ((SwitchParameter)w).IsPresent
        : GetVariableValue("WhatIfPreference") is { } pref && LanguagePrimitives.IsTrue(pref);

    /// <summary>Sends engine events to the pipeline thread as verbose lines, warnings, errors and what-if messages.</summary>
    private sealed class PipelineReporter(StartMinioRestoreCommand cmdlet, bool verbose, string targetBucket) : IRestoreReporter
    {
        public void Report(RestoreEvent e)
        {
            switch (e.Kind)
            {
                case RestoreEventKind.Copied or RestoreEventKind.Skipped or RestoreEventKind.Retrying or RestoreEventKind.BucketCreated:
                    if (verbose) cmdlet.Post(() => cmdlet.WriteVerbose(e.Message));
                    break;
                case RestoreEventKind.Conflict or RestoreEventKind.CopiedUnverified:
                    cmdlet.Post(() => cmdlet.WriteWarning(e.Message));
                    break;
                case RestoreEventKind.WouldCreateBucket:
                    cmdlet.Post(() => cmdlet.ShouldProcess($"MinIO bucket '{targetBucket}'", "Create bucket"));
                    break;
                case RestoreEventKind.WouldCopy:
                    cmdlet.Post(() => cmdlet.ShouldProcess($"minio/{targetBucket}/{e.Key}", e.Message.StartsWith("Overwrite", StringComparison.Ordinal) ? "Overwrite object" : "Copy object"));
                    break;
                case RestoreEventKind.ObjectFailed or RestoreEventKind.BucketFailed:
                    var record = ErrorRecords.From(e.Failure!, e.Key ?? e.Bucket);
                    record.ErrorDetails = new ErrorDetails(e.Message);
                    cmdlet.Post(() => cmdlet.WriteError(record));
                    break;
            }
        }
    }
}
