using System.Management.Automation;

namespace MinioRestore.PowerShell.Hosting;

/// <summary>
/// A job's streams with a bound on what lies unread in them. A job's collections have none, and
/// only Receive-Job empties them, so a job with -Verbose over millions of skipped objects would
/// otherwise hold every line until it ends. What each stream does at the bound
/// (<see cref="UnreadLimit"/> records unread):
/// <list type="bullet">
/// <item>Output (results, -PassThru's version map) is data: the writer waits until Receive-Job
/// has read some, and adds it anyway once the job is stopping, so nothing is ever lost.</item>
/// <item>Verbose lines, warnings and errors are left out and counted: a warning says so the
/// first time, and <see cref="Summarize"/> gives the numbers at the end. Waiting instead would
/// hang a job that nobody reads before it ends (Wait-Job, then Receive-Job) for as long as it
/// has more lines than the bound; the results' counts (Skipped, Failed, ...) keep every object.</item>
/// <item>Progress: only the newest records are kept (<see cref="ProgressKept"/>); an older one says nothing a newer one does not.</item>
/// </list>
/// Safe from any thread.
/// </summary>
internal sealed class JobStreams(Job job, CancellationToken stopping, int unreadLimit = JobStreams.DefaultUnreadLimit)
{
    /// <summary>Unread records per stream: some 30 to 50 MB of verbose lines, minutes of a fast restore.</summary>
    public const int DefaultUnreadLimit = 100_000;

    /// <summary>Progress records kept unread: the newest, a few per bucket.</summary>
    public const int ProgressKept = 32;

    /// <summary>How often a writer waiting for room looks again: Receive-Job empties a stream without a signal.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    private readonly object _gate = new();
    private long _verboseLeftOut, _warningsLeftOut, _errorsLeftOut;

    public int UnreadLimit { get; } = unreadLimit > 0 ? unreadLimit : throw new ArgumentOutOfRangeException(nameof(unreadLimit));

    public void WriteObject(PSObject value)
    {
        while (job.Output.Count >= UnreadLimit && !stopping.IsCancellationRequested)
            stopping.WaitHandle.WaitOne(Poll);
        job.Output.Add(value);
    }

    public void WriteVerbose(VerboseRecord record) => AddOrCount(job.Verbose, record, ref _verboseLeftOut, "verbose lines");

    public void WriteWarning(WarningRecord record) => AddOrCount(job.Warning, record, ref _warningsLeftOut, "warnings");

    public void WriteError(ErrorRecord record) => AddOrCount(job.Error, record, ref _errorsLeftOut, "errors");

    public void WriteProgress(ProgressRecord record)
    {
        lock (_gate)
        {
            try
            {
                while (job.Progress.Count >= ProgressKept) job.Progress.RemoveAt(0);
            }
            catch (ArgumentOutOfRangeException)
            {
                // Receive-Job emptied it meanwhile.
            }
            job.Progress.Add(record);
        }
    }

    private void AddOrCount<T>(PSDataCollection<T> stream, T record, ref long leftOut, string what)
    {
        lock (_gate)
        {
            // Only the writers add, under this lock; Receive-Job only takes away: the count cannot pass the bound.
            if (stream.Count < UnreadLimit)
            {
                stream.Add(record);
                return;
            }
            if (leftOut++ == 0)
                job.Warning.Add(new WarningRecord(
                    $"The job holds {UnreadLimit:N0} unread {what}: further ones are left out until Receive-Job reads them (the job goes on; its results count every object)."));
        }
    }

    /// <summary>At the end of the job: how many records were left out, per stream, if any.</summary>
    public void Summarize()
    {
        lock (_gate)
        {
            var parts = new[] { (_verboseLeftOut, "verbose lines"), (_warningsLeftOut, "warnings"), (_errorsLeftOut, "errors") }
                .Where(p => p.Item1 > 0).Select(p => $"{p.Item1:N0} {p.Item2}").ToList();
            if (parts.Count > 0)
                job.Warning.Add(new WarningRecord(
                    $"{string.Join(", ", parts)} of this job were left out: it held {UnreadLimit:N0} unread at the time. " +
                    "Read the job while it runs (Receive-Job -Wait) to get every one; the results count every object (Skipped, Failed, ...)."));
        }
    }
}
