using System.Management.Automation;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Verifying;
using MinioRestore.PowerShell.Hosting;
using MinioRestore.PowerShell.Reporting;

namespace MinioRestore.PowerShell.Cmdlets;

/// <summary>
/// Verifies a restore after the fact, whoever made it: compares the S3 backup bucket with the
/// MinIO bucket and writes one object per missing, different or extra object. -Content reads
/// both sides and compares the MD5 of the bytes, not only sizes and ETags.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "MinioRestore", DefaultParameterSetName = BucketSet)]
[OutputType("MinioRestore.Engine.Verifying.ObjectDifference", "System.Boolean")]
public sealed class TestMinioRestoreCommand : BucketPairCmdlet
{
    /// <summary>Read every object on both ends and compare the MD5 of its bytes.</summary>
    [Parameter]
    public SwitchParameter Content { get; set; }

    /// <summary>
    /// Compare each object's headers, user metadata, website redirect, tags and Object Lock
    /// retention and legal hold too: a HEAD and a tag read per object on each end.
    /// </summary>
    [Parameter]
    public SwitchParameter Attributes { get; set; }

    /// <summary>Write only $true (every backup object is on the target, same content) or $false per bucket.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>
    /// Compare with the backup as it was at this instant (as Start-MinioRestore -AsOf restored it);
    /// a piped restore result brings its own. A time without an offset is local time.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DateTime? AsOf { get; set; }

    /// <summary>
    /// Compare every key's whole history (as Start-MinioRestore -AllVersions restored it; up to -AsOf
    /// when given); a piped restore result brings its own.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter AllVersions { get; set; }

    /// <summary>Objects read at once with -Content.</summary>
    [Parameter]
    [ValidateRange(1, 512)]
    public int Concurrency { get; set; } = 16;

    protected override void ProcessRecord()
    {
        var (clients, pairs) = ResolveBuckets();
        // Per record: a piped restore result carries the instant it restored.
        var asOf = AsOf is { } instant ? new PointInTime(instant) : null;
        using var verifier = new Verifier(clients.Source, clients.Target, Concurrency + 8);
        foreach (var (source, target) in pairs)
        {
            var progress = new RestoreProgress();
            var meter = new ProgressMeter(NextProgressId(), $"Comparing s3/{source} with minio/{target}{(AllVersions ? " (all versions)" : "")}", AllVersions ? "versions" : "objects");
            VerifyResult result;
            try
            {
                result = RunOnThreadPool(cancel => verifier.VerifyAsync(source, target, Content, Concurrency,
                    difference => { if (!Quiet) Output.WriteObject(difference); }, progress, cancel, Filter, asOf, AllVersions, Attributes),
                    tick: () => WriteProgress(meter.Update(progress)));
            }
            catch (RestoreException e)
            {
                WriteError(ErrorRecords.From(e, source));
                continue;
            }
            finally
            {
                WriteProgress(meter.Complete());
            }
            WriteVerbose(result.ToString() + (result.ContentCompared ? " (content compared" : " (sizes and ETags compared") + (result.AttributesCompared ? ", attributes compared" : "")
                + (AllVersions ? $", whole histories: {result.Versions} backup versions and delete markers" + (asOf is null ? "" : $" up to {asOf}") : asOf is null ? "" : $", with the backup as it was at {asOf}") + ")");
            if (Quiet) WriteObject(result.Restored);
        }
    }
}
