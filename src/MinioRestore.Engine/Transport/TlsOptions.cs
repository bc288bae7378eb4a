using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MinioRestore.Engine.Transport;

/// <summary>
/// How an https endpoint's certificate is checked: by the system's trust store (the default),
/// also by a CA bundle of the operator's (the DC/OS MinIO service had its own CA), or not at
/// all, which needs an explicit switch.
/// </summary>
public sealed record TlsOptions
{
    public static readonly TlsOptions Default = new();

    /// <summary>Extra trusted roots, e.g. loaded from a PEM bundle.</summary>
    public X509Certificate2Collection? TrustedCertificates { get; init; }

    /// <summary>Accept any certificate (never the default; the cmdlets warn).</summary>
    public bool SkipVerification { get; init; }

    public bool IsDefault => TrustedCertificates is null && !SkipVerification;

    /// <summary>Loads a PEM bundle of CA certificates.</summary>
    public static TlsOptions FromCaBundle(string path)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(path);
        return new TlsOptions { TrustedCertificates = certificates };
    }

    /// <summary>
    /// The certificates of every PEM file in <paramref name="folder"/>, as mc trusts its certs/CAs
    /// (files it cannot read as certificates are passed over, as mc passes them over); null when none.
    /// </summary>
    public static TlsOptions? FromCaFolder(string folder)
    {
        if (!Directory.Exists(folder)) return null;
        var certificates = new X509Certificate2Collection();
        foreach (string file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            try
            {
                certificates.ImportFromPemFile(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
            }
        }
        return certificates.Count == 0 ? null : new TlsOptions { TrustedCertificates = certificates };
    }

    internal bool Validate(X509Certificate2? certificate, SslPolicyErrors errors)
    {
        if (SkipVerification || errors == SslPolicyErrors.None) return true;
        if (certificate is null || TrustedCertificates is null || errors != SslPolicyErrors.RemoteCertificateChainErrors) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(TrustedCertificates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
