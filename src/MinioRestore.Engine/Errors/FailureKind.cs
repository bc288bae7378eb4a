namespace MinioRestore.Engine.Errors;

/// <summary>
/// What kind of failure happened, independent of PowerShell; the cmdlets map it to an ErrorCategory.
/// </summary>
public enum FailureKind
{
    InvalidArgument,
    NotFound,
    AuthenticationFailed,
    PermissionDenied,
    ConnectionFailed,
    Timeout,
    Unavailable,
    IntegrityCheckFailed,
    QuotaExceeded,
    /// <summary>A safety limit the operator set (e.g. -MaxDelete) would be crossed.</summary>
    LimitExceeded,
    Conflict,
    Stopped,
    Unexpected,
}
