using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Engine.Ends;

/// <summary>
/// A bucket's Object Lock: whether it has it and its default retention rule. A backup bucket with
/// Object Lock needs a target that has it too (retention and legal holds cannot be written
/// elsewhere; S3 answers 400 InvalidRequest, RGW 16 measured): a new target bucket is created
/// with it and the same rule, an existing one without it is refused before anything is written.
/// </summary>
internal sealed record BucketLock(string? DefaultMode, int? Days, int? Years)
{
    /// <summary>The bucket's Object Lock, or null when it has none.</summary>
    /// <param name="onRefused">Told of an AccessDenied, which then counts as no Object Lock; without it the refusal fails.</param>
    internal static async Task<BucketLock?> ReadAsync(IAmazonS3 client, string bucket, string role, S3Endpoint endpoint, Action<RestoreException>? onRefused, CancellationToken cancel)
    {
        try
        {
            var answer = await client.GetObjectLockConfigurationAsync(new GetObjectLockConfigurationRequest { BucketName = bucket }, cancel).ConfigureAwait(false);
            var config = answer.ObjectLockConfiguration;
            if (config?.ObjectLockEnabled != ObjectLockEnabled.Enabled) return null;
            var rule = config.Rule?.DefaultRetention;
            return new BucketLock(rule?.Mode?.Value, rule?.Days is > 0 ? rule.Days : null, rule?.Years is > 0 ? rule.Years : null);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "ObjectLockConfigurationNotFoundError" or "NotImplemented")
        {
            return null; // no Object Lock, or a server without it
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "AccessDenied" && onRefused is not null)
        {
            onRefused(S3Failure.Explain(e, role, endpoint, $"reading the Object Lock configuration of bucket '{bucket}' (s3:GetBucketObjectLockConfiguration)", ErrorIds.AccessDenied));
            return null;
        }
        catch (Exception e) when (!cancel.IsCancellationRequested)
        {
            throw S3Failure.Explain(e, role, endpoint, $"reading the Object Lock configuration of bucket '{bucket}' (s3:GetBucketObjectLockConfiguration)", ErrorIds.ListingFailed);
        }
    }

    public bool IsCompliance => DefaultMode == "COMPLIANCE";

    /// <summary>The default rule in words, e.g. "default retention COMPLIANCE for 30 days".</summary>
    public string Describe()
    {
        if (DefaultMode is null) return "Object Lock (no default retention)";
        string period = Years is { } y ? $"{y} year(s)" : $"{Days} day(s)";
        return $"Object Lock, default retention {DefaultMode} for {period}" +
            (IsCompliance ? " (COMPLIANCE retention cannot be shortened or removed, even by the owner)" : "");
    }

    /// <summary>The bucket creation for a target that keeps this lock.</summary>
    internal async Task ApplyAsync(IAmazonS3 target, string bucket, CancellationToken cancel)
    {
        if (DefaultMode is null) return; // enabled at creation; no rule to copy
        await target.PutObjectLockConfigurationAsync(new PutObjectLockConfigurationRequest
        {
            BucketName = bucket,
            ObjectLockConfiguration = new ObjectLockConfiguration
            {
                ObjectLockEnabled = ObjectLockEnabled.Enabled,
                Rule = new ObjectLockRule { DefaultRetention = new DefaultRetention { Mode = new ObjectLockRetentionMode(DefaultMode), Days = Days, Years = Years } },
            },
        }, cancel).ConfigureAwait(false);
    }

    internal static RestoreException TargetLacksLock(string sourceBucket, string targetBucket) =>
        new(ErrorIds.TargetBucketLacksObjectLock, FailureKind.Conflict,
            $"The backup bucket '{sourceBucket}' has Object Lock, but the existing bucket '{targetBucket}' on the {EndRole.Target} has none, " +
            "so the objects' retention and legal holds could not be restored there; nothing was written. " +
            $"Restore into a bucket that does not exist yet (-TargetBucket <new name>): it is created with Object Lock and the backup's default retention. " +
            $"Or enable Object Lock on '{targetBucket}' first (MinIO allows it only when a bucket is created: mc mb --with-lock).");
}
