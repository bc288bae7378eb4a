using System.Diagnostics;

namespace MinioRestore.Tests.Support;

/// <summary>
/// A throwaway Ceph RADOS Gateway (a real S3 server) started by tests/servers/rgw-up.sh and
/// stopped, with its state deleted, on Dispose.
/// </summary>
public sealed class RgwCluster : IDisposable
{
    private readonly string _dir;

    private RgwCluster(string dir, int port, string accessKey, string secretKey)
    {
        _dir = dir;
        Port = port;
        AccessKey = accessKey;
        SecretKey = secretKey;
    }

    public int Port { get; }
    public string AccessKey { get; }
    public string SecretKey { get; }
    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    /// <param name="basePort">First of a block of ports: mon = base, OSDs base+10..base+49, RGW = base+80.</param>
    public static RgwCluster Start(string name, int basePort, string accessKey, string secretKey)
    {
        StopLeftovers(name);
        string dir = Path.Combine(Path.GetTempPath(), $"minio-restore-tests-{name}-{Environment.ProcessId}");
        int rgwPort = basePort + 80;
        var psi = new ProcessStartInfo("bash", [Path.Combine(Repo.Root, "tests", "servers", "rgw-up.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["RGW_DIR"] = dir,
                ["MON_PORT"] = basePort.ToString(),
                ["OSD_PORTS"] = $"{basePort + 10} {basePort + 49}",
                ["RGW_PORT"] = rgwPort.ToString(),
                ["S3_ACCESS_KEY"] = accessKey,
                ["S3_SECRET_KEY"] = secretKey,
            },
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"rgw-up.sh for {name} timed out");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"rgw-up.sh for {name} failed ({process.ExitCode}):\n{stderr.Result}\n{stdout.Result}");
        return new RgwCluster(dir, rgwPort, accessKey, secretKey);
    }

    /// <summary>Stops clusters left behind by a test run that was killed (their ports would be taken).</summary>
    private static void StopLeftovers(string name)
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), $"minio-restore-tests-{name}-*"))
        {
            if (int.TryParse(dir[(dir.LastIndexOf('-') + 1)..], out int pid) && pid != Environment.ProcessId && !IsAlive(pid))
                RunDown(dir);
        }
    }

    private static bool IsAlive(int pid)
    {
        try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }

    /// <summary>Runs radosgw-admin on this cluster (users, quotas) and returns its output.</summary>
    public string Admin(params string[] args)
    {
        var psi = new ProcessStartInfo("radosgw-admin", ["-c", Path.Combine(_dir, "ceph.conf"), .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"radosgw-admin {string.Join(' ', args)} failed: {error}");
        return output;
    }

    /// <summary>Kills the gateway (SIGKILL), as a crash would.</summary>
    public void KillGateway() => Signal("client.rgw.gw0", "KILL");

    /// <summary>Starts the gateway again on the same cluster (as rgw-up.sh started it) and waits until it answers.</summary>
    public void RestartGateway()
    {
        string conf = Path.Combine(_dir, "ceph.conf"), log = Path.Combine(_dir, "log", "client.rgw.gw0.out"), pid = Path.Combine(_dir, "run", "client.rgw.gw0.pid");
        using (var start = Process.Start("bash", ["-c", $"radosgw -c '{conf}' -n client.rgw.gw0 -f </dev/null >>'{log}' 2>&1 & echo $! > '{pid}'"]))
            start.WaitForExit();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (http.GetStringAsync(Endpoint).Result.Contains("ListAllMyBucketsResult")) return;
            }
            catch (AggregateException) { }
            Thread.Sleep(200);
        }
        throw new InvalidOperationException("the gateway did not come back within 90 s");
    }

    private void Signal(string daemon, string signal)
    {
        string pid = File.ReadAllText(Path.Combine(_dir, "run", daemon + ".pid")).Trim();
        using var kill = Process.Start("kill", [$"-{signal}", pid]);
        kill.WaitForExit();
    }

    public void Dispose() => RunDown(_dir);

    private static void RunDown(string dir)
    {
        var psi = new ProcessStartInfo("bash", [Path.Combine(Repo.Root, "tests", "servers", "rgw-down.sh")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            Environment = { ["RGW_DIR"] = dir, ["FAST"] = "1" },
        };
        using var process = Process.Start(psi)!;
        process.StandardError.ReadToEnd();
        process.WaitForExit(TimeSpan.FromMinutes(1));
    }
}

public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string ModuleManifest => Path.Combine(Root, "out", "MinioRestore", "MinioRestore.psd1");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MinioRestore.sln"))) return dir.FullName;
        throw new InvalidOperationException("MinioRestore.sln not found above " + AppContext.BaseDirectory);
    }
}
