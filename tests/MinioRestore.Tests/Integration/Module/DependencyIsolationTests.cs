using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Module;

/// <summary>
/// The module imports and restores in a session that holds another AWSSDK.Core (AWS.Tools ships
/// 3.7 or 4.0), whichever was loaded first: its engine and AWSSDK 4.1 live in their own load
/// context, and the other module keeps the AWSSDK.Core it loaded.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class DependencyIsolationTests(RgwPair rgw)
{
    [Theory]
    [InlineData("before")]
    [InlineData("after")]
    public async Task Restores_beside_an_older_AWSSDK_Core_in_the_default_load_context(string oldSdkLoaded)
    {
        string bucket = RgwPair.NewBucket($"isolation-{oldSdkLoaded}");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        for (int i = 0; i < 3; i++)
            await S3.PutAsync(rgw.SourceS3, bucket, $"report {i}.csv", S3.RandomBytes(2000 + i, i));

        var report = ConflictingSdkHost.Run(ConflictingSdkHost.RestoreScript(Repo.ModuleManifest), oldSdkLoaded,
            ConflictingSdkHost.RestoreEnvironment(rgw, bucket));

        Assert.True(report.Errors.Count == 0, string.Join('\n', report.Errors));
        Assert.Equal(0, report.ExitCode);
        var result = Assert.Single(report.Output, o => o["$type"] == "MinioRestore.Engine.Mirror.RestoreResult");
        Assert.Equal("Succeeded", result["Status"]);
        Assert.Equal("3", result["Copied"]);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);

        // The host's own AWSSDK.Core 3.7 answered, from the default context...
        Assert.StartsWith("3.7.", report.OldSdk);
        var defaultContext = report.Context("Default");
        var oldCore = defaultContext.Find("AWSSDK.Core");
        Assert.NotNull(oldCore);
        Assert.Equal("3.3.0.0", oldCore.Version);
        Assert.StartsWith("3.7.", oldCore.FileVersion);
        Assert.DoesNotContain(Path.Combine(Repo.Root, "out"), oldCore.Location);
        // ...where only the small cmdlet assembly of the module lives...
        Assert.Equal(Path.Combine(Repo.Root, "out", "MinioRestore", "MinioRestore.dll"), defaultContext.Find("MinioRestore")?.Location);
        Assert.Null(defaultContext.Find("MinioRestore.Engine"));
        Assert.Null(defaultContext.Find("AWSSDK.S3"));
        // ...while the engine runs on AWSSDK 4.1 from the module's dependencies/ in its own context:
        // on .NET 10 and linux-x64, as here, the copies compiled ahead for it.
        var engineContext = report.Context("MinioRestore.Engine");
        string dependencies = Path.Combine(Repo.Root, "out", "MinioRestore", "dependencies", "net10.0-linux-x64");
        foreach (var name in new[] { "MinioRestore.Engine", "AWSSDK.Core", "AWSSDK.S3" })
            Assert.Equal(Path.Combine(dependencies, name + ".dll"), engineContext.Find(name)?.Location);
        Assert.Equal("4.0.0.0", engineContext.Find("AWSSDK.Core")!.Version);
        Assert.StartsWith("4.1.", engineContext.Find("AWSSDK.Core")!.FileVersion);
        Assert.Equal(2, report.LoadContexts.Sum(c => c.Assemblies.Count(a => a.Name == "AWSSDK.Core")));

        Assert.DoesNotContain(RgwPair.SourceSecretKey, report.RawText);
        Assert.DoesNotContain(RgwPair.TargetSecretKey, report.RawText);
    }
}
