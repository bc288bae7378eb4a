using System.Collections.Concurrent;
using MinioRestore.Engine.Reporting;

namespace MinioRestore.Tests.Support;

/// <summary>Keeps every event the engine reports, for assertions.</summary>
public sealed class RecordingReporter : IRestoreReporter
{
    private readonly ConcurrentQueue<RestoreEvent> _events = new();
    public IReadOnlyList<RestoreEvent> Events => _events.ToList();
    public void Report(RestoreEvent restoreEvent) => _events.Enqueue(restoreEvent);
    public IEnumerable<RestoreEvent> Of(RestoreEventKind kind) => _events.Where(e => e.Kind == kind);
}
