using System.Management.Automation;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.PowerShell.Hosting;

namespace MinioRestore.PowerShell.Cmdlets;

/// <summary>
/// Start-MinioRestore -AsJob: the same run on the thread pool, in this process, with the clients
/// the command was given. Results, errors, warnings, verbose lines and progress go to the job's
/// streams for Receive-Job; Stop-Job cancels the copies and returns once no upload is left open.
/// A job cannot ask anything, so -Remove deletes in a job only with -Force or -Confirm:$false.
/// What lies unread in its streams is bounded (<see cref="JobStreams"/>).
/// </summary>
internal sealed class RestoreJob : Job, IPipelineOutput
{
    private readonly IReadOnlyList<(RestoreClients Clients, BucketPair Pair)> _work;
    private readonly RestoreSettings _settings;
    private readonly RestoreRun _run;
    private readonly CancellationTokenSource _stop = new();
    private readonly JobStreams _streams;
    private readonly object _stateLock = new();
    private bool _finished;
    private volatile bool _wroteError;
    private Task? _running;

    /// <param name="firstError">An error the command wrote before the job started: it blocks -Remove as any error in the run does.</param>
    public RestoreJob(IReadOnlyList<(RestoreClients Clients, BucketPair Pair)> work, RestoreSettings settings, string? firstError)
        : base(Describe(work), null)
    {
        _work = work.ToList();
        _settings = settings;
        _run = new RestoreRun(settings, this, confirmRemoval: null, firstError);
        _streams = new JobStreams(this, _stop.Token);
        PSJobTypeName = "MinioRestoreJob";
    }

    // What the job does, never how it was typed: a command line may hold a secret.
    private static string Describe(IEnumerable<(RestoreClients Clients, BucketPair Pair)> work) =>
        "Start-MinioRestore " + string.Join(", ", work.Select(w => $"s3/{w.Pair.Source} -> minio/{w.Pair.Target}"));

    public override string Location => string.Join(", ", _work.Select(w => w.Clients.MinioEndpoint).Distinct());

    public override string StatusMessage => "";

    public override bool HasMoreData =>
        Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Verbose.Count > 0 || Progress.Count > 0 || Debug.Count > 0 || Information.Count > 0;

    public void Start()
    {
        SetJobState(JobState.Running);
        _running = Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        var outcome = JobState.Completed;
        try
        {
            foreach (var group in _work.GroupBy(w => w.Clients))
            {
                using var restorer = _settings.NewRestorer(group.Key);
                foreach (var (_, pair) in group)
                {
                    var bucket = await RestoreBucketAsync(restorer, pair).ConfigureAwait(false);
                    if (bucket != JobState.Completed)
                    {
                        outcome = bucket;
                        return;
                    }
                }
            }
            if (_wroteError) outcome = JobState.Failed;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stop-Job before the first copy: nothing was written.
        }
        catch (Exception e)
        {
            ((IPipelineOutput)this).WriteError(new ErrorRecord(e, ErrorIds.Unexpected, ErrorCategory.NotSpecified, null));
            outcome = JobState.Failed;
        }
        finally
        {
            _streams.Summarize();
            Finish(_stop.IsCancellationRequested ? JobState.Stopped : outcome);
        }
    }

    /// <summary>Completed to go on with the next bucket, Stopped or Failed to end the job.</summary>
    private async Task<JobState> RestoreBucketAsync(Restorer restorer, BucketPair pair)
    {
        var progress = new RestoreProgress();
        var meter = _run.NewMeter(pair);
        BucketOutcome outcome;
        // Disposed asynchronously: no tick lands after the bucket's last progress record.
        await using (new Timer(_ => _streams.WriteProgress(meter.Update(progress)), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)).ConfigureAwait(false))
        {
            outcome = await _run.RestoreAsync(restorer, pair, progress, _stop.Token).ConfigureAwait(false);
        }
        _streams.WriteProgress(meter.Complete());

        if (outcome.RunStopped is { } stop)
        {
            ((IPipelineOutput)this).WriteError(stop);
            return JobState.Failed;
        }
        if (outcome.Result is { Status: RestoreStatus.Stopped } || _stop.IsCancellationRequested) return JobState.Stopped;
        if (outcome.Result is { } result) _streams.WriteObject(RestoreRun.Emit(result));
        return JobState.Completed;
    }

    private void Finish(JobState state)
    {
        lock (_stateLock)
        {
            if (_finished) return;
            _finished = true;
        }
        SetJobState(state);
    }

    public override void StopJob()
    {
        _stop.Cancel();
        // Back once the copies have stopped and their uploads are aborted: nothing partial stays.
        try { _running?.Wait(TimeSpan.FromSeconds(60)); }
        catch (AggregateException) { /* reported in the job's error stream */ }
        Finish(JobState.Stopped);
    }

    // The job's streams are thread-safe: workers add to them directly, no pipeline thread involved.
    void IPipelineOutput.WriteObject(object value) => _streams.WriteObject(PSObject.AsPSObject(value));
    void IPipelineOutput.WriteVerbose(string message) => _streams.WriteVerbose(new VerboseRecord(message));
    void IPipelineOutput.WriteWarning(string message) => _streams.WriteWarning(new WarningRecord(message));
    void IPipelineOutput.WriteError(ErrorRecord record)
    {
        _wroteError = true;
        _streams.WriteError(record);
    }
    void IPipelineOutput.WriteProgress(ProgressRecord record) => _streams.WriteProgress(record);

    // A job cannot ask: -WhatIf runs in the foreground, never as a job, and -Remove deletes only
    // what was agreed in advance (-Force).
    Task<bool> IPipelineOutput.ShouldProcessAsync(string target, string action) => Task.FromResult(false);
    Task<T> IPipelineOutput.AskAsync<T>(Func<T> question, T unanswered) => Task.FromResult(unanswered);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (!_finished) StopJob();
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }
}
