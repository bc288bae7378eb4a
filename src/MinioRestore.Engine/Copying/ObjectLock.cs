using System.Globalization;
using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Engine.Copying;

/// <summary>
/// An object's Object Lock settings, as the source's GET or HEAD gave them (only to a caller who
/// may read them): retention (mode and retain-until date) and legal hold. Written with the object;
/// a retention that has already ended is left out, since it protects nothing and S3 refuses a
/// retain-until date in the past (RGW 16: 400 InvalidArgument, measured).
/// </summary>
internal sealed record ObjectLock(string? Mode, DateTime? RetainUntil, bool LegalHold)
{
    public const string ModeHeader = "x-amz-object-lock-mode";
    public const string RetainUntilHeader = "x-amz-object-lock-retain-until-date";
    public const string LegalHoldHeader = "x-amz-object-lock-legal-hold";

    /// <summary>What a write needs, or null when there is nothing to keep.</summary>
    public static ObjectLock? Of(string? mode, DateTime? retainUntil, string? legalHold, DateTime now)
    {
        // Rounded up to whole milliseconds (what the headers carry), so a retention is never shortened.
        if (retainUntil is { } exact && exact.Ticks % TimeSpan.TicksPerMillisecond is var rest and > 0)
            retainUntil = exact.AddTicks(TimeSpan.TicksPerMillisecond - rest);
        bool retained = !string.IsNullOrEmpty(mode) && retainUntil is { } until && until > now;
        bool hold = string.Equals(legalHold, "ON", StringComparison.OrdinalIgnoreCase);
        return retained || hold ? new ObjectLock(retained ? mode!.ToUpperInvariant() : null, retained ? retainUntil : null, hold) : null;
    }

    /// <summary>From an SDK answer (its properties: the SDK keeps these headers out of its header collection).</summary>
    public static ObjectLock? Of(ObjectLockMode? mode, DateTime? retainUntil, ObjectLockLegalHoldStatus? legalHold) =>
        Of(mode?.Value, retainUntil is { } d && d != default ? d.ToUniversalTime() : null, legalHold?.Value, DateTime.UtcNow);

    /// <summary>From raw answer headers (the lean data path).</summary>
    public static ObjectLock? Of(string? mode, string? retainUntil, string? legalHold) =>
        Of(mode, DateTime.TryParse(retainUntil, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d) ? d : null,
            legalHold, DateTime.UtcNow);

    public bool IsCompliance => Mode == "COMPLIANCE";

    /// <summary>The retain-until date as the headers take it (ISO 8601, UTC).</summary>
    public string? RetainUntilText => RetainUntil?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public void ApplyTo(PutObjectRequest put)
    {
        if (Mode is not null) (put.ObjectLockMode, put.ObjectLockRetainUntilDate) = (new ObjectLockMode(Mode), RetainUntil!.Value);
        if (LegalHold) put.ObjectLockLegalHoldStatus = ObjectLockLegalHoldStatus.On;
    }

    public void ApplyTo(InitiateMultipartUploadRequest initiate)
    {
        if (Mode is not null) (initiate.ObjectLockMode, initiate.ObjectLockRetainUntilDate) = (new ObjectLockMode(Mode), RetainUntil!.Value);
        if (LegalHold) initiate.ObjectLockLegalHoldStatus = ObjectLockLegalHoldStatus.On;
    }

    public void ApplyTo(System.Net.Http.HttpRequestMessage request)
    {
        if (Mode is not null)
        {
            request.Headers.TryAddWithoutValidation(ModeHeader, Mode);
            request.Headers.TryAddWithoutValidation(RetainUntilHeader, RetainUntilText);
        }
        if (LegalHold) request.Headers.TryAddWithoutValidation(LegalHoldHeader, "ON");
    }

    /// <summary>
    /// After a multipart upload completed: retention and legal hold once more, on their own. RGW 16
    /// ignores the retention sent with CreateMultipartUpload and gives the bucket's default instead
    /// (measured); Amazon S3 honours it, and setting the same values again changes nothing.
    /// </summary>
    public async Task<bool> AfterMultipartAsync(IAmazonS3 target, string bucket, string key, CancellationToken cancel)
    {
        if (Mode is not null)
            await target.PutObjectRetentionAsync(new PutObjectRetentionRequest
            {
                BucketName = bucket, Key = key,
                Retention = new ObjectLockRetention { Mode = new ObjectLockRetentionMode(Mode), RetainUntilDate = RetainUntil!.Value },
            }, cancel).ConfigureAwait(false);
        if (LegalHold)
            await target.PutObjectLegalHoldAsync(new PutObjectLegalHoldRequest
            {
                BucketName = bucket, Key = key, LegalHold = new ObjectLockLegalHold { Status = ObjectLockLegalHoldStatus.On },
            }, cancel).ConfigureAwait(false);
        return true;
    }
}
