using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace MinioRestore.Harness;

/// <summary>
/// A PowerShell host whose UI writes to a TextWriter: the console for the demo and benchmarks,
/// a StringWriter in tests (what-if lines and formatted tables go through the host UI).
/// Writes plain text (no ANSI colours). Never prompts: prompting in an unattended run is an error,
/// unless <paramref name="choiceAnswer"/> scripts a user who answers every choice prompt (ShouldContinue,
/// -Confirm) with the choice of that label, e.g. "&amp;Yes".
/// </summary>
public sealed class TextHost(TextWriter writer, bool showProgress = false, string? choiceAnswer = null) : PSHost
{
    private readonly TextUI _ui = new(writer, showProgress, choiceAnswer);

    /// <summary>The messages of the choice prompts answered so far.</summary>
    public IReadOnlyList<string> Prompts => _ui.Prompts;

    public override string Name => "MinioRestore.Harness";
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

    private sealed class TextUI(TextWriter writer, bool showProgress, string? choiceAnswer) : PSHostUserInterface
    {
        private readonly TextRawUI _raw = new();
        private readonly List<string> _prompts = [];
        public IReadOnlyList<string> Prompts { get { lock (_prompts) return [.. _prompts]; } }
        private DateTime _lastProgress;
        // Plain text: PowerShell's OutputRendering only strips colours for its own console host.
        private void Append(string s) { lock (writer) writer.Write(Ansi.Replace(s, "")); }
        private static readonly System.Text.RegularExpressions.Regex Ansi = new("\x1b\\[[0-9;]*[A-Za-z]", System.Text.RegularExpressions.RegexOptions.Compiled);
        public override PSHostRawUserInterface RawUI => _raw;
        public override void Write(string value) => Append(value);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Append(value);
        public override void WriteLine(string value) => Append(value + "\n");
        public override void WriteErrorLine(string value) => Append("ERROR: " + value + "\n");
        public override void WriteDebugLine(string message) => Append("DEBUG: " + message + "\n");
        public override void WriteVerboseLine(string message) => Append("VERBOSE: " + message + "\n");
        public override void WriteWarningLine(string message) => Append("WARNING: " + message + "\n");
        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
            if (!showProgress || record.RecordType == ProgressRecordType.Completed || DateTime.UtcNow - _lastProgress < TimeSpan.FromSeconds(1)) return;
            _lastProgress = DateTime.UtcNow;
            Append($"[{record.Activity}] {record.StatusDescription}\n");
        }
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw Unattended();
        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            if (choiceAnswer is null) throw Unattended();
            lock (_prompts) _prompts.Add(message);
            int index = choices.ToList().FindIndex(c => c.Label == choiceAnswer);
            return index >= 0 ? index : throw new InvalidOperationException($"No choice '{choiceAnswer}' among {string.Join(", ", choices.Select(c => c.Label))}.");
        }
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw Unattended();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw Unattended();
        public override string ReadLine() => throw Unattended();
        public override SecureString ReadLineAsSecureString() => throw Unattended();
        private static NotSupportedException Unattended() => new("This host runs unattended and cannot prompt.");
    }

    private sealed class TextRawUI : PSHostRawUserInterface
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
