using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Transport;

namespace MinioRestore.PowerShell.Completion;

/// <summary>
/// Tab completion from the buckets of the clients in use: the -Clients value typed on the line,
/// else the clients registered last in the session. Asks the server each time (a new bucket
/// shows at once), for at most <see cref="Timeout"/>; an unreachable server, a refused
/// credential or no clients at all give no completions, never an error.
/// </summary>
public abstract class BucketCompleter : IArgumentCompleter
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            if (ClientsOf(fakeBoundParameters) is not { } clients) return [];
            var (typed, quoted) = Unquote(wordToComplete);
            var names = ListBuckets(EndpointOf(clients));
            return Candidates(names, clients)
                .Where(c => c.Value.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .OrderBy(c => c.Value, StringComparer.Ordinal)
                .Select(c => new CompletionResult(quoted ? Quote(c.Value) : ArgumentText(c.Value), c.Value, CompletionResultType.ParameterValue, c.ToolTip))
                .ToList();
        }
        catch (Exception)
        {
            return []; // completion must never disturb the prompt
        }
    }

    /// <summary>Which end's buckets to ask for.</summary>
    private protected abstract S3Endpoint EndpointOf(RestoreClients clients);

    /// <summary>The values to offer, made from the bucket names.</summary>
    private protected abstract IEnumerable<(string Value, string ToolTip)> Candidates(IReadOnlyList<string> bucketNames, RestoreClients clients);

    private static RestoreClients? ClientsOf(IDictionary? fakeBoundParameters) =>
        (fakeBoundParameters?["Clients"] is { } bound ? PSObject.AsPSObject(bound).BaseObject as RestoreClients : null) ?? RestoreClients.Current;

    private static IReadOnlyList<string> ListBuckets(S3Endpoint endpoint)
    {
        // The listing gives up by itself after the timeout; the wait is bounded too, so a hung
        // connect cannot hold the prompt.
        var listing = Task.Run(() => BucketDirectory.ListAsync(endpoint, CancellationToken.None, Timeout, retries: 0));
        try
        {
            return listing.Wait(Timeout) ? listing.Result : [];
        }
        catch (AggregateException)
        {
            return [];
        }
    }

    private static (string Typed, bool Quoted) Unquote(string? word)
    {
        word ??= "";
        if (word.Length > 0 && word[0] is '\'' or '"')
            return (word.Trim('\'', '"'), true);
        return (word, false);
    }

    /// <summary>
    /// The name as a command argument: bare when the parser reads the bare word back unchanged,
    /// else single-quoted (a leading '-' would be a parameter, '1e5' a number).
    /// </summary>
    internal static string ArgumentText(string value)
    {
        var ast = Parser.ParseInput("x " + value, out _, out var errors);
        bool bare = errors.Length == 0
            && ast.EndBlock?.Statements is [PipelineAst { PipelineElements: [CommandAst { CommandElements: [_, StringConstantExpressionAst word] }] }]
            && word.StringConstantType == StringConstantType.BareWord && word.Value == value;
        return bare ? value : Quote(value);
    }

    private static string Quote(string value) => "'" + value.Replace("'", "''") + "'";
}

/// <summary>-Bucket: the buckets of the S3 store holding the backup.</summary>
public sealed class S3BucketCompleter : BucketCompleter
{
    private protected override S3Endpoint EndpointOf(RestoreClients clients) => clients.Source;

    private protected override IEnumerable<(string Value, string ToolTip)> Candidates(IReadOnlyList<string> bucketNames, RestoreClients clients) =>
        bucketNames.Select(name => (name, $"S3 bucket at {clients.S3Endpoint}"));
}

/// <summary>-TargetBucket: the buckets of the MinIO server.</summary>
public sealed class MinioBucketCompleter : BucketCompleter
{
    private protected override S3Endpoint EndpointOf(RestoreClients clients) => clients.Target;

    private protected override IEnumerable<(string Value, string ToolTip)> Candidates(IReadOnlyList<string> bucketNames, RestoreClients clients) =>
        bucketNames.Select(name => (name, $"MinIO bucket at {clients.MinioEndpoint}"));
}

/// <summary>
/// -ServiceName: the DC/OS backup plan names the S3 bucket of MinIO bucket &lt;b&gt; of service
/// &lt;svc&gt; '&lt;svc&gt;-&lt;b&gt;'. Every text before a '-' of an S3 bucket name that leaves a
/// valid MinIO bucket name after it is offered (a service name may itself contain '-').
/// </summary>
public sealed class ServiceNameCompleter : BucketCompleter
{
    private protected override S3Endpoint EndpointOf(RestoreClients clients) => clients.Source;

    private protected override IEnumerable<(string Value, string ToolTip)> Candidates(IReadOnlyList<string> bucketNames, RestoreClients clients) =>
        ServiceBuckets.Services(bucketNames).Select(service => (service.Key, $"Service '{service.Key}': restores " +
            string.Join(", ", service.Value.Take(5).Select(p => $"{p.Source} -> {p.Target}")) +
            (service.Value.Count > 5 ? $" and {service.Value.Count - 5} more" : "")));
}
