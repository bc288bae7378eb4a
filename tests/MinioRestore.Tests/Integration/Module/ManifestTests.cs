using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Reflection;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Module;

/// <summary>
/// The built manifest (out/MinioRestore/MinioRestore.psd1) is complete and true: Test-ModuleManifest
/// accepts it, it fills every field a gallery shows, it exports exactly the cmdlets the assembly
/// defines, and every file it names is in the module's folder.
/// </summary>
public sealed class ManifestTests : IDisposable
{
    private static readonly string ModuleDirectory = Path.GetDirectoryName(Repo.ModuleManifest)!;
    private readonly PowerShellSession _ps = new();

    public void Dispose() => _ps.Dispose();

    /// <summary>The manifest as written, read the way Import-PowerShellDataFile and PSResourceGet read it.</summary>
    internal static Hashtable RawManifest()
    {
        var ast = Parser.ParseFile(Repo.ModuleManifest, out _, out var errors);
        Assert.Empty(errors);
        return (Hashtable)((HashtableAst)ast.Find(a => a is HashtableAst, searchNestedScriptBlocks: false)!).SafeGetValue();
    }

    internal static Hashtable PSData(Hashtable manifest) => (Hashtable)((Hashtable)manifest["PrivateData"]!)["PSData"]!;

    private static string[] Strings(object? value) => ((object[])value!).Cast<string>().ToArray();

    [Fact]
    public void Test_ModuleManifest_accepts_it_and_every_field_a_gallery_shows_is_filled()
    {
        var run = _ps.Run("Test-ModuleManifest -Path $manifest", new Dictionary<string, object?> { ["manifest"] = Repo.ModuleManifest });

        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Errors);
        Assert.Empty(run.Warnings);
        var module = (PSModuleInfo)Assert.Single(run.Output).BaseObject;
        var raw = RawManifest();
        var psData = PSData(raw);
        Assert.Equal("MinioRestore", module.Name);
        Assert.Equal(Version.Parse((string)raw["ModuleVersion"]!), module.Version);
        Assert.Equal(Guid.Parse((string)raw["GUID"]!), module.Guid);
        Assert.NotEqual(Guid.Empty, module.Guid);
        Assert.Equal("MinioRestore.dll", module.RootModule);
        foreach (var text in new[] { module.Author, module.CompanyName, module.Copyright, module.Description, module.ReleaseNotes })
            Assert.False(string.IsNullOrWhiteSpace(text));
        Assert.Contains("Apache", module.Copyright);
        Assert.Equal(["Core"], module.CompatiblePSEditions);
        Assert.True(module.PowerShellVersion >= new Version(7, 4), $"PowerShellVersion {module.PowerShellVersion}");
        Assert.Contains("PSEdition_Core", module.Tags);
        Assert.All(module.Tags, tag => Assert.DoesNotContain(" ", tag)); // a nuspec separates tags with spaces
        foreach (var uri in new[] { module.ProjectUri, module.LicenseUri })
            Assert.True(uri is { IsAbsoluteUri: true, Scheme: "https" }, $"{uri} is not an https address");
        Assert.EndsWith("/LICENSE", module.LicenseUri!.AbsoluteUri);
        Assert.Equal(false, psData["RequireLicenseAcceptance"]);

        // Explicit empty lists: a missing FunctionsToExport means '*' and slows every import.
        foreach (var key in new[] { "FunctionsToExport", "VariablesToExport", "AliasesToExport" })
            Assert.Empty((object[])raw[key]!);
        Assert.DoesNotContain(Strings(raw["CmdletsToExport"]), name => name.Contains('*'));
    }

    [Fact]
    public void CmdletsToExport_names_exactly_the_cmdlets_the_assembly_defines()
    {
        var run = _ps.Run("(Get-Module MinioRestore).ImplementingAssembly; Get-Command -Module MinioRestore");

        Assert.Empty(run.Errors);
        var assembly = (Assembly)run.Output[0].BaseObject;
        Assert.Equal(Path.Combine(ModuleDirectory, "MinioRestore.dll"), assembly.Location);
        var defined = assembly.GetExportedTypes()
            .Select(t => t.GetCustomAttribute<CmdletAttribute>())
            .OfType<CmdletAttribute>()
            .Select(c => $"{c.VerbName}-{c.NounName}")
            .Order().ToArray();
        var exported = run.Output.Skip(1).Select(c => ((CommandInfo)c.BaseObject).Name).Order().ToArray();

        Assert.NotEmpty(defined);
        Assert.Equal(defined, Strings(RawManifest()["CmdletsToExport"]).Order().ToArray());
        Assert.Equal(defined, exported);
    }

    [Fact]
    public void Every_file_the_manifest_names_is_in_the_module_folder_and_every_format_file_is_named()
    {
        var raw = RawManifest();
        var formats = Strings(raw["FormatsToProcess"]);

        Assert.True(File.Exists(Path.Combine(ModuleDirectory, (string)raw["RootModule"]!)));
        Assert.NotEmpty(formats);
        Assert.All(formats, f => Assert.True(File.Exists(Path.Combine(ModuleDirectory, f)), $"{f} is not in {ModuleDirectory}"));
        Assert.Equal(Directory.GetFiles(ModuleDirectory, "*.format.ps1xml").Select(Path.GetFileName).Order(), formats.Order());

        // The license the manifest points to ships with the module.
        string license = File.ReadAllText(Path.Combine(ModuleDirectory, "LICENSE"));
        Assert.Contains("Apache License", license);
        Assert.Contains("Version 2.0, January 2004", license);
        Assert.Equal(File.ReadAllText(Path.Combine(Repo.Root, "LICENSE")), license);
    }

    [Fact]
    public void The_assembly_version_is_the_module_version()
    {
        var moduleVersion = Version.Parse((string)RawManifest()["ModuleVersion"]!);
        var assemblyVersion = AssemblyName.GetAssemblyName(Path.Combine(ModuleDirectory, "MinioRestore.dll")).Version!;

        Assert.Equal(moduleVersion, new Version(assemblyVersion.Major, assemblyVersion.Minor, assemblyVersion.Build));
    }
}
