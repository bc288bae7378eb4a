using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MinioRestore.Tests.Support;

/// <summary>A throwaway self-signed CA certificate for 127.0.0.1, like a private MinIO deployment's.</summary>
public static class TestCertificates
{
    public static X509Certificate2 CreateSelfSignedCa()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=MinioRestore Test CA", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        // A key that SslStream can use on every platform: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Writes the public certificate as a PEM bundle and returns the file's path.</summary>
    public static string WritePem(X509Certificate2 certificate)
    {
        string path = Path.Combine(Path.GetTempPath(), $"minio-restore-test-ca-{Guid.NewGuid():n}.pem");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }
}
