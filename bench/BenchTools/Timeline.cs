using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Transport;

/// <summary>
/// Where a restore's time goes: every HTTP request the engine starts, by end and kind, with its
/// start and end relative to the restore's start (System.Net.Http's EventSource: no engine change).
/// Kinds are told by the request line: the event carries no method, so GET and HEAD share "read".
/// </summary>
internal sealed class Timeline : EventListener
{
    private readonly ConcurrentDictionary<Guid, (double Start, string What)> _open = new();
    private readonly ConcurrentBag<(double Start, double End, string What)> _done = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<int, string> _ends;

    private Timeline(Dictionary<int, string> ends) => _ends = ends;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "System.Net.Http") EnableEvents(source, EventLevel.Informational);
        else if (source.Name == "System.Threading.Tasks.TplEventSource") EnableEvents(source, EventLevel.LogAlways, (EventKeywords)0x80); // TasksFlowActivityIds
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        double now = _clock.Elapsed.TotalMilliseconds;
        if (e.EventName == "RequestStart")
        {
            int port = Convert.ToInt32(e.Payload![2]);
            string path = (string)e.Payload[3]!;
            _open[e.ActivityId] = (now, $"{(_ends.TryGetValue(port, out var end) ? end : port.ToString())} {Kind(path)}");
        }
        else if (e.EventName is "RequestStop" or "RequestFailed" && _open.TryRemove(e.ActivityId, out var open))
            _done.Add((open.Start, now, open.What + (e.EventName == "RequestFailed" ? " (failed)" : "")));
    }

    private static string Kind(string path)
    {
        if (path.Contains("uploads")) return path.Contains("?uploads") ? "start upload" : "list uploads";
        if (path.Contains("partNumber=") && path.Contains("uploadId=")) return "upload part";
        if (path.Contains("uploadId=")) return "complete/abort";
        if (path.Contains("list-type=") || path.Contains("versions")) return "list";
        if (path.Contains("tagging")) return "tagging";
        if (path.Contains("partNumber=")) return "read part-numbered";
        int slashes = path.Split('?')[0].Trim('/').Split('/').Length;
        return slashes <= 1 ? "bucket request" : "read/write object";
    }

    public static async Task<int> RunAsync(S3Endpoint source, S3Endpoint target, string bucket, string into, int runs)
    {
        var ends = new Dictionary<int, string> { [source.Url.Port] = "source", [target.Url.Port] = "target" };
        using var restorer = new Restorer(source, target);
        for (int run = 1; run <= runs; run++)
        {
            using var timeline = new Timeline(ends);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var result = await restorer.RestoreAsync(new RestoreOptions(bucket, $"{into}-{run}"), new Silent(), null, CancellationToken.None);
            double wall = timeline._clock.Elapsed.TotalMilliseconds;
            Console.WriteLine($"run {run}: {result.Status}, {result.Copied} copied, {wall:0} ms, cpu {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds:0} ms");
            foreach (var g in timeline._done.GroupBy(d => d.What).OrderBy(g => g.Min(d => d.Start)))
                Console.WriteLine($"  {g.Key,-32} {g.Count(),5} x  first start {g.Min(d => d.Start),7:0} ms  last end {g.Max(d => d.End),7:0} ms  median {Median(g.Select(d => d.End - d.Start)),7:0.0} ms");
        }
        return 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length == 0 ? 0 : v[v.Length / 2];
    }
}
