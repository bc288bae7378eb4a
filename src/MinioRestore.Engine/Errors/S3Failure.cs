using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using Amazon.Runtime;
using Amazon.S3;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Engine.Errors;

/// <summary>
/// Turns SDK and network exceptions into <see cref="RestoreException"/>s an operator can act on.
/// Decides by S3 error code, HTTP status and socket error, never by message text: RGW and
/// MinIO often send empty messages.
/// </summary>
public static class S3Failure
{
    /// <param name="where">Which end failed, as the operator knows it, e.g. "S3 source".</param>
    /// <param name="what">What was being done, e.g. "listing bucket 'b'".</param>
    /// <param name="fallbackId">Error ID when the cause is not one of the well-known ones.</param>
    public static RestoreException Explain(Exception error, string where, S3Endpoint endpoint, string what, string fallbackId)
    {
        if (error is RestoreException known) return known;
        string at = $"{where} {endpoint.Url.GetLeftPart(UriPartial.Authority)}";

        if (Find<AmazonServiceException>(error) is { } service && (service.ErrorCode is { Length: > 0 } || service.StatusCode != 0))
            return FromService(service, error, where, at, endpoint, what, fallbackId);

        if (Find<AuthenticationException>(error) is not null)
            return new(ErrorIds.EndpointUnreachable, FailureKind.ConnectionFailed,
                $"TLS failed with the {at} while {what}: the certificate is not trusted or the port does not speak TLS. " +
                "Check the URL's scheme (http or https) and the server certificate.", error);

        if (Find<SocketException>(error) is { } socket)
        {
            switch (socket.SocketErrorCode)
            {
                case SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain:
                    return new(ErrorIds.EndpointUnreachable, FailureKind.ConnectionFailed,
                        $"The host name of the {at} could not be resolved while {what}. Check the endpoint URL and DNS.", error);
                case SocketError.ConnectionRefused:
                    return new(ErrorIds.EndpointUnreachable, FailureKind.ConnectionFailed,
                        $"The {at} refused the connection while {what}: nothing listens on that port. Check the port and that the server is running.",
                        error, transient: true);
                case SocketError.TimedOut:
                    return new(ErrorIds.EndpointUnreachable, FailureKind.Timeout,
                        $"The {at} did not answer in time while {what}.", error, transient: true);
            }
        }

        if (Find<HttpRequestException>(error) is { } http)
        {
            return http.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => new(ErrorIds.EndpointUnreachable, FailureKind.ConnectionFailed,
                    $"The host name of the {at} could not be resolved while {what}. Check the endpoint URL and DNS.", error),
                HttpRequestError.SecureConnectionError => new(ErrorIds.EndpointUnreachable, FailureKind.ConnectionFailed,
                    $"TLS failed with the {at} while {what}. Check the URL's scheme (http or https) and the server certificate.", error),
                _ => new(fallbackId, FailureKind.ConnectionFailed,
                    $"The connection to the {at} failed while {what} ({http.HttpRequestError}).", error, transient: true),
            };
        }

        if (error is TimeoutException || Find<TimeoutException>(error) is not null || error is TaskCanceledException)
            return new(fallbackId, FailureKind.Timeout, $"The {at} did not answer in time while {what}.", error, transient: true);

        if (Find<IOException>(error) is not null)
            return new(fallbackId, FailureKind.ConnectionFailed,
                $"The connection to the {at} broke while {what}.", error, transient: true);

        return new(fallbackId, FailureKind.Unexpected, $"Unexpected failure at the {at} while {what}: {error.GetType().Name}.", error);
    }

    private static RestoreException FromService(AmazonServiceException e, Exception original, string where, string at, S3Endpoint endpoint, string what, string fallbackId)
    {
        var code = e.ErrorCode ?? "";
        var status = (int)e.StatusCode;
        switch (code)
        {
            case "InvalidAccessKeyId":
                return new(ErrorIds.CredentialsRejected, FailureKind.AuthenticationFailed,
                    $"The {at} does not know the access key id '{endpoint.AccessKeyId}'. Check the access key id of its credential.", original);
            case "SignatureDoesNotMatch":
                return new(ErrorIds.CredentialsRejected, FailureKind.AuthenticationFailed,
                    $"The {at} rejected the request signature: the secret key does not match access key id '{endpoint.AccessKeyId}'. Check the secret key.", original);
            case "ExpiredToken" or "TokenRefreshRequired" or "InvalidToken":
                return new(ErrorIds.CredentialsRejected, FailureKind.AuthenticationFailed,
                    $"The {at} rejected the session token ({code}): it has expired or is not valid. Get fresh temporary credentials.", original);
            case "RequestTimeTooSkewed":
                // Transient: both data paths correct their clock from the server's answer and retry.
                return new(ErrorIds.CredentialsRejected, FailureKind.AuthenticationFailed,
                    $"The {at} rejected the request because this machine's clock differs too much from the server's (corrected from the server's time on retry; fix the clock with NTP if it persists).",
                    original, transient: true);
            case "InvalidObjectState":
                // A 403 too, but no permission problem: the object is in an archive tier.
                return new(ErrorIds.ObjectArchived, FailureKind.Conflict,
                    $"The {at} cannot give the object while {what}: it is archived (GLACIER or DEEP_ARCHIVE) and not restored for reading. " +
                    "Run Start-MinioRestore with -RestoreArchived to request its restore, then run it again once it is restored.", original);
            case "AccessDenied" or "AllAccessDisabled":
                return new(ErrorIds.AccessDenied, FailureKind.PermissionDenied,
                    $"The {at} denied access while {what}: access key '{endpoint.AccessKeyId}' lacks the permission. Grant it or use another credential.", original);
            case "NoSuchBucket":
                // Named by the end that answered: a missing backup bucket and a vanished target bucket need different fixes.
                return new(where == EndRole.Target ? ErrorIds.TargetBucketNotFound : ErrorIds.SourceBucketNotFound, FailureKind.NotFound,
                    $"The bucket does not exist at the {at} ({what}).", original);
            case "NoSuchKey":
                return new(ErrorIds.SourceObjectVanished, FailureKind.NotFound,
                    $"The object was deleted at the {at} after it was listed ({what}).", original);
            case "PreconditionFailed":
                return new(ErrorIds.SourceObjectChanged, FailureKind.Conflict,
                    $"The object changed at the {at} after it was listed ({what}). Run the restore again to copy the new version.", original);
            case "BadDigest" or "InvalidDigest" or "XAmzContentSHA256Mismatch" or "XAmzContentChecksumMismatch" or "IncompleteBody":
                return new(ErrorIds.ObjectIntegrityFailed, FailureKind.IntegrityCheckFailed,
                    $"The {at} rejected the data as corrupted ({code}) while {what}; nothing was stored.", original, transient: true);
            // MinIO's object-name checks refuse keys that S3 and RGW store; no retry can change that.
            case "XMinioInvalidObjectName" or "KeyTooLongError":
                return new(ErrorIds.UnsupportedObjectName, FailureKind.InvalidArgument,
                    $"The {at} refused the object name ({code}) while {what}. MinIO cannot store keys that contain '//', start with '/', " +
                    "have a '.' or '..' segment, or are longer than 1024 bytes, though S3 stores them. Copy the object to a key MinIO accepts " +
                    "in the backup (aws s3 cp), or restore this bucket to another S3 server; the other objects are restored.", original);
            case "QuotaExceeded":
                return new(ErrorIds.QuotaExceeded, FailureKind.QuotaExceeded,
                    $"The {at} refused the write: the quota of access key '{endpoint.AccessKeyId}' or the bucket is exhausted. Raise the quota or free space, then run the restore again.", original);
            case "SlowDown" or "ServiceUnavailable" or "InternalError" or "RequestTimeout" or "OperationAborted":
                return new(fallbackId, FailureKind.Unavailable, $"The {at} is busy or failing ({code}) while {what}.", original, transient: true);
        }
        if (status == 404)
            return new(ErrorIds.SourceObjectVanished, FailureKind.NotFound, $"Not found at the {at} while {what}.", original);
        if (status == 403)
            return new(ErrorIds.AccessDenied, FailureKind.PermissionDenied,
                $"The {at} denied access while {what} (HTTP 403). Check the permissions of access key '{endpoint.AccessKeyId}'.", original);
        if (status == 412)
            return new(ErrorIds.SourceObjectChanged, FailureKind.Conflict,
                $"The object changed at the {at} after it was listed ({what}). Run the restore again to copy the new version.", original);
        if (status is 408 or 429 or >= 500)
            return new(fallbackId, FailureKind.Unavailable,
                $"The {at} answered HTTP {status} {code} while {what}.", original, transient: true);
        return new(fallbackId, FailureKind.Unexpected,
            $"The {at} answered HTTP {status} {(code.Length > 0 ? code : "(no error code)")} while {what}.", original);
    }

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T match) return match;
        return null;
    }
}
