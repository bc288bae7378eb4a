using System.Text;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Zoo;

/// <summary>
/// An EMULATION, for the fault proxy in front of real RGW (which ignores <c>?partNumber=</c>):
/// answers <c>HEAD /bucket/key?partNumber=N</c> as Amazon S3 documents it (HeadObject, PartNumber):
/// Content-Length of part N, <c>Content-Range: bytes first-last/size</c> and
/// <c>x-amz-mp-parts-count</c>, from the part lengths the test says the object has; 416 for a
/// part number beyond the last. Every other answer is relayed as RGW gave it.
/// </summary>
public static class PartNumberEmulation
{
    /// <param name="withContentRange">False: leave Content-Range out, as a server might.</param>
    public static Func<ProxiedRequest, byte[], byte[]> Answer(string bucket, Func<string, long[]?> partsOf, bool withContentRange = true) => (request, head) =>
    {
        if (request.Method != "HEAD") return head;
        int q = request.Target.IndexOf('?');
        if (q < 0) return head;
        string? partNumber = request.Target[(q + 1)..].Split('&').Select(p => p.Split('=', 2))
            .Where(p => p[0] == "partNumber" && p.Length == 2).Select(p => p[1]).FirstOrDefault();
        string prefix = "/" + bucket + "/";
        string path = request.Target[..q];
        if (partNumber is null || !path.StartsWith(prefix, StringComparison.Ordinal)) return head;
        var parts = partsOf(Uri.UnescapeDataString(path[prefix.Length..]));
        if (parts is null) return head;

        var lines = Encoding.ASCII.GetString(head).Split("\r\n").Where(l => l.Length > 0).ToList();
        if (!lines[0].Contains(" 200 ")) return head;
        int n = int.Parse(partNumber);
        lines.RemoveAll(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)
            || l.StartsWith("Content-Range:", StringComparison.OrdinalIgnoreCase)
            || l.StartsWith("x-amz-mp-parts-count:", StringComparison.OrdinalIgnoreCase));
        if (n < 1 || n > parts.Length)
        {
            lines[0] = "HTTP/1.1 416 Requested Range Not Satisfiable";
            lines.Add("Content-Length: 0");
        }
        else
        {
            long first = parts.Take(n - 1).Sum(), length = parts[n - 1];
            lines.Add($"Content-Length: {length}");
            if (withContentRange) lines.Add($"Content-Range: bytes {first}-{first + length - 1}/{parts.Sum()}");
            lines.Add($"x-amz-mp-parts-count: {parts.Length}");
        }
        return Encoding.ASCII.GetBytes(string.Join("\r\n", lines) + "\r\n\r\n");
    };

    /// <summary>A server that refuses HEAD ?partNumber= with 400 Bad Request: the copier must fall back to a plain HEAD.</summary>
    public static byte[] RefusePartNumber(ProxiedRequest request, byte[] head)
    {
        if (request.Method != "HEAD" || !request.Target.Contains("partNumber=", StringComparison.Ordinal)) return head;
        return Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
    }
}
