using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MemoryProbe;

/// <summary>One look at the process: /proc/self/status, the last GC, glibc malloc, the JIT.</summary>
public sealed record Sample(double Seconds, long RssKiB, long AnonKiB, long FileKiB, long ShmemKiB, int Threads,
    long GcCommitted, long GcHeap, long GcFragmented, long Gen2After, int Gen0s, int Gen1s, int Gen2s, long Allocated,
    long MallocArena, long MallocInUse, long MallocFree, long JitMethods, double JitSeconds);

public static partial class Probe
{
    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2 { public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost; }

    [LibraryImport("libc", EntryPoint = "mallinfo2")]
    private static partial MallInfo2 MallInfo();

    private static readonly Stopwatch Clock = new();
    private static readonly List<Sample> Samples = [];
    private static Timer? _timer;

    private static Dictionary<string, long> Status()
    {
        var fields = new Dictionary<string, long>();
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            var digits = new string(line.AsSpan(colon + 1).ToArray().Where(char.IsAsciiDigit).ToArray());
            if (digits.Length is > 0 and < 18) fields[line[..colon]] = long.Parse(digits);
        }
        return fields;
    }

    public static Sample Take()
    {
        var s = Status();
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        var m = MallInfo();
        return new Sample(Clock.Elapsed.TotalSeconds, s["VmRSS"], s["RssAnon"], s["RssFile"], s["RssShmem"], (int)s["Threads"],
            gc.TotalCommittedBytes, gc.HeapSizeBytes, gc.FragmentedBytes, gc.GenerationInfo[2].SizeAfterBytes,
            GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalAllocatedBytes(false),
            (long)m.Arena + (long)m.Hblkhd, (long)m.Uordblks + (long)m.Hblkhd, (long)m.Fordblks,
            System.Runtime.JitInfo.GetCompiledMethodCount(false), System.Runtime.JitInfo.GetCompilationTime(false).TotalSeconds);
    }

    /// <summary>Starts sampling every <paramref name="ms"/> ms (from a timer thread).</summary>
    public static void Start(int ms)
    {
        lock (Samples) Samples.Clear();
        Clock.Restart();
        _timer = new Timer(_ => { var s = Take(); lock (Samples) Samples.Add(s); }, null, 0, ms);
    }

    /// <summary>Stops sampling; the sample of the highest RSS, and the last one.</summary>
    public static (Sample Peak, Sample Last) Stop()
    {
        _timer?.Dispose();
        var last = Take();
        lock (Samples)
        {
            Samples.Add(last);
            return (Samples.MaxBy(s => s.RssKiB)!, last);
        }
    }

    private static string MB(long bytes) => (bytes / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
    private static string KMB(long kib) => (kib / 1024.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One line: a sample against the one before the restore (MB; the GC's and malloc's as they are).</summary>
    public static string Describe(Sample s, Sample before) =>
        $"rss +{KMB(s.RssKiB - before.RssKiB)} (anon +{KMB(s.AnonKiB - before.AnonKiB)}, file +{KMB(s.FileKiB - before.FileKiB)}, shmem +{KMB(s.ShmemKiB - before.ShmemKiB)}) " +
        $"gc-committed {MB(s.GcCommitted)} gc-heap {MB(s.GcHeap)} gen2-after {MB(s.Gen2After)} gcs {s.Gen0s - before.Gen0s}/{s.Gen1s - before.Gen1s}/{s.Gen2s - before.Gen2s} " +
        $"malloc {MB(s.MallocArena)} (in use {MB(s.MallocInUse)}, free {MB(s.MallocFree)}; before {MB(before.MallocArena)}/{MB(before.MallocInUse)}/{MB(before.MallocFree)}) " +
        $"jit +{s.JitMethods - before.JitMethods} methods {(s.JitSeconds - before.JitSeconds).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} s " +
        $"allocated {MB(s.Allocated - before.Allocated)} threads {s.Threads}";
}
