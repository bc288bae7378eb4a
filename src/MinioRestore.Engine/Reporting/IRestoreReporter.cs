namespace MinioRestore.Engine.Reporting;

/// <summary>
/// The engine's only way out: every event of a restore goes through here, to the PowerShell
/// layer (or a test). Called from worker threads: implementations must be thread-safe and quick,
/// and must not call into PowerShell themselves (they hand events to the pipeline thread).
/// </summary>
public interface IRestoreReporter
{
    void Report(RestoreEvent restoreEvent);
}
