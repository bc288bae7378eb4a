using Amazon.Runtime;
using Amazon.S3;
using MinioRestore.Engine.Copying;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Tests.Support;

/// <summary>Two real S3 servers: the source stands in for Amazon S3, the target for MinIO.</summary>
public sealed class RgwPair : IDisposable
{
    // Distinct keys on each side, so a test can tell which secret leaked and which end refused.
    public const string SourceAccessKey = "SRCACCESSKEY00000001";
    public const string SourceSecretKey = "srcSecretKey+never/printed/0000000000001";
    public const string TargetAccessKey = "DSTACCESSKEY00000001";
    public const string TargetSecretKey = "dstSecretKey+never/printed/0000000000002";

    private static int _bucketCounter;

    public RgwPair()
    {
        int basePort = int.TryParse(Environment.GetEnvironmentVariable("MINIO_RESTORE_TEST_PORT"), out int p) ? p : 19300;
        Source = RgwCluster.Start("source", basePort, SourceAccessKey, SourceSecretKey);
        try
        {
            Target = RgwCluster.Start("target", basePort + 100, TargetAccessKey, TargetSecretKey);
        }
        catch
        {
            Source.Dispose();
            throw;
        }
        SourceS3 = S3.Client(Source);
        TargetS3 = S3.Client(Target);
    }

    public RgwCluster Source { get; }
    public RgwCluster Target { get; }
    public AmazonS3Client SourceS3 { get; }
    public AmazonS3Client TargetS3 { get; }

    public S3Endpoint SourceEndpoint => new(Source.Endpoint, "us-east-1", SourceAccessKey, SourceSecretKey);
    public S3Endpoint TargetEndpoint => new(Target.Endpoint, "us-east-1", TargetAccessKey, TargetSecretKey);

    /// <summary>Registers both servers in a hosted-engine script, with the variables of <see cref="ScriptVariables"/>.</summary>
    public const string RegisterScript = "Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -MinioEndpoint $minio -MinioCredential $miniocred";

    /// <summary>
    /// Variables for scripts run in the hosted engine: $s3, $minio (endpoint URLs) and $s3cred,
    /// $miniocred (PSCredentials), each replaceable to test a wrong one.
    /// </summary>
    public Dictionary<string, object?> ScriptVariables(string? s3Secret = null, string? minioSecret = null, string? minioEndpoint = null) => new()
    {
        ["s3"] = Source.Endpoint.ToString(),
        ["minio"] = minioEndpoint ?? Target.Endpoint.ToString(),
        ["s3cred"] = Credential(SourceAccessKey, s3Secret ?? SourceSecretKey),
        ["miniocred"] = Credential(TargetAccessKey, minioSecret ?? TargetSecretKey),
    };

    public static System.Management.Automation.PSCredential Credential(string user, string secret)
    {
        var secure = new System.Security.SecureString();
        foreach (char c in secret) secure.AppendChar(c);
        return new System.Management.Automation.PSCredential(user, secure);
    }

    /// <summary>A bucket name no other test uses.</summary>
    public static string NewBucket(string purpose) =>
        $"{purpose}-{Interlocked.Increment(ref _bucketCounter)}-{Environment.ProcessId}".ToLowerInvariant();

    /// <summary>An object copier between the two servers, for tests of one object at a time.</summary>
    internal CopierUnderTest Copier(string sourceBucket, string targetBucket, int attempts, int partConcurrency, DataPath path = DataPath.Auto) =>
        new(new Restorer(SourceEndpoint, TargetEndpoint, 8, path), sourceBucket, targetBucket, attempts, partConcurrency);

    internal sealed class CopierUnderTest(Restorer restorer, string sourceBucket, string targetBucket, int attempts, int partConcurrency) : IDisposable
    {
        public ObjectCopier Copier { get; } = restorer.Ends.Copier(sourceBucket, targetBucket,
            new MinioRestore.Engine.Copying.RetryPolicy(attempts, TimeSpan.Zero, TimeSpan.Zero), new MinioRestore.Engine.Copying.PartBudget(partConcurrency, partConcurrency),
            TimeSpan.FromSeconds(30), null);

        public void Dispose() => restorer.Dispose();
    }

    public void Dispose()
    {
        SourceS3.Dispose();
        TargetS3.Dispose();
        Target.Dispose();
        Source.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class RgwCollection : ICollectionFixture<RgwPair>
{
    public const string Name = "Two RGW clusters";
}
