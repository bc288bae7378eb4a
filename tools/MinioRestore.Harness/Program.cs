using System.Management.Automation;
using System.Management.Automation.Runspaces;
using MinioRestore.Harness;

// harness ps (-c COMMAND | -f SCRIPT.ps1)     run PowerShell with out/MinioRestore imported
// harness seed ENDPOINT BUCKET COUNT SIZE [PART_SIZE] [PREFIX]   fill a bucket (keys from AWS_* variables)
// harness seed-versions ENDPOINT BUCKET COUNT VERSIONS SIZE [PREFIX]   a versioned bucket: COUNT keys x VERSIONS versions, every third key then deleted
// harness package OUTPUT_DIR                   pack out/MinioRestore into OUTPUT_DIR/MinioRestore.<version>.nupkg
return args switch
{
    ["ps", "-c", var command] => RunPowerShell(command),
    ["ps", "-f", var file] => RunPowerShell(File.ReadAllText(file)),
    ["seed", var endpoint, var bucket, var count, var size, .. var rest] =>
        await Seeder.SeedAsync(new Uri(endpoint), bucket, int.Parse(count), long.Parse(size),
            rest.Length > 0 ? long.Parse(rest[0]) : 0, rest.Length > 1 ? rest[1] : "obj/"),
    ["seed-versions", var endpoint, var bucket, var count, var versions, var size, .. var rest] =>
        await Seeder.SeedVersionsAsync(new Uri(endpoint), bucket, int.Parse(count), int.Parse(versions), int.Parse(size), rest.Length > 0 ? rest[0] : "obj/"),
    ["package", var outputDirectory] => Package(outputDirectory),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: harness ps (-c COMMAND | -f SCRIPT.ps1)\n       harness seed ENDPOINT BUCKET COUNT SIZE [PART_SIZE] [PREFIX]\n       harness seed-versions ENDPOINT BUCKET COUNT VERSIONS SIZE [PREFIX]\n       harness package OUTPUT_DIR");
    return 2;
}

static int RunPowerShell(string script)
{
    string manifest = Path.Combine(RepoRoot(), "out", "MinioRestore", "MinioRestore.psd1");
    var state = InitialSessionState.CreateDefault2();
    state.ImportPSModule(manifest);
    using var runspace = RunspaceFactory.CreateRunspace(new TextHost(Console.Out, showProgress: true), state);
    runspace.Open();
    using var ps = PowerShell.Create();
    ps.Runspace = runspace;
    ps.AddScript(script).AddCommand("Out-Default");
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; ps.BeginStop(null, null); };
    try
    {
        ps.Invoke();
    }
    catch (RuntimeException e)
    {
        Console.Error.WriteLine($"ERROR: {e.ErrorRecord?.ErrorDetails?.Message ?? e.Message}");
        return 1;
    }
    foreach (var error in ps.Streams.Error)
        Console.Error.WriteLine($"ERROR: [{error.FullyQualifiedErrorId}] {error.ErrorDetails?.Message ?? error.Exception.Message}");
    return ps.HadErrors ? 1 : 0;
}

static int Package(string outputDirectory)
{
    try
    {
        Console.WriteLine(Packager.Pack(Path.Combine(RepoRoot(), "out", "MinioRestore"), outputDirectory));
        return 0;
    }
    catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or RuntimeException)
    {
        Console.Error.WriteLine($"ERROR: {e.Message}");
        return 1;
    }
}

static string RepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "MinioRestore.sln"))) return dir.FullName;
    throw new InvalidOperationException("MinioRestore.sln not found");
}
