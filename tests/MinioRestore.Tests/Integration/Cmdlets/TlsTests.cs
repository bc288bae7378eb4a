using System.Management.Automation;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Cmdlets;

/// <summary>
/// A MinIO endpoint behind TLS with its own CA (a TLS front end over the real target server):
/// verified by default, trusted with -MinioCaBundle, and only skipped with an explicit, warned switch.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class TlsTests(RgwPair rgw) : IDisposable
{
    private readonly PowerShellSession _ps = new();
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _ca = TestCertificates.CreateSelfSignedCa();
    private readonly List<string> _files = [];

    public void Dispose()
    {
        _ps.Dispose();
        _ca.Dispose();
        foreach (var f in _files) File.Delete(f);
    }

    private const string Register = RgwPair.RegisterScript;

    [Fact]
    public void A_certificate_from_an_unknown_CA_is_refused_by_default()
    {
        using var tls = new FaultProxy(rgw.Target.Endpoint, _ => Fault.None, _ca);

        var run = _ps.Run(Register, rgw.ScriptVariables(minioEndpoint: tls.Endpoint.ToString()));

        var error = run.TerminatingRecord!;
        Assert.Equal("EndpointUnreachable", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
        Assert.Contains("MinIO target", error.ErrorDetails.Message);
        Assert.Contains("TLS", error.ErrorDetails.Message);
    }

    [Fact]
    public async Task An_mc_alias_trusts_the_CA_certificates_in_mcs_certs_folder_as_mc_does()
    {
        using var tls = new FaultProxy(rgw.Target.Endpoint, _ => Fault.None, _ca);
        using var folder = new TempFolder();
        using var environment = EnvironmentScope.Isolated(folder.Path);
        folder.Write("mc/config.json", $$"""
            {"version":"10","aliases":{"dcos":{"url":"{{tls.Endpoint}}","accessKey":"{{RgwPair.TargetAccessKey}}","secretKey":"{{RgwPair.TargetSecretKey}}","api":"S3v4","path":"auto"} } }
            """);
        environment.Set("MC_CONFIG_DIR", Path.Combine(folder.Path, "mc"));
        folder.Write("mc/certs/CAs/README", "not a certificate: passed over, as mc passes it over");
        string register = "Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -MinioAlias dcos -Verbose";

        var untrusted = _ps.Run(register, rgw.ScriptVariables());
        Assert.Equal("EndpointUnreachable", untrusted.TerminatingRecord?.FullyQualifiedErrorId.Split(',')[0]);

        folder.Write("mc/certs/CAs/dcos-ca.crt", _ca.ExportCertificatePem());
        string bucket = RgwPair.NewBucket("mc-ca");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        await S3.PutAsync(rgw.SourceS3, bucket, "a", S3.RandomBytes(5000, 3));

        var run = _ps.Run($"{register} | Start-MinioRestore -Bucket {bucket}", rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Errors);
        Assert.Empty(run.Warnings);
        Assert.Equal(1L, run.Value(0, "Copied"));
        Assert.Contains(run.Verbose, v => v.Contains("1 CA certificate(s)") && v.Contains(Path.Combine(folder.Path, "mc", "certs", "CAs")));
        Assert.True(tls.Requests > 0);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);
    }

    [Fact]
    public async Task The_CA_bundle_makes_the_endpoint_trusted_and_the_restore_runs_over_TLS()
    {
        using var tls = new FaultProxy(rgw.Target.Endpoint, _ => Fault.None, _ca);
        string pem = TestCertificates.WritePem(_ca);
        _files.Add(pem);
        string bucket = RgwPair.NewBucket("tls");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        await S3.PutAsync(rgw.SourceS3, bucket, "a", S3.RandomBytes(5000, 1));
        await S3.PutMultipartAsync(rgw.SourceS3, bucket, "b", S3.RandomBytes(11 * 1024 * 1024, 2), 5 * 1024 * 1024);
        var variables = rgw.ScriptVariables(minioEndpoint: tls.Endpoint.ToString());
        variables["pem"] = pem;

        var run = _ps.Run($"{Register} -MinioCaBundle $pem | Start-MinioRestore -Bucket {bucket}", variables);

        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Errors);
        Assert.Empty(run.Warnings);
        Assert.Equal(2L, run.Value(0, "Copied"));
        Assert.True(tls.Requests > 0);
        await S3.AssertSameContentAsync(rgw.SourceS3, bucket, rgw.TargetS3, bucket);
    }

    [Fact]
    public void Skipping_the_certificate_check_needs_the_switch_and_warns()
    {
        using var tls = new FaultProxy(rgw.Target.Endpoint, _ => Fault.None, _ca);

        var run = _ps.Run($"{Register} -SkipCertificateCheck", rgw.ScriptVariables(minioEndpoint: tls.Endpoint.ToString()));

        Assert.Null(run.TerminatingRecord);
        Assert.Single(run.Output);
        Assert.Contains(run.Warnings, w => w.Contains("-SkipCertificateCheck") && w.Contains("not checked"));
    }

    [Fact]
    public void TLS_to_a_plain_HTTP_port_is_explained()
    {
        var run = _ps.Run(Register, rgw.ScriptVariables(minioEndpoint: $"https://127.0.0.1:{rgw.Target.Port}"));

        var error = run.TerminatingRecord!;
        Assert.Equal("EndpointUnreachable", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("TLS", error.ErrorDetails.Message);
        Assert.Contains("http or https", error.ErrorDetails.Message);
    }

}
