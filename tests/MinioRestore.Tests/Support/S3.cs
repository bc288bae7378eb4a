using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

namespace MinioRestore.Tests.Support;

/// <summary>Seeds and inspects buckets directly with AWSSDK.S3, independently of the code under test.</summary>
public static class S3
{
    public static AmazonS3Client Client(RgwCluster cluster) =>
        Harness.Seeder.Client(cluster.Endpoint, cluster.AccessKey, cluster.SecretKey);

    public static async Task CreateBucketAsync(IAmazonS3 s3, string bucket) =>
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket });

    public static async Task<bool> BucketExistsAsync(IAmazonS3 s3, string bucket)
    {
        try { await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 1 }); return true; }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket") { return false; }
    }

    /// <summary>Creates the bucket with one object per key, each with its own random bytes.</summary>
    public static async Task SeedAsync(IAmazonS3 s3, string bucket, params string[] keys)
    {
        await CreateBucketAsync(s3, bucket);
        for (int i = 0; i < keys.Length; i++)
            await PutAsync(s3, bucket, keys[i], RandomBytes(1000 + i, i));
    }

    public static async Task<string[]> KeysAsync(IAmazonS3 s3, string bucket) => [.. (await ListAsync(s3, bucket)).Keys];

    public static async Task PutAsync(IAmazonS3 s3, string bucket, string key, byte[] body, Action<PutObjectRequest>? configure = null)
    {
        var request = new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(body) };
        configure?.Invoke(request);
        await s3.PutObjectAsync(request);
    }

    /// <summary>Uploads in parts of <paramref name="partSize"/>, so the ETag is "md5-N" like any big backup object.</summary>
    public static async Task PutMultipartAsync(IAmazonS3 s3, string bucket, string key, byte[] body, int partSize, Action<InitiateMultipartUploadRequest>? configure = null)
    {
        var initiate = new InitiateMultipartUploadRequest { BucketName = bucket, Key = key };
        configure?.Invoke(initiate);
        var upload = await s3.InitiateMultipartUploadAsync(initiate);
        var parts = new List<PartETag>();
        for (int offset = 0, n = 1; offset < body.Length; offset += partSize, n++)
        {
            int length = Math.Min(partSize, body.Length - offset);
            var r = await s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = bucket, Key = key, UploadId = upload.UploadId, PartNumber = n,
                InputStream = new MemoryStream(body, offset, length), PartSize = length,
            });
            parts.Add(new PartETag(n, r.ETag));
        }
        await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket, Key = key, UploadId = upload.UploadId, PartETags = parts,
        });
    }

    public static async Task<byte[]> ReadAsync(IAmazonS3 s3, string bucket, string key)
    {
        using var response = await s3.GetObjectAsync(bucket, key);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>Every object: key -> (size, ETag).</summary>
    public static async Task<SortedDictionary<string, (long Size, string ETag)>> ListAsync(IAmazonS3 s3, string bucket)
    {
        var all = new SortedDictionary<string, (long, string)>(StringComparer.Ordinal);
        var request = new ListObjectsV2Request { BucketName = bucket, Encoding = EncodingType.Url };
        while (true)
        {
            var page = await s3.ListObjectsV2Async(request);
            foreach (var o in page.S3Objects ?? [])
                all[System.Net.WebUtility.UrlDecode(o.Key)] = (o.Size ?? 0, o.ETag ?? "");
            if (page.IsTruncated != true) break;
            request.ContinuationToken = page.NextContinuationToken;
        }
        return all;
    }

    /// <summary>Multipart uploads started and neither completed nor aborted.</summary>
    public static async Task<int> IncompleteUploadsAsync(IAmazonS3 s3, string bucket) => (await IncompleteUploadKeysAsync(s3, bucket)).Count;

    /// <summary>The keys of the bucket's incomplete multipart uploads.</summary>
    public static async Task<List<string>> IncompleteUploadKeysAsync(IAmazonS3 s3, string bucket)
    {
        var r = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket });
        return (r.MultipartUploads ?? []).Select(u => u.Key).ToList();
    }

    /// <summary>Source and target hold the same keys with the same bytes, read independently from both.</summary>
    public static async Task AssertSameContentAsync(IAmazonS3 source, string sourceBucket, IAmazonS3 target, string targetBucket)
    {
        var s = await ListAsync(source, sourceBucket);
        var t = await ListAsync(target, targetBucket);
        Assert.Equal(s.Keys, t.Keys);
        foreach (var key in s.Keys)
        {
            var a = await ReadAsync(source, sourceBucket, key);
            var b = await ReadAsync(target, targetBucket, key);
            Assert.True(MD5.HashData(a).AsSpan().SequenceEqual(MD5.HashData(b)), $"content of '{key}' differs");
        }
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

/// <summary>Versioned buckets: seeding history and reading it back, independently of the code under test.</summary>
public static class S3Versions
{
    public static async Task CreateVersionedBucketAsync(IAmazonS3 s3, string bucket)
    {
        await S3.CreateBucketAsync(s3, bucket);
        await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });
    }

    public static async Task DeleteAsync(IAmazonS3 s3, string bucket, string key) =>
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key });

    /// <summary>Every version and delete marker, in listing order (keys in order, each key newest first).</summary>
    public static async Task<List<S3ObjectVersion>> ListAsync(IAmazonS3 s3, string bucket)
    {
        var all = new List<S3ObjectVersion>();
        var request = new ListVersionsRequest { BucketName = bucket, Encoding = EncodingType.Url };
        while (true)
        {
            var page = await s3.ListVersionsAsync(request);
            foreach (var v in page.Versions ?? [])
            {
                if (page.Encoding == EncodingType.Url) v.Key = System.Net.WebUtility.UrlDecode(v.Key);
                all.Add(v);
            }
            if (page.IsTruncated != true) break;
            request.KeyMarker = page.Encoding == EncodingType.Url ? System.Net.WebUtility.UrlDecode(page.NextKeyMarker) : page.NextKeyMarker;
            request.VersionIdMarker = page.NextVersionIdMarker;
        }
        return all;
    }

    /// <summary>
    /// The latest LastModified in the bucket's history, then a pause, so that everything written
    /// after this call is listed strictly later (listings show seconds, or milliseconds).
    /// </summary>
    public static async Task<DateTime> InstantAfterAllAsync(IAmazonS3 s3, string bucket)
    {
        var instant = (await ListAsync(s3, bucket)).Max(v => v.LastModified!.Value.ToUniversalTime());
        await Task.Delay(TimeSpan.FromMilliseconds(1100));
        return instant;
    }
}
