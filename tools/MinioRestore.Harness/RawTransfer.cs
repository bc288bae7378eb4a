using System.Diagnostics;
using Amazon.S3;
using Amazon.S3.Model;

namespace MinioRestore.Harness;

/// <summary>
/// What the server pair can carry, measured without a copy tool in between: every object of a
/// bucket read to nowhere, and objects written from memory (multipart, parts in parallel).
/// </summary>
internal static class RawTransfer
{
    public static async Task<int> GetAllAsync(Uri endpoint, string bucket, int concurrency)
    {
        using var s3 = Seeder.Client(endpoint);
        var keys = new List<(string Key, long Size)>();
        var request = new ListObjectsV2Request { BucketName = bucket };
        ListObjectsV2Response page;
        do
        {
            page = await s3.ListObjectsV2Async(request);
            keys.AddRange((page.S3Objects ?? []).Select(o => (o.Key, o.Size ?? 0)));
            request.ContinuationToken = page.NextContinuationToken;
        } while (page.IsTruncated == true);

        var clock = Stopwatch.StartNew();
        long bytes = 0;
        // Ranged GETs of 16 MiB, many at once: the most a reader can pull from the source.
        var ranges = keys.SelectMany(k => Enumerable.Range(0, (int)Math.Max(1, (k.Size + Chunk - 1) / Chunk))
            .Select(i => (k.Key, Offset: i * Chunk, Length: Math.Min(Chunk, k.Size - i * Chunk))));
        await Parallel.ForEachAsync(ranges, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (r, ct) =>
        {
            var get = new GetObjectRequest { BucketName = bucket, Key = r.Key };
            if (r.Length > 0) get.ByteRange = new ByteRange(r.Offset, r.Offset + r.Length - 1);
            using var response = await s3.GetObjectAsync(get, ct);
            var buffer = new byte[81920];
            int n;
            while ((n = await response.ResponseStream.ReadAsync(buffer, ct)) > 0) Interlocked.Add(ref bytes, n);
        });
        Report("raw GET", bytes, clock.Elapsed);
        return 0;
    }

    public static async Task<int> PutAllAsync(Uri endpoint, string bucket, int count, long size, int concurrency)
    {
        using var s3 = Seeder.Client(endpoint);
        try { await s3.PutBucketAsync(bucket); } catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou") { }
        var part = new byte[Chunk];
        new Random(1).NextBytes(part);
        var clock = Stopwatch.StartNew();
        var uploads = new string[count];
        for (int i = 0; i < count; i++)
            uploads[i] = (await s3.InitiateMultipartUploadAsync(bucket, $"raw/{i}")).UploadId;
        int partsPer = (int)((size + Chunk - 1) / Chunk);
        var etags = new PartETag[count, partsPer];
        await Parallel.ForEachAsync(Enumerable.Range(0, count * partsPer), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (j, ct) =>
        {
            int obj = j / partsPer, p = j % partsPer;
            int length = (int)Math.Min(Chunk, size - (long)p * Chunk);
            var r = await s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = bucket, Key = $"raw/{obj}", UploadId = uploads[obj], PartNumber = p + 1,
                InputStream = new MemoryStream(part, 0, length), PartSize = length,
            }, ct);
            etags[obj, p] = new PartETag(p + 1, r.ETag);
        });
        for (int i = 0; i < count; i++)
            await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = bucket, Key = $"raw/{i}", UploadId = uploads[i],
                PartETags = Enumerable.Range(0, partsPer).Select(p => etags[i, p]).ToList(),
            });
        Report("raw PUT", (long)count * size, clock.Elapsed);
        return 0;
    }

    private const long Chunk = 16 * 1024 * 1024;

    private static void Report(string what, long bytes, TimeSpan elapsed) =>
        Console.WriteLine($"{what}: {bytes} bytes in {elapsed.TotalSeconds:0.000} s = {bytes / elapsed.TotalSeconds / 1e6:0.0} MB/s");
}
