namespace MinioRestore.Engine.Listing;

/// <summary>One object as a bucket listing shows it.</summary>
public sealed record ObjectEntry(string Key, long Size, string ETag, DateTime LastModified)
{
    /// <summary>The listing's storage class (STANDARD, GLACIER, ...), or null where the listing gives none.</summary>
    public string? StorageClass { get; init; }
}
