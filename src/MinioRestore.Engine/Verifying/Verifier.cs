using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Copying;
using MinioRestore.Engine.Ends;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Engine.Verifying;

public enum DifferenceKind
{
    /// <summary>In the backup, not on the target.</summary>
    Missing,
    /// <summary>On both, with different content.</summary>
    Different,
    /// <summary>Only on the target (not an error for a restore, which deletes only with -Remove).</summary>
    Extra,
    /// <summary>On both with the same size, but nothing short of reading them proves the content equal (encrypted, unreproducible part layout); -Content reads them.</summary>
    Unverified,
    /// <summary>The same content, but other headers, metadata, tags or Object Lock settings (only with -Attributes).</summary>
    Attributes,
}

/// <summary>One object that is not the same on both ends. Flat, for CSV/JSON export.</summary>
public sealed record ObjectDifference(
    string SourceBucket, string TargetBucket, string Key, DifferenceKind Difference,
    long? SourceSize, long? TargetSize, string? SourceETag, string? TargetETag, string Reason);

/// <summary>The outcome of verifying one bucket pair.</summary>
public sealed class VerifyResult
{
    public required string SourceBucket { get; init; }
    public required string TargetBucket { get; init; }
    public long Compared { get; init; }
    public long Matching { get; init; }
    public long Missing { get; init; }
    public long Different { get; init; }
    public long Extra { get; init; }
    /// <summary>Pairs of the same size whose identity the listings and headers cannot prove (only without -Content).</summary>
    public long Unverified { get; init; }
    /// <summary>Pairs of the same content whose headers, metadata, tags or Object Lock settings differ (only with -Attributes).</summary>
    public long AttributesDifferent { get; init; }
    /// <summary>True when the bytes of every object on both ends were read and hashed.</summary>
    public bool ContentCompared { get; init; }
    /// <summary>True when headers, metadata, tags and Object Lock settings were compared too (-Attributes).</summary>
    public bool AttributesCompared { get; init; }
    /// <summary>-AllVersions: whole histories were compared; the counts above are keys, and <see cref="Versions"/> the backup's entries compared.</summary>
    public bool AllVersions { get; init; }
    /// <summary>-AllVersions: the backup's versions and delete markers compared.</summary>
    public long Versions { get; init; }
    public TimeSpan Duration { get; init; }

    /// <summary>Every backup object is on the target with the same content, proven (an unverified pair is not), and with -Attributes the same attributes.</summary>
    public bool Restored => Missing == 0 && Different == 0 && Unverified == 0 && AttributesDifferent == 0;

    public override string ToString() =>
        $"{SourceBucket} -> {TargetBucket}: {Matching} of {Compared} match, {Missing} missing, {Different} different, {Unverified} unverified, {Extra} extra" +
        (AttributesCompared ? $", {AttributesDifferent} with other attributes" : "");
}

/// <summary>
/// Compares a backup bucket with a restored bucket, after any restore (ours or another tool's):
/// from the two listings (size, and ETags where they are comparable hashes), or, with
/// <c>content</c>, by reading both objects and comparing MD5s of their bytes.
/// </summary>
public sealed class Verifier : IDisposable
{
    private readonly RestoreEnds _ends;

    public Verifier(S3Endpoint source, S3Endpoint target, int maxConnections = RestoreOptions.DefaultConcurrency)
    {
        _ends = new RestoreEnds(source, target, maxConnections);
    }

    /// <param name="filter">Compare only these objects (as a filtered restore copied them); null compares all.</param>
    /// <param name="asOf">Compare with the backup as it was at this instant (as -AsOf restored it); null: as it is now.</param>
    /// <param name="attributes">Compare each matching pair's headers, metadata, tags and Object Lock settings too (a HEAD and a tag read per object on each end); not with <paramref name="allVersions"/>.</param>
    /// <param name="allVersions">Compare whole histories (as -AllVersions restored them; up to <paramref name="asOf"/> when given).</param>
    public async Task<VerifyResult> VerifyAsync(string sourceBucket, string targetBucket, bool content, int concurrency,
        Action<ObjectDifference> onDifference, RestoreProgress? progress, CancellationToken cancel, ObjectFilter? filter = null, PointInTime? asOf = null,
        bool allVersions = false, bool attributes = false)
    {
        progress ??= new RestoreProgress();
        var clock = Stopwatch.StartNew();
        BucketNames.Validate(sourceBucket, "source", legacy: true);
        BucketNames.Validate(targetBucket, "target");
        if (allVersions) new RestoreOptions(sourceBucket, targetBucket) { AllVersions = true, Filter = filter ?? ObjectFilter.All }.Validate();
        if (allVersions && attributes)
            throw new RestoreException(ErrorIds.InvalidParameterCombination, FailureKind.InvalidArgument,
                "-Attributes cannot be combined with -AllVersions: attributes are compared on the latest objects. Compare the histories with -AllVersions, then the latest objects' attributes with -Attributes alone. Nothing was done.");
        bool targetExists = await _ends.CheckBucketsAsync(async () =>
        {
            await _ends.EnsureSourceBucketAsync(sourceBucket, cancel).ConfigureAwait(false);
            if (asOf is not null || allVersions) await _ends.EnsureSourceVersionedAsync(sourceBucket, cancel, allVersions).ConfigureAwait(false);
        }, targetBucket, cancel).ConfigureAwait(false);
        if (allVersions)
            return await VerifyHistoriesAsync(sourceBucket, targetExists ? targetBucket : null, targetBucket, content, concurrency, onDifference, progress, filter ?? ObjectFilter.All, asOf, clock, cancel)
                .ConfigureAwait(false);

        long compared = 0, matching = 0, missing = 0, different = 0, extra = 0, unverified = 0, otherAttributes = 0;
        void Report(MergedEntry pair, DifferenceKind kind, string reason)
        {
            switch (kind)
            {
                case DifferenceKind.Missing: Interlocked.Increment(ref missing); break;
                case DifferenceKind.Different: Interlocked.Increment(ref different); break;
                case DifferenceKind.Unverified: Interlocked.Increment(ref unverified); break;
                case DifferenceKind.Attributes: Interlocked.Increment(ref otherAttributes); break;
                default: Interlocked.Increment(ref extra); break;
            }
            onDifference(new ObjectDifference(sourceBucket, targetBucket, pair.Key, kind, pair.Source?.Size, pair.Target?.Size,
                pair.Source is null ? null : ETag.Parse(pair.Source.ETag).Value, pair.Target is null ? null : ETag.Parse(pair.Target.ETag).Value, reason));
        }
        // The same rules as the restore's: only evidence makes two objects identical. False: reported as a difference.
        bool Same(MergedEntry pair, CopyDecision decision)
        {
            switch (decision.Action)
            {
                case CopyAction.Conflict: Report(pair, DifferenceKind.Different, decision.Reason); return false;
                case CopyAction.SkipUnverified: Report(pair, DifferenceKind.Unverified, decision.Reason + "; -Content reads both"); return false;
                default: return true;
            }
        }
        // A pair of the same content matches, unless -Attributes finds other attributes.
        async Task MatchedAsync(MergedEntry pair, CancellationToken ct)
        {
            if (attributes)
            {
                var read = await Task.WhenAll(
                    AttributeComparison.ReadAsync(_ends.Source, _ends.SourceEndpoint, EndRole.Source, sourceBucket, pair.Key, pair.Source!.VersionId, ct),
                    AttributeComparison.ReadAsync(_ends.Target, _ends.TargetEndpoint, EndRole.Target, targetBucket, pair.Key, null, ct)).ConfigureAwait(false);
                if (AttributeComparison.Differences(read[0], read[1]) is { } reason) { Report(pair, DifferenceKind.Attributes, reason); return; }
            }
            Interlocked.Increment(ref matching);
        }

        // The listing merge decides everything it can; pairs whose headers (a check) or bytes (-Content) must be read go on.
        async IAsyncEnumerable<(MergedEntry Pair, CopyDecision Decision)> ToExamine()
        {
            await foreach (var pair in _ends.MergeListingsAsync(sourceBucket, targetExists ? targetBucket : null, filter ?? ObjectFilter.All, cancel, asOf).ConfigureAwait(false))
            {
                if (pair.Source is not null)
                {
                    Interlocked.Increment(ref compared);
                    progress.OnListed();
                }
                if (pair.Source is null) { Report(pair, DifferenceKind.Extra, "only on the target"); continue; }
                if (pair.Target is null) { Report(pair, DifferenceKind.Missing, "missing on the target"); continue; }
                var decision = CopyPlanner.Decide(pair.Source, pair.Target, overwrite: false);
                // With -Content the bytes decide every pair of the same size, whatever its ETags say.
                bool read = content && pair.Source.Size == pair.Target.Size;
                if (decision.Action == CopyAction.Conflict && !read) { Report(pair, DifferenceKind.Different, decision.Reason); continue; }
                if (read) progress.OnPlanned(pair.Source.Size);
                else if (decision.Action != CopyAction.Check)
                {
                    if (!Same(pair, decision)) continue;
                    if (!attributes) { Interlocked.Increment(ref matching); continue; }
                }
                yield return (pair, decision);
            }
            progress.OnListingComplete();
        }

        await Parallel.ForEachAsync(ToExamine(), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancel },
            async (item, ct) =>
            {
                var pair = item.Pair;
                if (!content)
                {
                    if (item.Decision.Action == CopyAction.Check)
                    {
                        var facts = await _ends.FactsAsync(sourceBucket, targetBucket, pair.Key, pair.Source!.VersionId, ct).ConfigureAwait(false);
                        if (!Same(pair, CopyPlanner.Decide(pair.Source, pair.Target, overwrite: false, facts))) return;
                    }
                    await MatchedAsync(pair, ct).ConfigureAwait(false);
                    return;
                }
                // Both copies are read at once. Progress counts the backup's bytes, the total it was planned against.
                var reads = await Task.WhenAll(
                    HashAsync(_ends.SourceData, _ends.SourceEndpoint, EndRole.Source, sourceBucket, pair.Key, pair.Source!.VersionId, progress, ct),
                    HashAsync(_ends.TargetData, _ends.TargetEndpoint, EndRole.Target, targetBucket, pair.Key, null, null, ct)).ConfigureAwait(false);
                var (source, target) = (reads[0], reads[1]);
                if (source.AsSpan().SequenceEqual(target)) await MatchedAsync(pair, ct).ConfigureAwait(false);
                else Report(pair, DifferenceKind.Different, $"content differs (MD5 {Convert.ToHexString(source).ToLowerInvariant()} in the backup, {Convert.ToHexString(target).ToLowerInvariant()} on the target)");
                progress.OnDone();
            }).ConfigureAwait(false);

        return new VerifyResult
        {
            SourceBucket = sourceBucket, TargetBucket = targetBucket, Compared = compared, Matching = matching,
            Missing = missing, Different = different, Extra = extra, Unverified = unverified, ContentCompared = content, Duration = clock.Elapsed,
            AttributesDifferent = otherAttributes, AttributesCompared = attributes,
        };
    }

    /// <summary>
    /// -AllVersions: every key's history on the target against the backup's, by the restore's own
    /// rule (<see cref="HistoryPlanner"/>): the same entries in the same order. A target history
    /// that is a prefix of the backup's lacks the rest (Missing); any other is Different. With
    /// <paramref name="content"/>, every pair of object versions is read and hashed, and the
    /// listings only decide where delete markers, sizes or the number of entries differ.
    /// </summary>
    private async Task<VerifyResult> VerifyHistoriesAsync(string sourceBucket, string? existingTarget, string targetBucket, bool content, int concurrency,
        Action<ObjectDifference> onDifference, RestoreProgress progress, ObjectFilter filter, PointInTime? asOf, Stopwatch clock, CancellationToken cancel)
    {
        long compared = 0, versions = 0, matching = 0, missing = 0, different = 0, extra = 0, unverified = 0;
        void Report(MergedHistory pair, DifferenceKind kind, string reason, int at = 0)
        {
            switch (kind)
            {
                case DifferenceKind.Missing: Interlocked.Increment(ref missing); break;
                case DifferenceKind.Different: Interlocked.Increment(ref different); break;
                case DifferenceKind.Unverified: Interlocked.Increment(ref unverified); break;
                default: Interlocked.Increment(ref extra); break;
            }
            ObjectEntry? s = pair.Source is { } sh && at < sh.Versions.Count ? sh.Versions[at] : null;
            ObjectEntry? t = pair.Target is { } th && at < th.Versions.Count ? th.Versions[at] : null;
            onDifference(new ObjectDifference(sourceBucket, targetBucket, pair.Key, kind, s?.Size, t?.Size,
                s is null ? null : ETag.Parse(s.ETag).Value, t is null ? null : ETag.Parse(t.ETag).Value, reason));
        }
        void Judge(MergedHistory pair, HistoryDecision decision)
        {
            switch (decision.Action)
            {
                case HistoryAction.Complete when decision.Unverified > 0:
                    Report(pair, DifferenceKind.Unverified, $"{decision.Reason}, but {decision.Unverified} of its versions cannot be proven the same (ETags that are no comparable hashes); -Content reads them");
                    break;
                case HistoryAction.Complete: Interlocked.Increment(ref matching); break;
                case HistoryAction.Append:
                    Report(pair, DifferenceKind.Missing, $"{decision.Reason}: the rest is missing on the target", decision.From);
                    break;
                default: Report(pair, DifferenceKind.Different, decision.Reason, decision.From); break;
            }
        }

        async IAsyncEnumerable<(MergedHistory Pair, HistoryDecision Decision)> ToExamine()
        {
            await foreach (var pair in _ends.MergeHistoriesAsync(sourceBucket, existingTarget, filter, asOf?.Utc, VersionLister.DefaultPageSize, cancel).ConfigureAwait(false))
            {
                if (pair.Source is not { } source) { Report(pair, DifferenceKind.Extra, "only on the target"); continue; }
                Interlocked.Increment(ref compared);
                Interlocked.Add(ref versions, source.Versions.Count);
                progress.OnListed(source.Versions.Count);
                if (pair.Target is null) { Report(pair, DifferenceKind.Missing, $"missing on the target ({HistoryPlanner.Count(source.Versions)})"); continue; }
                if (content)
                {
                    if (Structure(source.Versions, pair.Target.Versions) is { } differs) { Judge(pair, differs); continue; }
                    foreach (var v in source.Versions) progress.OnPlanned(v.Size);
                    yield return (pair, new HistoryDecision(HistoryAction.Check, 0, "read"));
                    continue;
                }
                var decision = HistoryPlanner.Decide(source.Versions, pair.Target.Versions);
                if (decision.Action != HistoryAction.Check) { Judge(pair, decision); continue; }
                yield return (pair, decision);
            }
            progress.OnListingComplete();
        }

        await Parallel.ForEachAsync(ToExamine(), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancel },
            async (item, ct) =>
            {
                var (pair, decision) = item;
                var (source, target) = (pair.Source!.Versions, pair.Target!.Versions);
                if (!content)
                {
                    var facts = new Dictionary<int, (ObjectFacts, ObjectFacts)>();
                    foreach (int i in decision.Checks!)
                        facts[i] = await _ends.FactsAsync(sourceBucket, targetBucket, pair.Key, source[i].VersionId, ct, target[i].VersionId).ConfigureAwait(false);
                    Judge(pair, HistoryPlanner.Decide(source, target, facts));
                    return;
                }
                // One version after another: a key's history is read in order, keys in parallel.
                for (int i = 0; i < source.Count; i++)
                {
                    if (source[i].IsDeleteMarker) continue;
                    var reads = await Task.WhenAll(
                        HashAsync(_ends.SourceData, _ends.SourceEndpoint, EndRole.Source, sourceBucket, pair.Key, source[i].VersionId, progress, ct),
                        HashAsync(_ends.TargetData, _ends.TargetEndpoint, EndRole.Target, targetBucket, pair.Key, target[i].VersionId, null, ct)).ConfigureAwait(false);
                    if (!reads[0].AsSpan().SequenceEqual(reads[1]))
                    {
                        Report(pair, DifferenceKind.Different, $"entry {i + 1} of its history (backup version {source[i].VersionId}, target version {target[i].VersionId}): content differs " +
                            $"(MD5 {Convert.ToHexString(reads[0]).ToLowerInvariant()} in the backup, {Convert.ToHexString(reads[1]).ToLowerInvariant()} on the target)", i);
                        return;
                    }
                }
                Interlocked.Increment(ref matching);
                progress.OnDone();
            }).ConfigureAwait(false);

        return new VerifyResult
        {
            SourceBucket = sourceBucket, TargetBucket = targetBucket, Compared = compared, Matching = matching, Missing = missing, Different = different,
            Extra = extra, Unverified = unverified, ContentCompared = content, AllVersions = true, Versions = versions, Duration = clock.Elapsed,
        };
    }

    /// <summary>
    /// With -Content, what the listings decide before any byte is read: the same number of
    /// entries, delete markers in the same places, the same sizes. Null when the bytes must decide.
    /// </summary>
    private static HistoryDecision? Structure(IReadOnlyList<ObjectEntry> source, IReadOnlyList<ObjectEntry> target)
    {
        for (int i = 0; i < Math.Min(source.Count, target.Count); i++)
        {
            if (source[i].IsDeleteMarker != target[i].IsDeleteMarker)
                return new(HistoryAction.Diverged, i, $"entry {i + 1} of its history is a {(source[i].IsDeleteMarker ? "delete marker" : "version")} in the backup, but a {(target[i].IsDeleteMarker ? "delete marker" : "version")} on the target");
            if (source[i].Size != target[i].Size)
                return new(HistoryAction.Diverged, i, $"entry {i + 1} of its history: size differs (backup {source[i].Size} bytes, target {target[i].Size} bytes)");
        }
        if (target.Count < source.Count)
            return new(HistoryAction.Append, target.Count, $"the target holds the first {target.Count} of {source.Count} entries of its history");
        if (target.Count > source.Count)
            return new(HistoryAction.Diverged, source.Count, $"the target has {target.Count - source.Count} version(s) or delete marker(s) more than the backup's {source.Count}");
        return null;
    }

    /// <summary>
    /// The MD5 of the object's bytes as they are now, read on the end's data path; transient
    /// failures and stalls are retried as the restore retries them.
    /// </summary>
    private static Task<byte[]> HashAsync(IObjectStore data, S3Endpoint endpoint, string role, string bucket, string key, string? versionId, RestoreProgress? progress, CancellationToken cancel) =>
        RetryPolicy.Default.RunAsync(
            ct => StallGuard.RunAsync(StallGuard.DefaultLimit, ErrorIds.Unexpected, (alive, c) => ReadAndHashAsync(data, bucket, key, versionId, progress, alive, c), ct),
            e => S3Failure.Explain(e, role, endpoint, $"reading '{key}' from bucket '{bucket}' to compare it", ErrorIds.Unexpected),
            onRetry: null, cancel);

    private static async Task<byte[]> ReadAndHashAsync(IObjectStore data, string bucket, string key, string? versionId, RestoreProgress? progress, Action alive, CancellationToken cancel)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            using var read = await data.GetAsync(bucket, key, etagToMatch: null, range: null, cancel, versionId).ConfigureAwait(false);
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            int n;
            while ((n = await read.Body.ReadAsync(buffer, cancel).ConfigureAwait(false)) > 0)
            {
                alive();
                md5.AppendData(buffer, 0, n);
                progress?.OnBytes(n);
            }
            return md5.GetHashAndReset();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => _ends.Dispose();
}
