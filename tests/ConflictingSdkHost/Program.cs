using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text.Json;

// ConflictingSdkHost [--old-sdk before|after] -c SCRIPT
// Runs SCRIPT in a fresh PowerShell engine in this process (nothing imported: the script imports
// MinioRestore itself) and prints one JSON report on stdout: what the old AWSSDK.Core answered, the
// script's output and errors, and every AssemblyLoadContext with the AWSSDK/MinioRestore assemblies
// it holds. --old-sdk before: the old AWSSDK.Core is loaded and used before the script runs (AWS.Tools
// imported first); after: once the script has run (AWS.Tools imported after MinioRestore).
// Exit code 0 when the script wrote no error.
string? when = null, script = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--old-sdk" when args[i + 1] is "before" or "after": when = args[i + 1]; break;
        case "-c": script = args[i + 1]; break;
        default: return Usage();
    }
}
if (script is null || args.Length % 2 != 0) return Usage();

string? oldSdk = when == "before" ? UseOldSdk() : null;
var (output, errors) = RunPowerShell(script);
if (when == "after") oldSdk = UseOldSdk();

var report = new Dictionary<string, object?>
{
    ["oldSdk"] = oldSdk,
    ["output"] = output,
    ["errors"] = errors,
    ["loadContexts"] = AssemblyLoadContext.All.Select(context => new
    {
        name = context.Name,
        assemblies = context.Assemblies
            .Where(a => a.GetName().Name is { } n && (n.StartsWith("AWSSDK.", StringComparison.Ordinal) || n.StartsWith("MinioRestore", StringComparison.Ordinal)))
            .Select(a => new
            {
                name = a.GetName().Name,
                version = a.GetName().Version?.ToString(),
                fileVersion = a.GetCustomAttribute<AssemblyFileVersionAttribute>()?.Version,
                location = a.Location,
            }),
    }),
};
Console.WriteLine(JsonSerializer.Serialize(report));
return errors.Count == 0 ? 0 : 1;

static int Usage()
{
    Console.Error.WriteLine("usage: ConflictingSdkHost [--old-sdk before|after] -c SCRIPT");
    return 2;
}

// Its own method, so the old AWSSDK.Core is loaded when this runs, not when Main is compiled.
[MethodImpl(MethodImplOptions.NoInlining)]
static string UseOldSdk()
{
    var credentials = new Amazon.Runtime.BasicAWSCredentials("AKIDOLDSDKEXAMPLE", "not-a-secret").GetCredentials();
    var sdk = typeof(Amazon.Runtime.AWSCredentials).Assembly;
    return $"{sdk.GetCustomAttribute<AssemblyFileVersionAttribute>()?.Version} {credentials.AccessKey} {Amazon.RegionEndpoint.EUWest1.SystemName}";
}

static (List<Dictionary<string, string?>> Output, List<string> Errors) RunPowerShell(string script)
{
    using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
    runspace.Open();
    using var ps = PowerShell.Create();
    ps.Runspace = runspace;
    ps.AddScript(script);
    var output = new List<Dictionary<string, string?>>();
    var errors = new List<string>();
    try
    {
        foreach (var item in ps.Invoke())
            output.Add(Describe(item));
    }
    catch (RuntimeException e)
    {
        errors.Add($"{e.ErrorRecord?.FullyQualifiedErrorId}: {e.ErrorRecord?.ErrorDetails?.Message ?? e.Message}");
    }
    errors.AddRange(ps.Streams.Error.Select(e => $"{e.FullyQualifiedErrorId}: {e.ErrorDetails?.Message ?? e.Exception.Message}"));
    return (output, errors);
}

// An output object as text: its type and each property, or the value itself for strings and numbers.
static Dictionary<string, string?> Describe(PSObject item)
{
    var described = new Dictionary<string, string?> { ["$type"] = item.TypeNames.FirstOrDefault() };
    if (item.BaseObject is string or ValueType)
    {
        described["$value"] = item.BaseObject.ToString();
        return described;
    }
    foreach (var property in item.Properties)
    {
        try { described[property.Name] = property.Value?.ToString(); }
        catch (GetValueInvocationException e) { described[property.Name] = e.Message; }
    }
    return described;
}
