using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;
using MinioRestore.Harness;

namespace MinioRestore.Tests.Support;

/// <summary>
/// The real PowerShell engine in-process, with the built module (out/MinioRestore) imported the
/// way a user imports it, and a host that records everything written to it (what-if lines,
/// formatted tables) besides the usual streams.
/// </summary>
public sealed class PowerShellSession : IDisposable
{
    private readonly StringWriter _hostText = new();
    private readonly Runspace _runspace;

    private readonly TextHost _host;

    /// <param name="choiceAnswer">Null: the host never prompts, as in a runbook. Else an interactive user who answers every choice prompt with this label (e.g. "&amp;Yes").</param>
    /// <param name="cmdlets">Test cmdlets to add to the session, by name.</param>
    public PowerShellSession(string? choiceAnswer = null, IReadOnlyDictionary<string, Type>? cmdlets = null)
    {
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(Repo.ModuleManifest);
        foreach (var (name, type) in cmdlets ?? new Dictionary<string, Type>())
            state.Commands.Add(new SessionStateCmdletEntry(name, type, null));
        _host = new TextHost(_hostText, choiceAnswer: choiceAnswer);
        _runspace = RunspaceFactory.CreateRunspace(_host, state);
        _runspace.Open();
    }

    public PowerShellRun Run(string script, IDictionary<string, object?>? variables = null, Action<System.Management.Automation.PowerShell>? whileRunning = null)
    {
        foreach (var (name, value) in variables ?? new Dictionary<string, object?>())
            _runspace.SessionStateProxy.SetVariable(name, value);
        lock (_hostText) _hostText.GetStringBuilder().Clear();
        _runspace.SessionStateProxy.SetVariable(TerminatingVariable, null);
        using var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = _runspace;
        // A cmdlet's terminating error only ends its statement in a script; catch it to tell it
        // apart from the non-terminating errors in the error stream.
        ps.AddScript($"try {{\n{script}\n}} catch {{ $global:{TerminatingVariable} = $_ }}");
        var output = new PSDataCollection<PSObject>();
        Exception? terminating = null;
        try
        {
            var pending = ps.BeginInvoke<PSObject, PSObject>(null, output);
            whileRunning?.Invoke(ps);
            ps.EndInvoke(pending);
        }
        catch (RuntimeException e)
        {
            terminating = e;
        }
        var caught = _runspace.SessionStateProxy.GetVariable(TerminatingVariable);
        var record = (caught as ErrorRecord ?? (caught as PSObject)?.BaseObject as ErrorRecord)
                     ?? (terminating as IContainsErrorRecord)?.ErrorRecord;
        return new PowerShellRun(
            output.ToList(), ps.Streams.Error.ToList(), ps.Streams.Warning.Select(w => w.Message).ToList(),
            ps.Streams.Verbose.Select(v => v.Message).ToList(), ps.Streams.Debug.Select(d => d.Message).ToList(),
            ps.Streams.Information.Select(i => i.ToString()).ToList(), ps.Streams.Progress.ToList(),
            HostText(), terminating, record, ps.InvocationStateInfo.State);
    }

    private string HostText() { lock (_hostText) return _hostText.ToString(); }

    /// <summary>The choice prompts the user was shown (with a choice answer given).</summary>
    public IReadOnlyList<string> Prompts => _host.Prompts;

    private const string TerminatingVariable = "__MinioRestoreTestTerminating";

    public void Dispose() => _runspace.Dispose();

}

/// <summary>Everything one pipeline produced, stream by stream.</summary>
public sealed record PowerShellRun(
    IReadOnlyList<PSObject> Output, IReadOnlyList<ErrorRecord> Errors, IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Verbose, IReadOnlyList<string> Debug, IReadOnlyList<string> Information,
    IReadOnlyList<ProgressRecord> Progress, string HostText, Exception? Terminating, ErrorRecord? TerminatingRecord, PSInvocationState State)
{
    /// <summary>Every text any stream carried, including each output object's properties and ToString().</summary>
    public string AllText()
    {
        var all = new StringBuilder(HostText);
        foreach (var o in Output)
        {
            all.AppendLine(o.ToString());
            foreach (var p in o.Properties)
            {
                object? value;
                try { value = p.Value; } catch (Exception e) { value = e.Message; }
                all.AppendLine($"{p.Name}={value}");
            }
        }
        foreach (var e in Errors.Concat(TerminatingRecord is { } t ? [t] : []))
            all.AppendLine(e.ToString()).AppendLine(e.Exception.ToString()).AppendLine(e.ErrorDetails?.Message).AppendLine(e.TargetObject?.ToString());
        foreach (var list in new[] { Warnings, Verbose, Debug, Information }) all.AppendJoin('\n', list).AppendLine();
        foreach (var p in Progress) all.AppendLine(p.StatusDescription).AppendLine(p.Activity);
        if (Terminating is not null) all.AppendLine(Terminating.ToString());
        return all.ToString();
    }

    public object? Value(int index, string property) => Output[index].Properties[property]?.Value;
}
