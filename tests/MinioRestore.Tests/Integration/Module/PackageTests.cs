using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using NuGet.Packaging;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Module;

/// <summary>
/// The .nupkg tools/package.sh makes (and build.ps1's Package task) is what Install-PSResource takes
/// from a file repository: named &lt;Name&gt;.&lt;version&gt;.nupkg, the manifest at its root, a nuspec
/// that carries the manifest's metadata; installed the way PSResourceGet installs it, the module
/// imports by name and restores. (PSResourceGet itself cannot be had on this machine: no pwsh, not
/// on the NuGet mirror; its install steps are mirrored in <see cref="InstallAsPSResourceGetDoes"/>.)
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class PackageTests(RgwPair rgw, PackageTests.PackedModule packed) : IClassFixture<PackageTests.PackedModule>
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
        Assert.Contains(zip.Entries, e => e.FullName == $"{Name}.nuspec");
        Assert.Equal(layout.Keys.Order(StringComparer.Ordinal), moduleEntries.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, file) in layout)
        {
            using var entry = moduleEntries[path].Open();
            Assert.True(SHA256.HashData(entry).AsSpan().SequenceEqual(SHA256.HashData(File.ReadAllBytes(file))), $"{path} differs from the built module");
        }
    }

    [Fact]
    public async Task Installed_from_the_package_the_module_imports_by_name_and_restores()
    {
        string bucket = RgwPair.NewBucket("installed");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        await S3.PutAsync(rgw.SourceS3, bucket, "a.txt", S3.RandomBytes(100, 1));
        await S3.PutAsync(rgw.SourceS3, bucket, "b/c.bin", S3.RandomBytes(70_000, 2));
        string modules = Path.Combine(packed.Directory, "Modules");
        string installed = InstallAsPSResourceGetDoes(packed.Package, modules);
        var environment = ConflictingSdkHost.RestoreEnvironment(rgw, bucket);
        environment["PSModulePath"] = modules;

        // As a user with AWS.Tools loaded would: the installed module beside an older AWSSDK.Core.
        var report = ConflictingSdkHost.Run(ConflictingSdkHost.RestoreScript(Name), "before", environment);

        Assert.True(report.Errors.Count == 0, string.Join('\n', report.Errors));
        Assert.Equal(installed, report.Output[0]["$value"]);
        var result = Assert.Single(report.Output, o => o["$type"] == "MinioRestore.Engine.Mirror.RestoreResult");
        Assert.Equal("Succeeded", result["Status"]);
        Assert.Equal("2", result["Copied"]);
        Assert.Equal(Path.Combine(installed, "MinioRestore.dll"), report.Context("Default").Find("MinioRestore")?.Location);
        Assert.Equal(Path.Combine(installed, "dependencies", "AWSSDK.Core.dll"), report.Context("MinioRestore.Engine").Find("AWSSDK.Core")?.Location);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);
    }

    /// <summary>
    /// What Install-PSResource does with a package from a file repository (PSResourceGet's
    /// LocalServerAPICalls and InstallHelper): picks &lt;Name&gt;.&lt;version&gt;.nupkg by its file name,
    /// extracts it as a zip, deletes NuGet's own files and moves the rest to Modules/&lt;Name&gt;/&lt;version&gt;.
    /// </summary>
    private static string InstallAsPSResourceGetDoes(string package, string modules)
    {
        string fileName = Path.GetFileName(package);
        Assert.StartsWith(Name + ".", fileName);
        string version = fileName[(Name.Length + 1)..^".nupkg".Length];
        string target = Path.Combine(modules, Name, version);
        ZipFile.ExtractToDirectory(package, target);
        foreach (var file in new[] { "[Content_Types].xml", $"{Name}.nuspec" }) File.Delete(Path.Combine(target, file));
        foreach (var dir in new[] { "_rels", "package" }) Directory.Delete(Path.Combine(target, dir), recursive: true);
        Assert.True(File.Exists(Path.Combine(target, $"{Name}.psd1")), "no module manifest at the package root");
        return target;
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
