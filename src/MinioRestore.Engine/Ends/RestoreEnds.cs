using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Copying;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Engine.Ends;

/// <summary>
/// The two ends of a restore, with their connections (the SDK clients for listing and control,
/// the data paths for bodies), and what every operation on them starts with: checking and
/// creating buckets, the merged listing of both buckets, with failures explained, and copiers
/// between two of their buckets. Shared by the restore and the verification, so it belongs to
/// neither.
/// </summary>
internal sealed class RestoreEnds : IDisposable
{
    public RestoreEnds(S3Endpoint source, S3Endpoint target, int maxConnections, DataPath dataPath = DataPath.Auto)
    {
        SourceEndpoint = source;
        TargetEndpoint = target;
        Source = S3ClientFactory.Create(source, maxConnections);
        Target = S3ClientFactory.Create(target, maxConnections);
        SourceData = IObjectStore.Create(source, Source, maxConnections, dataPath);
        TargetData = IObjectStore.Create(target, Target, maxConnections, dataPath);
    }

    public S3Endpoint SourceEndpoint { get; }
    public S3Endpoint TargetEndpoint { get; }
    public AmazonS3Client Source { get; }
    public AmazonS3Client Target { get; }
    public IObjectStore SourceData { get; }
    public IObjectStore TargetData { get; }

    /// <summary>
    /// Both listings merged by key, within <paramref name="filter"/>; a null <paramref name="targetBucket"/>
    /// stands for a bucket that does not exist yet. With <paramref name="asOf"/> the backup is listed
    /// as it was at that instant (its versions), the target as it is. Both listings start after
    /// <paramref name="startAfter"/> (a checkpoint's mark) and keep only <paramref name="shard"/>'s keys.
    /// <paramref name="shape"/> says how they are read (<see cref="BucketLister"/>).
    /// </summary>
    public async IAsyncEnumerable<MergedEntry> MergeListingsAsync(string sourceBucket, string? targetBucket, ObjectFilter filter,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel, PointInTime? asOf = null,
        string? startAfter = null, Restoring.Shard? shard = null, ListingShape? shape = null)
    {
        var backup = asOf is null
            ? BucketLister.ListAsync(Source, sourceBucket, filter.Prefix, cancel, startAfter, shape)
            : VersionLister.ListAsOfAsync(Source, sourceBucket, filter.Prefix, asOf.Utc, asOf.PageSize, cancel, startAfter, shape);
        var source = Listed(backup, filter, shard, EndRole.Source, SourceEndpoint, sourceBucket, cancel);
        var target = targetBucket is null
            ? Empty()
            : Listed(BucketLister.ListAsync(Target, targetBucket, filter.Prefix, cancel, startAfter, shape), filter, shard, EndRole.Target, TargetEndpoint, targetBucket, cancel);
        await foreach (var pair in ListingMerge.MergeAsync(source, target, cancel).ConfigureAwait(false))
        {
            // After the merge, so that a target object whose backup is out of the date window
            // is skipped with it, not taken for one the backup lacks.
            if (pair.Source is { } s && !filter.SelectsBackupDate(s.LastModified)) continue;
            yield return pair;
        }
    }

    /// <summary>
    /// -AllVersions: both buckets' histories merged by key, within <paramref name="filter"/>'s keys;
    /// a null <paramref name="targetBucket"/> stands for a bucket that does not exist yet. With
    /// <paramref name="upToUtc"/>, the backup's history up to that instant (-AsOf). One key's
    /// history per end is held at a time.
    /// </summary>
    /// <param name="shard">-ShardIndex/-ShardCount: only the keys of this shard, on both ends (a key's history is all in one shard).</param>
    /// <param name="startAfter">A checkpoint's mark: both listings start with the key after it, whole (KeyMarker without a version-id marker).</param>
    /// <param name="shape">How both version listings are read, in key ranges (<see cref="VersionLister"/>).</param>
    public IAsyncEnumerable<MergedHistory> MergeHistoriesAsync(string sourceBucket, string? targetBucket, ObjectFilter filter, DateTime? upToUtc, int pageSize,
        CancellationToken cancel, Restoring.Shard? shard = null, string? startAfter = null, ListingShape? shape = null)
    {
        var source = KeyHistory.GroupAsync(Listed(VersionLister.ListAsync(Source, sourceBucket, filter.Prefix, pageSize, cancel, startAfter, shape), filter, shard, EndRole.Source, SourceEndpoint, sourceBucket, cancel),
            upToUtc, cancel);
        var target = targetBucket is null
            ? EmptyHistories()
            : KeyHistory.GroupAsync(Listed(VersionLister.ListAsync(Target, targetBucket, filter.Prefix, pageSize, cancel, startAfter, shape), filter, shard, EndRole.Target, TargetEndpoint, targetBucket, cancel),
                null, cancel);
        return ListingMerge.MergeAsync(source, target, cancel);
    }

#pragma warning disable CS1998 // an empty async stream
    private static async IAsyncEnumerable<KeyHistory> EmptyHistories() { yield break; }
#pragma warning restore CS1998

    private static async IAsyncEnumerable<ObjectEntry> Listed(IAsyncEnumerable<ObjectEntry> listing, ObjectFilter filter, Restoring.Shard? shard, string role, S3Endpoint endpoint, string bucket,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel)
    {
        await using var e = listing.GetAsyncEnumerator(cancel);
        while (true)
        {
            try
            {
                if (!await e.MoveNextAsync().ConfigureAwait(false)) yield break;
            }
            catch (Exception x) when (!cancel.IsCancellationRequested)
            {
                throw S3Failure.Explain(x, role, endpoint, $"listing bucket '{bucket}'", ErrorIds.ListingFailed);
            }
            if (filter.SelectsKey(e.Current.Key) && (shard is null || shard.Owns(e.Current.Key))) yield return e.Current;
        }
    }

#pragma warning disable CS1998 // an empty async stream
    private static async IAsyncEnumerable<ObjectEntry> Empty() { yield break; }
#pragma warning restore CS1998

    public async Task EnsureSourceBucketAsync(string bucket, CancellationToken cancel)
    {
        try
        {
            await Source.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 1 }, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancel.IsCancellationRequested)
        {
            var failure = S3Failure.Explain(e, EndRole.Source, SourceEndpoint, $"opening bucket '{bucket}'", ErrorIds.ListingFailed);
            if (failure.ErrorId == ErrorIds.SourceBucketNotFound)
                throw new RestoreException(ErrorIds.SourceBucketNotFound, FailureKind.NotFound,
                    $"The backup bucket '{bucket}' does not exist on the {EndRole.Source} {SourceEndpoint.Url.GetLeftPart(UriPartial.Authority)}. Check the name (S3_BUCKET) and the endpoint; nothing was written.", e);
            throw failure;
        }
    }

    /// <summary>
    /// A point-in-time restore needs the backup's history: a bucket that was never versioned kept
    /// only the latest objects, so its state at an earlier instant is unknown (what was overwritten
    /// or deleted is gone, and what was written since would look absent to -Remove).
    /// Suspended versioning kept the history up to the suspension, so it is accepted.
    /// </summary>
    public async Task EnsureSourceVersionedAsync(string bucket, CancellationToken cancel, bool allVersions = false)
    {
        VersionStatus? status;
        try
        {
            var response = await Source.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket }, cancel).ConfigureAwait(false);
            status = response.VersioningConfig?.Status;
        }
        catch (Exception e) when (!cancel.IsCancellationRequested)
        {
            throw S3Failure.Explain(e, EndRole.Source, SourceEndpoint, $"reading the versioning state of bucket '{bucket}'", ErrorIds.ListingFailed);
        }
        if (status != VersionStatus.Enabled && status != VersionStatus.Suspended)
            throw new RestoreException(ErrorIds.SourceBucketNotVersioned, FailureKind.Conflict,
                $"The backup bucket '{bucket}' on the {EndRole.Source} has never had versioning enabled, so it holds no history: " +
                (allVersions ? "-AllVersions would restore its current objects only. " : "its state at an earlier time (-AsOf) is unknown. ") +
                $"Nothing was written. Restore its current state without {(allVersions ? "-AllVersions" : "-AsOf")}, and enable versioning on the backup bucket so that later backups keep their history.");
    }

    /// <summary>Whether versioning is enabled on the target bucket (not suspended, not never).</summary>
    public async Task<bool> TargetVersioningEnabledAsync(string bucket, CancellationToken cancel)
    {
        try
        {
            var response = await Target.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket }, cancel).ConfigureAwait(false);
            return response.VersioningConfig?.Status == VersionStatus.Enabled;
        }
        catch (Exception e) when (!cancel.IsCancellationRequested)
        {
            throw S3Failure.Explain(e, EndRole.Target, TargetEndpoint, $"reading the versioning state of bucket '{bucket}'", ErrorIds.ListingFailed);
        }
    }

    /// <summary>Enables versioning on the target bucket (-AllVersions): from then on it keeps every version written.</summary>
    public async Task EnableTargetVersioningAsync(string bucket, CancellationToken cancel)
    {
        try
        {
            await Target.PutBucketVersioningAsync(new PutBucketVersioningRequest
            {
                BucketName = bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
            }, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancel.IsCancellationRequested)
        {
            var failure = S3Failure.Explain(e, EndRole.Target, TargetEndpoint, $"enabling versioning on bucket '{bucket}'", ErrorIds.TargetVersioningNotEnabled);
            throw new RestoreException(failure.Kind is FailureKind.AuthenticationFailed or FailureKind.ConnectionFailed ? failure.ErrorId : ErrorIds.TargetVersioningNotEnabled,
                failure.Kind, $"Versioning could not be enabled on the target bucket '{bucket}', so its history cannot be restored (-AllVersions); nothing was copied: {failure.Message}", e);
        }
    }

    /// <summary>
    /// The source's checks (<paramref name="sourceChecks"/>), with the target's bucket looked at
    /// meanwhile: it waits on nothing they tell and writes nothing. WhenAll awaits both and throws
    /// the source's failure first, as when they ran one after the other.
    /// </summary>
    /// <returns>Whether the target bucket exists.</returns>
    public async Task<bool> CheckBucketsAsync(Func<Task> sourceChecks, string targetBucket, CancellationToken cancel)
    {
        var targetExists = TargetBucketExistsAsync(targetBucket, cancel);
        await Task.WhenAll(sourceChecks(), targetExists).ConfigureAwait(false);
        return await targetExists.ConfigureAwait(false);
    }

    public async Task<bool> TargetBucketExistsAsync(string bucket, CancellationToken cancel)
    {
        try
        {
            await Target.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 1 }, cancel).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (!cancel.IsCancellationRequested)
        {
            var failure = S3Failure.Explain(e, EndRole.Target, TargetEndpoint, $"opening bucket '{bucket}'", ErrorIds.ListingFailed);
            if (failure.ErrorId == ErrorIds.TargetBucketNotFound) return false; // NoSuchBucket: the restore creates it
            throw failure;
        }
    }

    /// <param name="withLock">The backup bucket's Object Lock, for the new bucket to have it too.</param>
    /// <returns>
    /// True when this call created it; false when it was created meanwhile by another run of ours
    /// (another shard), which MinIO answers with BucketAlreadyOwnedByYou. RGW answers 200 to that
    /// as to a creation (Amazon's us-east-1 rule, measured on RGW 16), so there the answer cannot tell.
    /// </returns>
    public async Task<bool> CreateTargetBucketAsync(string bucket, CancellationToken cancel, BucketLock? withLock = null)
    {
        try
        {
            await Target.PutBucketAsync(new PutBucketRequest { BucketName = bucket, ObjectLockEnabledForBucket = withLock is not null }, cancel).ConfigureAwait(false);
            if (withLock is not null) await withLock.ApplyAsync(Target, bucket, cancel).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "BucketAlreadyOwnedByYou")
        {
            return false; // created meanwhile by us (another run), which also set its Object Lock
        }
        catch (Exception e) when (!cancel.IsCancellationRequested)
        {
            if (e is AmazonS3Exception { ErrorCode: "BucketAlreadyExists" })
                throw new RestoreException(ErrorIds.TargetBucketCreateFailed, FailureKind.PermissionDenied,
                    $"The bucket '{bucket}' exists on the {EndRole.Target} but belongs to another account; restore into another bucket with -TargetBucket, or use that account's credential.", e);
            var failure = S3Failure.Explain(e, EndRole.Target, TargetEndpoint, $"creating bucket '{bucket}'", ErrorIds.TargetBucketCreateFailed);
            throw new RestoreException(failure.Kind is FailureKind.AuthenticationFailed ? failure.ErrorId : ErrorIds.TargetBucketCreateFailed,
                failure.Kind, $"The target bucket '{bucket}' could not be created: {failure.Message}", e);
        }
    }

    /// <summary>Both objects' headers, for what the listings cannot decide (<see cref="CopyAction.Check"/>).</summary>
    /// <param name="sourceVersionId">The backup version the listing chose (-AsOf, -AllVersions), or null for the latest.</param>
    /// <param name="targetVersionId">The target version compared with it (-AllVersions), or null for the latest.</param>
    public async Task<(ObjectFacts Source, ObjectFacts Target)> FactsAsync(string sourceBucket, string targetBucket, string key, string? sourceVersionId, CancellationToken cancel,
        string? targetVersionId = null)
    {
        var source = FactsAsync(Source, SourceEndpoint, EndRole.Source, sourceBucket, key, sourceVersionId, cancel);
        var target = FactsAsync(Target, TargetEndpoint, EndRole.Target, targetBucket, key, targetVersionId, cancel);
        return (await source.ConfigureAwait(false), await target.ConfigureAwait(false));
    }

    private static async Task<ObjectFacts> FactsAsync(IAmazonS3 client, S3Endpoint endpoint, string role, string bucket, string key, string? versionId, CancellationToken cancel)
    {
        try
        {
            var head = await client.GetObjectMetadataAsync(new GetObjectMetadataRequest
            {
                BucketName = bucket, Key = key, VersionId = versionId, ChecksumMode = ChecksumMode.ENABLED,
            }, cancel).ConfigureAwait(false);
            // Only full-object checksums compare across part layouts (FullObjectChecksum).
            var checksums = FullObjectChecksum.All(FullObjectChecksum.SdkHeaders(head.ChecksumType, head.ChecksumCRC64NVME, head.ChecksumCRC32,
                head.ChecksumCRC32C, head.ChecksumSHA1, head.ChecksumSHA256)).ToDictionary(c => c.Algorithm, c => c.Value, StringComparer.Ordinal);
            bool customerKey = head.ServerSideEncryptionCustomerMethod is { } c && c != ServerSideEncryptionCustomerMethod.None;
            return new ObjectFacts(head.ServerSideEncryptionMethod?.Value, customerKey, checksums);
        }
        catch (Exception e) when (!cancel.IsCancellationRequested)
        {
            throw S3Failure.Explain(e, role, endpoint, $"reading the headers of '{key}' in bucket '{bucket}' to compare it", ErrorIds.ObjectCopyFailed);
        }
    }

    /// <summary>A copier between two buckets of these ends, on their connections and data paths.</summary>
    internal ObjectCopier Copier(string sourceBucket, string targetBucket, RetryPolicy retry, PartBudget parts, TimeSpan idleTimeout,
        Action<string, RestoreException, int>? onRetry, Action<RestoreException>? onAttributeLost = null, string? storageClass = null) =>
        new(new CopyEnd(Source, SourceData, SourceEndpoint, sourceBucket),
            new CopyEnd(Target, TargetData, TargetEndpoint, targetBucket),
            retry, parts, idleTimeout, onRetry, onAttributeLost, storageClass);

    public void Dispose()
    {
        SourceData.Dispose();
        TargetData.Dispose();
        Source.Dispose();
        Target.Dispose();
    }
}
