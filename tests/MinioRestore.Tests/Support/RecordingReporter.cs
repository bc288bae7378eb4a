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

    /// <summary>Fails the test when any object or bucket failed, naming each failure and its cause.</summary>
    public void AssertNoFailures()
    {
        var failures = Of(RestoreEventKind.ObjectFailed).Concat(Of(RestoreEventKind.BucketFailed)).ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures.Select(f => $"{f.Message} <- {f.Failure?.InnerException}")));
    }
}
