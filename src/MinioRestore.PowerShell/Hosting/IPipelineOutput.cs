using System.Management.Automation;

namespace MinioRestore.PowerShell.Hosting;

/// <summary>
/// The one way work running off the pipeline thread reaches PowerShell (as PSScriptAnalyzer's
/// IOutputWriter): output, verbose lines, warnings, errors, progress, -WhatIf lines and
/// questions. Every member is safe from any thread. A cmdlet's implementation
/// (<see cref="PipelineCmdlet.Output"/>) queues each call for the pipeline thread, the only one
/// where PowerShell allows Write* and ShouldProcess; a job's (RestoreJob) adds to its
/// thread-safe streams and asks nobody.
/// </summary>
internal interface IPipelineOutput
{
    void WriteObject(object value);
    void WriteVerbose(string message);
    void WriteWarning(string message);
    void WriteError(ErrorRecord record);
    void WriteProgress(ProgressRecord record);

    /// <summary>ShouldProcess for one operation: the -WhatIf line, or the -Confirm question; true to go ahead.</summary>
    Task<bool> ShouldProcessAsync(string target, string action);

    /// <summary>
    /// Runs <paramref name="question"/> (ShouldProcess, ShouldContinue, ...) on the pipeline thread
    /// and answers what it returns; where nobody can be asked (a job), answers <paramref name="unanswered"/>.
    /// </summary>
    Task<T> AskAsync<T>(Func<T> question, T unanswered);
}
