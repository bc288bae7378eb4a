using System.Management.Automation;

namespace MinioRestore.PowerShell.Hosting;

/// <summary>
/// Base for cmdlets whose work runs on the thread pool (<see cref="RunOnThreadPool{T}"/>).
/// PowerShell allows Write*, ShouldProcess and friends only on the pipeline thread: work writes
/// through <see cref="Output"/>, which queues for the pipeline thread, and the Write* methods
/// below refuse, with a clear message, a call from another thread while work runs.
/// Ctrl+C (StopProcessing) cancels the work's token.
/// </summary>
public abstract class PipelineCmdlet : PSCmdlet, IDisposable
{
    private readonly PipelineDispatcher _dispatcher = new();
    private IPipelineOutput? _output;

    /// <summary>The command's streams for work on any thread, valid inside <see cref="RunOnThreadPool{T}"/>.</summary>
    internal IPipelineOutput Output => _output ??= new DispatchedOutput(this);

    protected override void StopProcessing() => _dispatcher.Stop();

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool and, until it ends, runs what it writes and
    /// <paramref name="tick"/> (progress) on the pipeline thread. Returns the work's result or rethrows its exception.
    /// </summary>
    protected T RunOnThreadPool<T>(Func<CancellationToken, Task<T>> work, Action? tick = null, TimeSpan? tickInterval = null) =>
        _dispatcher.Run(work, tick, tickInterval);

    // Cmdlet's own methods are not virtual: these hide them, so that every call from a cmdlet of
    // this module is checked for its thread.
    public new void WriteObject(object sendToPipeline) { _dispatcher.EnsurePipelineThread(nameof(WriteObject)); base.WriteObject(sendToPipeline); }
    public new void WriteObject(object sendToPipeline, bool enumerateCollection) { _dispatcher.EnsurePipelineThread(nameof(WriteObject)); base.WriteObject(sendToPipeline, enumerateCollection); }
    public new void WriteVerbose(string text) { _dispatcher.EnsurePipelineThread(nameof(WriteVerbose)); base.WriteVerbose(text); }
    public new void WriteWarning(string text) { _dispatcher.EnsurePipelineThread(nameof(WriteWarning)); base.WriteWarning(text); }
    public new void WriteError(ErrorRecord errorRecord) { _dispatcher.EnsurePipelineThread(nameof(WriteError)); base.WriteError(errorRecord); }
    public new void WriteProgress(ProgressRecord progressRecord) { _dispatcher.EnsurePipelineThread(nameof(WriteProgress)); base.WriteProgress(progressRecord); }
    public new bool ShouldProcess(string target, string action) { _dispatcher.EnsurePipelineThread(nameof(ShouldProcess)); return base.ShouldProcess(target, action); }
    public new bool ShouldContinue(string query, string caption) { _dispatcher.EnsurePipelineThread(nameof(ShouldContinue)); return base.ShouldContinue(query, caption); }

    public void Dispose()
    {
        _dispatcher.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Each call queued for the pipeline thread, where it runs as the cmdlet's own.</summary>
    private sealed class DispatchedOutput(PipelineCmdlet cmdlet) : IPipelineOutput
    {
        private readonly PipelineDispatcher _dispatcher = cmdlet._dispatcher;

        public void WriteObject(object value) => _dispatcher.Post(() => cmdlet.WriteObject(value));
        public void WriteVerbose(string message) => _dispatcher.Post(() => cmdlet.WriteVerbose(message));
        public void WriteWarning(string message) => _dispatcher.Post(() => cmdlet.WriteWarning(message));
        public void WriteError(ErrorRecord record) => _dispatcher.Post(() => cmdlet.WriteError(record));
        public void WriteProgress(ProgressRecord record) => _dispatcher.Post(() => cmdlet.WriteProgress(record));
        public Task<bool> ShouldProcessAsync(string target, string action) => AskAsync(() => cmdlet.ShouldProcess(target, action), false);

        public Task<T> AskAsync<T>(Func<T> question, T unanswered)
        {
            var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            _dispatcher.Post(() =>
            {
                try { answer.TrySetResult(question()); }
                catch (Exception e) { answer.TrySetException(e); throw; }
            });
            return answer.Task;
        }
    }
}
