using System.Reflection;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Hosting;

/// <summary>The engine's assembly resolver comes with Import-Module and goes with Remove-Module (IModuleAssemblyCleanup).</summary>
[Collection(RgwCollection.Name)]
public sealed class ModuleLifetimeTests(RgwPair rgw) : IDisposable
{
    private readonly PowerShellSession _ps = new();

    public void Dispose() => _ps.Dispose();

    /// <summary>The module's own count of registered resolvers (the assembly is loaded once per process).</summary>
    internal const string ResolverCount =
        "[AppDomain]::CurrentDomain.GetAssemblies().Where({ $_.GetName().Name -eq 'MinioRestore' })[0]" +
        ".GetType('MinioRestore.PowerShell.Hosting.EngineLoadContext').GetProperty('RegisteredResolvers', [Reflection.BindingFlags]'NonPublic,Static').GetValue($null)";

    [Fact]
    public async Task Remove_and_Import_again_in_one_session_leaves_one_resolver_and_still_restores()
    {
        string bucket = RgwPair.NewBucket("reimport");
        await S3.SeedAsync(rgw.SourceS3, bucket, "a.bin", "b.bin");

        var run = _ps.Run($"Remove-Module MinioRestore; Import-Module '{Repo.ModuleManifest}'; {ResolverCount}; {RgwPair.RegisterScript} | Start-MinioRestore -Bucket {bucket}",
            rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Errors);
        Assert.Equal(1, (int)run.Output[0].BaseObject);
        Assert.Equal("Succeeded", run.Value(1, "Status")!.ToString());
        Assert.Equal(2L, run.Value(1, "Copied"));
        Assert.Equal(1, RegisteredResolvers());
    }

    private static int RegisteredResolvers()
    {
        var module = AppDomain.CurrentDomain.GetAssemblies().First(a => a.GetName().Name == "MinioRestore");
        var count = module.GetType("MinioRestore.PowerShell.Hosting.EngineLoadContext", throwOnError: true)!
            .GetProperty("RegisteredResolvers", BindingFlags.NonPublic | BindingFlags.Static)!;
        return (int)count.GetValue(null)!;
    }
}

/// <summary>Alone, so that no other test imports the module between the Remove-Module and the count.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ModuleRemovalCollection
{
    public const string Name = "Module removal";
}

[Collection(ModuleRemovalCollection.Name)]
public sealed class ModuleRemovalTests : IDisposable
{
    private readonly PowerShellSession _ps = new();

    public void Dispose() => _ps.Dispose();

    [Fact]
    public void Remove_Module_unregisters_the_resolver_and_Import_Module_registers_exactly_one_again()
    {
        var run = _ps.Run($"{ModuleLifetimeTests.ResolverCount}; Remove-Module MinioRestore; {ModuleLifetimeTests.ResolverCount}; " +
                          $"Import-Module '{Repo.ModuleManifest}'; Import-Module '{Repo.ModuleManifest}' -Force; {ModuleLifetimeTests.ResolverCount}; " +
                          "(Get-Command Start-MinioRestore).Name");

        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Errors);
        Assert.Equal([1, 0, 1], run.Output.Take(3).Select(o => (int)o.BaseObject));
        Assert.Equal("Start-MinioRestore", run.Output[3].BaseObject);
    }
}
