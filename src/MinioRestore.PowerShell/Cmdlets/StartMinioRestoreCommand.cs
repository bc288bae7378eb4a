using System.Management.Automation;
using MinioRestore.Engine.Copying;
using MinioRestore.Engine.Errors;
using System.Management.Automation.Host;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.PowerShell.Hosting;
using MinioRestore.PowerShell.Reporting;

namespace MinioRestore.PowerShell.Cmdlets;

/// <summary>
/// The restore plan's restore task: creates the MinIO bucket when missing and copies every object
/// of the S3 backup bucket that the MinIO bucket lacks. Never replaces a differing object unless
/// -Overwrite is given; deletes only with -Remove, after a run without errors, with confirmation.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "MinioRestore", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = BucketSet)]
[OutputType("MinioRestore.Engine.Mirror.RestoreResult")]
[OutputType("MinioRestore.Engine.Mirror.RestoredVersion")]
[OutputType(typeof(Job))]
public sealed class StartMinioRestoreCommand : BucketPairCmdlet
{
    /// <summary>Replace target objects whose content differs from the backup.</summary>
    [Parameter]
    public SwitchParameter Overwrite { get; set; }

    /// <summary>Objects copied at once, and part transfers at once over a bucket's multipart objects.</summary>
    [Parameter]
    [ValidateRange(1, 512)]
    public int Concurrency { get; set; } = RestoreOptions.DefaultConcurrency;

    /// <summary>How long, in seconds, an object keeps retrying transient failures (a MinIO node restarting) after its first one; at least 6 attempts in any case.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int RetryTimeoutSec { get; set; } = (int)RetryPolicy.DefaultBudget.TotalSeconds;

    /// <summary>Delete MinIO objects (within -Prefix/-Include/-Exclude) that the backup lacks: mirror, like mc mirror --remove.</summary>
    [Parameter]
    public SwitchParameter Remove { get; set; }

    /// <summary>With -Remove: when more objects than this would be deleted from a bucket, none is.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int MaxDelete { get; set; } = RestoreOptions.DefaultMaxDelete;

    /// <summary>Remove without asking for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>
    /// Restore the backup as it was at this instant: per key the newest version at or before it
    /// (the backup bucket must be versioned). A time without an offset is local time.
    /// </summary>
    [Parameter]
    public DateTime? AsOf { get; set; }

    /// <summary>
    /// Restore every key's whole history (versions oldest first, delete markers in their places) into
    /// the MinIO bucket, whose versioning is enabled; with -AsOf, the history up to that instant.
    /// </summary>
    [Parameter]
    public SwitchParameter AllVersions { get; set; }

    /// <summary>With -AllVersions: write one object per version or delete marker written, mapping its backup version id to MinIO's.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Request the restore (RestoreObject) of backup objects in GLACIER or DEEP_ARCHIVE; a later run copies them once readable.</summary>
    [Parameter]
    public SwitchParameter RestoreArchived { get; set; }

    /// <summary>With -RestoreArchived: days the restored copy stays readable on S3.</summary>
    [Parameter]
    [ValidateRange(1, 36500)]
    public int RestoreDays { get; set; } = RestoreOptions.DefaultRestoreDays;

    /// <summary>With -RestoreArchived: Amazon's retrieval tier.</summary>
    [Parameter]
    [ValidateSet("Standard", "Bulk", "Expedited")]
    public string RestoreTier { get; set; } = "Standard";

    /// <summary>The storage class every object is written in; without it, the backup's where MinIO has it.</summary>
    [Parameter]
    [ValidateSet("STANDARD", "REDUCED_REDUNDANCY")]
    public string? StorageClass { get; set; }

    /// <summary>
    /// A checkpoint file (one bucket) or folder (-ServiceName, several buckets): a rerun with the
    /// same path starts after the last key up to which everything was done.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CheckpointPath { get; set; }

    /// <summary>This shard's number, 0 to -ShardCount minus 1 (Kubernetes' JOB_COMPLETION_INDEX).</summary>
    [Parameter]
    public int? ShardIndex { get; set; }

    /// <summary>How many shards share the restore; each takes a disjoint share of the keys.</summary>
    [Parameter]
    public int? ShardCount { get; set; }

    /// <summary>Run as a background job; Receive-Job returns the results, Stop-Job stops it.</summary>
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    private RestoreSettings? _settings;
    private RestoreRun? _run;
    private bool _confirmBound;
    private readonly List<(RestoreClients Clients, BucketPair Pair)> _jobWork = [];

    /// <summary>-WhatIf (or $WhatIfPreference), read once per command; the engine's dry run follows from it.</summary>
    private bool WhatIf => _settings!.Template.WhatIf;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        RefuseArchiveSettingsWithoutRestoreArchived();
        // -Confirm:$false is the user's answer in advance, like -Force; -Confirm asks per object instead.
        _confirmBound = MyInvocation.BoundParameters.TryGetValue("Confirm", out var confirm);
        var template = new RestoreOptions(SourceBucket: "", TargetBucket: "")
        {
            Overwrite = Overwrite, Concurrency = Concurrency, PartStreams = Concurrency, Filter = Filter,
            Remove = Remove, MaxDelete = MaxDelete, WhatIf = IsWhatIf(),
            Retry = RetryPolicy.Default.WithBudget(TimeSpan.FromSeconds(RetryTimeoutSec)),
            AsOf = AsOf is { } instant ? new PointInTime(instant) : null, AllVersions = AllVersions,
            RestoreArchived = RestoreArchived, RestoreDays = RestoreDays, RestoreTier = RestoreTier,
            StorageClass = StorageClass?.ToUpperInvariant(),
            Shard = ReadShard(),
        };
        try
        {
            // Each bucket's checkpoint file is known later; that there is one is enough to refuse a combination.
            (template with { CheckpointPath = CheckpointPath }).Validate();
        }
        catch (RestoreException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, null));
        }
        if (template.AllVersions)
            WriteVerbose(template.AsOf is { } upTo ? $"Restoring every key's history up to {upTo} (its versions and delete markers, oldest first)." : "Restoring every key's whole history (its versions and delete markers, oldest first).");
        else if (template.AsOf is { } asOf) WriteVerbose($"Restoring the backup as it was at {asOf} (each key's newest version at or before it).");
        if (template.Shard is { Count: > 1 } shard) WriteVerbose($"Restoring {shard}: the keys whose hash falls to it, on both ends.");
        if (PassThru && !template.AllVersions) WriteWarning("-PassThru writes the versions written by -AllVersions; without -AllVersions it adds nothing.");
        _settings = new RestoreSettings(template,
            RemoveWithoutPrompt: Force || (_confirmBound && !((SwitchParameter)confirm!).IsPresent), Verbose: IsVerbose(), PassThru: PassThru && template.AllVersions)
        {
            Checkpoints = ReadCheckpointPlace(),
        };
        _run = new RestoreRun(_settings, Output, ConfirmRemoval, confirmVersioning: ConfirmVersioning);
    }

    /// <summary>
    /// -RestoreDays and -RestoreTier only shape the restore requests -RestoreArchived sends: given
    /// alone they would be ignored, and the operator would wait for restores never requested.
    /// </summary>
    private void RefuseArchiveSettingsWithoutRestoreArchived()
    {
        if (RestoreArchived) return;
        var alone = new[] { nameof(RestoreDays), nameof(RestoreTier) }.Where(MyInvocation.BoundParameters.ContainsKey).Select(p => "-" + p).ToList();
        if (alone.Count == 0) return;
        ThrowTerminatingError(ErrorRecords.Create(ErrorIds.InvalidParameterCombination, ErrorCategory.InvalidArgument,
            $"{string.Join(" and ", alone)} only {(alone.Count == 1 ? "applies" : "apply")} with -RestoreArchived, which requests the restore of archived (GLACIER, DEEP_ARCHIVE) backup objects. " +
            "Add -RestoreArchived to request those restores, or leave out " + string.Join(" and ", alone) + ". Nothing was written.", null));
    }

    protected override void WriteBucketError(ErrorRecord record)
    {
        _run!.NoteError(record);
        WriteError(record);
    }

    protected override void ProcessRecord()
    {
        var (clients, pairs) = ResolveBuckets();
        if (AsJob && !WhatIf)
        {
            // Asked here, where a user can answer; the job then only does what was agreed.
            foreach (var pair in pairs)
                if (ShouldProcess(BucketTarget(clients, pair), RestoreAction(clients, pair)) && (!AllVersions || ConfirmVersioning(pair.Target, clients.MinioEndpoint)))
                    _jobWork.Add((clients, pair));
            return;
        }

        using var restorer = _settings!.NewRestorer(clients);
        foreach (var pair in pairs)
            RestoreBucket(restorer, clients, pair);
    }

    protected override void EndProcessing()
    {
        if (_jobWork.Count == 0) return;
        var job = new RestoreJob(_jobWork, _settings!, _run!.FirstError);
        JobRepository.Add(job);
        job.Start();
        WriteObject(job);
    }

    private static string BucketTarget(RestoreClients clients, BucketPair pair) => $"MinIO bucket '{pair.Target}' at {clients.MinioEndpoint}";
    private static string RestoreAction(RestoreClients clients, BucketPair pair) => $"Restore from S3 bucket '{pair.Source}' at {clients.S3Endpoint}";

    private void RestoreBucket(Restorer restorer, RestoreClients clients, BucketPair pair)
    {
        if (!ShouldProcess(BucketTarget(clients, pair), RestoreAction(clients, pair)) && !WhatIf)
            return;

        var progress = new RestoreProgress();
        var meter = _run!.NewMeter(pair);
        BucketOutcome outcome;
        try
        {
            outcome = RunOnThreadPool(cancel => _run!.RestoreAsync(restorer, pair, progress, cancel),
                tick: () => WriteProgress(meter.Update(progress)));
        }
        finally
        {
            WriteProgress(meter.Complete());
        }

        if (outcome.RunStopped is { } stop) ThrowTerminatingError(stop);
        if (outcome.Result is not { } result) return;
        if (result.Status == RestoreStatus.Stopped) throw new PipelineStoppedException();
        if (!WhatIf) WriteObject(RestoreRun.Emit(result));
    }

    /// <summary>-AllVersions: enabling versioning cannot be undone (only suspended), so -Confirm asks for it on its own.</summary>
    private bool ConfirmVersioning(string bucket, string? endpoint = null) =>
        ShouldProcess($"MinIO bucket '{bucket}'{(endpoint is null ? "" : $" at {endpoint}")}", "Enable versioning (it can be suspended later, never turned off)");

    /// <summary>-ShardIndex and -ShardCount, checked together; null when neither is given.</summary>
    private Shard? ReadShard()
    {
        if (ShardIndex is null && ShardCount is null) return null;
        try
        {
            if (ShardIndex is null || ShardCount is null)
                throw new RestoreException(ErrorIds.InvalidShard, FailureKind.InvalidArgument,
                    $"{(ShardIndex is null ? "-ShardCount" : "-ShardIndex")} was given without {(ShardIndex is null ? "-ShardIndex" : "-ShardCount")}: a shard is named by both " +
                    "(e.g. -ShardIndex $env:JOB_COMPLETION_INDEX -ShardCount 4). Nothing was written.");
            return Shard.Create(ShardIndex.Value, ShardCount.Value);
        }
        catch (RestoreException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, ShardIndex));
            return null;
        }
    }

    /// <summary>-CheckpointPath, resolved against the current location: a file for one named bucket, else a folder (<see cref="CheckpointPlace"/>).</summary>
    private CheckpointPlace? ReadCheckpointPlace()
    {
        if (CheckpointPath is null) return null;
        string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(CheckpointPath);
        bool folder = ParameterSetName == ServiceSet || Bucket is { Length: > 1 } || Directory.Exists(path)
            || CheckpointPath.EndsWith('/') || CheckpointPath.EndsWith(Path.DirectorySeparatorChar);
        WriteVerbose(folder ? $"Checkpoints: one file per bucket in the folder '{path}'." : $"Checkpoint: '{path}'.");
        return new CheckpointPlace(path, folder);
    }

    private bool IsWhatIf() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) ? ((SwitchParameter)w).IsPresent
        : GetVariableValue("WhatIfPreference") is { } pref && LanguagePrimitives.IsTrue(pref);

    /// <summary>
    /// -Remove's question, on the pipeline thread. Deleting is a high-impact action in a
    /// Medium-impact command, so, as Remove-Item does: ShouldProcess per object (-WhatIf,
    /// -Confirm), then one ShouldContinue unless -Force or -Confirm:$false.
    /// </summary>
    private IReadOnlyList<string> ConfirmRemoval(string bucket, IReadOnlyList<string> keys)
    {
        var approved = keys.Where(k => ShouldProcess(RestoreEventWriter.ObjectTarget(bucket, k), "Remove object")).ToList();
        if (approved.Count == 0 || _settings!.RemoveWithoutPrompt || _confirmBound) return approved;
        try
        {
            return ShouldContinue(
                $"Remove {approved.Count} object(s) from MinIO bucket '{bucket}' because the backup does not have them?",
                "Remove objects absent from the backup") ? approved : [];
        }
        catch (Exception e) when (e is HostException or PSInvalidOperationException or NotSupportedException or NotImplementedException)
        {
            return []; // a host that cannot ask (a script, a service) gets no deletion without -Force
        }
    }
}
