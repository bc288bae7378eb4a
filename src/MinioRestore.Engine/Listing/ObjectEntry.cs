namespace MinioRestore.Engine.Listing;

/// <summary>One object as a bucket listing shows it.</summary>
public sealed record ObjectEntry(string Key, long Size, string ETag, DateTime LastModified);
