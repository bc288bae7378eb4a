using System.Diagnostics;
using System.Management.Automation;
using MinioRestore.Engine.Reporting;

namespace MinioRestore.PowerShell.Reporting;

/// <summary>Turns the engine's live counters into Write-Progress records: objects, bytes and rate.</summary>
/// <param name="unit">What is counted: objects, or with -AllVersions versions (and delete markers).</param>
internal sealed class ProgressMeter(int activityId, string activity, string unit = "objects")
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public ProgressRecord Update(RestoreProgress p)
    {
        double seconds = Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        long bytes = p.TransferredBytes;
        string totals = p.ListingComplete ? "" : " (still listing)";
        var record = new ProgressRecord(activityId, activity,
            $"{p.Done:N0} of {p.ToCopy:N0} {unit}, {Size(bytes)} of {Size(p.ToCopyBytes)}{totals}, {Size((long)(bytes / seconds))}/s; {p.Listed:N0} listed")
        {
            PercentComplete = p.ToCopyBytes > 0 ? (int)Math.Clamp(100 * bytes / p.ToCopyBytes, 0, 100)
                : p.ToCopy > 0 ? (int)Math.Clamp(100 * p.Done / p.ToCopy, 0, 100) : 0,
        };
        if (p.ListingComplete && bytes > 0 && p.ToCopyBytes > bytes)
            record.SecondsRemaining = (int)((p.ToCopyBytes - bytes) / (bytes / seconds));
        return record;
    }

    public ProgressRecord Complete() => new(activityId, activity, "Done") { RecordType = ProgressRecordType.Completed };

    internal static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };
}
