using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Engine.Copying;

/// <summary>How a copied object was checked.</summary>
public enum Verification
{
    /// <summary>The bytes written hash to the source's ETag (MD5 or multipart MD5).</summary>
    MatchesSourceETag,
    /// <summary>The target received exactly the bytes read from the source, but the source ETag
    /// is not a content hash we can reproduce (encrypted source, or an unusual part layout).</summary>
    ReadEqualsWritten,
}

/// <summary>One end of a copy: its control client (HEAD, multipart requests), its data path and bucket.</summary>
internal sealed record CopyEnd(IAmazonS3 Client, IObjectStore Data, S3Endpoint Endpoint, string Bucket);

/// <summary>
/// Copies one object from the source bucket to the target bucket by streaming (no temp files,
/// no whole-object buffers), checked end to end. The target never shows a partial object: a
/// single PUT is atomic and is sent with Content-MD5, and a multipart upload is completed only
/// after every part was verified, and aborted otherwise. Every request with a body is retried
/// here, from the source, since a streamed body cannot be rewound.
/// </summary>
internal sealed class ObjectCopier(CopyEnd source, CopyEnd target,
    RetryPolicy retry, int partConcurrency, TimeSpan idleTimeout, Action<string, RestoreException, int>? onRetry)
{
    /// <summary>S3's limit for one PUT.</summary>
    internal const long MaxSinglePutSize = 5L * 1024 * 1024 * 1024;

    public async Task<Verification> CopyAsync(ObjectEntry entry, Action<long> onBytes, CancellationToken cancel)
    {
        var etag = ETag.Parse(entry.ETag);
        // Single-part backups stay single-part: the target then checks the body against the
        // backup's MD5 (Content-MD5) and keeps that MD5 as its ETag, so reruns compare content.
        if (etag.IsMd5 && entry.Size <= MaxSinglePutSize)
            return await RetryAsync(entry.Key, entry.Key, ct => WithIdleTimeout((alive, c) => PutWholeAsync(entry, etag, onBytes, alive, c), ct), cancel).ConfigureAwait(false);
        var layout = etag.IsMultipart ? PartLayout.ForSource(entry.Size, etag.PartCount) : PartLayout.Own(entry.Size);
        return await CopyMultipartAsync(entry, etag, layout, onBytes, cancel).ConfigureAwait(false);
    }

    /// <summary>One streamed PUT whose Content-MD5 is the source's ETag: the target itself refuses any body that differs from the backup.</summary>
    private async Task<Verification> PutWholeAsync(ObjectEntry entry, ETag etag, Action<long> onBytes, Action alive, CancellationToken cancel)
    {
        using var read = await FromSource(source.Data.GetAsync(source.Bucket, entry.Key, entry.ETag, null, cancel, entry.VersionId), entry.Key, cancel).ConfigureAwait(false);
        EnsureSameVersion(entry, read.Length, read.ETag);

        await using var body = new VerifyingStream(read.Body, entry.Size, n => { alive(); onBytes(n); });
        string written = await target.Data.PutAsync(target.Bucket, entry.Key, body, entry.Size, etag.Md5Bytes(), read.Headers, cancel).ConfigureAwait(false);

        VerifyWritten(entry.Key, body.Md5, etag.Md5Bytes(), ETag.Parse(written));
        return Verification.MatchesSourceETag;
    }

    private async Task<Verification> CopyMultipartAsync(ObjectEntry entry, ETag etag, PartLayout layout, Action<long> onBytes, CancellationToken cancel)
    {
        var head = await RetryAsync(entry.Key, entry.Key, ct => FromSource(source.Client.GetObjectMetadataAsync(new GetObjectMetadataRequest
        {
            BucketName = source.Bucket, Key = entry.Key, EtagToMatch = entry.ETag, VersionId = entry.VersionId,
        }, ct), entry.Key, ct), cancel).ConfigureAwait(false);
        EnsureSameVersion(entry, head.ContentLength, ETag.Parse(head.ETag));

        var initiate = new InitiateMultipartUploadRequest { BucketName = target.Bucket, Key = entry.Key };
        ObjectHeaders.From(head.Headers, head.Metadata, head.ExpiresString).ApplyTo(initiate.Headers, initiate.Metadata);
        var upload = await RetryAsync(entry.Key, entry.Key, ct => target.Client.InitiateMultipartUploadAsync(initiate, ct), cancel).ConfigureAwait(false);

        bool completed = false;
        try
        {
            var parts = new (byte[] Md5, string ETag)[layout.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, layout.Count),
                new ParallelOptions { MaxDegreeOfParallelism = partConcurrency, CancellationToken = cancel },
                async (i, ct) => parts[i] = await RetryAsync(entry.Key, $"{entry.Key} (part {i + 1})",
                    c => WithIdleTimeout((alive, c2) => CopyPartAsync(entry, upload.UploadId, layout, i, onBytes, alive, c2), c), ct).ConfigureAwait(false))
                .ConfigureAwait(false);

            var composite = ETag.Parse(Convert.ToHexString(MD5.HashData(parts.SelectMany(p => p.Md5).ToArray())) + "-" + layout.Count);
            var complete = new CompleteMultipartUploadRequest { BucketName = target.Bucket, Key = entry.Key, UploadId = upload.UploadId };
            complete.AddPartETags(parts.Select((p, i) => new PartETag(i + 1, p.ETag)));
            await RetryAsync(entry.Key, entry.Key, ct => target.Client.CompleteMultipartUploadAsync(complete, ct), cancel).ConfigureAwait(false);
            completed = true;
            return composite == etag ? Verification.MatchesSourceETag : Verification.ReadEqualsWritten;
        }
        finally
        {
            if (!completed) await AbortAsync(entry.Key, upload.UploadId).ConfigureAwait(false);
        }
    }

    /// <returns>The MD5 of the part's bytes and the ETag the target gave the part.</returns>
    private async Task<(byte[] Md5, string ETag)> CopyPartAsync(ObjectEntry entry, string uploadId, PartLayout layout, int index, Action<long> onBytes, Action alive, CancellationToken cancel)
    {
        var (offset, length) = layout.Part(index);
        ByteSpan? range = length > 0 ? new ByteSpan(offset, length) : null;
        using var read = await FromSource(source.Data.GetAsync(source.Bucket, entry.Key, entry.ETag, range, cancel, entry.VersionId), entry.Key, cancel).ConfigureAwait(false);
        if (read.Length != length)
            throw new RestoreException(ErrorIds.ObjectIntegrityFailed, FailureKind.IntegrityCheckFailed,
                $"The {EndRole.Source} answered part {index + 1} of '{entry.Key}' with {read.Length} bytes instead of {length}.", transient: true);

        long counted = 0;
        await using var body = new VerifyingStream(read.Body, length, n => { alive(); counted += n; onBytes(n); });
        try
        {
            string written = await target.Data.UploadPartAsync(target.Bucket, entry.Key, uploadId, index + 1, body, length, cancel).ConfigureAwait(false);
            VerifyWritten($"{entry.Key} (part {index + 1})", body.Md5, null, ETag.Parse(written));
            return (body.Md5, written);
        }
        catch
        {
            onBytes(-counted); // this part's bytes will be sent again
            throw;
        }
    }

    /// <summary>Retries a request of the object <paramref name="key"/>; <paramref name="what"/> names it in retry reports (the key, or one of its parts).</summary>
    private Task<T> RetryAsync<T>(string key, string what, Func<CancellationToken, Task<T>> attempt, CancellationToken cancel) =>
        retry.RunAsync(attempt, e => Explain(e, key), (f, n) => onRetry?.Invoke(what, f, n), cancel);

    /// <summary>One attempt, abandoned when no byte moves for <c>idleTimeout</c>.</summary>
    private Task<T> WithIdleTimeout<T>(Func<Action, CancellationToken, Task<T>> attempt, CancellationToken cancel) =>
        StallGuard.RunAsync(idleTimeout, ErrorIds.ObjectCopyFailed, attempt, cancel);

    private static void EnsureSameVersion(ObjectEntry entry, long? length, ETag etag)
    {
        if (length != entry.Size || etag != ETag.Parse(entry.ETag))
            throw new RestoreException(ErrorIds.SourceObjectChanged, FailureKind.Conflict,
                $"'{entry.Key}' changed on the {EndRole.Source} after it was listed. Run the restore again to copy the new version.");
    }

    /// <summary>What we read must be what the source promised and what the target says it stored.</summary>
    private static void VerifyWritten(string what, byte[] readMd5, byte[]? expectedMd5, ETag written)
    {
        if (expectedMd5 is not null && !readMd5.AsSpan().SequenceEqual(expectedMd5))
            throw new RestoreException(ErrorIds.ObjectIntegrityFailed, FailureKind.IntegrityCheckFailed,
                $"The bytes read for '{what}' do not match the {EndRole.Source}'s MD5.", transient: true);
        if (written.IsMd5 && !written.Md5Bytes().AsSpan().SequenceEqual(readMd5))
            throw new RestoreException(ErrorIds.ObjectIntegrityFailed, FailureKind.IntegrityCheckFailed,
                $"The {EndRole.Target} stored different bytes for '{what}' than were sent (ETag {written}).", transient: true);
    }

    /// <summary>
    /// Aborts the upload so it never lingers (it is never visible either way). Runs on
    /// cancellation too, so it is kept short: each request gets a few seconds (a server may hold
    /// the upload while it finishes a part we gave up on), and a part that lands after the first
    /// abort is caught by repeating it until the server no longer knows the upload.
    /// </summary>
    private async Task AbortAsync(string key, string uploadId)
    {
        var deadline = DateTime.UtcNow + AbortBudget;
        for (int attempt = 0; DateTime.UtcNow < deadline; attempt++)
        {
            using var request = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                await target.Client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest
                {
                    BucketName = target.Bucket, Key = key, UploadId = uploadId,
                }, request.Token).ConfigureAwait(false);
                await target.Client.ListPartsAsync(new ListPartsRequest
                {
                    BucketName = target.Bucket, Key = key, UploadId = uploadId, MaxParts = 1,
                }, request.Token).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode is "NoSuchUpload" or "NoSuchKey") // RGW says NoSuchKey
            {
                return;
            }
            catch (Exception)
            {
                // Unreachable target, or out of time: an upload left behind is invisible; the bucket's
                // lifecycle rule (AbortIncompleteMultipartUpload) or `mc rm --incomplete` removes it.
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100 * (attempt + 1))).ConfigureAwait(false);
        }
    }

    private static readonly TimeSpan AbortBudget = TimeSpan.FromSeconds(8);

    /// <summary>Explains a failed source request as the source's, so it is not blamed on the target.</summary>
    private async Task<T> FromSource<T>(Task<T> request, string key, CancellationToken cancel)
    {
        try { return await request.ConfigureAwait(false); }
        catch (Exception e) when (!cancel.IsCancellationRequested) { throw ExplainSource(e, key); }
    }

    private RestoreException ExplainSource(Exception e, string key) =>
        S3Failure.Explain(e, EndRole.Source, source.Endpoint, $"reading '{key}' from bucket '{source.Bucket}'", ErrorIds.ObjectCopyFailed);

    /// <summary>Failures while writing, unless the source body broke underneath the upload.</summary>
    private RestoreException Explain(Exception e, string key)
    {
        if (FromSourceBody(e)) return ExplainSource(e, key);
        return S3Failure.Explain(e, EndRole.Target, target.Endpoint, $"writing '{key}' to bucket '{target.Bucket}'", ErrorIds.ObjectCopyFailed);
    }

    private static bool FromSourceBody(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is SourceReadException) return true;
        return false;
    }
}
