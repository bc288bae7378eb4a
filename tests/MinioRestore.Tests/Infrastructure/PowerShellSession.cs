using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Security;
using System.Text;

namespace MinioRestore.Tests.Infrastructure;

/// <summary>
/// The real PowerShell engine in-process, with the built module (out/MinioRestore) imported the
/// way a user imports it, and a host that records everything written to it (what-if lines,
/// formatted tables) besides the usual streams.
/// </summary>
public sealed class PowerShellSession : IDisposable
{
    private readonly CaptureHost _host = new();
    private readonly Runspace _runspace;

    public PowerShellSession()
    {
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(Repo.ModuleManifest);
        _runspace = RunspaceFactory.CreateRunspace(_host, state);
        _runspace.Open();
    }

    public PowerShellRun Run(string script, IDictionary<string, object?>? variables = null, Action<System.Management.Automation.PowerShell>? whileRunning = null)
    {
        foreach (var (name, value) in variables ?? new Dictionary<string, object?>())
            _runspace.SessionStateProxy.SetVariable(name, value);
        _host.Clear();
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
            _host.Text, terminating, record, ps.InvocationStateInfo.State);
    }

    private const string TerminatingVariable = "__MinioRestoreTestTerminating";

    public void Dispose() => _runspace.Dispose();

    private sealed class CaptureHost : PSHost
    {
        private readonly CaptureUI _ui = new();
        public string Text => _ui.Text;
        public void Clear() => _ui.Clear();
        public override string Name => "MinioRestore.Tests";
        public override Version Version => new(1, 0);
        public override Guid InstanceId { get; } = Guid.NewGuid();
        public override PSHostUserInterface UI => _ui;
        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
        public override void SetShouldExit(int exitCode) { }
        public override void EnterNestedPrompt() => throw new NotSupportedException();
        public override void ExitNestedPrompt() => throw new NotSupportedException();
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
    }

    private sealed class CaptureUI : PSHostUserInterface
    {
        private readonly StringBuilder _text = new();
        private readonly CaptureRawUI _raw = new();
        public string Text { get { lock (_text) return _text.ToString(); } }
        public void Clear() { lock (_text) _text.Clear(); }
        private void Append(string s) { lock (_text) _text.Append(s); }
        public override PSHostRawUserInterface RawUI => _raw;
        public override void Write(string value) => Append(value);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Append(value);
        public override void WriteLine(string value) => Append(value + "\n");
        public override void WriteErrorLine(string value) => Append("ERROR: " + value + "\n");
        public override void WriteDebugLine(string message) => Append("DEBUG: " + message + "\n");
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override void WriteVerboseLine(string message) => Append("VERBOSE: " + message + "\n");
        public override void WriteWarningLine(string message) => Append("WARNING: " + message + "\n");
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw new NotSupportedException("no prompts in tests");
        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) => throw new NotSupportedException("no prompts in tests");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException("no prompts in tests");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException("no prompts in tests");
        public override string ReadLine() => throw new NotSupportedException("no prompts in tests");
        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException("no prompts in tests");
    }

    private sealed class CaptureRawUI : PSHostRawUserInterface
    {
        public override ConsoleColor BackgroundColor { get; set; }
        public override ConsoleColor ForegroundColor { get; set; }
        public override Size BufferSize { get; set; } = new(160, 1000);
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; }
        public override bool KeyAvailable => false;
        public override Size MaxPhysicalWindowSize => new(160, 1000);
        public override Size MaxWindowSize => new(160, 1000);
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get; set; } = new(160, 1000);
        public override string WindowTitle { get; set; } = "";
        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
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
