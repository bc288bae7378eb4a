using System.Net;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Engine.Credentials;

/// <summary>
/// An access key and its secret, with where they were found, so an operator can tell which of
/// several places won. The secret key and session token stay inside, as in <see cref="S3Endpoint"/>.
/// </summary>
public sealed class ResolvedCredential
{
    /// <summary>Values of <see cref="Source"/>; scripts may match on them.</summary>
    public const string FromParameter = "Parameter", FromEnvironment = "Environment", ProfilePrefix = "Profile:", AliasPrefix = "Alias:";

    private readonly NetworkCredential _secret;

    internal ResolvedCredential(string accessKeyId, string secretKey, string? sessionToken, string source, string origin, string? region = null,
        string? endpointUrl = null)
    {
        if (string.IsNullOrEmpty(secretKey))
            throw new RestoreException(ErrorIds.MissingCredentials, FailureKind.InvalidArgument,
                $"The secret key of access key '{accessKeyId}' from {origin} is empty: give the secret key as the password.");
        _secret = new NetworkCredential(accessKeyId, secretKey, sessionToken ?? "");
        Source = source;
        Origin = origin;
        Region = string.IsNullOrWhiteSpace(region) ? null : region.Trim();
        EndpointUrl = string.IsNullOrWhiteSpace(endpointUrl) ? null : endpointUrl.Trim();
    }

    public string AccessKeyId => _secret.UserName;

    /// <summary>"Parameter", "Environment", "Profile:name" or "Alias:name".</summary>
    public string Source { get; }

    /// <summary>Where exactly, for the operator, e.g. "profile 'backup' in /home/op/.aws/credentials".</summary>
    public string Origin { get; }

    /// <summary>The region the profile names, if it names one.</summary>
    public string? Region { get; }

    /// <summary>The endpoint URL the profile names (endpoint_url), if it names one and does not ignore it.</summary>
    public string? EndpointUrl { get; }

    public bool HasSessionToken => _secret.Domain.Length > 0;

    public S3Endpoint ToEndpoint(Uri url, string region) =>
        new(url, region, AccessKeyId, _secret.Password, HasSessionToken ? _secret.Domain : null);

    public override string ToString() => $"access key {AccessKeyId} from {Origin}";

    /// <summary>A credential given as a parameter (a PSCredential, e.g. from a SecretManagement vault).</summary>
    public static ResolvedCredential Parameter(NetworkCredential? credential, string parameter)
    {
        if (credential is null || string.IsNullOrEmpty(credential.UserName))
            throw new RestoreException(ErrorIds.MissingCredentials, FailureKind.InvalidArgument,
                $"{parameter} has no user name: give the access key as the user name and the secret key as the password.");
        return new ResolvedCredential(credential.UserName, credential.Password, null, FromParameter, parameter);
    }
}
