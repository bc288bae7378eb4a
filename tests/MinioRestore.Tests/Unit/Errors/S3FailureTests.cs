using System.Net.Sockets;
using Amazon.S3;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Tests.Unit.Errors;

/// <summary>SDK and network failures explained for an operator, by code, status and end.</summary>
public sealed class S3FailureTests
{
    private static readonly S3Endpoint Endpoint = new(new Uri("http://127.0.0.1:9000"), "us-east-1", "AKIDEXAMPLE", "Zx9-unit-test-secret-value");

    private static AmazonS3Exception S3Error(string code, int status) =>
        new("", Amazon.Runtime.ErrorType.Sender, code, "req", (System.Net.HttpStatusCode)status);

    [Theory]
    [InlineData("InvalidAccessKeyId", 403, ErrorIds.CredentialsRejected, FailureKind.AuthenticationFailed, false)]
    [InlineData("SignatureDoesNotMatch", 403, ErrorIds.CredentialsRejected, FailureKind.AuthenticationFailed, false)]
    [InlineData("ExpiredToken", 400, ErrorIds.CredentialsRejected, FailureKind.AuthenticationFailed, false)]
    [InlineData("AccessDenied", 403, ErrorIds.AccessDenied, FailureKind.PermissionDenied, false)]
    [InlineData("NoSuchBucket", 404, ErrorIds.TargetBucketNotFound, FailureKind.NotFound, false)]
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
    [InlineData(EndRole.Source, ErrorIds.SourceBucketNotFound)]
    [InlineData(EndRole.Target, ErrorIds.TargetBucketNotFound)]
    public void NoSuchBucket_is_named_by_the_end_that_answered(string role, string id)
    {
        var failure = S3Failure.Explain(S3Error("NoSuchBucket", 404), role, Endpoint, "testing", ErrorIds.ObjectCopyFailed);
        Assert.Equal(id, failure.ErrorId);
        Assert.Contains(role, failure.Message);
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
}
