namespace MinioRestore.Engine.Listing;

/// <summary>
/// -AsOf: the instant whose backup state is restored or compared. A time without an offset
/// (DateTimeKind.Unspecified) is local time, as PowerShell's [datetime] gives it.
/// </summary>
public sealed record PointInTime
{
    public PointInTime(DateTime asOf) => Utc = asOf.ToUniversalTime();

    /// <summary>The instant, in UTC; versions modified at it belong to the state.</summary>
    public DateTime Utc { get; }

    /// <summary>Versions per ListObjectVersions page; tests make it small to put delete markers on page boundaries.</summary>
    internal int PageSize { get; init; } = VersionLister.DefaultPageSize;

    public override string ToString() => Utc.ToString("yyyy-MM-dd HH:mm:ss.FFF 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}
