namespace MinioRestore.Engine.Copying;

/// <summary>
/// The uniform part layouts that known S3 clients produce for an object of a given size, so a
/// restore on a server that does not tell the layout (RGW ignores <c>?partNumber=</c>) can repeat
/// the backup's layout and get its ETag back. Each client's rule, from its own source:
/// <list type="bullet">
/// <item>awscli and boto3 (s3transfer, <c>utils.py ChunksizeAdjuster._adjust_for_max_parts</c>):
///   <c>multipart_chunksize</c> (default 8 MiB, <c>manager.py TransferConfig</c>), doubled while the
///   file would need more than 10,000 parts, then clamped to 5 MiB..5 GiB.</item>
/// <item>s3cmd (<c>S3/MultiPart.py</c>, <c>S3/Config.py</c>): <c>multipart_chunk_size_mb</c> MiB
///   (default 15), never adjusted: a file needing more than <c>multipart_max_chunks</c> (10,000)
///   parts is refused (<c>S3/S3.py object_put</c>).</item>
/// <item>rclone (<c>fs/chunksize/chunksize.go Calculator</c>, the same in Debian's 1.60.1; called
///   from <c>backend/s3/s3.go</c> with <c>--s3-max-upload-parts</c> 10,000): <c>--s3-chunk-size</c>
///   (default 5 MiB) while size/chunk &lt; 10,000, else size/10,000 rounded up to a whole MiB (plus
///   one MiB when that lands exactly on 10,000 parts).</item>
/// <item>minio-go and mc (<c>api-put-object-common.go OptimalPartInfo</c>): a configured part size
///   as is; otherwise (size / 10,000, integer division) rounded up to a multiple of 16 MiB
///   (<c>minPartSize</c>).</item>
/// <item>Minio .NET SDK 7.0.0 (<c>Minio/Helper/Utils.cs CalculateMultiPartSize</c>):
///   ceil(size / 10,000) rounded up to a multiple of 16 MiB (<c>Constants.MinimumPUTPartSize</c>).</item>
/// <item>AWSSDK.S3 TransferUtility (<c>Transfer/Internal/MultipartUploadCommand.cs
///   CalculatePartSize</c>): v4 max(<c>PartSize</c> or <c>S3Constants.DefaultPartSize</c> 8 MiB,
///   ceil(size / 10,000)) (4.1.0 measured: 8 MiB parts); v3 <c>calculatePartSize</c>
///   <c>PartSize</c> if set, else max(5 MiB, ceil(size / 10,000)).</item>
/// </list>
/// Then "even" splits: size/parts rounded up to a whole MiB, and exactly.
/// </summary>
internal static class PartLayoutCandidates
{
    private const long MiB = 1024 * 1024;
    private const int MaxParts = 10_000;
    private const long MinPartSize = 5 * MiB;
    private const long MaxPartSize = 5L * 1024 * MiB;

    /// <summary>Part sizes people configure (TransferConfig, --s3-chunk-size, multipart_chunk_size_mb, PartSize), most common first.</summary>
    internal static readonly long[] ConfiguredSizes =
        [16 * MiB, 64 * MiB, 32 * MiB, 10 * MiB, 50 * MiB, 100 * MiB, 128 * MiB, 25 * MiB, 20 * MiB, 256 * MiB, 512 * MiB, 1024 * MiB, 5 * MiB, 8 * MiB, 15 * MiB];

    /// <summary>s3transfer (awscli, boto3): double the chunk size until it fits 10,000 parts, then clamp.</summary>
    internal static long S3Transfer(long size, long chunk)
    {
        while (CountFor(size, chunk) > MaxParts) chunk *= 2;
        return Math.Clamp(chunk, MinPartSize, MaxPartSize);
    }

    /// <summary>s3cmd: the configured MiB, unchanged.</summary>
    internal static long S3cmd(long size, int chunkMb = 15) => chunkMb * MiB;

    /// <summary>rclone's chunksize.Calculator with S3's 10,000 parts.</summary>
    internal static long Rclone(long size, long chunk = 5 * MiB)
    {
        long required = size / chunk;
        if (required < MaxParts || (required == MaxParts && size % chunk == 0)) return chunk;
        long min = size / MaxParts;
        if (min % MiB != 0) min += MiB - min % MiB;
        if (size / min == MaxParts && size % MaxParts != 0) min += MiB;
        return min;
    }

    /// <summary>minio-go's OptimalPartInfo without a configured part size.</summary>
    internal static long MinioGo(long size) => CeilTo(size / MaxParts, 16 * MiB);

    /// <summary>Minio .NET SDK 7.0.0's CalculateMultiPartSize.</summary>
    internal static long MinioDotnet(long size) => CeilTo((size + MaxParts - 1) / MaxParts, 16 * MiB);

    /// <summary>AWSSDK.S3 TransferUtility: v4 with its 8 MiB default or a PartSize; v3 with 5 MiB.</summary>
    internal static long TransferUtility(long size, long target = 8 * MiB) => Math.Max(target, (size + MaxParts - 1) / MaxParts);

    /// <summary>
    /// Part sizes of uniform layouts that cut <paramref name="size"/> bytes into exactly
    /// <paramref name="parts"/> parts, most likely first, without duplicates: each client's default
    /// rule, then its rule at the commonly configured sizes, then even splits.
    /// </summary>
    public static IReadOnlyList<PartLayout> For(long size, int parts)
    {
        if (parts <= 1) return [new PartLayout(size, Math.Max(size, 1), 1)];
        var sizes = new List<long>
        {
            S3Transfer(size, 8 * MiB), TransferUtility(size), MinioGo(size), MinioDotnet(size), Rclone(size), S3cmd(size), TransferUtility(size, 5 * MiB),
        };
        foreach (long configured in ConfiguredSizes)
        {
            sizes.Add(configured);                      // s3cmd, minio-go, TransferUtility, rclone below 10,000 parts
            sizes.Add(S3Transfer(size, configured));    // awscli/boto3 for big files
            sizes.Add(Rclone(size, configured));        // rclone for big files
            sizes.Add(TransferUtility(size, configured)); // TransferUtility's PartSize for big files
        }
        long even = (size + parts - 1) / parts;
        sizes.Add(CeilTo(even, MiB));
        sizes.Add(even);

        var seen = new HashSet<long>();
        var layouts = new List<PartLayout>();
        foreach (long partSize in sizes)
            if (partSize > 0 && CountFor(size, partSize) == parts && seen.Add(partSize))
                layouts.Add(new PartLayout(size, partSize, parts));
        return layouts;
    }

    private static long CeilTo(long value, long unit) => Math.Max(1, (value + unit - 1) / unit) * unit;

    private static int CountFor(long size, long partSize) => (int)Math.Min(int.MaxValue, (size + partSize - 1) / partSize);
}
