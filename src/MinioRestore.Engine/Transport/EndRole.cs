namespace MinioRestore.Engine.Transport;

/// <summary>
/// How messages name the two ends of a restore. One place, so that a listing, a copy, a removal
/// and an error explanation all say the same thing.
/// </summary>
public static class EndRole
{
    public const string Source = "S3 source";
    public const string Target = "MinIO target";
}
