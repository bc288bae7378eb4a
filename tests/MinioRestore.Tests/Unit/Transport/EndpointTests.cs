using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Tests.Unit.Transport;

/// <summary>Endpoint URLs and the secrecy of an endpoint's keys.</summary>
public sealed class EndpointTests
{
    [Theory]
    [InlineData("minio.example:9000", "no scheme")]
    [InlineData("ftp://minio.example", "only http")]
    [InlineData("https://minio.example/bucket", "has a path")]
    [InlineData("https://user:pw@minio.example", "credentials")]
    public void Endpoint_URLs_are_checked_before_use(string url, string words)
    {
        var e = Assert.Throws<RestoreException>(() => EndpointUrl.Parse(url, "MinIO endpoint"));
        Assert.Equal(ErrorIds.InvalidEndpoint, e.ErrorId);
        Assert.Contains(words, e.Message);
        Assert.DoesNotContain("pw@", e.Message);
    }

    [Fact]
    public void Endpoints_never_show_their_secret()
    {
        var endpoint = new S3Endpoint(new Uri("https://s3.example"), "", "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG", "session-token-value");
        Assert.DoesNotContain("wJalrXUtnFEMI", endpoint.ToString());
        Assert.DoesNotContain("session-token-value", endpoint.ToString());
        Assert.Equal("us-east-1", endpoint.Region);
        foreach (var p in typeof(S3Endpoint).GetProperties())
            Assert.DoesNotContain("wJalrXUtnFEMI", p.GetValue(endpoint)?.ToString() ?? "");
    }
}
