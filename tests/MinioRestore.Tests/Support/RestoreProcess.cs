using System.Diagnostics;

namespace MinioRestore.Tests.Support;

/// <summary>Start-MinioRestore in a PowerShell process of its own (the harness), to be killed (-9) in the middle of its work.</summary>
public static class RestoreProcess
{
    /// <summary>
    /// Runs <c>Start-MinioRestore -Bucket <paramref name="bucket"/> <paramref name="parameters"/></c>
    /// against <paramref name="rgw"/> and kills it once <paramref name="killWhen"/> holds; fails if the restore ended first.
    /// </summary>
    /// <param name="source">The S3 source the child restores from (default: the source gateway itself, e.g. a proxy in front of it).</param>
    public static async Task KillWhenAsync(RgwPair rgw, string bucket, Func<Task<bool>> killWhen, string parameters = "-Concurrency 1", Uri? source = null)
    {
        string config = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<config>/net10.0/
        string harness = Path.Combine(Repo.Root, "tools", "MinioRestore.Harness", "bin", config, "net10.0", "MinioRestore.Harness.dll");
        string script = Path.Combine(Path.GetTempPath(), $"restore-{bucket}.ps1");
        await File.WriteAllTextAsync(script, $"""
            $c = [pscredential]::new('{RgwPair.TargetAccessKey}', [System.Net.NetworkCredential]::new('', $env:MINIO_SECRET).SecurePassword)
            $s = [pscredential]::new('{RgwPair.SourceAccessKey}', [System.Net.NetworkCredential]::new('', $env:S3_SECRET).SecurePassword)
            Register-RestoreClients -S3Endpoint {source ?? rgw.Source.Endpoint} -S3Credential $s -MinioEndpoint {rgw.Target.Endpoint} -MinioCredential $c |
                Start-MinioRestore -Bucket {bucket} {parameters}
            """);
        try
        {
            var psi = new ProcessStartInfo("dotnet", [harness, "ps", "-f", script])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
                Environment = { ["MINIO_SECRET"] = RgwPair.TargetSecretKey, ["S3_SECRET"] = RgwPair.SourceSecretKey },
            };
            using var child = Process.Start(psi)!;
            var stdout = child.StandardOutput.ReadToEndAsync();
            var stderr = child.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (DateTime.UtcNow < deadline && !child.HasExited && !await killWhen())
                await Task.Delay(10);
            using (var kill = Process.Start("kill", ["-KILL", child.Id.ToString()])) await kill.WaitForExitAsync();
            await child.WaitForExitAsync();
            Assert.True(child.ExitCode != 0, "the restore finished before it could be killed: " + await stdout + await stderr);
        }
        finally
        {
            File.Delete(script);
        }
    }
}
