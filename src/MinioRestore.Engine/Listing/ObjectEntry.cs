namespace MinioRestore.Engine.Listing;

/// <summary>
/// One object as a bucket listing shows it. <paramref name="VersionId"/> is set when the entry is
/// one version of the key (an -AsOf or -AllVersions listing): every read of it then names that version.
/// </summary>
public sealed record ObjectEntry(string Key, long Size, string ETag, DateTime LastModified, string? VersionId = null)
{
    /// <summary>The listing's storage class (STANDARD, GLACIER, ...), or null where the listing gives none.</summary>
    public string? StorageClass { get; init; }

    /// <summary>A delete marker of a versioned bucket (no size, no ETag): in a key's history, the key was deleted here.</summary>
    public bool IsDeleteMarker { get; init; }
}
