namespace MinioRestore.Engine.Copying;

/// <summary>
/// How an object is cut into multipart parts. For a multipart source the restore repeats the
/// source's layout, so the target's ETag equals the source's: the copy can then be verified
/// against the source ETag, and a later rerun can compare the two listings without reading.
/// </summary>
internal readonly record struct PartLayout(long Size, long PartSize, int Count)
{
    private const long MiB = 1024 * 1024;
    internal const long MinPartSize = 5 * MiB;
    private const int MaxParts = 10_000;
    internal const long DefaultPartSize = 16 * MiB;

    // Part sizes of common uploaders: aws cli/boto3 8 MiB, mc/minio-go 16 MiB, rclone 5 MiB, ...
    private static readonly long[] CommonPartSizes =
        [8 * MiB, 16 * MiB, 5 * MiB, 10 * MiB, 15 * MiB, 32 * MiB, 50 * MiB, 64 * MiB, 100 * MiB, 128 * MiB, 256 * MiB, 512 * MiB, 1024 * MiB];

    /// <summary>
    /// The most likely layout of a source uploaded in <paramref name="parts"/> equal parts. S3 does
    /// not list part sizes (and not every server answers GET ?partNumber=), so this is a best
    /// guess; the composite ETag check tells whether it was right.
    /// </summary>
    public static PartLayout ForSource(long size, int parts)
    {
        if (parts <= 1) return new(size, Math.Max(size, 1), 1);
        foreach (long p in CommonPartSizes)
            if (CountFor(size, p) == parts) return new(size, p, parts);
        long even = (size + parts - 1) / parts;
        long roundedToMiB = (even + MiB - 1) / MiB * MiB;
        long partSize = CountFor(size, roundedToMiB) == parts ? roundedToMiB : even;
        return new(size, partSize, CountFor(size, partSize));
    }

    /// <summary>Our own layout, for sources whose ETag is not a content hash.</summary>
    public static PartLayout Own(long size)
    {
        long partSize = DefaultPartSize;
        while (CountFor(size, partSize) > MaxParts) partSize *= 2;
        return new(size, partSize, Math.Max(1, CountFor(size, partSize)));
    }

    /// <summary>
    /// The layout of a copy whose backup layout could not be reproduced: ours, but never with the
    /// backup's part count, so a rerun tells it (unverified) from a proven copy (the same count
    /// and ETag) and from a differing object (the same count, another ETag).
    /// </summary>
    public static PartLayout ForUnverifiedCopy(long size, int sourceParts)
    {
        var own = Own(size);
        for (long partSize = own.PartSize; own.Count == sourceParts && own.Count > 1; partSize *= 2)
            own = new(size, partSize, CountFor(size, partSize));
        return own;
    }

    public (long Offset, long Length) Part(int index)
    {
        long offset = index * PartSize;
        return (offset, Math.Min(PartSize, Size - offset));
    }

    private static int CountFor(long size, long partSize) => (int)((size + partSize - 1) / partSize);
}
