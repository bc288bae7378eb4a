using System.Management.Automation;
using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.PowerShell.Hosting;

namespace MinioRestore.PowerShell.Cmdlets;

/// <summary>What Start-MinioRestore was asked to do to each bucket, the same in the foreground and in a job.</summary>
internal sealed record RestoreSettings(bool Overwrite, int Concurrency, ObjectFilter Filter, bool Remove, int MaxDelete,
    bool RemoveWithoutPrompt, bool Verbose)
{
    /// <summary>Connections for the objects copied at once and their parts, plus listings.</summary>
    public Restorer NewRestorer(RestoreClients clients) =>
        new(clients.Source, clients.Target, Concurrency * RestoreOptions.DefaultPartConcurrency + 8);
}

/// <summary>Where a run's messages go: the cmdlet's pipeline, or a job's streams. Called from worker threads.</summary>
internal interface IRunStreams
{
    void WriteVerbose(string message);
    void WriteWarning(string message);
    void WriteError(ErrorRecord record);

    /// <summary>-WhatIf: the operation that would be done.</summary>
    void WhatIf(string target, string action);

    /// <summary>The keys of <paramref name="bucket"/> the user lets -Remove delete.</summary>
    Task<IReadOnlyList<string>> ConfirmRemovalAsync(string bucket, IReadOnlyList<string> keys, CancellationToken cancel);
}

/// <summary>A bucket's restore: its result, or the error that ends the whole run (refused credential, unreachable endpoint).</summary>
internal readonly record struct BucketOutcome(RestoreResult? Result, ErrorRecord? RunStopped);

/// <summary>
/// One Start-MinioRestore run over its buckets, in the foreground or as a job: turns engine events
/// into PowerShell streams and remembers the run's first error, after which -Remove deletes nothing.
/// </summary>
internal sealed class RestoreRun(RestoreSettings settings, IRunStreams streams, string? firstError = null)
{
    private readonly RestoreSettings _settings = settings;
    private readonly IRunStreams _streams = streams;
    private string? _firstError = firstError;

    /// <summary>The first error written in this run, or null.</summary>
    public string? FirstError => Volatile.Read(ref _firstError);

    public void WriteError(ErrorRecord record)
    {
        NoteError(record);
        _streams.WriteError(record);
    }

    /// <summary>Counts an error the caller writes itself.</summary>
    public void NoteError(ErrorRecord record) =>
        Interlocked.CompareExchange(ref _firstError, record.ErrorDetails?.Message ?? record.Exception.Message, null);

    /// <summary>The MinIO object as -WhatIf and -Confirm name it.</summary>
    public static string ObjectTarget(string bucket, string key) => $"minio/{bucket}/{key}";

    public static ProgressMeter NewMeter(BucketPair pair) =>
        new(BucketPairCmdlet.NextProgressId(), $"Restoring s3/{pair.Source} -> minio/{pair.Target}");

    public async Task<BucketOutcome> RestoreAsync(Restorer restorer, BucketPair pair, bool whatIf, RestoreProgress progress, CancellationToken cancel)
    {
        var options = new RestoreOptions(pair.Source, pair.Target)
        {
            Overwrite = _settings.Overwrite, WhatIf = whatIf, Concurrency = _settings.Concurrency, Filter = _settings.Filter,
            Remove = _settings.Remove, MaxDelete = _settings.MaxDelete,
            RemovalBlockedBy = FirstError is { } error ? $"an earlier error in this run ({error})" : null,
            ConfirmRemoval = _streams.ConfirmRemovalAsync,
        };
        try
        {
            return new(await restorer.RestoreAsync(options, new Reporter(this, pair.Target), progress, cancel).ConfigureAwait(false), null);
        }
        catch (RestoreException e)
        {
            // Stops this bucket before anything was written (missing bucket, refused credential, ...).
            // Credential and connection failures would fail every other bucket too: the run stops.
            var record = ErrorRecords.From(e, pair.Source);
            if (e.Kind is FailureKind.AuthenticationFailed or FailureKind.ConnectionFailed)
            {
                NoteError(record);
                return new(null, record);
            }
            WriteError(record);
            return new(null, null);
        }
    }

    /// <summary>Engine events as verbose lines, warnings, errors and what-if messages.</summary>
    private sealed class Reporter(RestoreRun run, string targetBucket) : IRestoreReporter
    {
        public void Report(RestoreEvent e)
        {
            var streams = run._streams;
            switch (e.Kind)
            {
                case RestoreEventKind.Copied or RestoreEventKind.Skipped or RestoreEventKind.Retrying or RestoreEventKind.BucketCreated or RestoreEventKind.Removed:
                    if (run._settings.Verbose) streams.WriteVerbose(e.Message);
                    break;
                case RestoreEventKind.Conflict or RestoreEventKind.CopiedUnverified or RestoreEventKind.RemovalSkipped:
                    streams.WriteWarning(e.Message);
                    break;
                case RestoreEventKind.WouldCreateBucket:
                    streams.WhatIf($"MinIO bucket '{targetBucket}'", "Create bucket");
                    break;
                case RestoreEventKind.WouldCopy:
                    streams.WhatIf(ObjectTarget(targetBucket, e.Key!), e.Message.StartsWith("Overwrite", StringComparison.Ordinal) ? "Overwrite object" : "Copy object");
                    break;
                case RestoreEventKind.WouldRemove:
                    streams.WhatIf(ObjectTarget(targetBucket, e.Key!), "Remove object");
                    break;
                case RestoreEventKind.ObjectFailed or RestoreEventKind.BucketFailed or RestoreEventKind.RemovalRefused:
                    var record = ErrorRecords.From(e.Failure!, e.Key ?? e.Bucket);
                    record.ErrorDetails = new ErrorDetails(e.Message);
                    run.WriteError(record);
                    break;
            }
        }
    }
}
