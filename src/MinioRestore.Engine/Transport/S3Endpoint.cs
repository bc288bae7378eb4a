using System.Net;

namespace MinioRestore.Engine.Transport;

/// <summary>
/// One S3-compatible endpoint and the credentials to use it. The secret key and session token
/// are kept out of every public member and out of <see cref="ToString"/>.
/// </summary>
public sealed class S3Endpoint
{
    private readonly NetworkCredential _secret;

    public S3Endpoint(Uri url, string region, string accessKeyId, string secretKey, string? sessionToken = null)
    {
        Url = EndpointUrl.Validate(url);
        Region = string.IsNullOrWhiteSpace(region) ? DefaultRegion : region;
        AccessKeyId = accessKeyId ?? throw new ArgumentNullException(nameof(accessKeyId));
        _secret = new NetworkCredential(accessKeyId, secretKey ?? throw new ArgumentNullException(nameof(secretKey)), sessionToken ?? "");
    }

    /// <summary>The same endpoint and credentials with another certificate check.</summary>
    public S3Endpoint(S3Endpoint other, TlsOptions tls)
    {
        Url = other.Url;
        Region = other.Region;
        AccessKeyId = other.AccessKeyId;
        _secret = other._secret;
        Tls = tls;
    }

    public const string DefaultRegion = "us-east-1";

    public Uri Url { get; }

    /// <summary>How the server certificate of an https endpoint is checked.</summary>
    public TlsOptions Tls { get; init; } = TlsOptions.Default;
    public string Region { get; }
    public string AccessKeyId { get; }

    internal string SecretKey => _secret.Password;
    internal string? SessionToken => _secret.Domain.Length > 0 ? _secret.Domain : null;

    public override string ToString() => $"{Url.GetLeftPart(UriPartial.Authority)} (access key {AccessKeyId})";
}
