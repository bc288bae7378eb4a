using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace MinioRestore.Engine.Transport;

/// <summary>
/// AWS Signature Version 4 for path-style requests with an unsigned payload (UNSIGNED-PAYLOAD):
/// the headers, path and query are signed; the body is protected by Content-MD5 or by the MD5
/// the target answers (its ETag), which the copier checks, and by TLS where used.
/// </summary>
internal sealed class RequestSigner(S3Endpoint endpoint)
{
    internal const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    private static readonly HttpRequestOptionsKey<(string Path, string Query)> CanonicalTarget = new("MinioRestore.CanonicalTarget");
    private sealed record DayKey(string Day, byte[] Key);
    private DayKey _signingKey = new("", []);
    private volatile bool _collapsesAllWhitespace;

    /// <summary>
    /// How the server trims header values before it checks the signature. SigV4 says "sequential
    /// spaces" (AWS, RGW), but MinIO collapses every run of Unicode white space, tabs included
    /// (signV4TrimAll: strings.Join(strings.Fields(v), " ")). The two differ only for values with
    /// tabs or other white space, so it is set once the server is known to be MinIO.
    /// </summary>
    public bool CollapsesAllWhitespace { get => _collapsesAllWhitespace; set => _collapsesAllWhitespace = value; }

    /// <summary>Builds a request for <paramref name="bucket"/>/<paramref name="key"/> whose URL is sent exactly as signed.</summary>
    /// <param name="query">Already sorted by name; values are encoded here.</param>
    public HttpRequestMessage Create(HttpMethod method, string bucket, string key, params (string Name, string Value)[] query)
    {
        string path = "/" + bucket + "/" + UriEncode(key, keepSlash: true);
        string canonicalQuery = string.Join("&", query.Select(q => UriEncode(q.Name, false) + "=" + UriEncode(q.Value, false)));
        // Sent as built: no dot-segment removal or unescaping, so keys like "a/../b" or "%41" stay intact.
        var url = new Uri(endpoint.Url.GetLeftPart(UriPartial.Authority) + path + (canonicalQuery.Length > 0 ? "?" + canonicalQuery : ""),
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var request = new HttpRequestMessage(method, url);
        request.Options.Set(CanonicalTarget, (path, canonicalQuery));
        return request;
    }

    /// <summary>Signs every header set so far (on the request and its content); set them all before calling.</summary>
    public void Sign(HttpRequestMessage request, DateTime now)
    {
        if (!request.Options.TryGetValue(CanonicalTarget, out var target))
            throw new InvalidOperationException("Only requests made by Create can be signed.");
        string amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'"), day = amzDate[..8];
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", UnsignedPayload);
        if (endpoint.SessionToken is { } token) request.Headers.TryAddWithoutValidation("x-amz-security-token", token);

        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["host"] = request.RequestUri!.Authority };
        bool allWhitespace = CollapsesAllWhitespace;
        foreach (var (name, values) in request.Headers.NonValidated) headers[name.ToLowerInvariant()] = Canonical(values, allWhitespace);
        if (request.Content is { } content)
            foreach (var (name, values) in content.Headers.NonValidated)
                if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) headers[name.ToLowerInvariant()] = Canonical(values, allWhitespace);

        string signedHeaders = string.Join(";", headers.Keys);
        var canonical = new StringBuilder()
            .Append(request.Method.Method).Append('\n')
            .Append(target.Path).Append('\n')
            .Append(target.Query).Append('\n');
        foreach (var (name, value) in headers) canonical.Append(name).Append(':').Append(value).Append('\n');
        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(UnsignedPayload);

        string scope = $"{day}/{endpoint.Region}/s3/aws4_request";
        // Header values travel as Latin-1 bytes (see HttpObjectStore), and the server hashes those bytes.
        string toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.Latin1.GetBytes(canonical.ToString())))}";
        string signature = Hex(HMACSHA256.HashData(SigningKey(day), Encoding.UTF8.GetBytes(toSign)));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={endpoint.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    private byte[] SigningKey(string day)
    {
        var cached = _signingKey;
        if (cached.Day == day) return cached.Key;
        byte[] key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + endpoint.SecretKey), day), endpoint.Region), "s3"), "aws4_request");
        _signingKey = new DayKey(day, key);
        return key;
    }

    /// <summary>True when the request's headers hash differently under the two trimming rules (tabs, other white space).</summary>
    public static bool DependsOnWhitespaceRule(HttpRequestMessage request) =>
        request.Headers.NonValidated.Concat(request.Content?.Headers.NonValidated ?? Enumerable.Empty<KeyValuePair<string, HeaderStringValues>>())
            .Any(h => h.Value.Any(v => CanonicalValue(v, true) != CanonicalValue(v, false)));

    private static string Canonical(HeaderStringValues values, bool allWhitespace) =>
        CanonicalValue(string.Join(",", values), allWhitespace);

    /// <summary>
    /// A header value as the server hashes it. The value holds the bytes sent (Latin-1, one char a
    /// byte); with <paramref name="allWhitespace"/>, white space is found in them as MinIO finds it,
    /// in the UTF-8 they spell (a non-breaking space is the two bytes C2 A0).
    /// </summary>
    internal static string CanonicalValue(string value, bool allWhitespace)
    {
        if (!allWhitespace)
        {
            // SigV4: trim, and collapse runs of spaces.
            var text = value.Trim();
            while (text.Contains("  ", StringComparison.Ordinal)) text = text.Replace("  ", " ", StringComparison.Ordinal);
            return text;
        }
        byte[] bytes = Encoding.Latin1.GetBytes(value);
        var result = new List<byte>(bytes.Length);
        bool pendingSpace = false;
        for (int i = 0; i < bytes.Length;)
        {
            var status = Rune.DecodeFromUtf8(bytes.AsSpan(i), out var rune, out int length);
            if (status == System.Buffers.OperationStatus.Done && Rune.IsWhiteSpace(rune))
            {
                pendingSpace = result.Count > 0;
            }
            else
            {
                if (pendingSpace) result.Add((byte)' ');
                pendingSpace = false;
                result.AddRange(bytes.AsSpan(i, length).ToArray());
            }
            i += length;
        }
        return Encoding.Latin1.GetString(result.ToArray());
    }

    /// <summary>SigV4's URI encoding: every UTF-8 byte but the unreserved characters is %XX-encoded.</summary>
    internal static string UriEncode(string text, bool keepSlash)
    {
        var result = new StringBuilder(text.Length + 16);
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/')) result.Append(c);
            else result.Append('%').Append(HexUpper[b >> 4]).Append(HexUpper[b & 0xF]);
        }
        return result.ToString();
    }

    private const string HexUpper = "0123456789ABCDEF";
    private static byte[] Hmac(byte[] key, string text) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text));
    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
