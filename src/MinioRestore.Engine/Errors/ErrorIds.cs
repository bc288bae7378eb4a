namespace MinioRestore.Engine.Errors;

/// <summary>Stable error IDs: scripts and runbooks match on these, so never rename one.</summary>
public static class ErrorIds
{
    public const string InvalidEndpoint = "InvalidEndpoint";
    public const string InvalidCaBundle = "InvalidCaBundle";
    public const string InvalidBucketName = "InvalidBucketName";
    public const string InvalidServiceName = "InvalidServiceName";
    public const string InvalidFilter = "InvalidFilter";
    /// <summary>Parameters that cannot go together (-AllVersions with -Remove, -Overwrite, -NewerThan, -OlderThan or Test's -Attributes), or one given without the one it needs (-RestoreDays without -RestoreArchived); refused before anything is done.</summary>
    public const string InvalidParameterCombination = "InvalidParameterCombination";
    public const string EndpointUnreachable = "EndpointUnreachable";
    public const string CredentialsRejected = "CredentialsRejected";
    public const string AccessDenied = "AccessDenied";
    public const string MissingCredentials = "MissingCredentials";
    public const string ProfileNotFound = "ProfileNotFound";
    public const string UnsupportedCredentialProfile = "UnsupportedCredentialProfile";
    public const string MinioAliasNotFound = "MinioAliasNotFound";
    public const string InvalidMinioAlias = "InvalidMinioAlias";
    public const string InvalidConfigFile = "InvalidConfigFile";
    public const string SourceBucketNotFound = "SourceBucketNotFound";
    /// <summary>-AsOf on a backup bucket that was never versioned: it has no history to restore from.</summary>
    public const string SourceBucketNotVersioned = "SourceBucketNotVersioned";
    /// <summary>-AllVersions: a key's history on the target is no prefix of the backup's (a conflict per key, a warning); it is never rewritten.</summary>
    public const string VersionHistoryDiverged = "VersionHistoryDiverged";
    /// <summary>-AllVersions: versioning could not be enabled on the target bucket, or enabling it was declined (-Confirm); nothing was copied.</summary>
    public const string TargetVersioningNotEnabled = "TargetVersioningNotEnabled";
    public const string ServiceBucketsNotFound = "ServiceBucketsNotFound";
    /// <summary>The MinIO bucket vanished during the run (NoSuchBucket from the target).</summary>
    public const string TargetBucketNotFound = "TargetBucketNotFound";
    public const string TargetBucketCreateFailed = "TargetBucketCreateFailed";
    /// <summary>The backup bucket has Object Lock and the existing target bucket has none; refused before anything is written.</summary>
    public const string TargetBucketLacksObjectLock = "TargetBucketLacksObjectLock";
    public const string ListingFailed = "ListingFailed";
    public const string ListingOutOfOrder = "ListingOutOfOrder";
    public const string ObjectCopyFailed = "ObjectCopyFailed";
    public const string ObjectIntegrityFailed = "ObjectIntegrityFailed";
    public const string SourceObjectChanged = "SourceObjectChanged";
    public const string SourceObjectVanished = "SourceObjectVanished";
    public const string QuotaExceeded = "QuotaExceeded";
    public const string UnsupportedObjectName = "UnsupportedObjectName";
    public const string TargetObjectChanged = "TargetObjectChanged";
    public const string RemoveLimitExceeded = "RemoveLimitExceeded";
    public const string ObjectRemoveFailed = "ObjectRemoveFailed";
    /// <summary>The backup object is in an archive storage class (GLACIER, DEEP_ARCHIVE) and not restored for reading (InvalidObjectState).</summary>
    public const string ObjectArchived = "ObjectArchived";
    /// <summary>A warning, once per bucket: an end refused object tags, so objects were restored without them.</summary>
    public const string TagsNotCopied = "TagsNotCopied";
    /// <summary>A warning, once per bucket: the target refused the backup's storage class, so objects were written in its default class.</summary>
    public const string StorageClassNotKept = "StorageClassNotKept";
    /// <summary>-CheckpointPath names the checkpoint of another run (other buckets, endpoints, filters, -AsOf, -AllVersions, -Overwrite or shard); refused, nothing written.</summary>
    public const string CheckpointMismatch = "CheckpointMismatch";
    /// <summary>The checkpoint file is not one MinioRestore wrote (or is damaged); refused, nothing written.</summary>
    public const string CheckpointUnreadable = "CheckpointUnreadable";
    /// <summary>The checkpoint file cannot be written (folder missing, read-only, full).</summary>
    public const string CheckpointUnwritable = "CheckpointUnwritable";
    /// <summary>Another run holds the checkpoint's lock (two runs on one -CheckpointPath at once); refused, nothing written.</summary>
    public const string CheckpointInUse = "CheckpointInUse";
    /// <summary>-ShardIndex/-ShardCount out of range, or one without the other.</summary>
    public const string InvalidShard = "InvalidShard";
    /// <summary>Merge-RestoreResult: the results of some shards of a bucket are missing, or shards of different counts were mixed.</summary>
    public const string ShardResultsMissing = "ShardResultsMissing";
    /// <summary>Merge-RestoreResult: a file or object that is not a restore result.</summary>
    public const string InvalidRestoreResult = "InvalidRestoreResult";
    public const string Unexpected = "UnexpectedError";
}
