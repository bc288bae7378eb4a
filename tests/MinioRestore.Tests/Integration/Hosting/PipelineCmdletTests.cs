using System.Management.Automation;
using MinioRestore.PowerShell.Hosting;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Hosting;

/// <summary>
/// PipelineCmdlet in real PowerShell, through a tiny cmdlet of its own: what work on the thread
/// pool writes reaches the streams in order from the pipeline thread, a direct Write* from a
/// worker is refused, Stop-style cancellation waits for the cleanup, and exceptions and results
/// come back.
/// </summary>
public sealed class PipelineCmdletTests : IDisposable
{
    private readonly PowerShellSession _ps = new(cmdlets: new Dictionary<string, Type> { ["Test-PipelineProbe"] = typeof(TestPipelineProbeCommand) });

    public void Dispose() => _ps.Dispose();

    [Fact]
    public void Work_writes_through_Output_and_every_call_runs_on_the_pipeline_thread_in_order()
    {
        var run = _ps.Run("Test-PipelineProbe -Mode Order -Verbose");

        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Errors);
        string pipeline = (string)run.Output[0].BaseObject;
        Assert.StartsWith("pipeline:", pipeline);
        Assert.Equal(Enumerable.Range(0, 100), run.Output.Skip(1).Take(100).Select(o => (int)o.BaseObject));
        Assert.Equal("answered on " + pipeline, (string)run.Output[101].BaseObject);
        Assert.Equal(42, (int)run.Output[102].BaseObject);
        Assert.Equal(["from a worker"], run.Verbose);
        Assert.Equal(["warned"], run.Warnings);
        Assert.Contains(run.Progress, p => p.Activity == "probe");
    }

    [Fact]
    public void A_Write_from_a_worker_thread_is_refused_and_says_why()
    {
        var run = _ps.Run("Test-PipelineProbe -Mode WriteFromWorker");

        Assert.NotNull(run.TerminatingRecord);
        Assert.IsType<InvalidOperationException>(run.TerminatingRecord!.Exception);
        Assert.Contains("WriteObject was called on thread", run.TerminatingRecord.Exception.Message);
        Assert.Contains("only the pipeline thread", run.TerminatingRecord.Exception.Message);
        Assert.DoesNotContain(run.Output, o => "never".Equals(o.BaseObject));
    }

    [Fact]
    public void An_exception_in_the_work_surfaces_as_the_command_error()
    {
        var run = _ps.Run("Test-PipelineProbe -Mode Throw");

        Assert.IsType<InvalidDataException>(run.TerminatingRecord?.Exception);
        Assert.Equal("boom", run.TerminatingRecord!.Exception.Message);
    }

    [Fact]
    public void Stopping_the_pipeline_cancels_the_work_token_and_returns_after_the_cleanup()
    {
        var probe = new Probe();

        var run = _ps.Run("Test-PipelineProbe -Mode Stop -Probe $probe", new Dictionary<string, object?> { ["probe"] = probe }, ps =>
        {
            Assert.True(probe.Started.Wait(TimeSpan.FromSeconds(30)));
            ps.Stop();
        });

        Assert.Equal(PSInvocationState.Stopped, run.State);
        Assert.True(probe.Cancelled);
        Assert.True(probe.CleanedUp, "Stop returned before the work had cleaned up");
        Assert.Empty(run.Output);
    }

    public sealed class Probe
    {
        public ManualResetEventSlim Started { get; } = new();
        public volatile bool Cancelled;
        public volatile bool CleanedUp;
    }

    [Cmdlet(VerbsDiagnostic.Test, "PipelineProbe")]
    public sealed class TestPipelineProbeCommand : PipelineCmdlet
    {
        [Parameter(Mandatory = true)]
        public string Mode { get; set; } = "";

        [Parameter]
        public Probe? Probe { get; set; }

        protected override void ProcessRecord()
        {
            switch (Mode)
            {
                case "Order":
                    WriteObject($"pipeline:{Environment.CurrentManagedThreadId}");
                    int result = RunOnThreadPool(async _ =>
                    {
                        for (int i = 0; i < 100; i++)
                        {
                            await Task.Yield();
                            Output.WriteObject(i);
                        }
                        Output.WriteVerbose("from a worker");
                        Output.WriteWarning("warned");
                        Output.WriteProgress(new ProgressRecord(1, "probe", "working"));
                        int answeredOn = await Output.AskAsync(() => Environment.CurrentManagedThreadId, -1);
                        Output.WriteObject($"answered on pipeline:{answeredOn}");
                        return 42;
                    });
                    WriteObject(result);
                    break;
                case "WriteFromWorker":
                    RunOnThreadPool(async _ =>
                    {
                        await Task.Yield();
                        WriteObject("never");
                        return 0;
                    });
                    break;
                case "Throw":
                    RunOnThreadPool<int>(async _ =>
                    {
                        await Task.Yield();
                        throw new InvalidDataException("boom");
                    });
                    break;
                case "Stop":
                    RunOnThreadPool(async cancel =>
                    {
                        try
                        {
                            Probe!.Started.Set();
                            await Task.Delay(Timeout.Infinite, cancel);
                        }
                        catch (OperationCanceledException)
                        {
                            Probe!.Cancelled = true;
                            throw;
                        }
                        finally
                        {
                            await Task.Delay(300, CancellationToken.None); // as aborting open uploads takes a moment
                            Probe!.CleanedUp = true;
                        }
                        return 0;
                    });
                    WriteObject("not after a stop");
                    break;
            }
        }
    }
}
