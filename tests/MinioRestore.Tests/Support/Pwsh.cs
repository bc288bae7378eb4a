using System.Diagnostics;

namespace MinioRestore.Tests.Support;

/// <summary>
/// Real pwsh (PowerShell 7.6, the .NET tool tests/servers/install-packages.sh puts in out/tools/pwsh)
/// as a child process, with the built module (out/MinioRestore) on PSModulePath: for scripts that need
/// what a user's shell has and the in-process engine lacks (Select-Object, Export-Csv, exit codes).
/// </summary>
public static class Pwsh
{
    public static string Path => System.IO.Path.Combine(Repo.Root, "out", "tools", "pwsh", "pwsh");

    public sealed record Run(int ExitCode, string Output);

    public static Run File(string script, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan? timeout = null)
    {
        if (!System.IO.File.Exists(Path)) throw new InvalidOperationException($"{Path} is missing: run tests/servers/install-packages.sh (tools/test.sh does).");
        var psi = new ProcessStartInfo(Path, ["-NoProfile", "-NonInteractive", "-File", script, .. arguments])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["PSModulePath"] = System.IO.Path.Combine(Repo.Root, "out");
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"pwsh -File {script} did not end in time:\n{stdout}");
        }
        return new Run(process.ExitCode, stdout + stderr.Result);
    }
}
