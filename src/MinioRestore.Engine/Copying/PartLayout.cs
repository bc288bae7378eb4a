namespace MinioRestore.Engine.Copying;

/// <summary>
/// How an object is cut into multipart parts. For a multipart source the restore repeats the
/// source's layout (told by the server, or found among <see cref="PartLayoutCandidates"/>), so the target's ETag equals the source's: the copy can then be verified
/// against the source ETag, and a later rerun can compare the two listings without reading.
/// </summary>
internal readonly partial record struct PartLayout(long Size, long PartSize, int Count)
{
    private const long MiB = 1024 * 1024;
    internal const long MinPartSize = 5 * MiB;
    private const int MaxParts = 10_000;
    internal const long DefaultPartSize = 16 * MiB;

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
        if (_offsets is not null) return (_offsets[index], _offsets[index + 1] - _offsets[index]);
        long offset = index * PartSize;
        return (offset, Math.Min(PartSize, Size - offset));
    }

    private static int CountFor(long size, long partSize) => (int)((size + partSize - 1) / partSize);
}
