using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Engine.Copying;

/// <summary>
/// The tags of the objects of one bucket pair: read from the source only for objects that have
/// any (the GET answer's <c>x-amz-tagging-count</c>), written with the object (<c>x-amz-tagging</c>
/// on the single PUT and on CreateMultipartUpload). An end that refuses tags (AccessDenied) is
/// warned about once, and the bucket's objects go on without tags rather than not at all.
/// </summary>
internal sealed class ObjectTags(CopyEnd source, CopyEnd target, Action<RestoreException>? warn)
{
    private int _sourceRefuses, _targetRefuses;

    /// <summary><paramref name="headers"/> with the object's tags to write, if it has any and both ends take them.</summary>
    /// <param name="headers">What the source answered; a HEAD does not say how many tags there are, so then they are asked for.</param>
    /// <param name="versionId">The backup version being copied (-AsOf), whose tags are read; null for the latest.</param>
    public async Task<ObjectHeaders> AddAsync(string key, ObjectHeaders headers, CancellationToken cancel, string? versionId = null)
    {
        if (headers.TagCount == 0 || Volatile.Read(ref _sourceRefuses) == 1 || Volatile.Read(ref _targetRefuses) == 1) return headers;
        try
        {
            var answer = await source.Client.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = source.Bucket, Key = key, VersionId = versionId }, cancel).ConfigureAwait(false);
            return headers with { Tags = answer.Tagging ?? [] };
        }
        catch (AmazonS3Exception e) when (IsRefusal(e) && !cancel.IsCancellationRequested)
        {
            if (Interlocked.Exchange(ref _sourceRefuses, 1) == 0)
                warn?.Invoke(new RestoreException(ErrorIds.TagsNotCopied, FailureKind.PermissionDenied,
                    $"The {EndRole.Source} {Authority(source)} refused to tell the tags of '{key}' in bucket '{source.Bucket}' ({e.ErrorCode}): " +
                    $"access key '{source.Endpoint.AccessKeyId}' may not read object tags (s3:GetObjectTagging). The objects of this bucket are restored without their tags. " +
                    ReRunAdvice, e));
            return headers;
        }
    }

    /// <summary>
    /// Runs one write of an object; a refusal while tags were sent is taken as the target's refusal
    /// of tags: warned once, and a transient failure, so the copier writes the object again without them.
    /// </summary>
    public async Task<T> WriteAsync<T>(string key, ObjectHeaders sent, Func<Task<T>> write)
    {
        try
        {
            return await write().ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (sent.TagSet is not null && IsRefusal(e))
        {
            WarnTargetRefuses(key, e);
            throw new RestoreException(ErrorIds.TagsNotCopied, FailureKind.PermissionDenied,
                $"The {EndRole.Target} refused '{key}' with its tags; it is written again without them.", e, transient: true);
        }
    }

    /// <summary>
    /// After a multipart upload with tags completed: the tags once more, on their own. RGW 16 keeps
    /// the tags of a single PUT but ignores <c>x-amz-tagging</c> on CreateMultipartUpload (measured),
    /// which Amazon S3 and MinIO honour; one request per tagged multipart object is the price.
    /// </summary>
    public async Task<bool> AfterMultipartAsync(string key, ObjectHeaders sent, CancellationToken cancel)
    {
        if (sent.TagSet is not { } tags || Volatile.Read(ref _targetRefuses) == 1) return false;
        try
        {
            await target.Client.PutObjectTaggingAsync(new PutObjectTaggingRequest
            {
                BucketName = target.Bucket, Key = key, Tagging = new Tagging { TagSet = tags },
            }, cancel).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (IsRefusal(e))
        {
            WarnTargetRefuses(key, e);
            return false;
        }
    }

    private void WarnTargetRefuses(string key, AmazonS3Exception e)
    {
        if (Interlocked.Exchange(ref _targetRefuses, 1) == 0)
            warn?.Invoke(new RestoreException(ErrorIds.TagsNotCopied, FailureKind.PermissionDenied,
                $"The {EndRole.Target} {Authority(target)} refused '{key}' with its tags in bucket '{target.Bucket}' ({e.ErrorCode}): " +
                $"access key '{target.Endpoint.AccessKeyId}' may not tag objects (s3:PutObjectTagging). The objects of this bucket are restored without their tags. " +
                ReRunAdvice, e));
    }

    private const string ReRunAdvice =
        "Once the permission is granted, a rerun does not add the tags to objects it finds identical: remove those objects (or the bucket) on the MinIO target and restore again.";

    // By code only: a 403 SignatureDoesNotMatch is no refusal of tags and must not lose them quietly.
    private static bool IsRefusal(AmazonS3Exception e) => e.ErrorCode == "AccessDenied";

    private static string Authority(CopyEnd end) => end.Endpoint.Url.GetLeftPart(UriPartial.Authority);

    /// <summary>The tag set as <c>x-amz-tagging</c> takes it: a URL query, keys and values percent-encoded.</summary>
    internal static string? Encode(IEnumerable<Tag> tags)
    {
        string joined = string.Join("&", tags.Select(t => Uri.EscapeDataString(t.Key ?? "") + "=" + Uri.EscapeDataString(t.Value ?? "")));
        return joined.Length == 0 ? null : joined;
    }
}
