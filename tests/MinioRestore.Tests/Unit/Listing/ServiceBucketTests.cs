using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;

namespace MinioRestore.Tests.Unit.Listing;

/// <summary>Which buckets -ServiceName covers, and their names on MinIO.</summary>
public sealed class ServiceBucketTests
{
    [Fact]
    public void A_service_restores_exactly_its_own_buckets_without_the_prefix()
    {
        string[] buckets = ["svc-reports", "svc2-x", "other-svc-x", "svc-", "svc", "svc-images.v2", "svcx-y", "SVC-upper", "svc-reports"];

        var pairs = ServiceBuckets.Select("svc", buckets);

        Assert.Equal([new BucketPair("svc-images.v2", "images.v2"), new BucketPair("svc-reports", "reports")], pairs);
        Assert.Empty(ServiceBuckets.Select("nothing", buckets));
        // A service whose name contains '-' works the same way.
        Assert.Equal([new BucketPair("my-svc-a1b", "a1b")], ServiceBuckets.Select("my-svc", ["my-svc-a1b", "my-svcx-a1b"]));
    }

    [Theory]
    [InlineData("svc/x")]
    [InlineData("Svc")]
    [InlineData("svc-")]
    [InlineData("-svc")]
    [InlineData("svc*")]
    [InlineData("")]
    [InlineData(null)]
    public void An_invalid_service_name_is_refused(string? service)
    {
        var e = Assert.Throws<RestoreException>(() => ServiceBuckets.Select(service!, ["svc-a"]));
        Assert.Equal(ErrorIds.InvalidServiceName, e.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, e.Kind);
        Assert.Contains("service name", e.Message);
    }
}
