using Amazon.S3;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Engine.Copying;

/// <summary>
/// The storage class each object is written in: the one chosen with -StorageClass, else the
/// backup's where the target has it (MinIO knows STANDARD and REDUCED_REDUNDANCY; STANDARD is
/// the default, so only REDUCED_REDUNDANCY is sent), else the target's default. A kept class the
/// target refuses (RGW 16 knows only STANDARD: 400 InvalidArgument, measured) is warned about once
/// per bucket and the objects are written in the default class; a chosen one is never dropped.
/// </summary>
internal sealed class StorageClasses(CopyEnd target, string? chosen, Action<RestoreException>? warn)
{
    /// <summary>The classes a MinIO target knows; -StorageClass takes one of these.</summary>
    public static readonly string[] Known = ["STANDARD", "REDUCED_REDUNDANCY"];

    private int _keptRefused;

    /// <summary>The class to send for <paramref name="entry"/>, or null for the target's default.</summary>
    public string? For(ObjectEntry entry) =>
        chosen ?? (entry.StorageClass == "REDUCED_REDUNDANCY" && Volatile.Read(ref _keptRefused) == 0 ? entry.StorageClass : null);

    /// <summary>One write; a kept class the target refuses makes it a transient failure, written again in the default class.</summary>
    public async Task<T> WriteAsync<T>(string key, ObjectHeaders sent, Func<Task<T>> write)
    {
        try
        {
            return await write().ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (chosen is null && sent.StorageClass is not null && e.ErrorCode is "InvalidArgument" or "InvalidStorageClass")
        {
            if (Interlocked.Exchange(ref _keptRefused, 1) == 0)
                warn?.Invoke(new RestoreException(ErrorIds.StorageClassNotKept, FailureKind.NotSupported,
                    $"The {EndRole.Target} {target.Endpoint.Url.GetLeftPart(UriPartial.Authority)} refused '{key}' in the backup's storage class {sent.StorageClass} ({e.ErrorCode}); " +
                    $"the objects of bucket '{target.Bucket}' are written in its default class instead. -StorageClass STANDARD says so in advance.", e));
            throw new RestoreException(ErrorIds.StorageClassNotKept, FailureKind.NotSupported,
                $"The {EndRole.Target} refused '{key}' in storage class {sent.StorageClass}; it is written again in the default class.", e, transient: true);
        }
    }
}
