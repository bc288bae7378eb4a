using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using NuGet.Packaging;
using NuGet.Versioning;

namespace MinioRestore.Harness;

/// <summary>
/// Packs a built module folder into the .nupkg that Install-PSResource and Install-Module take from
/// a repository, without pwsh: the nuspec Publish-PSResource writes from the manifest (id, version,
/// authors = Author, owners = CompanyName, description, copyright, release notes, project and
/// license URLs, tags = PSModule + the manifest's Tags), plus the command tags PowerShellGet 2 added
/// and Find-Command and the gallery read (PSEdition_*, PSIncludes_Cmdlet, PSCmdlet_*, PSCommand_*);
/// the module's files at the package root, packed by NuGet's PackageBuilder as Publish-PSResource does.
/// </summary>
public static class Packager
{
    /// <returns>The .nupkg written: <c>&lt;Name&gt;.&lt;version&gt;.nupkg</c>, the name a file repository is searched by.</returns>
    public static string Pack(string moduleDirectory, string outputDirectory)
    {
        moduleDirectory = Path.GetFullPath(moduleDirectory);
        string name = Path.GetFileName(moduleDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var module = ReadManifest(Path.Combine(moduleDirectory, name + ".psd1"));
        var psData = (module.PrivateData as Hashtable)?["PSData"] as Hashtable ?? new Hashtable();

        string version = module.Version.ToString();
        if (psData["Prerelease"] is string { Length: > 0 } prerelease) version += "-" + prerelease;
        var builder = new PackageBuilder
        {
            Id = name,
            Version = NuGetVersion.Parse(version),
            Description = module.Description,
            Copyright = module.Copyright,
            ReleaseNotes = module.ReleaseNotes?.Trim(),
            ProjectUrl = module.ProjectUri,
            LicenseUrl = module.LicenseUri,
            IconUrl = module.IconUri,
            RequireLicenseAcceptance = psData["RequireLicenseAcceptance"] is true,
        };
        builder.Authors.Add(module.Author);
        builder.Owners.Add(module.CompanyName);
        builder.Tags.AddRange(Tags(module));
        foreach (var file in Directory.GetFiles(moduleDirectory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            builder.Files.Add(new PhysicalPackageFile { SourcePath = file, TargetPath = Path.GetRelativePath(moduleDirectory, file) });

        Directory.CreateDirectory(outputDirectory);
        string package = Path.Combine(Path.GetFullPath(outputDirectory), $"{name}.{builder.Version.ToNormalizedString()}.nupkg");
        using (var stream = File.Create(package))
            builder.Save(stream);
        return package;
    }

    /// <summary>PSModule, the manifest's tags, then the tags PowerShellGet 2 derived from it.</summary>
    private static IEnumerable<string> Tags(PSModuleInfo module) =>
        new[] { "PSModule" }
            .Concat(module.Tags)
            .Concat(module.CompatiblePSEditions.Select(edition => "PSEdition_" + edition))
            .Concat(module.ExportedCmdlets.Count > 0 ? ["PSIncludes_Cmdlet"] : [])
            .Concat(module.ExportedCmdlets.Keys.Order(StringComparer.Ordinal).SelectMany(cmdlet => new[] { "PSCmdlet_" + cmdlet, "PSCommand_" + cmdlet }))
            .Distinct(StringComparer.OrdinalIgnoreCase);

    /// <summary>The manifest as Test-ModuleManifest reads it; Publish-PSResource refuses a manifest it rejects, and so does this.</summary>
    private static PSModuleInfo ReadManifest(string manifest)
    {
        using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        var output = ps.AddCommand("Test-ModuleManifest").AddParameter("Path", manifest).Invoke();
        if (ps.HadErrors || output.Count != 1 || output[0].BaseObject is not PSModuleInfo module)
            throw new InvalidOperationException($"Test-ModuleManifest rejected {manifest}: " +
                string.Join("; ", ps.Streams.Error.Select(e => e.Exception.Message)));
        return module;
    }
}
