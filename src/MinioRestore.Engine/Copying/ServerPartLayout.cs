namespace MinioRestore.Engine.Copying;

/// <summary>
/// What a <c>HEAD ?partNumber=N</c> answer says about a multipart object's layout. Amazon S3 and
/// MinIO answer with the part's Content-Length, <c>Content-Range: bytes first-last/total</c> and
/// <c>x-amz-mp-parts-count</c>; RGW 16 ignores the parameter and answers for the whole object,
/// without a parts count (measured), so there the layout stays unknown.
/// </summary>
internal static class ServerPartLayout
{
    /// <summary>The object's total size from a Content-Range header, or null without one.</summary>
    public static long? TotalFromContentRange(string? contentRange)
    {
        if (string.IsNullOrEmpty(contentRange)) return null;
        int slash = contentRange.LastIndexOf('/');
        return slash >= 0 && long.TryParse(contentRange.AsSpan(slash + 1), out long total) ? total : null;
    }

    /// <summary>True when the answer is about one part of an object of <paramref name="parts"/> parts, as the listing's ETag says.</summary>
    public static bool TellsParts(int? partsCount, int parts) => partsCount == parts;

    /// <summary>
    /// The uniform layout whose first part is <paramref name="firstPart"/> bytes, when that is
    /// consistent with the object's size and part count; null when the parts must be unequal
    /// (then each part's length has to be asked for).
    /// </summary>
    public static PartLayout? UniformFromFirstPart(long size, int parts, long firstPart)
    {
        if (firstPart <= 0 || firstPart > size) return null;
        long count = (size + firstPart - 1) / firstPart;
        return count == parts ? new PartLayout(size, firstPart, parts) : null;
    }
}
