using System.Management.Automation;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Mirror;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.PowerShell.Hosting;
using MinioRestore.PowerShell.Reporting;

namespace MinioRestore.PowerShell.Cmdlets;

/// <summary>
/// What Start-MinioRestore was asked to do, the same in the foreground and in a job: the engine's
/// options, built once per command from its parameters (each bucket's options derive from
/// <see cref="Template"/>), and what only the PowerShell side needs.
/// </summary>
/// <param name="Template">The options every bucket shares; the buckets themselves are set per bucket.</param>
/// <param name="RemoveWithoutPrompt">-Force or -Confirm:$false: -Remove deletes without ShouldContinue.</param>
/// <param name="Verbose">Verbose lines are wanted (so none is built and queued otherwise).</param>
/// <param name="PassThru">-AllVersions -PassThru: one RestoredVersion per entry written goes to the output.</param>
internal sealed record RestoreSettings(RestoreOptions Template, bool RemoveWithoutPrompt, bool Verbose, bool PassThru = false)
{
    /// <summary>Connections for the objects copied at once and the bucket's part streams, plus listings.</summary>
    public Restorer NewRestorer(RestoreClients clients) => new(clients.Source, clients.Target, Template.Connections);

    /// <summary>-CheckpointPath: where each bucket's checkpoint goes, or null.</summary>
    public CheckpointPlace? Checkpoints { get; init; }
}

/// <summary>A bucket's restore: its result, or the error that ends the whole run (refused credential, unreachable endpoint).</summary>
internal readonly record struct BucketOutcome(RestoreResult? Result, ErrorRecord? RunStopped);

/// <summary>
/// One Start-MinioRestore run over its buckets, in the foreground or as a job: restores each
/// bucket with its options, sends the engine's events to <paramref name="output"/> and remembers
/// the run's first error, after which -Remove deletes nothing.
/// </summary>
/// <param name="confirmRemoval">The question -Remove asks on the pipeline thread (ShouldProcess per object, ShouldContinue).</param>
/// <param name="confirmVersioning">-AllVersions: the question before versioning is enabled on a bucket (ShouldProcess), on the pipeline thread; null approves (a job asked in advance).</param>
internal sealed class RestoreRun(RestoreSettings settings, IPipelineOutput output,
    Func<string, IReadOnlyList<string>, IReadOnlyList<string>>? confirmRemoval, string? firstError = null,
    Func<string, string?, bool>? confirmVersioning = null)
{
    /// <summary>The type name of -AllVersions results, whose table view shows versions and delete markers.</summary>
    public const string AllVersionsTypeName = "MinioRestore.Engine.Mirror.RestoreResult#AllVersions";

    /// <summary>The result as written to the pipeline: an -AllVersions result is told apart by its view's type name.</summary>
    public static PSObject Emit(RestoreResult result)
    {
        var emitted = PSObject.AsPSObject(result);
        if (result.AllVersions && !emitted.TypeNames.Contains(AllVersionsTypeName)) emitted.TypeNames.Insert(0, AllVersionsTypeName);
        return emitted;
    }

    private string? _firstError = firstError;

    /// <summary>The first error written in this run, or null.</summary>
    public string? FirstError => Volatile.Read(ref _firstError);

    public void WriteError(ErrorRecord record)
    {
        NoteError(record);
        output.WriteError(record);
    }

    /// <summary>Counts an error the caller writes itself.</summary>
    public void NoteError(ErrorRecord record) =>
        Interlocked.CompareExchange(ref _firstError, record.ErrorDetails?.Message ?? record.Exception.Message, null);

    public ProgressMeter NewMeter(BucketPair pair) =>
        new(BucketPairCmdlet.NextProgressId(), $"Restoring s3/{pair.Source} -> minio/{pair.Target}{(settings.Template.AllVersions ? " (all versions)" : "")}",
            settings.Template.AllVersions ? "versions" : "objects");

    public async Task<BucketOutcome> RestoreAsync(Restorer restorer, BucketPair pair, RestoreProgress progress, CancellationToken cancel)
    {
        var options = settings.Template with
        {
            SourceBucket = pair.Source, TargetBucket = pair.Target,
            CheckpointPath = settings.Checkpoints?.For(pair, settings.Template.Shard, settings.Template.WhatIf),
            RemovalBlockedBy = FirstError is { } error ? $"an earlier error in this run ({error})" : null,
            // Where nobody can be asked (a job), the answer given in advance (-Force) stands.
            ConfirmRemoval = (bucket, keys, _) => output.AskAsync(() => confirmRemoval?.Invoke(bucket, keys) ?? Unanswered(keys), Unanswered(keys)),
            ConfirmVersioning = confirmVersioning is null ? null : (bucket, _) => output.AskAsync(() => confirmVersioning(bucket, null), true),
        };
        var events = new RestoreEventWriter(output, settings.Verbose, WriteError, settings.PassThru);
        try
        {
            return new(await restorer.RestoreAsync(options, events, progress, cancel).ConfigureAwait(false), null);
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

    private IReadOnlyList<string> Unanswered(IReadOnlyList<string> keys) => settings.RemoveWithoutPrompt ? keys : [];
}
