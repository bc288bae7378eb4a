using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MinioRestore.Engine.Errors;

namespace MinioRestore.Engine.Restoring;

/// <summary>
/// What a run is, as far as its checkpoint goes: two runs that agree on all of it agree on which
/// keys are done, so one may resume the other. Options that do not change which keys are done
/// (concurrency, retries, storage class, -Remove) are not in it.
/// </summary>
internal sealed record CheckpointRun(
    string SourceEndpoint, string TargetEndpoint, string SourceBucket, string TargetBucket,
    string? Prefix, IReadOnlyList<string> Include, IReadOnlyList<string> Exclude,
    DateTime? NewerThan, DateTime? OlderThan, DateTime? AsOf, bool Overwrite, bool AllVersions,
    int ShardIndex, int ShardCount)
{
    public static CheckpointRun Of(RestoreOptions options, string sourceEndpoint, string targetEndpoint) => new(
        sourceEndpoint, targetEndpoint, options.SourceBucket, options.TargetBucket,
        options.Filter.Prefix, options.Filter.IncludePatterns.ToList(), options.Filter.ExcludePatterns.ToList(),
        options.Filter.NewerThan, options.Filter.OlderThan, options.AsOf?.Utc, options.Overwrite, options.AllVersions,
        options.Shard?.Index ?? 0, options.Shard?.Count ?? 1);

    /// <summary>The fields as the file holds them, in a fixed order.</summary>
    public IEnumerable<(string Name, string Words, string? Value)> Fields()
    {
        yield return ("sourceEndpoint", "S3 source endpoint", SourceEndpoint);
        yield return ("targetEndpoint", "MinIO target endpoint", TargetEndpoint);
        yield return ("sourceBucket", "backup bucket", SourceBucket);
        yield return ("targetBucket", "target bucket", TargetBucket);
        yield return ("prefix", "-Prefix", Prefix);
        yield return ("include", "-Include", Include.Count == 0 ? null : string.Join(",", Include));
        yield return ("exclude", "-Exclude", Exclude.Count == 0 ? null : string.Join(",", Exclude));
        yield return ("newerThan", "-NewerThan", Time(NewerThan));
        yield return ("olderThan", "-OlderThan", Time(OlderThan));
        yield return ("asOf", "-AsOf", Time(AsOf));
        yield return ("overwrite", "-Overwrite", Overwrite ? "true" : null);
        // A history's mark is a key as well (every version of the keys up to it is done), but the two marks are not interchangeable.
        yield return ("allVersions", "-AllVersions", AllVersions ? "true" : null);
        yield return ("shard", "shard", ShardCount == 1 ? null : $"{ShardIndex}/{ShardCount}");
    }

    private static string? Time(DateTime? utc) => utc?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}

/// <summary>
/// -CheckpointPath: the file that lets a rerun start both listings after the last key up to
/// which everything was done (ListObjectsV2 StartAfter, ListObjectVersions KeyMarker; with
/// -AllVersions the last key whose whole history is done), so that
/// nothing done is listed and checked again. JSON, written atomically (a temporary file in the
/// same folder, flushed to disk, renamed over the old one), so a kill at any moment leaves the
/// old checkpoint or the new one, never half of one. The file also says what the run is
/// (<see cref="CheckpointRun"/>): a checkpoint of another run is refused before anything is
/// written, and a finished run's checkpoint makes the next run a full pass (which rewrites it).
/// </summary>
internal sealed class Checkpoint
{
    public const int FormatVersion = 1;
    private readonly CheckpointRun _run;

    private Checkpoint(string path, CheckpointRun run, string? resumeAfter, bool wasFinished)
    {
        Path = path;
        _run = run;
        ResumeAfter = resumeAfter;
        WasFinished = wasFinished;
    }

    public string Path { get; }

    /// <summary>The key after which this run starts both listings, or null: from the start.</summary>
    public string? ResumeAfter { get; }

    /// <summary>The file was a finished run's: this run is a full pass.</summary>
    public bool WasFinished { get; }

    /// <summary>
    /// Reads the checkpoint at <paramref name="path"/>, if any, and checks it is this run's.
    /// Writes nothing: a refused checkpoint stays as it was.
    /// </summary>
    public static Checkpoint Open(string path, CheckpointRun run)
    {
        if (!File.Exists(path)) return new Checkpoint(path, run, null, false);
        JsonObject file;
        try
        {
            file = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, e.Message, e);
        }
        if (file["tool"]?.GetValue<string>() != "MinioRestore" || file["format"]?.GetValue<int>() is not { } format)
            throw Unreadable(path, "it is not a MinioRestore checkpoint", null);
        if (format != FormatVersion)
            throw Unreadable(path, $"it has format {format}, this version reads format {FormatVersion}", null);
        if (file["run"] is not JsonObject recorded) throw Unreadable(path, "it does not say which run it belongs to", null);

        var differences = run.Fields()
            .Select(f => (f.Words, Recorded: recorded[f.Name]?.GetValue<string>(), f.Value))
            .Where(f => f.Recorded != f.Value)
            .Select(f => $"{f.Words} {Show(f.Recorded)} (this run: {Show(f.Value)})")
            .ToList();
        if (differences.Count > 0)
            throw new RestoreException(ErrorIds.CheckpointMismatch, FailureKind.Conflict,
                $"The checkpoint '{path}' belongs to another run: its {string.Join(", its ", differences)}. Nothing was written. " +
                "Give each run its own -CheckpointPath, or run with the same buckets, endpoints, filters, -AsOf, -AllVersions, -Overwrite and shard as the run that wrote it; " +
                "delete the file to start this run from the beginning.");
        bool finished = file["finished"]?.GetValue<bool>() == true;
        string? after = finished ? null : file["after"]?.GetValue<string>();
        return new Checkpoint(path, run, after, finished);
    }

    /// <summary>Atomically replaces the file: everything up to and including <paramref name="after"/> (null: nothing yet) is done.</summary>
    public void Save(string? after, bool finished, long keysDone)
    {
        var run = new JsonObject();
        foreach (var (name, _, value) in _run.Fields()) run[name] = value;
        var file = new JsonObject
        {
            ["tool"] = "MinioRestore",
            ["format"] = FormatVersion,
            ["run"] = run,
            ["after"] = after,
            ["finished"] = finished,
            ["keysDone"] = keysDone,
            ["updated"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["writer"] = Writer,
        };
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(file, new JsonSerializerOptions { WriteIndented = true });
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        string temporary = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(Path)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, Path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temporary); } catch (Exception) { /* the folder itself is the problem */ }
            throw new RestoreException(ErrorIds.CheckpointUnwritable, FailureKind.InvalidConfiguration,
                $"The checkpoint '{Path}' cannot be written ({e.Message}). Give -CheckpointPath a file in a folder that exists and is writable " +
                "(in Kubernetes: a volume mounted read-write), or leave it out.", e);
        }
    }

    /// <summary>This process, in the file: the host (in Kubernetes the pod) and process id, for the message of a run refused while this one holds the lock.</summary>
    private static string Writer => $"host '{Environment.MachineName}' (process {Environment.ProcessId})";

    /// <summary>Who last wrote the checkpoint at <paramref name="path"/> and when, in words, or null (no file, or none of ours).</summary>
    public static string? LastWriter(string path)
    {
        try
        {
            if (!File.Exists(path) || JsonNode.Parse(File.ReadAllText(path)) is not JsonObject file) return null;
            return file["writer"]?.GetValue<string>() is { } writer ? $"{writer} at {file["updated"]?.GetValue<string>()}" : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Show(string? value) => value is null ? "(none)" : $"'{value}'";

    private static RestoreException Unreadable(string path, string why, Exception? inner) =>
        new(ErrorIds.CheckpointUnreadable, FailureKind.InvalidConfiguration,
            $"The checkpoint '{path}' cannot be used: {why}. Nothing was written. Point -CheckpointPath at a checkpoint this module wrote, or delete the file to start from the beginning.",
            inner);
}
