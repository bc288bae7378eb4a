using System.Diagnostics;
using System.Text.Json;

namespace MinioRestore.Tests.Support;

/// <summary>
/// Runs a script in tests/ConflictingSdkHost: a fresh PowerShell engine in its own process, with
/// AWSSDK.Core 3.7 in its default load context (loaded before or after the script, or not at all),
/// and reads back its report. This process loads the engine and AWSSDK 4.1 itself, so a version
/// conflict, or an assembly silently taken from here, only shows in a separate process.
/// </summary>
public static class ConflictingSdkHost
{
    private static readonly string HostAssembly = Path.Combine(Repo.Root, "tests", "ConflictingSdkHost", "bin",
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name, "net10.0", "ConflictingSdkHost.dll");

    /// <summary>
    /// The restore the Kubernetes example runs: imports <paramref name="module"/> (a manifest path,
    /// or a name found on PSModulePath), registers the clients from the environment of
    /// <see cref="RestoreEnvironment"/> (AWS_* keys, the MinIO server as mc alias 'target') and
    /// restores S3_BUCKET; writes the module's folder first.
    /// </summary>
    public static string RestoreScript(string module) => $"""
        Import-Module '{module}' -ErrorAction Stop
        (Get-Module MinioRestore).ModuleBase
        Register-RestoreClients -S3Endpoint $env:S3_ENDPOINT -MinioAlias target | Start-MinioRestore
        """;

    /// <summary>Endpoints, bucket and credentials for <see cref="RestoreScript"/>, as the restore plan's environment carries them.</summary>
    public static Dictionary<string, string> RestoreEnvironment(RgwPair rgw, string bucket) => new()
    {
        ["S3_ENDPOINT"] = rgw.Source.Endpoint.ToString(),
        ["S3_BUCKET"] = bucket,
        ["AWS_ACCESS_KEY_ID"] = RgwPair.SourceAccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = RgwPair.SourceSecretKey,
        ["MC_HOST_target"] = $"http://{RgwPair.TargetAccessKey}:{RgwPair.TargetSecretKey}@{rgw.Target.Endpoint.Authority}",
    };

    /// <param name="oldSdk">"before", "after" or null: when the host loads and uses AWSSDK.Core 3.7.</param>
    public static HostReport Run(string script, string? oldSdk, IDictionary<string, string> environment)
    {
        Assert.True(File.Exists(HostAssembly), $"{HostAssembly} is missing: build MinioRestore.sln first");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { HostAssembly }.Concat(oldSdk is null ? [] : ["--old-sdk", oldSdk]).Concat(["-c", script]))
            psi.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) psi.Environment[name] = value;

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("ConflictingSdkHost did not finish within 3 minutes");
        }
        string text = stdout.Result, errors = stderr.Result;
        Assert.True(text.TrimStart().StartsWith('{'), $"ConflictingSdkHost wrote no report (exit {process.ExitCode}):\n{text}\n{errors}");
        var report = JsonSerializer.Deserialize<HostReport>(text, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        return report with { ExitCode = process.ExitCode, RawText = text + errors };
    }
}

public sealed record HostReport(string? OldSdk, List<Dictionary<string, string?>> Output, List<string> Errors, List<LoadContextReport> LoadContexts)
{
    public int ExitCode { get; init; }

    /// <summary>Everything the host printed, to search for secrets.</summary>
    public string RawText { get; init; } = "";

    public LoadContextReport Context(string name) => Assert.Single(LoadContexts, c => c.Name == name);
}

public sealed record LoadContextReport(string? Name, List<LoadedAssembly> Assemblies)
{
    public LoadedAssembly? Find(string name) => Assemblies.SingleOrDefault(a => a.Name == name);
}

public sealed record LoadedAssembly(string Name, string Version, string? FileVersion, string Location);
