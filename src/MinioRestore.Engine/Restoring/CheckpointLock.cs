using MinioRestore.Engine.Errors;

namespace MinioRestore.Engine.Restoring;

/// <summary>
/// One run at a time per checkpoint: two runs on one file (two pods given the same index, a
/// runbook started twice) would each move the mark past keys only the other had done. An
/// exclusive lock held by the kernel (flock on Unix, a share-mode lock on Windows: what
/// <see cref="FileShare.None"/> takes) on the sidecar file <c>&lt;checkpoint&gt;.lock</c>, for the
/// bucket's run. It dies with its process, so after a kill -9 the next run takes it: no stale
/// lock, whatever the file's age. A sidecar, because the checkpoint itself is replaced by a
/// rename at every write (a lock on it would hold a file no longer at the path). The sidecar is
/// never deleted: deleted on release, a run that had just opened it would lock a file gone from
/// the path while a third run created and locked a new one. On NFS the lock is the server's
/// (NFSv4, or NLM for v3); a mount with <c>nolock</c> or <c>local_lock</c> keeps it on one node.
/// </summary>
internal sealed class CheckpointLock : IDisposable
{
    private readonly FileStream _held;

    private CheckpointLock(FileStream held) => _held = held;

    public static string PathOf(string checkpointPath) => checkpointPath + ".lock";

    /// <summary>Takes the lock, or throws <see cref="ErrorIds.CheckpointInUse"/> (another run holds it) or <see cref="ErrorIds.CheckpointUnwritable"/>.</summary>
    /// <param name="lastWriter">Who last wrote the checkpoint, for the message, or null.</param>
    public static CheckpointLock Take(string checkpointPath, Func<string?> lastWriter)
    {
        string path = PathOf(checkpointPath);
        try
        {
            return new CheckpointLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1));
        }
        catch (IOException e) when (HeldByAnother(e))
        {
            string? writer = lastWriter();
            throw new RestoreException(ErrorIds.CheckpointInUse, FailureKind.Busy,
                $"The checkpoint '{checkpointPath}' is in use by another restore running now (it holds the lock '{path}'{(writer is null ? "" : $"; the checkpoint was last written by {writer}")}). " +
                "Nothing was written. Two runs on one checkpoint would mix up what each has done: let the other run finish or stop it, then run this again; " +
                "or give this run its own -CheckpointPath (in a Kubernetes Indexed Job, each index its own folder). A run that was killed holds no lock: it went with its process.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RestoreException(ErrorIds.CheckpointUnwritable, FailureKind.InvalidConfiguration,
                $"The checkpoint's lock '{path}' cannot be created ({e.Message}). Give -CheckpointPath a file in a folder that exists and is writable " +
                "(in Kubernetes: a volume mounted read-write), or leave it out.", e);
        }
    }

    // EWOULDBLOCK from flock (Linux 11, macOS 35); Windows' sharing and lock violations.
    private static bool HeldByAnother(IOException e) =>
        e.GetType() == typeof(IOException) && e.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    public void Dispose() => _held.Dispose();
}
