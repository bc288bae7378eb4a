using System.Management.Automation;
using MinioRestore.PowerShell.Hosting;

namespace MinioRestore.Tests.Unit.Hosting;

/// <summary>
/// A job's streams stay bounded while nobody reads them (-AsJob -Verbose over millions of
/// skipped objects): output waits for the reader, verbose lines, warnings and errors past the
/// bound are left out and said to be, progress keeps only its newest records.
/// </summary>
public sealed class JobStreamsTests : IDisposable
{
    private sealed class BareJob() : Job("test")
    {
        public override bool HasMoreData => false;
        public override string Location => "";
        public override string StatusMessage => "";
        public override void StopJob() { }
    }

    private readonly BareJob _job = new();
    private readonly CancellationTokenSource _stopping = new();

    public void Dispose()
    {
        _job.Dispose();
        _stopping.Dispose();
    }

    [Fact]
    public void Verbose_lines_past_the_bound_are_left_out_said_once_and_counted_at_the_end_and_flow_again_once_read()
    {
        var streams = new JobStreams(_job, _stopping.Token, unreadLimit: 100);
        for (int i = 0; i < 250; i++) streams.WriteVerbose(new VerboseRecord($"Skipped 'k{i}'"));

        Assert.Equal(100, _job.Verbose.Count);
        Assert.Equal("Skipped 'k99'", _job.Verbose[99].Message);
        var note = Assert.Single(_job.Warning);
        Assert.Contains("holds 100 unread verbose lines", note.Message);

        // Receive-Job empties the stream: lines are taken again.
        Assert.Equal(100, _job.Verbose.ReadAll().Count);
        streams.WriteVerbose(new VerboseRecord("Skipped 'after'"));
        Assert.Equal("Skipped 'after'", Assert.Single(_job.Verbose).Message);

        streams.Summarize();
        Assert.Equal(2, _job.Warning.Count);
        Assert.Contains("150 verbose lines of this job were left out", _job.Warning[1].Message);
    }

    [Fact]
    public void Errors_and_warnings_are_bounded_each_on_its_own()
    {
        var streams = new JobStreams(_job, _stopping.Token, unreadLimit: 10);
        for (int i = 0; i < 30; i++)
        {
            streams.WriteError(new ErrorRecord(new InvalidOperationException($"e{i}"), "ObjectCopyFailed", ErrorCategory.WriteError, null));
            streams.WriteWarning(new WarningRecord($"w{i}"));
        }
        Assert.Equal(10, _job.Error.Count);
        // Ten warnings, then one note per stream that filled (the note itself may pass the bound: two at most).
        Assert.Equal(12, _job.Warning.Count);
        streams.Summarize();
        Assert.Contains("20 warnings, 20 errors of this job were left out", _job.Warning[^1].Message);
    }

    [Fact]
    public void Nothing_left_out_says_nothing()
    {
        var streams = new JobStreams(_job, _stopping.Token, unreadLimit: 10);
        for (int i = 0; i < 10; i++) streams.WriteVerbose(new VerboseRecord($"v{i}"));
        streams.Summarize();
        Assert.Empty(_job.Warning);
        Assert.Equal(10, _job.Verbose.Count);
    }

    [Fact]
    public async Task Output_past_the_bound_waits_for_the_reader_and_loses_nothing()
    {
        var streams = new JobStreams(_job, _stopping.Token, unreadLimit: 10);
        var writer = Task.Run(() =>
        {
            for (int i = 0; i < 35; i++) streams.WriteObject(PSObject.AsPSObject(i));
        });
        var read = new List<int>();
        while (!writer.IsCompleted)
        {
            await Task.Delay(100);
            Assert.InRange(_job.Output.Count, 0, 10); // never more unread than the bound
            if (!writer.IsCompleted && _job.Output.Count < 10) continue;
            read.AddRange(_job.Output.ReadAll().Select(o => (int)o.BaseObject));
        }
        await writer;
        read.AddRange(_job.Output.ReadAll().Select(o => (int)o.BaseObject));
        Assert.Equal(Enumerable.Range(0, 35), read);
    }

    [Fact]
    public async Task A_stopping_job_adds_its_output_without_waiting()
    {
        var streams = new JobStreams(_job, _stopping.Token, unreadLimit: 2);
        streams.WriteObject(PSObject.AsPSObject(1));
        streams.WriteObject(PSObject.AsPSObject(2));
        var blocked = Task.Run(() => streams.WriteObject(PSObject.AsPSObject(3)));
        await Task.Delay(200);
        Assert.False(blocked.IsCompleted);
        _stopping.Cancel();
        await blocked.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([1, 2, 3], _job.Output.Select(o => (int)o.BaseObject));
    }

    [Fact]
    public void Progress_keeps_only_its_newest_records()
    {
        var streams = new JobStreams(_job, _stopping.Token);
        for (int i = 0; i < 10_000; i++) streams.WriteProgress(new ProgressRecord(1, "Restoring", $"{i} done"));
        Assert.Equal(JobStreams.ProgressKept, _job.Progress.Count);
        Assert.Equal("9999 done", _job.Progress[^1].StatusDescription);
    }
}
