using System.Runtime.CompilerServices;
using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Ends;
using MinioRestore.Engine.Reporting;

namespace MinioRestore.Engine.Restoring;

/// <summary>
/// Keeps one bucket's <see cref="Checkpoint"/> as the restore goes: follows the merged listing
/// (every key, in listing order) and the outcome of every key (the run's events, by kind and
/// key), and writes the low-water mark: the last key up to which every key is done. A key in
/// flight holds the mark before it; a key that failed, or an archived object a later run must
/// copy, holds it for the rest of the run, so a rerun starts before it and tries it again. Memory
/// is the keys in flight (about -Concurrency), whatever the number of objects: once a key holds
/// the mark for good, nothing after it is remembered. Writes at most every
/// <see cref="Interval"/>, so a kill -9 loses that much progress, never an object.
/// </summary>
internal sealed class CheckpointKeeper : IRestoreReporter, IDisposable
{
    /// <summary>How often the mark is written while it moves.</summary>
    internal static TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    private readonly Checkpoint _file;
    private readonly IRestoreReporter _inner;
    private readonly bool _write;
    private readonly object _lock = new();
    // The keys handed to the copy stage and not finished, by their place in the listing, with the key before each.
    private readonly SortedDictionary<long, (string Key, string? Before)> _inFlight = [];
    private readonly Dictionary<string, long> _placeOf = new(StringComparer.Ordinal);
    private long _place, _heldAt = long.MaxValue, _done;
    private string? _passed;
    private bool _listedAll;
    private string? _saved;
    private readonly CancellationTokenSource _stop = new();
    private Task? _saver;

    private readonly CheckpointLock? _held;

    private CheckpointKeeper(Checkpoint file, CheckpointLock? held, IRestoreReporter inner, bool write)
    {
        _file = file;
        _held = held;
        _inner = inner;
        _write = write;
        _passed = file.ResumeAfter;
        ResumeAfter = file.ResumeAfter;
    }

    /// <summary>
    /// Takes the checkpoint's lock (held until <see cref="Dispose"/>; a dry run, which writes no
    /// checkpoint, takes none), then reads the bucket's checkpoint, refusing one of another run.
    /// Writes nothing to the checkpoint.
    /// </summary>
    public static CheckpointKeeper Open(RestoreOptions options, RestoreEnds ends, IRestoreReporter inner)
    {
        string path = options.CheckpointPath!;
        var run = CheckpointRun.Of(options, ends.SourceEndpoint.Url.GetLeftPart(UriPartial.Authority), ends.TargetEndpoint.Url.GetLeftPart(UriPartial.Authority));
        var held = options.WhatIf ? null : CheckpointLock.Take(path, () => Checkpoint.LastWriter(path));
        try
        {
            return new CheckpointKeeper(Checkpoint.Open(path, run), held, inner, write: !options.WhatIf);
        }
        catch
        {
            held?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Unless -WhatIf, writes the checkpoint once at once (so a folder that cannot take it stops
    /// the bucket before anything is written to the target), then about every <see cref="Interval"/>.
    /// </summary>
    public void Start()
    {
        if (!_write) return;
        _file.Save(_passed, finished: false, keysDone: 0);
        _saved = _passed;
        _saver = SaveWhileRunningAsync();
    }

    /// <summary>Where this run starts both listings (after this key), or null: from the start.</summary>
    public string? ResumeAfter { get; private set; }

    /// <summary>
    /// The target bucket does not exist (deleted since the checkpoint was written): nothing the
    /// checkpoint says is done is there, so this run starts from the beginning.
    /// </summary>
    public void TargetMissing()
    {
        ResumeAfter = null;
        lock (_lock) _passed = null;
    }

    /// <summary>The checkpoint was a finished run's, so this run is a full pass.</summary>
    public bool WasFinished => _file.WasFinished;

    /// <summary>The key up to which everything is done, now.</summary>
    public string? Mark
    {
        get
        {
            lock (_lock) return _inFlight.Count == 0 ? _passed : _inFlight.First().Value.Before;
        }
    }

    /// <summary>Follows the merged listing: a key without a backup object is settled by the planner at once; any other is in flight until its outcome.</summary>
    public IAsyncEnumerable<MergedEntry> Follow(IAsyncEnumerable<MergedEntry> merged, CancellationToken cancel) =>
        Follow(merged, m => (m.Key, m.Source is not null), cancel);

    /// <summary>
    /// -AllVersions: follows the merged histories, a key's whole history at once (the listing has
    /// read it to its end), in flight until the outcome of the key (<see cref="RestoreEventKind.HistoryWritten"/>
    /// once its last entry is written), so the mark is always a key whose every version is done.
    /// </summary>
    public IAsyncEnumerable<MergedHistory> Follow(IAsyncEnumerable<MergedHistory> merged, CancellationToken cancel) =>
        Follow(merged, m => (m.Key, m.Source is not null), cancel);

    private async IAsyncEnumerable<T> Follow<T>(IAsyncEnumerable<T> merged, Func<T, (string Key, bool InBackup)> keyOf, [EnumeratorCancellation] CancellationToken cancel)
    {
        await foreach (var item in merged.WithCancellation(cancel).ConfigureAwait(false))
        {
            var (key, inBackup) = keyOf(item);
            if (inBackup) Begin(key);
            else Pass(key);
            yield return item;
        }
        lock (_lock) _listedAll = true;
    }

    private void Begin(string key)
    {
        lock (_lock)
        {
            long place = ++_place;
            if (place > _heldAt) return; // the mark is held before an earlier key for the rest of the run
            _inFlight[place] = (key, _passed);
            _placeOf[key] = place;
            _passed = key;
        }
    }

    private void Pass(string key)
    {
        lock (_lock)
        {
            if (++_place > _heldAt) return;
            _passed = key;
            _done++;
        }
    }

    public void Report(RestoreEvent e)
    {
        if (e.Key is { } key)
        {
            switch (e.Kind)
            {
                case RestoreEventKind.Copied or RestoreEventKind.CopiedUnverified or RestoreEventKind.Skipped
                    or RestoreEventKind.SkippedUnverified or RestoreEventKind.Conflict or RestoreEventKind.HistoryWritten:
                    End(key, done: true);
                    break;
                case RestoreEventKind.ObjectFailed or RestoreEventKind.Archived or RestoreEventKind.ArchiveRestoreRequested:
                    End(key, done: false);
                    break;
            }
        }
        _inner.Report(e);
    }

    private void End(string key, bool done)
    {
        lock (_lock)
        {
            if (!_placeOf.Remove(key, out long place)) return; // settled by the planner, or not a listed key (a removal)
            if (done)
            {
                _inFlight.Remove(place);
                _done++;
                return;
            }
            // Held here for good: forget what comes after, it can never move the mark.
            _heldAt = Math.Min(_heldAt, place);
            foreach (var later in _inFlight.Keys.Where(p => p > _heldAt).ToList())
            {
                _placeOf.Remove(_inFlight[later].Key);
                _inFlight.Remove(later);
            }
        }
    }

    /// <summary>Stops the writes, leaving the file as last written (the bucket stopped before its listing).</summary>
    public void Abandon() => _stop.Cancel();

    /// <summary>Stops the writes, waits for one under way, then lets the lock go: no write of this run can follow another run's.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _saver?.GetAwaiter().GetResult(); // ends at once: it catches its own failures and the cancellation
        _held?.Dispose();
    }

    private async Task SaveWhileRunningAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(Interval, _stop.Token).ConfigureAwait(false);
                SaveIfMoved(finished: false);
            }
        }
        catch (OperationCanceledException) { }
        catch (Errors.RestoreException) { /* tried again at the end, where it is reported */ }
    }

    private void SaveIfMoved(bool finished)
    {
        string? mark = Mark;
        long done;
        lock (_lock) done = _done;
        if (!finished && mark == _saved) return;
        _file.Save(finished ? null : mark, finished, done);
        _saved = mark;
    }

    /// <summary>
    /// The last write: finished when the run listed everything and nothing holds the mark (the
    /// next run is then a full pass), else the mark. Throws <see cref="Errors.ErrorIds.CheckpointUnwritable"/>.
    /// </summary>
    public async Task<bool> FinishAsync(bool stopped)
    {
        if (!_write) return false;
        _stop.Cancel();
        if (_saver is not null) await _saver.ConfigureAwait(false);
        bool finished;
        lock (_lock) finished = !stopped && _listedAll && _inFlight.Count == 0 && _heldAt == long.MaxValue;
        SaveIfMoved(finished);
        return finished;
    }
}
