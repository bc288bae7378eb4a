using System.Collections.ObjectModel;
using System.Management.Automation;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Reporting;
using MinioRestore.PowerShell.Hosting;

namespace MinioRestore.PowerShell.Cmdlets;

/// <summary>
/// Puts the per-shard results of a sharded restore (-ShardIndex/-ShardCount, e.g. the pods of a
/// Kubernetes Indexed Job, each writing its JSON report to a shared volume) together into one
/// result per bucket: counts summed, shards missing named, the status of the whole. Reads the
/// reports (-Path) or result objects (piped: Start-MinioRestore's, ConvertFrom-Json's, Import-Csv's).
/// </summary>
[Cmdlet(VerbsData.Merge, "RestoreResult", DefaultParameterSetName = PathSet)]
[OutputType("MinioRestore.Engine.Mirror.MergedRestoreResult")]
public sealed class MergeRestoreResultCommand : PSCmdlet
{
    private const string PathSet = "Path";
    private const string ObjectSet = "InputObject";

    /// <summary>JSON reports (wildcards allowed), each one result or an array of them.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0)]
    [SupportsWildcards]
    public string[]? Path { get; set; }

    /// <summary>Results: RestoreResult objects, or objects with the same properties (ConvertFrom-Json, Import-Csv).</summary>
    [Parameter(ParameterSetName = ObjectSet, Mandatory = true, ValueFromPipeline = true)]
    public PSObject[]? InputObject { get; set; }

    private readonly List<MinioRestore.Engine.Mirror.RestoreResult> _results = [];
    private int _objects;

    protected override void ProcessRecord()
    {
        if (ParameterSetName == PathSet)
        {
            foreach (var pattern in Path!)
            {
                Collection<string> files;
                try
                {
                    files = GetResolvedProviderPathFromPSPath(pattern, out _);
                }
                catch (ItemNotFoundException)
                {
                    WriteError(ErrorRecords.Create(ErrorIds.InvalidRestoreResult, ErrorCategory.ObjectNotFound,
                        $"No report matches '{pattern}'. Give the JSON reports the shards wrote, e.g. -Path /results/restore-*.json.", pattern));
                    continue;
                }
                foreach (var file in files) Read(() => ResultReader.FromJson(File.ReadAllText(file), file), file);
            }
            return;
        }
        foreach (var item in InputObject!)
        {
            int number = ++_objects;
            Read(() => [ResultReader.From(name => item.Properties[name]?.Value is { } v ? (v is PSObject p ? p.BaseObject : v) : null, $"Input object {number}")], item);
        }
    }

    private void Read(Func<IEnumerable<MinioRestore.Engine.Mirror.RestoreResult>> read, object target)
    {
        try
        {
            _results.AddRange(read());
        }
        catch (RestoreException e)
        {
            WriteError(ErrorRecords.From(e, target));
        }
        catch (IOException e)
        {
            WriteError(ErrorRecords.Create(ErrorIds.InvalidRestoreResult, ErrorCategory.ReadError, $"The report '{target}' cannot be read: {e.Message}", target));
        }
    }

    protected override void EndProcessing()
    {
        foreach (var merged in ResultMerge.Merge(_results, problem => WriteError(ErrorRecords.From(problem, null))))
            WriteObject(merged);
    }
}
