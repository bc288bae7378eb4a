using System.Management.Automation;
using System.Net;
using MinioRestore.Engine.Credentials;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Transport;
using MinioRestore.PowerShell.Hosting;

namespace MinioRestore.PowerShell.Cmdlets;

/// <summary>
/// The restore plan's init task: registers the S3 store holding the backup and the MinIO server
/// to restore into, checks both (reachable, credentials accepted) and writes a RestoreClients
/// object for Start-MinioRestore. Credentials come from parameters, the AWS variables and
/// profiles (S3CredentialChain), or an mc alias (McAlias).
/// </summary>
[Cmdlet(VerbsLifecycle.Register, "RestoreClients", DefaultParameterSetName = MinioEndpointSet)]
[OutputType(typeof(RestoreClients))]
public sealed class RegisterRestoreClientsCommand : PipelineCmdlet
{
    private const string MinioEndpointSet = "MinioEndpoint", MinioAliasSet = "MinioAlias";

    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? S3Endpoint { get; set; }

    /// <summary>User name = access key id, password = secret key. Default: see S3CredentialChain.</summary>
    [Parameter]
    [Credential]
    public PSCredential? S3Credential { get; set; }

    /// <summary>A profile of the AWS shared credentials/config files, as AWS.Tools' -ProfileName.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ProfileName { get; set; }

    /// <summary>The shared credentials file to read instead of AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ProfileLocation { get; set; }

    [Parameter]
    public string? S3Region { get; set; }

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = MinioEndpointSet)]
    [ValidateNotNullOrEmpty]
    public string MinioEndpoint { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = MinioEndpointSet)]
    [Credential]
    public PSCredential MinioCredential { get; set; } = PSCredential.Empty;

    /// <summary>An mc alias (MC_HOST_name, or mc's config.json): the MinIO endpoint and its keys.</summary>
    [Parameter(Mandatory = true, ParameterSetName = MinioAliasSet)]
    [ValidateNotNullOrEmpty]
    public string MinioAlias { get; set; } = "";

    [Parameter]
    public string? MinioRegion { get; set; }

    /// <summary>PEM file of CA certificates to trust for the S3 endpoint, besides the system's.</summary>
    [Parameter]
    public string? S3CaBundle { get; set; }

    /// <summary>PEM file of CA certificates to trust for the MinIO endpoint (the DC/OS service had its own CA).</summary>
    [Parameter]
    public string? MinioCaBundle { get; set; }

    /// <summary>Accept any TLS certificate on both endpoints. Insecure: for a lab, never for production.</summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    protected override void EndProcessing()
    {
        S3Endpoint s3, minio;
        Uri s3Url;
        string s3UrlOrigin;
        ResolvedCredential s3Credential, minioCredential;
        try
        {
            var environment = CredentialEnvironment.Current();
            if (S3Credential is not null && (ProfileName ?? ProfileLocation) is not null)
                WriteWarning($"-S3Credential is used; {(ProfileName is null ? "-ProfileLocation" : "-ProfileName")} is ignored.");
            s3Credential = S3CredentialChain.Resolve(Plain(S3Credential), ProfileName,
                ProfileLocation is null ? null : GetUnresolvedProviderPathFromPSPath(ProfileLocation), environment);
            (s3Url, s3UrlOrigin) = S3CredentialChain.Endpoint(S3Endpoint, s3Credential, environment);
            s3 = s3Credential.ToEndpoint(s3Url, S3CredentialChain.Region(S3Region, s3Credential, environment));

            Uri minioUrl;
            TlsOptions? aliasCas = null;
            if (ParameterSetName == MinioAliasSet)
            {
                var alias = McAlias.Resolve(MinioAlias, environment);
                (minioUrl, minioCredential) = (alias.Url, alias.Credential);
                if (MinioCaBundle is null && TlsOptions.FromCaFolder(alias.CaFolder) is { } cas)
                {
                    aliasCas = cas;
                    WriteVerbose($"Trusting the {cas.TrustedCertificates!.Count} CA certificate(s) in mc's '{alias.CaFolder}' for the MinIO target, as mc does.");
                }
            }
            else
            {
                minioUrl = EndpointUrl.Parse(MinioEndpoint, "MinIO endpoint");
                minioCredential = ResolvedCredential.Parameter(Plain(MinioCredential), "-MinioCredential");
            }
            minio = minioCredential.ToEndpoint(minioUrl, MinioRegion ?? Engine.Transport.S3Endpoint.DefaultRegion);
            s3 = WithTls(s3, S3CaBundle, "-S3CaBundle");
            minio = WithTls(minio, MinioCaBundle, "-MinioCaBundle", aliasCas);
        }
        catch (RestoreException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, null));
            return;
        }

        if (SkipCertificateCheck)
            WriteWarning("-SkipCertificateCheck: TLS certificates are not checked, so anyone between this machine and the endpoints can read and change the data. Use -MinioCaBundle/-S3CaBundle instead.");
        WriteVerbose($"S3 source {s3.Url.GetLeftPart(UriPartial.Authority)} (from {s3UrlOrigin}; region {s3.Region}): {s3Credential}.");
        WriteVerbose($"MinIO target {minio.Url.GetLeftPart(UriPartial.Authority)}: {minioCredential}.");
        WriteVerbose($"Checking the {EndRole.Source} {s3} and the {EndRole.Target} {minio}.");
        var (s3Failure, minioFailure) = RunOnThreadPool(async cancel =>
        {
            var s3Check = Check(s3, EndRole.Source, cancel);
            var minioCheck = Check(minio, EndRole.Target, cancel);
            return (await s3Check.ConfigureAwait(false), await minioCheck.ConfigureAwait(false));
        });
        if (s3Failure is not null) ThrowTerminatingError(ErrorRecords.From(s3Failure, s3.Url));
        if (minioFailure is not null) ThrowTerminatingError(ErrorRecords.From(minioFailure, minio.Url));

        var clients = new RestoreClients(s3, minio, s3Credential.Source, minioCredential.Source);
        clients.MakeCurrent();
        WriteObject(clients);
    }

    /// <summary>
    /// The user name as typed: PSCredential.GetNetworkCredential() would split "a@b.c" and "a\\b"
    /// into user and domain, and an access key may look like either.
    /// </summary>
    private static NetworkCredential? Plain(PSCredential? credential) =>
        credential is null ? null : new NetworkCredential(credential.UserName, credential.Password);

    private static async Task<RestoreException?> Check(S3Endpoint endpoint, string role, CancellationToken cancel)
    {
        try { await EndpointCheck.VerifyAsync(endpoint, role, cancel).ConfigureAwait(false); return null; }
        catch (RestoreException e) { return e; }
    }

    /// <param name="withoutBundle">The certificate check when no <paramref name="caBundle"/> is given (mc's CAs for an alias).</param>
    private S3Endpoint WithTls(S3Endpoint endpoint, string? caBundle, string parameter, TlsOptions? withoutBundle = null)
    {
        if (caBundle is null)
        {
            var tls = (withoutBundle ?? TlsOptions.Default) with { SkipVerification = SkipCertificateCheck };
            return tls.IsDefault ? endpoint : new S3Endpoint(endpoint, tls);
        }
        string path = GetUnresolvedProviderPathFromPSPath(caBundle);
        try
        {
            var tls = TlsOptions.FromCaBundle(path) with { SkipVerification = SkipCertificateCheck };
            if (tls.TrustedCertificates!.Count == 0) throw new InvalidDataException("no certificate in it");
            return new S3Endpoint(endpoint, tls);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or InvalidDataException)
        {
            throw new RestoreException(ErrorIds.InvalidCaBundle, FailureKind.InvalidArgument,
                $"{parameter} '{caBundle}' cannot be used: {e.Message} Give a PEM file with the CA certificate(s).", e);
        }
    }
}
