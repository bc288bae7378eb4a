using System.Management.Automation;
using System.Management.Automation.Host;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.PowerShell.Hosting;

namespace MinioRestore.PowerShell.Cmdlets;

/// <summary>
/// The restore plan's restore task: creates the MinIO bucket when missing and copies every object
/// of the S3 backup bucket that the MinIO bucket lacks. Never replaces a differing object unless
/// -Overwrite is given; deletes only with -Remove, after a run without errors, with confirmation.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "MinioRestore", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = BucketSet)]
[OutputType("MinioRestore.Engine.Mirror.RestoreResult")]
[OutputType(typeof(Job))]
public sealed class StartMinioRestoreCommand : BucketPairCmdlet
{
    /// <summary>Replace target objects whose content differs from the backup.</summary>
    [Parameter]
    public SwitchParameter Overwrite { get; set; }

    /// <summary>Objects copied at once.</summary>
    [Parameter]
    [ValidateRange(1, 512)]
    public int Concurrency { get; set; } = RestoreOptions.DefaultConcurrency;

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

    /// <summary>Run as a background job; Receive-Job returns the results, Stop-Job stops it.</summary>
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    private RestoreSettings? _settings;
    private RestoreRun? _run;
    private readonly List<(RestoreClients Clients, BucketPair Pair)> _jobWork = [];

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        // -Confirm:$false is the user's answer in advance, like -Force; -Confirm asks per object instead.
        bool confirmBound = MyInvocation.BoundParameters.TryGetValue("Confirm", out var confirm);
        _settings = new RestoreSettings(Overwrite, Concurrency, Filter, Remove, MaxDelete,
            RemoveWithoutPrompt: Force || (confirmBound && !((SwitchParameter)confirm!).IsPresent), Verbose: IsVerbose());
        _run = new RestoreRun(_settings, new PipelineStreams(this, confirmBound));
    }

    protected override void WriteBucketError(ErrorRecord record)
    {
        _run!.NoteError(record);
        WriteError(record);
    }

    protected override void ProcessRecord()
    {
        var (clients, pairs) = ResolveBuckets();
        bool whatIf = IsWhatIf();
        if (AsJob && !whatIf)
        {
            // Asked here, where a user can answer; the job then only does what was agreed.
            foreach (var pair in pairs)
                if (ShouldProcess(BucketTarget(clients, pair), RestoreAction(clients, pair))) _jobWork.Add((clients, pair));
            return;
        }

        using var restorer = _settings!.NewRestorer(clients);
        foreach (var pair in pairs)
            RestoreBucket(restorer, clients, pair, whatIf);
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

    private void RestoreBucket(Restorer restorer, RestoreClients clients, BucketPair pair, bool whatIf)
    {
        if (!ShouldProcess(BucketTarget(clients, pair), RestoreAction(clients, pair)) && !whatIf)
            return;

        var progress = new RestoreProgress();
        var meter = RestoreRun.NewMeter(pair);
        BucketOutcome outcome;
        try
        {
            outcome = RunOnThreadPool(cancel => _run!.RestoreAsync(restorer, pair, whatIf, progress, cancel),
                tick: () => WriteProgress(meter.Update(progress)));
        }
        finally
        {
            WriteProgress(meter.Complete());
        }

        if (outcome.RunStopped is { } stop) ThrowTerminatingError(stop);
        if (outcome.Result is not { } result) return;
        if (result.Status == RestoreStatus.Stopped) throw new PipelineStoppedException();
        if (!whatIf) WriteObject(result);
    }

    private bool IsWhatIf() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) ? ((SwitchParameter)w).IsPresent
        : GetVariableValue("WhatIfPreference") is { } pref && LanguagePrimitives.IsTrue(pref);

    /// <summary>The run's messages, posted to the pipeline thread, the only one that may write or ask.</summary>
    private sealed class PipelineStreams(StartMinioRestoreCommand cmdlet, bool confirmBound) : IRunStreams
    {
        public void WriteVerbose(string message) => cmdlet.Post(() => cmdlet.WriteVerbose(message));
        public void WriteWarning(string message) => cmdlet.Post(() => cmdlet.WriteWarning(message));
        public void WriteError(ErrorRecord record) => cmdlet.Post(() => cmdlet.WriteError(record));
        public void WhatIf(string target, string action) => cmdlet.Post(() => cmdlet.ShouldProcess(target, action));

        public Task<IReadOnlyList<string>> ConfirmRemovalAsync(string bucket, IReadOnlyList<string> keys, CancellationToken cancel)
        {
            var answer = new TaskCompletionSource<IReadOnlyList<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
            cmdlet.Post(() =>
            {
                try { answer.TrySetResult(Confirm(bucket, keys)); }
                catch (Exception e) { answer.TrySetException(e); throw; }
            });
            return answer.Task;
        }

        /// <summary>
        /// Deleting is a high-impact action in a Medium-impact command, so, as Remove-Item does:
        /// ShouldProcess per object (-WhatIf, -Confirm), then one ShouldContinue unless -Force or -Confirm:$false.
        /// </summary>
        private List<string> Confirm(string bucket, IReadOnlyList<string> keys)
        {
            var approved = keys.Where(k => cmdlet.ShouldProcess(RestoreRun.ObjectTarget(bucket, k), "Remove object")).ToList();
            if (approved.Count == 0 || cmdlet._settings!.RemoveWithoutPrompt || confirmBound) return approved;
            try
            {
                return cmdlet.ShouldContinue(
                    $"Remove {approved.Count} object(s) from MinIO bucket '{bucket}' because the backup does not have them?",
                    "Remove objects absent from the backup") ? approved : [];
            }
            catch (Exception e) when (e is HostException or PSInvalidOperationException or NotSupportedException or NotImplementedException)
            {
                return []; // a host that cannot ask (a script, a service) gets no deletion without -Force
            }
        }
    }
}
