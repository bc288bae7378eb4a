using System.Net.Sockets;
using System.Security.Cryptography;
using Amazon.S3;
using MinioRestore.Engine.Copying;
using MinioRestore.Engine.Endpoints;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;

namespace MinioRestore.Tests.Engine;

public sealed class CopyingTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void Own_layouts_stay_within_10000_parts()
    {
        var layout = PartLayout.Own(5L * 1024 * 1024 * 1024 * 1024);
        Assert.True(layout.Count <= 10_000);
        Assert.Equal(1, PartLayout.Own(0).Count);
    }

    [Fact]
    public async Task The_verifying_stream_hashes_what_passes_through()
    {
        var data = RandomNumberGenerator.GetBytes(100_000);
        long counted = 0;
        using var stream = new VerifyingStream(new MemoryStream(data), data.Length, n => counted += n);
        await stream.CopyToAsync(Stream.Null);
        Assert.Equal(MD5.HashData(data), stream.Md5);
        Assert.Equal(data.Length, counted);
    }

    [Fact]
    public async Task A_body_that_ends_early_or_runs_long_fails_the_read()
    {
        using var shortBody = new VerifyingStream(new MemoryStream(new byte[10]), 11, null);
        await Assert.ThrowsAsync<SourceReadException>(() => shortBody.CopyToAsync(Stream.Null));
        using var longBody = new VerifyingStream(new MemoryStream(new byte[12]), 11, null);
        await Assert.ThrowsAsync<SourceReadException>(() => longBody.CopyToAsync(Stream.Null));
    }

    private static readonly S3Endpoint Endpoint = new(new Uri("http://127.0.0.1:9000"), "us-east-1", "AKIDEXAMPLE", "Zx9-unit-test-secret-value");

    private static AmazonS3Exception S3Error(string code, int status) =>
        new("", Amazon.Runtime.ErrorType.Sender, code, "req", (System.Net.HttpStatusCode)status);

    [Theory]
    [InlineData("InvalidAccessKeyId", 403, ErrorIds.CredentialsRejected, FailureKind.AuthenticationFailed, false)]
    [InlineData("SignatureDoesNotMatch", 403, ErrorIds.CredentialsRejected, FailureKind.AuthenticationFailed, false)]
    [InlineData("ExpiredToken", 400, ErrorIds.CredentialsRejected, FailureKind.AuthenticationFailed, false)]
    [InlineData("AccessDenied", 403, ErrorIds.AccessDenied, FailureKind.PermissionDenied, false)]
    [InlineData("NoSuchBucket", 404, ErrorIds.SourceBucketNotFound, FailureKind.NotFound, false)]
    [InlineData("SlowDown", 503, ErrorIds.ObjectCopyFailed, FailureKind.Unavailable, true)]
    [InlineData("", 500, ErrorIds.ObjectCopyFailed, FailureKind.Unavailable, true)]
    [InlineData("BadDigest", 400, ErrorIds.ObjectIntegrityFailed, FailureKind.IntegrityCheckFailed, true)]
    [InlineData("QuotaExceeded", 403, ErrorIds.QuotaExceeded, FailureKind.QuotaExceeded, false)]
    [InlineData("PreconditionFailed", 412, ErrorIds.SourceObjectChanged, FailureKind.Conflict, false)]
    public void S3_errors_are_explained_by_code_and_status(string code, int status, string id, FailureKind kind, bool transient)
    {
        var failure = S3Failure.Explain(S3Error(code, status), "MinIO target", Endpoint, "testing", ErrorIds.ObjectCopyFailed);
        Assert.Equal(id, failure.ErrorId);
        Assert.Equal(kind, failure.Kind);
        Assert.Equal(transient, failure.IsTransient);
        Assert.Contains("MinIO target", failure.Message);
        Assert.DoesNotContain("Zx9-unit-test-secret-value", failure.Message);
    }

    [Theory]
    [InlineData(SocketError.ConnectionRefused, "refused")]
    [InlineData(SocketError.HostNotFound, "could not be resolved")]
    public void Network_errors_are_explained_in_words(SocketError error, string words)
    {
        var wrapped = new HttpRequestException("boom", new SocketException((int)error));
        var failure = S3Failure.Explain(wrapped, "S3 source", Endpoint, "testing", ErrorIds.ListingFailed);
        Assert.Equal(ErrorIds.EndpointUnreachable, failure.ErrorId);
        Assert.Contains(words, failure.Message);
    }

    [Fact]
    public async Task Retries_transient_failures_with_backoff_and_gives_up_on_permanent_ones()
    {
        var policy = new RetryPolicy(4, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5));
        int calls = 0, retries = 0;
        var value = await policy.RunAsync(_ => ++calls < 3 ? throw S3Error("SlowDown", 503) : Task.FromResult(42),
            e => S3Failure.Explain(e, "S3 source", Endpoint, "testing", ErrorIds.ObjectCopyFailed), (_, _) => retries++, CancellationToken.None);
        Assert.Equal(42, value);
        Assert.Equal(2, retries);

        calls = 0;
        await Assert.ThrowsAsync<RestoreException>(() => policy.RunAsync<int>(_ => { calls++; throw S3Error("AccessDenied", 403); },
            e => S3Failure.Explain(e, "S3 source", Endpoint, "testing", ErrorIds.ObjectCopyFailed), null, CancellationToken.None));
        Assert.Equal(1, calls);
    }

    [Fact]
    public void Backoff_grows_exponentially_up_to_the_cap()
    {
        var policy = new RetryPolicy(10, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
        for (int attempt = 1; attempt < 10; attempt++)
        {
            var bound = Math.Min(1000, 100 * Math.Pow(2, attempt - 1));
            for (int i = 0; i < 50; i++) Assert.InRange(policy.DelayBefore(attempt).TotalMilliseconds, 0, bound);
        }
    }

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

    [Theory]
    [InlineData("legacy_Name", true, true)]
    [InlineData("legacy_Name", false, false)]
    [InlineData("my.bucket-1", false, true)]
    [InlineData("xn", false, false)]
    public void Bucket_names_follow_the_S3_rules(string name, bool legacy, bool valid)
    {
        if (valid) Assert.Equal(name, BucketNames.Validate(name, "source", legacy));
        else Assert.Equal(ErrorIds.InvalidBucketName, Assert.Throws<RestoreException>(() => BucketNames.Validate(name, "source", legacy)).ErrorId);
    }
}
