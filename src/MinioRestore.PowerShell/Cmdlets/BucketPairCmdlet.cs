using System.Management.Automation;
using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.PowerShell.Completion;
using MinioRestore.PowerShell.Hosting;

namespace MinioRestore.PowerShell.Cmdlets;

/// <summary>
/// What Start-MinioRestore and Test-MinioRestore share: which buckets (named, or every backup
/// bucket of a service), which objects in them, on which endpoints.
/// Piped RestoreClients objects bind to -Clients, piped names (or objects with a BucketName) to -Bucket.
/// </summary>
public abstract class BucketPairCmdlet : PipelineCmdlet
{
    protected const string BucketSet = "Bucket";
    protected const string ServiceSet = "Service";

    /// <summary>The S3 bucket(s) holding the backup. Default: the S3_BUCKET environment variable, as the restore plan used.</summary>
    [Parameter(ParameterSetName = BucketSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("BucketName", "SourceBucket", "S3Bucket")]
    [NotRestoreClients]
    [ArgumentCompleter(typeof(S3BucketCompleter))]
    public string[]? Bucket { get; set; }

    /// <summary>Every S3 bucket named &lt;ServiceName&gt;-&lt;b&gt; goes to the MinIO bucket &lt;b&gt; (the DC/OS backup plan's naming).</summary>
    [Parameter(ParameterSetName = ServiceSet, Mandatory = true)]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    public string? ServiceName { get; set; }

    /// <summary>From Register-RestoreClients. Default: the clients registered last in this session.</summary>
    [Parameter(ValueFromPipeline = true)]
    public RestoreClients? Clients { get; set; }

    /// <summary>The MinIO bucket to restore into. Default: the same name as the S3 bucket.</summary>
    [Parameter(ParameterSetName = BucketSet, Position = 1)]
    [ArgumentCompleter(typeof(MinioBucketCompleter))]
    public string? TargetBucket { get; set; }

    /// <summary>Only keys starting with this, on both ends (listed server-side).</summary>
    [Parameter]
    public string? Prefix { get; set; }

    /// <summary>Only keys matching one of these wildcard patterns (whole key, case-sensitive).</summary>
    [Parameter]
    public string[]? Include { get; set; }

    /// <summary>No key matching one of these wildcard patterns (whole key, case-sensitive); wins over -Include.</summary>
    [Parameter]
    public string[]? Exclude { get; set; }

    /// <summary>Only backup objects last modified after this time.</summary>
    [Parameter]
    public DateTime? NewerThan { get; set; }

    /// <summary>Only backup objects last modified before this time.</summary>
    [Parameter]
    public DateTime? OlderThan { get; set; }

    /// <summary>The objects in scope, from -Prefix, -Include, -Exclude, -NewerThan and -OlderThan; stops the command when one is invalid.</summary>
    protected ObjectFilter Filter { get; private set; } = ObjectFilter.All;

    protected override void BeginProcessing()
    {
        try
        {
            Filter = ObjectFilter.Create(Prefix, Include, Exclude, NewerThan, OlderThan);
        }
        catch (RestoreException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, null));
        }
        if (!Filter.IsAll) WriteVerbose($"Only {Filter}.");
    }

    /// <summary>Writes an error that concerns one bucket; the run goes on with the others.</summary>
    protected virtual void WriteBucketError(ErrorRecord record) => WriteError(record);

    /// <summary>The clients to use and the bucket pairs, every name checked before any bucket is touched.</summary>
    protected (RestoreClients Clients, List<BucketPair> Pairs) ResolveBuckets()
    {
        var clients = Clients ?? RestoreClients.Current;
        if (clients is null)
        {
            ThrowTerminatingError(ErrorRecords.Create(ErrorIds.MissingCredentials, ErrorCategory.InvalidOperation,
                $"No restore clients: run Register-RestoreClients first, or pipe its result into {MyInvocation.MyCommand.Name}.", null));
        }
        return (clients!, ParameterSetName == ServiceSet ? ServicePairs(clients!) : NamedPairs());
    }

    private List<BucketPair> NamedPairs()
    {
        var buckets = Bucket is { Length: > 0 } ? Bucket
            : Environment.GetEnvironmentVariable("S3_BUCKET") is { Length: > 0 } fromEnv ? [fromEnv]
            : null;
        if (buckets is null)
        {
            ThrowTerminatingError(ErrorRecords.Create(ErrorIds.InvalidBucketName, ErrorCategory.InvalidArgument,
                "No bucket given: pass -Bucket NAME (the S3 bucket holding the backup), -ServiceName NAME (every backup bucket of a service) or set S3_BUCKET.", null));
        }
        if (TargetBucket is not null && buckets!.Length > 1)
        {
            ThrowTerminatingError(ErrorRecords.Create(ErrorIds.InvalidBucketName, ErrorCategory.InvalidArgument,
                $"-TargetBucket names one bucket, but {buckets.Length} source buckets were given; name them one at a time or leave out -TargetBucket.", TargetBucket));
        }

        // Every name is checked before the first bucket is touched.
        var pairs = new List<BucketPair>();
        foreach (var source in buckets!)
        {
            try
            {
                pairs.Add(new(BucketNames.Validate(source, "source", legacy: true), BucketNames.Validate(TargetBucket ?? source, "target")));
            }
            catch (RestoreException e)
            {
                ThrowTerminatingError(ErrorRecords.From(e, source));
            }
        }
        return pairs;
    }

    /// <summary>Every backup bucket of -ServiceName; one whose MinIO name is not a valid bucket name is an error of its own.</summary>
    private List<BucketPair> ServicePairs(RestoreClients clients)
    {
        IReadOnlyList<BucketPair> found;
        try
        {
            found = RunOnThreadPool(cancel => ServiceBuckets.FindAsync(clients.Source, ServiceName!, cancel));
        }
        catch (RestoreException e)
        {
            var record = ErrorRecords.From(e, ServiceName);
            if (e.Kind is FailureKind.NotFound) WriteBucketError(record);
            else ThrowTerminatingError(record);
            return [];
        }

        var pairs = new List<BucketPair>();
        foreach (var pair in found)
        {
            try
            {
                BucketNames.Validate(pair.Target, "target");
                pairs.Add(pair);
            }
            catch (RestoreException e)
            {
                WriteBucketError(ErrorRecords.From(new RestoreException(e.ErrorId, e.Kind,
                    $"The backup bucket '{pair.Source}' cannot be restored by -ServiceName: {e.Message} Restore it with -Bucket {pair.Source} -TargetBucket <name>."), pair.Source));
            }
        }
        WriteVerbose($"Service '{ServiceName}': {string.Join(", ", found.Select(p => $"s3/{p.Source} -> minio/{p.Target}"))}.");
        return pairs;
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
    internal static int NextProgressId() => Interlocked.Increment(ref _progressIds);
}
