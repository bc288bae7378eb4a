using System.Management.Automation;
using MinioRestore.Engine.Endpoints;
using MinioRestore.Engine.Errors;
using MinioRestore.PowerShell.Hosting;

namespace MinioRestore.PowerShell.Cmdlets;

/// <summary>
/// The restore plan's init task: registers the S3 store holding the backup and the MinIO server
/// to restore into, checks both (reachable, credentials accepted) and writes a RestoreClients
/// object for Start-MinioRestore.
/// </summary>
[Cmdlet(VerbsLifecycle.Register, "RestoreClients")]
[OutputType(typeof(RestoreClients))]
public sealed class RegisterRestoreClientsCommand : PipelineCmdlet
{
    public const string DefaultS3Endpoint = "https://s3.amazonaws.com";

    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string S3Endpoint { get; set; } = DefaultS3Endpoint;

    /// <summary>User name = access key id, password = secret key. Default: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.</summary>
    [Parameter]
    [Credential]
    public PSCredential? S3Credential { get; set; }

    [Parameter]
    public string? S3Region { get; set; }

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string MinioEndpoint { get; set; } = "";

    [Parameter(Mandatory = true)]
    [Credential]
    public PSCredential MinioCredential { get; set; } = PSCredential.Empty;

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
        try
        {
            // Without -S3Credential, the seed's variables; a session token only pairs with those.
            var s3Credential = S3Credential ?? CredentialFromEnvironment();
            string? sessionToken = S3Credential is null ? Env("AWS_SESSION_TOKEN") : null;
            s3 = Build(EndpointUrl.Parse(S3Endpoint, "S3 endpoint"),
                S3Region ?? Env("AWS_REGION") ?? Env("AWS_DEFAULT_REGION"), s3Credential, sessionToken, "S3");
            minio = Build(EndpointUrl.Parse(MinioEndpoint, "MinIO endpoint"), MinioRegion, MinioCredential, null, "MinIO");
            s3 = WithTls(s3, S3CaBundle, "-S3CaBundle");
            minio = WithTls(minio, MinioCaBundle, "-MinioCaBundle");
        }
        catch (RestoreException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, null));
            return;
        }

        if (SkipCertificateCheck)
            WriteWarning("-SkipCertificateCheck: TLS certificates are not checked, so anyone between this machine and the endpoints can read and change the data. Use -MinioCaBundle/-S3CaBundle instead.");
        WriteVerbose($"Checking the S3 source {s3} and the MinIO target {minio}.");
        var (s3Failure, minioFailure) = RunOnThreadPool(async cancel =>
        {
            var s3Check = Check(s3, "S3 source", cancel);
            var minioCheck = Check(minio, "MinIO target", cancel);
            return (await s3Check.ConfigureAwait(false), await minioCheck.ConfigureAwait(false));
        });
        if (s3Failure is not null) ThrowTerminatingError(ErrorRecords.From(s3Failure, s3.Url));
        if (minioFailure is not null) ThrowTerminatingError(ErrorRecords.From(minioFailure, minio.Url));

        var clients = new RestoreClients(s3, minio);
        clients.MakeCurrent();
        WriteObject(clients);
    }

    private static async Task<RestoreException?> Check(S3Endpoint endpoint, string role, CancellationToken cancel)
    {
        try { await EndpointCheck.VerifyAsync(endpoint, role, cancel).ConfigureAwait(false); return null; }
        catch (RestoreException e) { return e; }
    }

    /// <summary>The seed's inputs: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, for temporary credentials, AWS_SESSION_TOKEN.</summary>
    private static PSCredential? CredentialFromEnvironment()
    {
        if (Env("AWS_ACCESS_KEY_ID") is not { } id || Env("AWS_SECRET_ACCESS_KEY") is not { } secret) return null;
        var secure = new System.Security.SecureString();
        foreach (char c in secret) secure.AppendChar(c);
        return new PSCredential(id, secure);
    }

    private static S3Endpoint Build(Uri url, string? region, PSCredential? credential, string? sessionToken, string role)
    {
        if (credential is null || credential == PSCredential.Empty || string.IsNullOrEmpty(credential.UserName))
            throw new RestoreException(ErrorIds.MissingCredentials, FailureKind.InvalidArgument, role == "S3"
                ? "No S3 credential: pass -S3Credential (user name = access key id, password = secret key) or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
                : "No MinIO credential: pass -MinioCredential (user name = access key, password = secret key).");
        return new S3Endpoint(url, region ?? Engine.Endpoints.S3Endpoint.DefaultRegion, credential.UserName,
            credential.GetNetworkCredential().Password, sessionToken);
    }

    private S3Endpoint WithTls(S3Endpoint endpoint, string? caBundle, string parameter)
    {
        if (caBundle is null) return SkipCertificateCheck ? new S3Endpoint(endpoint, new TlsOptions { SkipVerification = true }) : endpoint;
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

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}
