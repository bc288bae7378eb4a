using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MinioRestore.Tests.Support;

/// <summary>
/// Searches text for secrets in every form one can take on the way out: as typed, JSON-escaped
/// (System.Text.Json writes '+' as \u002B, Newtonsoft may escape '/'), URL- and form-encoded.
/// </summary>
public static class SecretScan
{
    public static IEnumerable<string> Forms(string secret) => new[]
    {
        secret,
        JsonSerializer.Serialize(secret).Trim('"'),
        JsonSerializer.Serialize(secret, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).Trim('"'),
        secret.Replace("/", "\\/", StringComparison.Ordinal),
        Uri.EscapeDataString(secret),
        WebUtility.UrlEncode(secret),
    }.Distinct();

    /// <summary>Fails naming the form found, never the secret itself.</summary>
    public static void AssertNoSecret(string text, params string[] secrets)
    {
        foreach (var secret in secrets)
            foreach (var (form, index) in Forms(secret).Select((f, i) => (f, i)))
                Assert.False(text.Contains(form, StringComparison.OrdinalIgnoreCase), $"a secret appears in the output (form {index} of {nameof(Forms)})");
    }
}
