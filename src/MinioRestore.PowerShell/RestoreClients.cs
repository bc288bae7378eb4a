using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using MinioRestore.Engine.Transport;

namespace MinioRestore.PowerShell;

/// <summary>
/// The two checked endpoints of a restore, as Register-RestoreClients writes them: where the
/// backup is (S3) and where it goes (MinIO). Shows URLs, regions, access key ids and where each
/// credential came from; the secrets stay inside and appear in no property, ToString() or export.
/// </summary>
public sealed class RestoreClients
{
    private static readonly ConditionalWeakTable<Runspace, RestoreClients> Registered = new();

    internal RestoreClients(S3Endpoint s3, S3Endpoint minio, string s3CredentialSource, string minioCredentialSource)
    {
        Source = s3;
        Target = minio;
        S3CredentialSource = s3CredentialSource;
        MinioCredentialSource = minioCredentialSource;
    }

    internal S3Endpoint Source { get; }
    internal S3Endpoint Target { get; }

    public string S3Endpoint => Source.Url.GetLeftPart(UriPartial.Authority);
    public string S3Region => Source.Region;
    public string S3AccessKeyId => Source.AccessKeyId;

    /// <summary>'Parameter', 'Environment' (AWS_ACCESS_KEY_ID...) or 'Profile:name'.</summary>
    public string S3CredentialSource { get; }
    public string MinioEndpoint => Target.Url.GetLeftPart(UriPartial.Authority);
    public string MinioRegion => Target.Region;
    public string MinioAccessKeyId => Target.AccessKeyId;

    /// <summary>'Parameter' or 'Alias:name'.</summary>
    public string MinioCredentialSource { get; }

    public override string ToString() => $"S3 {Source} -> MinIO {Target}";

    /// <summary>The clients registered last in this runspace, which Start-MinioRestore uses when none are piped in (like mc's aliases).</summary>
    internal static RestoreClients? Current =>
        Runspace.DefaultRunspace is { } rs && Registered.TryGetValue(rs, out var c) ? c : null;

    internal void MakeCurrent()
    {
        if (Runspace.DefaultRunspace is { } rs) Registered.AddOrUpdate(rs, this);
    }
}
