using System.Management.Automation;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.PowerShell.Completion;
using MinioRestore.PowerShell.Hosting;

namespace MinioRestore.PowerShell.Cmdlets;

/// <summary>
/// What Start-MinioRestore and Test-MinioRestore share: which buckets, on which endpoints.
/// Piped RestoreClients objects bind to -Clients, piped names (or objects with a BucketName) to -Bucket.
/// </summary>
public abstract class BucketPairCmdlet : PipelineCmdlet
{
    /// <summary>The S3 bucket(s) holding the backup. Default: the S3_BUCKET environment variable, as the restore plan used.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("BucketName", "SourceBucket", "S3Bucket")]
    [NotRestoreClients]
    [ArgumentCompleter(typeof(S3BucketCompleter))]
    public string[]? Bucket { get; set; }

    /// <summary>From Register-RestoreClients. Default: the clients registered last in this session.</summary>
    [Parameter(ValueFromPipeline = true)]
    public RestoreClients? Clients { get; set; }

    /// <summary>The MinIO bucket to restore into. Default: the same name as the S3 bucket.</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(MinioBucketCompleter))]
    public string? TargetBucket { get; set; }

    /// <summary>The clients to use and the (source, target) bucket pairs, every name checked before any bucket is touched.</summary>
    protected (RestoreClients Clients, List<(string Source, string Target)> Pairs) ResolveBuckets()
    {
        var clients = Clients ?? RestoreClients.Current;
        if (clients is null)
        {
            ThrowTerminatingError(ErrorRecords.Create(ErrorIds.MissingCredentials, ErrorCategory.InvalidOperation,
                $"No restore clients: run Register-RestoreClients first, or pipe its result into {MyInvocation.MyCommand.Name}.", null));
        }

        var buckets = Bucket is { Length: > 0 } ? Bucket
            : Environment.GetEnvironmentVariable("S3_BUCKET") is { Length: > 0 } fromEnv ? [fromEnv]
            : null;
        if (buckets is null)
        {
            ThrowTerminatingError(ErrorRecords.Create(ErrorIds.InvalidBucketName, ErrorCategory.InvalidArgument,
                "No bucket given: pass -Bucket NAME (the S3 bucket holding the backup) or set S3_BUCKET.", null));
        }
        if (TargetBucket is not null && buckets!.Length > 1)
        {
            ThrowTerminatingError(ErrorRecords.Create(ErrorIds.InvalidBucketName, ErrorCategory.InvalidArgument,
                $"-TargetBucket names one bucket, but {buckets.Length} source buckets were given; name them one at a time or leave out -TargetBucket.", TargetBucket));
        }

        // Every name is checked before the first bucket is touched.
        var pairs = new List<(string Source, string Target)>();
        foreach (var source in buckets!)
        {
            try
            {
                pairs.Add((BucketNames.Validate(source, "source", legacy: true), BucketNames.Validate(TargetBucket ?? source, "target")));
            }
            catch (RestoreException e)
            {
                ThrowTerminatingError(ErrorRecords.From(e, source));
            }
        }
        return (clients!, pairs);
    }

    protected bool IsVerbose() =>
        MyInvocation.BoundParameters.TryGetValue("Verbose", out var v) ? ((SwitchParameter)v).IsPresent
        : GetVariableValue("VerbosePreference") is ActionPreference p && p != ActionPreference.SilentlyContinue;

    /// <summary>
    /// PowerShell also offers a piped RestoreClients object (bound to -Clients) to -Bucket, as
    /// text; it names no bucket, so it binds as none and -Bucket falls back to S3_BUCKET.
    /// </summary>
    private sealed class NotRestoreClientsAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData) =>
            (inputData is PSObject ps ? ps.BaseObject : inputData) is RestoreClients ? Array.Empty<string>() : inputData;
    }

    private static int _progressIds;

    /// <summary>A progress activity id no other running command of this module uses.</summary>
    protected static int NextProgressId() => Interlocked.Increment(ref _progressIds);
}
