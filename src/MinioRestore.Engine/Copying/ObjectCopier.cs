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
    /// <summary>The bytes written hash to the source's ETag (MD5 or multipart MD5), or the target verified them against the backup's full-object checksum.</summary>
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
/// <param name="parts">The bucket's part streams, shared by every multipart copy of the copier.</param>
/// <param name="storageClass">The class every object is written in (-StorageClass), or null to keep the backup's where the target has it.</param>
/// <param name="onAttributeLost">Told, once per bucket and cause, that objects are copied without an attribute an end refused (tags).</param>
internal sealed class ObjectCopier(CopyEnd source, CopyEnd target,
    RetryPolicy retry, PartBudget parts, TimeSpan idleTimeout, Action<string, RestoreException, int>? onRetry,
    Action<RestoreException>? onAttributeLost = null, string? storageClass = null)
{
    private readonly ObjectTags _tags = new(source, target, onAttributeLost);
    private readonly System.Collections.Concurrent.ConcurrentQueue<(string Key, string UploadId)> _leftBehind = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _unansweredStarts = new();
    private readonly StorageClasses _classes = new(target, storageClass, onAttributeLost);

    /// <summary>S3's limit for one PUT.</summary>
    internal const long MaxSinglePutSize = 5L * 1024 * 1024 * 1024;

    /// <param name="guard">What the target must still hold for the write to go ahead (null: whatever it holds).</param>
    public async Task<Verification> CopyAsync(ObjectEntry entry, Action<long> onBytes, CancellationToken cancel, WriteGuard? guard = null)
    {
        var etag = ETag.Parse(entry.ETag);
        // Single-part backups stay single-part: the target then checks the body against the
        // backup's MD5 (Content-MD5) and keeps that MD5 as its ETag, so reruns compare content.
        if (etag.IsMd5 && entry.Size <= MaxSinglePutSize)
            return await RetryAsync(entry.Key, entry.Key, ct => WithIdleTimeout((alive, c) => PutWholeAsync(entry, etag, guard, onBytes, alive, c), ct), cancel).ConfigureAwait(false);
        var head = await HeadAsync(entry, etag, cancel).ConfigureAwait(false);
        if (!etag.IsMultipart)
        {
            await UploadAsync(entry, head, PartLayout.Own(entry.Size), null, guard, onBytes, cancel).ConfigureAwait(false);
            return Verification.ReadEqualsWritten;
        }
        return await CopyMultipartAsync(entry, etag, head, guard, onBytes, cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// One streamed PUT whose Content-MD5 is the source's ETag: the target itself refuses any body
    /// that differs from the backup. An SSE-KMS or SSE-C backup's ETag is no MD5 (Amazon S3): it
    /// is then sent without, read == written is checked, and the copy counts as verified only if
    /// the bytes hash to the ETag after all (RGW keeps plaintext MD5s for KMS objects).
    /// </summary>
    private async Task<Verification> PutWholeAsync(ObjectEntry entry, ETag etag, WriteGuard? guard, Action<long> onBytes, Action alive, CancellationToken cancel)
    {
        var append = guard?.Append;
        if (append is not null)
        {
            // A retry after an attempt whose answer may have been lost: landed, it is not written twice.
            if (append.MayHaveLanded && await LandedAsync(entry.Key, append, etag, entry.Size, cancel).ConfigureAwait(false))
                return Verification.MatchesSourceETag;
            append.MayHaveLanded = true;
        }
        using var read = await FromSource(source.Data.GetAsync(source.Bucket, entry.Key, entry.ETag, null, cancel, entry.VersionId), entry.Key, cancel).ConfigureAwait(false);
        EnsureSameVersion(entry, read.Length, read.ETag);
        byte[]? md5 = read.ETagIsContentHash ? etag.Md5Bytes() : null;

        var headers = await FromSource(_tags.AddAsync(entry.Key, read.Headers with { StorageClass = _classes.For(entry) }, cancel, entry.VersionId), entry.Key, cancel).ConfigureAwait(false);

        // With Content-MD5 the target checks every byte itself (and its ETag, unless it encrypts
        // with KMS, is that MD5 again): our own hash is needed only where the backup's ETag is no MD5.
        await using var body = new VerifyingStream(read.Body, entry.Size, n => { alive(); onBytes(n); }, hashing: md5 is null);
        WriteAnswer written;
        try
        {
            // The backup's full-object checksum goes along: a target that knows checksums verifies the bytes by it.
            written = await _tags.WriteAsync(entry.Key, headers, () => _classes.WriteAsync(entry.Key, headers,
                () => target.Data.PutAsync(target.Bucket, entry.Key, body, entry.Size, md5, headers, guard, cancel, read.Checksum))).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (guard is { IsConditional: true } && e.StatusCode == System.Net.HttpStatusCode.PreconditionFailed)
        {
            // An earlier attempt of ours may have landed with its answer lost (a gateway restart):
            // the backup's own object there is no other writer's.
            if (read.ETagIsContentHash && await TargetETagAsync(entry.Key, cancel).ConfigureAwait(false) is { } now && ETag.Parse(now) == etag)
                return Verification.MatchesSourceETag;
            throw TargetChanged(entry.Key, e);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "SignatureDoesNotMatch")
        {
            throw AlteredOnTheWay(entry.Key, e);
        }

        VerifyWritten(entry.Key, body.Md5, md5, written);
        if (append is not null) await RecordWrittenAsync(entry.Key, append, written.VersionId, ETag.Parse(written.ETag), entry.Size, cancel).ConfigureAwait(false);
        bool checksumVerified = read.Checksum is { } sum && written.VerifiedChecksum == sum.Value;
        return md5 is not null || checksumVerified || body.Md5!.AsSpan().SequenceEqual(etag.Md5Bytes()) ? Verification.MatchesSourceETag : Verification.ReadEqualsWritten;
    }

    /// <summary>
    /// How many candidate layouts are tried on a server that does not tell the layout. Each miss
    /// costs one more read and upload of the whole object (the composite ETag needs every part's
    /// MD5). Measured: for 17 client rules over sizes from 20 MiB to 5 TiB the true layout was
    /// candidate #1 in 202 of 206 cases and #2 in the rest (PartLayoutCandidatesTests); in the zoo
    /// of real clients only s3cmd's 15 MiB needed #2 (minio-go's 16 MiB gives the same count).
    /// The third try is margin for configured sizes that share a part count (e.g. 20 MiB beside
    /// 15 and 16, 44 MiB in 3 parts); more would only add reads for objects no candidate
    /// reproduces: the zoo read 208 MB of its 578 MB again, 113 MB of it for its two objects in
    /// unequal parts (3 misses each) and 52 MB for a 12 MiB TransferUtility PartSize (1 candidate).
    /// </summary>
    internal const int MaxCandidateTries = 3;

    /// <summary>
    /// A multipart backup comes back in its own part layout, so the target's ETag equals the
    /// backup's: the layout the source tells (HEAD ?partNumber=), else the most likely uniform
    /// layouts of known clients, each checked by the composite ETag before the upload completes.
    /// </summary>
    private async Task<Verification> CopyMultipartAsync(ObjectEntry entry, ETag etag, GetObjectMetadataResponse head, WriteGuard? guard, Action<long> onBytes, CancellationToken cancel)
    {
        if (await ServerLayoutAsync(entry, etag, head, cancel).ConfigureAwait(false) is { } told)
        {
            // An SSE-KMS or SSE-C ETag (Amazon S3) is no composite of part MD5s, so a miss proves
            // nothing: the told layout is kept and the copy is verified only if it matches anyway.
            if (SdkObjectStore.EncryptedWithKeyElsewhere(head.ServerSideEncryptionMethod, head.ServerSideEncryptionCustomerMethod))
                return await UploadAsync(entry, head, told, null, guard, onBytes, cancel).ConfigureAwait(false) == etag
                    ? Verification.MatchesSourceETag : Verification.ReadEqualsWritten;
            // The source itself said how the object was cut: any other composite means the bytes read are not the backup's.
            if (await UploadAsync(entry, head, told, etag, guard, onBytes, cancel).ConfigureAwait(false) is not null)
                return Verification.MatchesSourceETag;
            // A uniform layout read off part 1 alone may hide later parts of other lengths (7, 6, 5 MiB
            // look like 7 MiB parts): ask for every part once before calling the bytes wrong.
            if (told.IsUniform && await ExactLayoutAsync(entry, etag, head.ContentLength, cancel).ConfigureAwait(false) is { } exact && !SameParts(exact, told))
            {
                onRetry?.Invoke($"{entry.Key} (told layout)", new RestoreException(ErrorIds.ObjectIntegrityFailed, FailureKind.IntegrityCheckFailed,
                    $"{told} (from part 1) did not reproduce the backup's ETag {etag}; the {EndRole.Source} gave {exact}, so the object is read again in those.", transient: true), 1);
                if (await UploadAsync(entry, head, exact, etag, guard, onBytes, cancel).ConfigureAwait(false) is not null)
                    return Verification.MatchesSourceETag;
            }
            throw new RestoreException(ErrorIds.ObjectIntegrityFailed, FailureKind.IntegrityCheckFailed,
                $"The bytes read for '{entry.Key}' in the part layout the {EndRole.Source} gave ({told}) do not hash to its ETag {etag}; the object was not restored.");
        }

        var candidates = PartLayoutCandidates.For(entry.Size, etag.PartCount);
        int tries = Math.Min(MaxCandidateTries, candidates.Count);
        for (int i = 0; i < tries; i++)
        {
            // Once a miss is proven a wrong layout, the object's next candidates are hashed as they go.
            if (await UploadAsync(entry, head, candidates[i], etag, guard, onBytes, cancel, byTargetAnswers: i == 0).ConfigureAwait(false) is not null)
                return Verification.MatchesSourceETag;
            onRetry?.Invoke($"{entry.Key} (part layout)", new RestoreException(ErrorIds.ObjectIntegrityFailed, FailureKind.IntegrityCheckFailed,
                $"{candidates[i]} did not reproduce the backup's ETag {etag}; the upload was aborted and the object is read again " +
                (i + 1 < tries ? "in the next likely layout." : "in the engine's own layout, to be reported unverified."), transient: true), i + 1);
        }
        // Unequal parts, or a layout no known client writes: every part is still checked against
        // what the target stored, but the backup's ETag cannot be reproduced.
        await UploadAsync(entry, head, PartLayout.ForUnverifiedCopy(entry.Size, etag.PartCount), null, guard, onBytes, cancel).ConfigureAwait(false);
        return Verification.ReadEqualsWritten;
    }

    /// <summary>One HEAD for the headers to copy; for a multipart source it asks for part 1, so servers that can tell the layout do.</summary>
    private async Task<GetObjectMetadataResponse> HeadAsync(ObjectEntry entry, ETag etag, CancellationToken cancel)
    {
        var head = await RetryAsync(entry.Key, entry.Key, ct => FromSource(HeadPartOrWholeAsync(entry, etag.IsMultipart ? 1 : null, ct), entry.Key, ct), cancel).ConfigureAwait(false);
        // A server that honours partNumber answers with the part's length (and the whole size in
        // Content-Range, where it sends one); If-Match already pins the version then.
        long? size = ServerPartLayout.TotalFromContentRange(head.ContentRange) ?? (head.PartsCount is null ? head.ContentLength : entry.Size);
        EnsureSameVersion(entry, size, ETag.Parse(head.ETag));
        return head;
    }

    /// <summary>HEAD of part <paramref name="partNumber"/>, or of the whole object where a server refuses partNumber (400, 416).</summary>
    private async Task<GetObjectMetadataResponse> HeadPartOrWholeAsync(ObjectEntry entry, int? partNumber, CancellationToken cancel)
    {
        var request = new GetObjectMetadataRequest { BucketName = source.Bucket, Key = entry.Key, EtagToMatch = entry.ETag, VersionId = entry.VersionId, PartNumber = partNumber };
        try
        {
            return await source.Client.GetObjectMetadataAsync(request, cancel).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (partNumber is not null && e.StatusCode is System.Net.HttpStatusCode.BadRequest or System.Net.HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            request.PartNumber = null;
            return await source.Client.GetObjectMetadataAsync(request, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>The layout the source tells, or null where it does not (RGW: no parts count).</summary>
    private async Task<PartLayout?> ServerLayoutAsync(ObjectEntry entry, ETag etag, GetObjectMetadataResponse first, CancellationToken cancel)
    {
        if (!ServerPartLayout.TellsParts(first.PartsCount, etag.PartCount)) return null;
        return ServerPartLayout.UniformFromFirstPart(entry.Size, etag.PartCount, first.ContentLength)
            ?? await ExactLayoutAsync(entry, etag, first.ContentLength, cancel).ConfigureAwait(false);
    }

    /// <summary>Every part's length, asked for part by part (HEAD ?partNumber=2, 3, ...; part 1's is known).</summary>
    private async Task<PartLayout> ExactLayoutAsync(ObjectEntry entry, ETag etag, long firstPart, CancellationToken cancel)
    {
        var lengths = new long[etag.PartCount];
        lengths[0] = firstPart;
        for (int n = 2; n <= etag.PartCount; n++)
        {
            int part = n;
            var head = await RetryAsync(entry.Key, $"{entry.Key} (part {part})", ct => FromSource(source.Client.GetObjectMetadataAsync(new GetObjectMetadataRequest
            {
                BucketName = source.Bucket, Key = entry.Key, EtagToMatch = entry.ETag, VersionId = entry.VersionId, PartNumber = part,
            }, ct), entry.Key, ct), cancel).ConfigureAwait(false);
            lengths[n - 1] = head.ContentLength;
        }
        if (lengths.Sum() != entry.Size)
            throw new RestoreException(ErrorIds.ObjectIntegrityFailed, FailureKind.IntegrityCheckFailed,
                $"The {EndRole.Source} gave parts of '{entry.Key}' that add up to {lengths.Sum()} bytes instead of {entry.Size}.");
        return PartLayout.Exact(lengths);
    }

    private static bool SameParts(PartLayout a, PartLayout b) =>
        a.Count == b.Count && Enumerable.Range(0, a.Count).All(i => a.Part(i) == b.Part(i));

    /// <summary>How often one layout of one object is read before differing reads fail it.</summary>
    internal const int MaxReadsOfOneLayout = 3;

    // Set once a target answered a part with an ETag that is no MD5 of it (KMS): its composite proves nothing then.
    private volatile bool _targetPartETagsAreNoMd5;

    /// <summary>
    /// Uploads the object in <paramref name="layout"/> and completes it unless its composite ETag
    /// differs from <paramref name="mustMatch"/>. Where there is one to match, the composite is
    /// first built from the target's part ETags (the MD5s of what it stored): equal to the
    /// backup's, it proves the object as strongly as our own hash would, without hashing every
    /// byte here. A miss is either a wrong layout or bytes changed on the way, so the object is
    /// read again with every part hashed and checked against the target's answer; two reads that
    /// miss alike prove the layout wrong. With nothing to match, or where the target's part ETags
    /// are no MD5s, every part is hashed and checked as it goes.
    /// </summary>
    /// <param name="byTargetAnswers">False once the object's first layout was proven wrong: its next candidates are hashed at once.</param>
    /// <returns>The composite ETag of the completed upload, or null when it was aborted for not matching.</returns>
    private async Task<ETag?> UploadAsync(ObjectEntry entry, GetObjectMetadataResponse head, PartLayout layout, ETag? mustMatch, WriteGuard? guard, Action<long> onBytes, CancellationToken cancel,
        bool byTargetAnswers = true)
    {
        bool hashing = mustMatch is null || !byTargetAnswers || _targetPartETagsAreNoMd5;
        var first = await UploadFreshOnFailureAsync(entry, head, layout, mustMatch, guard, onBytes, hashing, cancel).ConfigureAwait(false);
        if (first.Completed) return first.Composite;
        if (hashing) return null; // hashed as it went: the miss is the layout's

        var previous = first.Composite;
        for (int read = 2; read <= MaxReadsOfOneLayout; read++)
        {
            onRetry?.Invoke($"{entry.Key} (read again, hashed)", new RestoreException(ErrorIds.ObjectIntegrityFailed, FailureKind.IntegrityCheckFailed,
                $"The {EndRole.Target}'s parts of '{entry.Key}' in {layout} hash to {previous?.ToString() ?? "no MD5 composite"}, not the backup's ETag {mustMatch}; " +
                "the upload was aborted and the object is read again, every part hashed, to tell a wrong layout from bytes changed on the way.", transient: true), read - 1);
            var again = await UploadFreshOnFailureAsync(entry, head, layout, mustMatch, guard, onBytes, hashing: true, cancel).ConfigureAwait(false);
            if (again.Completed) return again.Composite;
            if (previous is null || again.Composite == previous) return null;
            previous = again.Composite;
        }
        throw new RestoreException(ErrorIds.ObjectIntegrityFailed, FailureKind.IntegrityCheckFailed,
            $"{MaxReadsOfOneLayout} reads of '{entry.Key}' from the {EndRole.Source} in {layout} gave different bytes each time; the object was not restored.", transient: true);
    }

    /// <summary>What one upload attempt came to: its composite ETag (null where the parts' ETags are no MD5s), and whether it was completed.</summary>
    private readonly record struct UploadOutcome(ETag? Composite, bool Completed);

    private async Task<UploadOutcome> UploadFreshOnFailureAsync(ObjectEntry entry, GetObjectMetadataResponse head, PartLayout layout, ETag? mustMatch, WriteGuard? guard, Action<long> onBytes,
        bool hashing, CancellationToken cancel)
    {
        try
        {
            return await UploadOnceAsync(entry, head, layout, mustMatch, guard, onBytes, hashing, cancel).ConfigureAwait(false);
        }
        catch (RestoreException e) when (e.IsTransient && !cancel.IsCancellationRequested)
        {
            // A gateway killed in the middle of an upload can leave that upload failing for good
            // (RGW answers InternalError to it, measured) while new ones work: once, start afresh.
            onRetry?.Invoke($"{entry.Key} (a new upload)", e, 1);
            return await UploadOnceAsync(entry, head, layout, mustMatch, guard, onBytes, hashing, cancel).ConfigureAwait(false);
        }
    }

    private async Task<UploadOutcome> UploadOnceAsync(ObjectEntry entry, GetObjectMetadataResponse head, PartLayout layout, ETag? mustMatch, WriteGuard? guard, Action<long> onBytes,
        bool hashing, CancellationToken cancel)
    {
        // The data path has no overall timeout (bodies may take hours): a server that takes the request and never answers is a stall too.
        var (uploadId, headers) = await RetryAsync(entry.Key, entry.Key, ct => WithIdleTimeout((_, c) => InitiateAsync(entry, head, c), ct), cancel).ConfigureAwait(false);

        var sent = new long[1];
        void Counted(long n) { Interlocked.Add(ref sent[0], n); onBytes(n); }
        bool completed = false;
        try
        {
            var written = new (byte[]? Md5, WriteAnswer Answer)[layout.Count];
            await parts.RunAsync(layout.Count,
                async (i, ct) => written[i] = await RetryAsync(entry.Key, $"{entry.Key} (part {i + 1})",
                    c => WithIdleTimeout((alive, c2) => CopyPartAsync(entry, uploadId, layout, i, hashing, Counted, alive, c2), c), ct).ConfigureAwait(false),
                cancel).ConfigureAwait(false);

            var digests = hashing ? written.Select(p => p.Md5!).ToArray() : TargetPartDigests(written.Select(p => p.Answer));
            ETag? told = digests is null ? null : ETag.Parse(Convert.ToHexString(MD5.HashData(digests.SelectMany(d => d).ToArray())) + "-" + layout.Count);
            if (mustMatch is { } expected && told != expected)
            {
                onBytes(-Interlocked.Read(ref sent[0])); // these bytes are sent again
                return new(told, Completed: false);
            }
            var composite = told ?? throw new InvalidOperationException("An upload with nothing to match is hashed.");
            var complete = new CompleteMultipartUploadRequest { BucketName = target.Bucket, Key = entry.Key, UploadId = uploadId };
            complete.AddPartETags(written.Select((p, i) => new PartETag(i + 1, p.Answer.ETag)));
            var append = guard?.Append;
            if (append is not null)
            {
                // An earlier upload of this version completed with its answer lost: this one is a duplicate, aborted below.
                if (append.MayHaveLanded && await LandedAsync(entry.Key, append, composite, entry.Size, cancel).ConfigureAwait(false))
                    return new(await AfterCompleteAsync(entry.Key, headers, composite, cancel).ConfigureAwait(false), Completed: true);
                append.MayHaveLanded = true;
            }
            else if (guard is { } g)
            {
                // Amazon S3 and MinIO honour the condition on completion; RGW 16 ignores it (measured),
                // so the target is looked at first, which leaves a window of one request there.
                // An upload of ours completed before (its answer lost) is no other writer's: this one is a duplicate.
                if (await EnsureTargetAsExpectedAsync(entry.Key, g, composite, cancel).ConfigureAwait(false))
                    return new(await AfterCompleteAsync(entry.Key, headers, composite, cancel).ConfigureAwait(false), Completed: true);
                if (g.ExpectedETag is not null) complete.IfMatch = g.IfMatchValue;
                else complete.IfNoneMatch = "*";
            }
            CompleteMultipartUploadResponse done;
            try
            {
                // RGW 16 answers a completion sent again (the SDK's retry of one whose answer was lost) with
                // success and no version id, and makes no second version (measured).
                done = await RetryAsync(entry.Key, entry.Key, ct => target.Client.CompleteMultipartUploadAsync(complete, ct), cancel).ConfigureAwait(false);
            }
            catch (RestoreException e) when (append is not null && e.InnerException is AmazonS3Exception { ErrorCode: "NoSuchUpload" })
            {
                // Our completion landed, its answer lost: the key's newest version is this upload's.
                if (!await LandedAsync(entry.Key, append, composite, entry.Size, cancel).ConfigureAwait(false)) throw;
                completed = true;
                return new(await AfterCompleteAsync(entry.Key, headers, composite, cancel).ConfigureAwait(false), Completed: true);
            }
            catch (RestoreException e) when (e.InnerException is AmazonS3Exception answer
                && ((guard is { IsConditional: true } && answer.StatusCode == System.Net.HttpStatusCode.PreconditionFailed) || answer.ErrorCode == "NoSuchUpload"))
            {
                // A completion of ours that landed with its answer lost (a gateway restarting): the retry
                // finds the condition false or no upload, and the object there is this upload's.
                if (await TargetETagAsync(entry.Key, cancel).ConfigureAwait(false) is { } now && ETag.Parse(now) == composite)
                {
                    completed = answer.ErrorCode == "NoSuchUpload"; // else this upload is still open: aborted below
                    return new(await AfterCompleteAsync(entry.Key, headers, composite, cancel).ConfigureAwait(false), Completed: true);
                }
                if (answer.ErrorCode == "NoSuchUpload") throw;
                throw TargetChanged(entry.Key, e);
            }
            completed = true;
            if (append is not null) await RecordWrittenAsync(entry.Key, append, done.VersionId, composite, entry.Size, cancel).ConfigureAwait(false);
            return new(await AfterCompleteAsync(entry.Key, headers, composite, cancel).ConfigureAwait(false), Completed: true);
        }
        finally
        {
            if (!completed) await AbortAsync(entry.Key, uploadId).ConfigureAwait(false);
        }
    }

    /// <summary>What RGW 16 ignores on a multipart upload (tags, retention) is set once the object is complete.</summary>
    private async Task<ETag> AfterCompleteAsync(string key, ObjectHeaders headers, ETag composite, CancellationToken cancel)
    {
        await RetryAsync(key, key, ct => _tags.AfterMultipartAsync(key, headers, ct), cancel).ConfigureAwait(false);
        if (headers.Lock is { } locked)
            await RetryAsync(key, key, ct => locked.AfterMultipartAsync(target.Client, target.Bucket, key, ct), cancel).ConfigureAwait(false);
        return composite;
    }

    /// <summary>
    /// CreateMultipartUpload with the source's headers and tags (asked again on each attempt: a
    /// refusal of tags drops them), on the data path, so the header bytes travel as they came.
    /// </summary>
    private async Task<(string UploadId, ObjectHeaders Sent)> InitiateAsync(ObjectEntry entry, GetObjectMetadataResponse head, CancellationToken cancel)
    {
        var read = ObjectHeaders.From(head) with { StorageClass = _classes.For(entry) };
        var headers = await FromSource(_tags.AddAsync(entry.Key, read, cancel, entry.VersionId), entry.Key, cancel).ConfigureAwait(false);
        return (await _tags.WriteAsync(entry.Key, headers, () => _classes.WriteAsync(entry.Key, headers,
            () => StartUploadAsync(entry.Key, headers, cancel))).ConfigureAwait(false), headers);
    }

    /// <summary>
    /// CreateMultipartUpload. Without an answer (a broken connection, a stall, a gateway
    /// restarting) the target may have started the upload all the same, with an id we never
    /// learn: the key is kept for <see cref="AbortLeftBehindAsync"/> to look for it.
    /// </summary>
    private async Task<string> StartUploadAsync(string key, ObjectHeaders headers, CancellationToken cancel)
    {
        try
        {
            return await target.Data.InitiateMultipartAsync(target.Bucket, key, headers, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not AmazonS3Exception { StatusCode: >= System.Net.HttpStatusCode.BadRequest and < System.Net.HttpStatusCode.InternalServerError })
        {
            _unansweredStarts.Enqueue(key);
            throw;
        }
    }

    /// <summary>
    /// The target's part ETags as MD5 digests, or null where any is none (a target encrypting with
    /// KMS): from then on this copier hashes every part itself.
    /// </summary>
    private byte[][]? TargetPartDigests(IEnumerable<WriteAnswer> answers)
    {
        var digests = new List<byte[]>();
        foreach (var answer in answers)
        {
            var etag = ETag.Parse(answer.ETag);
            if (answer.Encrypted || !etag.IsMd5 || etag.IsMultipart)
            {
                _targetPartETagsAreNoMd5 = true;
                return null;
            }
            digests.Add(etag.Md5Bytes());
        }
        return [.. digests];
    }

    /// <param name="hashing">Whether to hash the part and check it against the target's answer here; else the composite of the answers checks it.</param>
    /// <returns>The MD5 of the part's bytes (null when not hashing) and the target's answer.</returns>
    private async Task<(byte[]? Md5, WriteAnswer Answer)> CopyPartAsync(ObjectEntry entry, string uploadId, PartLayout layout, int index, bool hashing, Action<long> onBytes, Action alive, CancellationToken cancel)
    {
        var (offset, length) = layout.Part(index);
        ByteSpan? range = length > 0 ? new ByteSpan(offset, length) : null;
        using var read = await FromSource(source.Data.GetAsync(source.Bucket, entry.Key, entry.ETag, range, cancel, entry.VersionId), entry.Key, cancel).ConfigureAwait(false);
        if (read.Length != length)
            throw new RestoreException(ErrorIds.ObjectIntegrityFailed, FailureKind.IntegrityCheckFailed,
                $"The {EndRole.Source} answered part {index + 1} of '{entry.Key}' with {read.Length} bytes instead of {length}.", transient: true);

        long counted = 0;
        await using var body = new VerifyingStream(read.Body, length, n => { alive(); counted += n; onBytes(n); }, hashing);
        try
        {
            WriteAnswer written;
            try
            {
                written = await target.Data.UploadPartAsync(target.Bucket, entry.Key, uploadId, index + 1, body, length, cancel).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode == "SignatureDoesNotMatch")
            {
                throw AlteredOnTheWay($"{entry.Key} (part {index + 1})", e);
            }
            if (body.Md5 is { } md5) VerifyWritten($"{entry.Key} (part {index + 1})", md5, null, written);
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

    /// <summary>
    /// What we read must be what the source promised and what the target says it stored. A target
    /// that encrypts with KMS answers ETags that are no MD5s: then only the Content-MD5 it checked
    /// (single PUTs) vouches for the bytes written. Without our own hash (<paramref name="readMd5"/>
    /// null) the target's MD5 must be the backup's.
    /// </summary>
    private static void VerifyWritten(string what, byte[]? readMd5, byte[]? expectedMd5, WriteAnswer written)
    {
        if (expectedMd5 is not null && readMd5 is not null && !readMd5.AsSpan().SequenceEqual(expectedMd5))
            throw new RestoreException(ErrorIds.ObjectIntegrityFailed, FailureKind.IntegrityCheckFailed,
                $"The bytes read for '{what}' do not match the {EndRole.Source}'s MD5.", transient: true);
        var etag = ETag.Parse(written.ETag);
        if (!written.Encrypted && etag.IsMd5 && (readMd5 ?? expectedMd5) is { } sent && !etag.Md5Bytes().AsSpan().SequenceEqual(sent))
            throw new RestoreException(ErrorIds.ObjectIntegrityFailed, FailureKind.IntegrityCheckFailed,
                $"The {EndRole.Target} stored different bytes for '{what}' than were sent (ETag {etag}).", transient: true);
    }

    /// <summary>
    /// The target holds what <paramref name="guard"/> expects (false), or already the object this
    /// upload makes (true: an earlier attempt of ours completed); else another writer got there first.
    /// </summary>
    private async Task<bool> EnsureTargetAsExpectedAsync(string key, WriteGuard guard, ETag ours, CancellationToken cancel)
    {
        string? now = await TargetETagAsync(key, cancel).ConfigureAwait(false);
        if (now is not null && ETag.Parse(now) == ours) return true;
        bool expected = guard.ExpectedETag is { } etag ? now is not null && ETag.Parse(now) == ETag.Parse(etag) : now is null;
        if (!expected) throw TargetChanged(key, null);
        return false;
    }

    /// <summary>The ETag of the target's object now, or null when it has none.</summary>
    private async Task<string?> TargetETagAsync(string key, CancellationToken cancel)
    {
        try
        {
            return (await RetryAsync(key, key, ct => target.Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = target.Bucket, Key = key }, ct), cancel)
                .ConfigureAwait(false)).ETag;
        }
        catch (RestoreException e) when ((e.InnerException as AmazonS3Exception)?.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// -AllVersions: appends a delete marker to the key's history (DeleteObject without a version
    /// id on a versioned bucket: 204, x-amz-delete-marker: true and the marker's version id, also
    /// for a key with no version at all; measured on RGW 16). Retried as object writes are: a retry
    /// looks first, so a marker whose answer was lost is not written twice.
    /// </summary>
    public Task AppendDeleteMarkerAsync(string key, VersionAppend append, CancellationToken cancel) =>
        RetryAsync(key, key, async ct =>
        {
            if (append.MayHaveLanded && await LandedAsync(key, append, null, 0, ct).ConfigureAwait(false)) return true;
            append.MayHaveLanded = true;
            var answer = await target.Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = target.Bucket, Key = key }, ct).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(answer.VersionId))
            {
                append.WrittenVersionId = answer.VersionId;
                return true;
            }
            // No version id in the answer (an SDK retry of a DELETE that had landed, on RGW): the newest entry tells.
            if (!await LandedAsync(key, append, null, 0, ct).ConfigureAwait(false))
                throw new RestoreException(ErrorIds.ObjectCopyFailed, FailureKind.Unexpected,
                    $"The {EndRole.Target} kept no delete marker for '{key}' in bucket '{target.Bucket}': its answer to DeleteObject named none. Is versioning enabled on it?");
            return true;
        }, cancel);

    /// <summary>
    /// Whether an earlier attempt of this append landed: true when the key's newest entry on the
    /// target is ours (<paramref name="ours"/> and <paramref name="size"/>, or a delete marker when
    /// <paramref name="ours"/> is null), which is then taken as written; false when it is still the
    /// entry the append follows. Anything else is another writer's (TargetObjectChanged).
    /// </summary>
    private async Task<bool> LandedAsync(string key, VersionAppend append, ETag? ours, long size, CancellationToken cancel)
    {
        var latest = await RetryAsync(key, key, ct => VersionLister.LatestAsync(target.Client, target.Bucket, key, ct), cancel).ConfigureAwait(false);
        if (latest is null ? append.AfterVersionId is null : latest.VersionId == append.AfterVersionId) return false;
        bool mine = latest is not null && (ours is { } etag
            ? !latest.IsDeleteMarker && latest.Size == size && ETag.Parse(latest.ETag) == etag
            : latest.IsDeleteMarker);
        if (!mine) throw HistoryChanged(key);
        append.WrittenVersionId = latest!.VersionId;
        return true;
    }

    /// <summary>The version id of a write just made: the answer's, else the key's newest entry, which must be ours.</summary>
    private async Task RecordWrittenAsync(string key, VersionAppend append, string? answered, ETag ours, long size, CancellationToken cancel)
    {
        if (!string.IsNullOrEmpty(answered))
        {
            append.WrittenVersionId = answered;
            return;
        }
        if (!await LandedAsync(key, append, ours, size, cancel).ConfigureAwait(false))
            throw new RestoreException(ErrorIds.ObjectCopyFailed, FailureKind.Unexpected,
                $"The {EndRole.Target} answered the write of '{key}' in bucket '{target.Bucket}' without a version id, and its newest version is not the one written. Is versioning enabled on it?");
    }

    private RestoreException HistoryChanged(string key) =>
        new(ErrorIds.TargetObjectChanged, FailureKind.Conflict,
            $"'{key}' was written on the {EndRole.Target} by another writer during the restore of its history: the rest of its history was left unwritten. " +
            "Nothing was lost (the bucket is versioned); a rerun reports the key as VersionHistoryDiverged.");

    /// <summary>
    /// Over plain http the SDK signs the body chunk by chunk: bytes altered on the way fail a chunk's
    /// signature. The key signed every request before, so this is corruption, retried from the source.
    /// </summary>
    private RestoreException AlteredOnTheWay(string what, Exception inner) =>
        new(ErrorIds.ObjectIntegrityFailed, FailureKind.IntegrityCheckFailed,
            $"The {EndRole.Target} refused the signature of the data sent for '{what}': the bytes were altered on the way; nothing was stored.", inner, transient: true);

    private RestoreException TargetChanged(string key, Exception? inner) =>
        new(ErrorIds.TargetObjectChanged, FailureKind.Conflict,
            $"'{key}' appeared or changed on the {EndRole.Target} after it was listed (another writer): it was left alone. Use -Overwrite to replace it with the backup.", inner);

    /// <summary>
    /// Aborts the upload so it never lingers (it is never visible either way). Runs on
    /// cancellation too, so it is kept short: each request gets a few seconds (a server may hold
    /// the upload while it finishes a part we gave up on), and a part that lands after the first
    /// abort is caught by repeating it until the server no longer knows the upload. One the target
    /// would not abort in time (unreachable, restarting) is kept for <see cref="AbortLeftBehindAsync"/>.
    /// </summary>
    private async Task AbortAsync(string key, string uploadId)
    {
        if (!await TryAbortAsync(key, uploadId).ConfigureAwait(false)) _leftBehind.Enqueue((key, uploadId));
    }

    private async Task<bool> TryAbortAsync(string key, string uploadId)
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
                return true;
            }
            catch (Exception)
            {
                // Unreachable target, or out of time: tried again at the end of the bucket.
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100 * (attempt + 1))).ConfigureAwait(false);
        }
        return false;
    }

    /// <summary>
    /// At the end of a bucket: the uploads an abort did not reach (the target was down or
    /// restarting then) are aborted once more. Returns the keys of those still left: invisible,
    /// but they hold space until the bucket's lifecycle rule (AbortIncompleteMultipartUpload) or
    /// <c>mc rm --incomplete</c> removes them. A key whose upload start went unanswered is named
    /// where the target holds an upload of it: it may be ours, with an id we never learnt, or
    /// another writer's, so it is named, never aborted.
    /// </summary>
    public async Task<IReadOnlyList<string>> AbortLeftBehindAsync()
    {
        var still = new List<string>();
        bool reachable = true;
        // Once one fails the target is still away: the rest are named without waiting for each.
        while (_leftBehind.TryDequeue(out var upload))
            if (!(reachable = reachable && await TryAbortAsync(upload.Key, upload.UploadId).ConfigureAwait(false))) still.Add(upload.Key);
        var unanswered = new SortedSet<string>(StringComparer.Ordinal);
        while (_unansweredStarts.TryDequeue(out var key)) unanswered.Add(key);
        foreach (var key in unanswered.Where(k => !still.Contains(k)))
            if (!reachable || await HoldsUploadAsync(key).ConfigureAwait(false) != false) still.Add(key);
        return still;
    }

    /// <summary>Whether the target holds an incomplete upload of exactly <paramref name="key"/>; null where it did not answer.</summary>
    private async Task<bool?> HoldsUploadAsync(string key)
    {
        using var request = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            var uploads = await target.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = target.Bucket, Prefix = key, MaxUploads = 100 }, request.Token).ConfigureAwait(false);
            return uploads.MultipartUploads?.Any(u => u.Key == key) == true;
        }
        catch (Exception)
        {
            return null;
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
