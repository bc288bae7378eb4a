using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Cmdlets;

/// <summary>
/// Tab completion of bucket and service names, as the console asks for it (TabExpansion2), from
/// the buckets of two real servers.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class CompletionTests(RgwPair rgw) : IDisposable
{
    private readonly PowerShellSession _ps = new();

    public void Dispose() => _ps.Dispose();

    private const string Register = RgwPair.RegisterScript;

    /// <summary>What Tab offers at the end of <paramref name="line"/>, as "completion text|tooltip".</summary>
    private (List<string> Texts, List<string> ToolTips, PowerShellRun Run) Complete(string line, Dictionary<string, object?>? variables = null)
    {
        variables ??= [];
        variables["line"] = line;
        var run = _ps.Run("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches", variables);
        var matches = run.Output.Select(m => ((string)m.Properties["CompletionText"].Value, (string)m.Properties["ToolTip"].Value)).ToList();
        return (matches.Select(m => m.Item1).ToList(), matches.Select(m => m.Item2).ToList(), run);
    }

    private async Task<string> CreateBucketsAsync(string purpose, string[] onSource, string[] onTarget)
    {
        string stem = RgwPair.NewBucket(purpose);
        foreach (var suffix in onSource) await S3.CreateBucketAsync(rgw.SourceS3, stem + suffix);
        foreach (var suffix in onTarget) await S3.CreateBucketAsync(rgw.TargetS3, stem + suffix);
        return stem;
    }

    [Fact]
    public async Task A_Clients_value_on_the_line_is_used_rather_than_the_clients_registered_last()
    {
        string stem = await CreateBucketsAsync("tab-clients", ["-on-s3"], ["-on-minio"]);
        // Source and target swapped, then the usual clients registered last (the session's default).
        var variables = rgw.ScriptVariables();
        Assert.Null(_ps.Run("$global:swapped = Register-RestoreClients -S3Endpoint $minio -S3Credential $miniocred -MinioEndpoint $s3 -MinioCredential $s3cred; " +
                            Register + " | Out-Null", variables).TerminatingRecord);

        var fromLine = Complete($"Start-MinioRestore -Clients $swapped -Bucket {stem}-");
        var fromSession = Complete($"Start-MinioRestore -Bucket {stem}-");

        Assert.Equal([$"{stem}-on-minio"], fromLine.Texts);
        Assert.Equal([$"{stem}-on-s3"], fromSession.Texts);
    }

    [Fact]
    public async Task A_name_the_parser_would_read_as_a_number_is_quoted()
    {
        // "<digits>e1" typed bare is the number <digits>0; quoted it stays the bucket's name.
        string digits = $"{Environment.ProcessId}{Random.Shared.Next(1000, 9999)}";
        await S3.CreateBucketAsync(rgw.SourceS3, digits + "e1");
        await S3.CreateBucketAsync(rgw.SourceS3, digits + "-plain");
        Assert.Null(_ps.Run(Register, rgw.ScriptVariables()).TerminatingRecord);

        var completion = Complete($"Start-MinioRestore -Bucket {digits}");
        var typedQuote = Complete($"Start-MinioRestore -Bucket '{digits}-p");

        Assert.Equal([$"{digits}-plain", $"'{digits}e1'"], completion.Texts);
        Assert.Equal([$"'{digits}-plain'"], typedQuote.Texts);
    }

    [Fact]
    public void Without_registered_clients_there_is_nothing_to_offer_and_no_error()
    {
        var completion = Complete("Start-MinioRestore -Bucket ");

        Assert.Empty(completion.Texts);
        Assert.Empty(completion.Run.Errors);
        Assert.Null(completion.Run.TerminatingRecord);
    }

    [Fact]
    public async Task A_server_that_stops_answering_gives_no_completions_and_no_error()
    {
        string stem = await CreateBucketsAsync("tab-stall", ["-alpha"], []);
        bool stall = false;
        using var proxy = new FaultProxy(rgw.Source.Endpoint, _ => Volatile.Read(ref stall) ? Fault.Stall : Fault.None);
        var variables = rgw.ScriptVariables();
        variables["s3"] = proxy.Endpoint.ToString();
        Assert.Null(_ps.Run(Register, variables).TerminatingRecord);
        Assert.Equal([$"{stem}-alpha"], Complete($"Start-MinioRestore -Bucket {stem}-").Texts);

        Volatile.Write(ref stall, true);
        var completion = Complete($"Start-MinioRestore -Bucket {stem}-");

        Assert.Empty(completion.Texts);
        Assert.Empty(completion.Run.Errors);
        Assert.Null(completion.Run.TerminatingRecord);
        Assert.True(proxy.Injected.GetValueOrDefault(Fault.Stall) > 0, "the stalled request never reached the proxy");
    }

}
