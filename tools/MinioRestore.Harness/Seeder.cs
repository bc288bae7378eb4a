using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace MinioRestore.Harness;

/// <summary>Fills a bucket with random objects, many at once; multipart when a part size is given.</summary>
public static class Seeder
{
    /// <summary>A plain AWSSDK client for a local S3 server, keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY unless given.</summary>
    public static AmazonS3Client Client(Uri endpoint, string? accessKey = null, string? secretKey = null) => new(
        new BasicAWSCredentials(
            accessKey ?? Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") ?? throw new InvalidOperationException("set AWS_ACCESS_KEY_ID"),
            secretKey ?? Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") ?? throw new InvalidOperationException("set AWS_SECRET_ACCESS_KEY")),
        new AmazonS3Config
        {
            ServiceURL = endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1",
            IgnoreConfiguredEndpointUrls = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    public static async Task<int> SeedAsync(Uri endpoint, string bucket, int count, long size, long partSize, string prefix)
    {
        using var s3 = Client(endpoint);
        try { await s3.PutBucketAsync(bucket); }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists") { }

        var body = new byte[size];
        new Random(42).NextBytes(body);
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = partSize > 0 ? 4 : 64 },
            async (i, ct) =>
            {
                // Distinct content per object: the first 8 bytes carry its number.
                var mine = (byte[])body.Clone();
                if (mine.Length >= 8) BitConverter.TryWriteBytes(mine.AsSpan(0, 8), (long)i);
                string name = $"{prefix}{i:D7}";
                if (partSize <= 0 || size <= partSize)
                {
                    await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = name, InputStream = new MemoryStream(mine), ContentType = "application/octet-stream" }, ct);
                    return;
                }
                var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = name }, ct);
                var parts = new List<PartETag>();
                for (long offset = 0; offset < size; offset += partSize)
                {
                    int length = (int)Math.Min(partSize, size - offset);
                    var r = await s3.UploadPartAsync(new UploadPartRequest
                    {
                        BucketName = bucket, Key = name, UploadId = upload.UploadId, PartNumber = parts.Count + 1,
                        InputStream = new MemoryStream(mine, (int)offset, length), PartSize = length,
                    }, ct);
                    parts.Add(new PartETag(parts.Count + 1, r.ETag));
                }
                await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = name, UploadId = upload.UploadId, PartETags = parts }, ct);
            });
        Console.Error.WriteLine($"seeded {count} x {size} bytes into {bucket}");
        return 0;
    }

    /// <summary>
    /// A versioned bucket with a history: COUNT keys, each written VERSIONS times (other bytes each
    /// time), keys in parallel and each key's versions in order; then every third key deleted (a
    /// delete marker on top of its versions).
    /// </summary>
    public static async Task<int> SeedVersionsAsync(Uri endpoint, string bucket, int count, int versions, int size, string prefix)
    {
        using var s3 = Client(endpoint);
        try { await s3.PutBucketAsync(bucket); }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists") { }
        await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            string name = $"{prefix}{i:D7}";
            for (int v = 0; v < versions; v++)
            {
                var body = new byte[size];
                new Random(HashCode.Combine(i, v)).NextBytes(body);
                await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = name, InputStream = new MemoryStream(body), ContentType = "application/octet-stream" }, ct);
            }
            if (i % 3 == 2) await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = name }, ct);
        });
        Console.Error.WriteLine($"seeded {count} keys x {versions} versions of {size} bytes into {bucket}, every third key deleted");
        return 0;
    }
}
