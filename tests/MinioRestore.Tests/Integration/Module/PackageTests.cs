using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using NuGet.Packaging;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Module;

/// <summary>
/// The .nupkg tools/package.sh makes (and build.ps1's Package task) is what Install-PSResource takes
/// from a file repository: named &lt;Name&gt;.&lt;version&gt;.nupkg, the manifest at its root, a nuspec
/// that carries the manifest's metadata. The real Install-PSResource and Install-Module of it, then
/// Import-Module by name and a restore, run in pwsh in the acceptance suite (tests/Acceptance).
/// </summary>
public sealed class PackageTests(PackageTests.PackedModule packed) : IClassFixture<PackageTests.PackedModule>
{
    private const string Name = "MinioRestore";
    private static readonly string ModuleDirectory = Path.GetDirectoryName(Repo.ModuleManifest)!;

    /// <summary>Entries NuGet adds to every package; PSResourceGet deletes them after extracting.</summary>
    private static bool IsNuGetEntry(string entry) =>
        entry is "[Content_Types].xml" or $"{Name}.nuspec" || entry.StartsWith("_rels/", StringComparison.Ordinal) || entry.StartsWith("package/", StringComparison.Ordinal);

    [Fact]
    public void The_nuspec_carries_the_manifest_metadata_and_the_tags_the_gallery_searches()
    {
        var manifest = ManifestTests.RawManifest();
        var psData = ManifestTests.PSData(manifest);
        string[] Strings(object? value) => ((object[])value!).Cast<string>().ToArray();
        var cmdlets = Strings(manifest["CmdletsToExport"]);

        Assert.Equal($"{Name}.{manifest["ModuleVersion"]}.nupkg", Path.GetFileName(packed.Package));
        using var reader = new PackageArchiveReader(packed.Package);
        var nuspec = reader.NuspecReader;
        Assert.Equal(Name, nuspec.GetId());
        Assert.Equal((string)manifest["ModuleVersion"]!, nuspec.GetVersion().ToNormalizedString());
        Assert.Equal((string)manifest["Author"]!, nuspec.GetAuthors());
        Assert.Equal((string)manifest["CompanyName"]!, nuspec.GetOwners());
        Assert.Equal((string)manifest["Description"]!, nuspec.GetDescription());
        Assert.Equal((string)manifest["Copyright"]!, nuspec.GetCopyright());
        Assert.Equal(((string)psData["ReleaseNotes"]!).Trim().ReplaceLineEndings(), nuspec.GetReleaseNotes().ReplaceLineEndings());
        Assert.Equal((string)psData["ProjectUri"]!, nuspec.GetProjectUrl());
        Assert.Equal((string)psData["LicenseUri"]!, nuspec.GetLicenseUrl());
        Assert.False(nuspec.GetRequireLicenseAcceptance());
        Assert.Empty(nuspec.GetDependencyGroups());

        string[] expectedTags =
        [
            "PSModule", .. Strings(psData["Tags"]), .. Strings(manifest["CompatiblePSEditions"]).Select(e => "PSEdition_" + e),
            "PSIncludes_Cmdlet", .. cmdlets.Select(c => "PSCmdlet_" + c), .. cmdlets.Select(c => "PSCommand_" + c),
        ];
        Assert.Equal(expectedTags.ToHashSet(), nuspec.GetTags().Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet());
    }

    [Fact]
    public void The_package_holds_exactly_the_module_folder_at_its_root()
    {
        using var zip = ZipFile.OpenRead(packed.Package);
        var moduleEntries = zip.Entries.Where(e => !IsNuGetEntry(e.FullName)).ToDictionary(e => e.FullName);
        var layout = Directory.GetFiles(ModuleDirectory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(ModuleDirectory, f).Replace(Path.DirectorySeparatorChar, '/'));

        // PSResourceGet reads <Name>.psd1 at the package root to find and install a module.
        Assert.Contains($"{Name}.psd1", moduleEntries.Keys);
        Assert.Contains($"{Name}.dll", moduleEntries.Keys);
        Assert.Contains("dependencies/MinioRestore.Engine.dll", moduleEntries.Keys);
        Assert.Contains("dependencies/net10.0-linux-x64/MinioRestore.Engine.dll", moduleEntries.Keys);
        Assert.Contains(zip.Entries, e => e.FullName == $"{Name}.nuspec");
        Assert.Equal(layout.Keys.Order(StringComparer.Ordinal), moduleEntries.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, file) in layout)
        {
            using var entry = moduleEntries[path].Open();
            Assert.True(SHA256.HashData(entry).AsSpan().SequenceEqual(SHA256.HashData(File.ReadAllBytes(file))), $"{path} differs from the built module");
        }
    }


    /// <summary>The package tools/package.sh writes into a temporary folder, deleted afterwards.</summary>
    public sealed class PackedModule : IDisposable
    {
        private readonly TempFolder _folder = new();

        public PackedModule()
        {
            var psi = new ProcessStartInfo("bash", [Path.Combine(Repo.Root, "tools", "package.sh"), Path.Combine(Directory, "repository")])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            };
            using var process = Process.Start(psi)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2))) process.Kill(entireProcessTree: true);
            if (process.ExitCode != 0) throw new InvalidOperationException($"tools/package.sh failed ({process.ExitCode}): {stderr.Result}{stdout}");
            Package = Assert.Single(System.IO.Directory.GetFiles(Path.Combine(Directory, "repository")));
            Assert.Equal(Package, stdout.Trim());
        }

        public string Directory => _folder.Path;
        public string Package { get; }

        public void Dispose() => _folder.Dispose();
    }
}
