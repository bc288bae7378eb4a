using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MinioRestore.Tests.Support;

/// <summary>
/// Writes to an S3 server with curl's own SigV4 signing, byte for byte as given: the one client
/// here that sends user metadata in UTF-8 (botocore and AWSSDK refuse non-ASCII header values).
/// </summary>
public static class Curl
{
    public static async Task<string> RunAsync(RgwCluster server, params string[] args)
    {
        var psi = new ProcessStartInfo("curl", ["-sS", "--fail-with-body", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", $"{server.AccessKey}:{server.SecretKey}",
            "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var curl = Process.Start(psi)!;
        string output = await curl.StandardOutput.ReadToEndAsync();
        string error = await curl.StandardError.ReadToEndAsync();
        await curl.WaitForExitAsync();
        if (curl.ExitCode != 0) throw new InvalidOperationException($"curl failed ({curl.ExitCode}): {error} {output}");
        return output;
    }

    /// <summary>Starts a multipart upload carrying <paramref name="headers"/>; returns its upload id.</summary>
    public static async Task<string> InitiateAsync(RgwCluster server, string bucket, string key, params string[] headers)
    {
        string answer = await RunAsync(server, [.. headers.SelectMany(h => new[] { "-H", h }), "-X", "POST", $"{server.Endpoint}{bucket}/{Uri.EscapeDataString(key)}?uploads="]);
        return Regex.Match(answer, "<UploadId>(.*?)</UploadId>").Groups[1].Value;
    }

    public static Task PutAsync(RgwCluster server, string bucket, string key, string file, params string[] headers) =>
        RunAsync(server, [.. headers.SelectMany(h => new[] { "-H", h }), "-T", file, $"{server.Endpoint}{bucket}/{Uri.EscapeDataString(key)}"]);

    /// <summary>The raw bytes of one response header of a HEAD, as the server sent them (Latin-1: one char a byte).</summary>
    public static async Task<string?> HeaderAsync(RgwCluster server, string bucket, string key, string name)
    {
        var psi = new ProcessStartInfo("curl", ["-sS", "-I", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", $"{server.AccessKey}:{server.SecretKey}",
            "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", $"{server.Endpoint}{bucket}/{Uri.EscapeDataString(key)}"])
        {
            RedirectStandardOutput = true, StandardOutputEncoding = System.Text.Encoding.Latin1,
        };
        using var curl = Process.Start(psi)!;
        string head = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        return head.Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim()).FirstOrDefault();
    }
}
