using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Engine.Copying;
using MinioRestore.Engine.Ends;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Transport;
using MinioRestore.Engine.Reporting;

namespace MinioRestore.Engine.Restoring;

/// <summary>
/// -Remove: deletes the target objects in scope that the backup lacks, after every copy of the
/// bucket. A run that went wrong (failed copies, conflicts, an earlier error) or would delete
/// more than -MaxDelete deletes nothing: a broken or wrong backup must not empty the target.
/// </summary>
internal sealed class Removal(RestoreEnds access, RestoreOptions options, string targetBucket, IRestoreReporter reporter)
{
    /// <summary>The most keys one DeleteObjects request takes.</summary>
    internal const int BatchSize = 1000;

    // Kept only up to MaxDelete: beyond it nothing is removed, so memory stays bounded.
    private readonly List<string> _candidates = [];
    private long _found;

    public long Removed { get; private set; }
    public long Failed { get; private set; }

    /// <summary>True when -MaxDelete refused the removal: the run did not do what was asked.</summary>
    public bool Refused { get; private set; }

    /// <summary>Why objects the backup lacks were kept, or null.</summary>
    public string? SkippedReason { get; private set; }

    /// <summary>Called by the planner, one key at a time, for each target-only object in scope.</summary>
    public void OnTargetOnly(string key)
    {
        if (++_found <= options.MaxDelete) _candidates.Add(key);
    }

    /// <param name="bucketFailed">The bucket's restore stopped on an error, so the listing may be incomplete.</param>
    public async Task RunAsync(bool bucketFailed, long copyFailures, long conflicts, CancellationToken cancel)
    {
        string? blocked = bucketFailed ? "the restore of this bucket failed"
            : copyFailures > 0 ? $"{copyFailures} object(s) could not be copied"
            : conflicts > 0 ? $"{conflicts} object(s) differ on the target (conflicts), so the target changed after the backup; replace them with -Overwrite or check them first"
            : options.RemovalBlockedBy;
        if (blocked is not null)
        {
            if (_found > 0 || bucketFailed)
                Skip($"Nothing was removed from '{targetBucket}' ({_found} object(s) the backup lacks were found): {blocked}. -Remove deletes only after a run without errors.");
            return;
        }
        if (_found == 0) return;

        if (_found > options.MaxDelete)
        {
            Refused = true;
            var failure = new RestoreException(ErrorIds.RemoveLimitExceeded, FailureKind.LimitExceeded,
                $"Nothing was removed from '{targetBucket}': {_found} objects there are not in the backup, more than -MaxDelete {options.MaxDelete} allows. " +
                $"Check that the backup bucket is the right one and complete, then run again with -MaxDelete {_found} to remove them.");
            SkippedReason = failure.Message;
            reporter.Report(new(RestoreEventKind.RemovalRefused, targetBucket, null, 0, failure.Message, failure));
            return;
        }

        if (options.WhatIf)
        {
            foreach (var key in _candidates)
                reporter.Report(new(RestoreEventKind.WouldRemove, targetBucket, key, 0, $"Remove '{key}': not in the backup"));
            Removed = _candidates.Count;
            return;
        }

        var approved = options.ConfirmRemoval is null ? _candidates
            : await options.ConfirmRemoval(targetBucket, _candidates, cancel).WaitAsync(cancel).ConfigureAwait(false);
        if (approved.Count < _candidates.Count)
        {
            Skip(approved.Count == 0
                ? $"Nothing was removed from '{targetBucket}': removing the {_candidates.Count} object(s) the backup lacks was not confirmed. Run again with -Force to remove them without a prompt."
                : $"{_candidates.Count - approved.Count} of the {_candidates.Count} object(s) the backup lacks were kept in '{targetBucket}': their removal was not confirmed.");
        }
        await DeleteAsync(approved, cancel).ConfigureAwait(false);
    }

    private void Skip(string reason)
    {
        SkippedReason = reason;
        reporter.Report(new(RestoreEventKind.RemovalSkipped, targetBucket, null, 0, reason));
    }

    private async Task DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancel)
    {
        // XML 1.0 cannot carry control characters, so such keys go one request each.
        foreach (var batch in keys.Where(XmlSafe).Chunk(BatchSize))
            await DeleteBatchAsync(batch, cancel).ConfigureAwait(false);
        foreach (var key in keys.Where(k => !XmlSafe(k)))
            await DeleteOneAsync(key, cancel).ConfigureAwait(false);
    }

    private async Task DeleteBatchAsync(string[] batch, CancellationToken cancel)
    {
        var request = new DeleteObjectsRequest
        {
            BucketName = targetBucket,
            Quiet = true, // the answer lists only the keys that failed
            Objects = batch.Select(k => new KeyVersion { Key = k }).ToList(),
        };
        List<DeleteError> errors;
        try
        {
            var response = await access.Target.DeleteObjectsAsync(request, cancel).ConfigureAwait(false);
            errors = response.DeleteErrors ?? [];
        }
        catch (DeleteObjectsException e)
        {
            errors = e.Response?.DeleteErrors ?? [];
        }
        catch (Exception e) when (!cancel.IsCancellationRequested)
        {
            // The whole request failed: none of these keys was removed.
            foreach (var key in batch) Fail(key, Explain(e, key));
            return;
        }

        var failed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var error in errors)
        {
            failed.Add(error.Key);
            Fail(error.Key, Refusal(error));
        }
        foreach (var key in batch.Where(k => !failed.Contains(k)))
            Succeed(key);
    }

    private async Task DeleteOneAsync(string key, CancellationToken cancel)
    {
        try
        {
            await access.Target.DeleteObjectAsync(new DeleteObjectRequest { BucketName = targetBucket, Key = key }, cancel).ConfigureAwait(false);
            Succeed(key);
        }
        catch (Exception e) when (!cancel.IsCancellationRequested)
        {
            Fail(key, Explain(e, key));
        }
    }

    private void Succeed(string key)
    {
        Removed++;
        reporter.Report(new(RestoreEventKind.Removed, targetBucket, key, 0, $"Removed '{key}': not in the backup."));
    }

    private void Fail(string key, RestoreException failure)
    {
        Failed++;
        reporter.Report(new(RestoreEventKind.ObjectFailed, targetBucket, key, 0, $"'{key}' was not removed from '{targetBucket}': {failure.Message}", failure));
    }

    private RestoreException Explain(Exception e, string key) =>
        S3Failure.Explain(e, EndRole.Target, access.TargetEndpoint, $"removing '{key}'", ErrorIds.ObjectRemoveFailed);

    /// <summary>A key the DeleteObjects answer lists as not deleted.</summary>
    private RestoreException Refusal(DeleteError error)
    {
        string said = $"the {EndRole.Target} answered {error.Code} {error.Message}".TrimEnd();
        return error.Code switch
        {
            "AccessDenied" => new(ErrorIds.AccessDenied, FailureKind.PermissionDenied,
                $"{said}: access key '{access.TargetEndpoint.AccessKeyId}' may not delete objects there."),
            "SlowDown" or "InternalError" or "ServiceUnavailable" => new(ErrorIds.ObjectRemoveFailed, FailureKind.Unavailable,
                $"{said}; run the restore again to remove it.", transient: true),
            _ => new(ErrorIds.ObjectRemoveFailed, FailureKind.Unexpected, said + "."),
        };
    }

    internal static bool XmlSafe(string key)
    {
        foreach (char c in key)
            if (c < ' ' || c is '\uFFFE' or '\uFFFF') return false;
        return true;
    }
}
