namespace MinioRestore.Engine.Errors;

/// <summary>
/// What kind of failure happened, independent of PowerShell; the cmdlets map it to an ErrorCategory.
/// </summary>
public enum FailureKind
{
    InvalidArgument,
    /// <summary>A configuration file (AWS profiles, mc's config.json) that cannot be parsed.</summary>
    InvalidConfiguration,
    /// <summary>Valid input this module does not handle, e.g. an SSO or assume-role profile.</summary>
    NotSupported,
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
    /// <summary>Another process holds what this one needs (a checkpoint's lock); it frees it when it ends.</summary>
    Busy,
    Stopped,
    Unexpected,
}
