using System.Management.Automation;
using MinioRestore.Engine.Errors;

namespace MinioRestore.PowerShell.Hosting;

/// <summary>Turns engine failures into ErrorRecords: the stable error ID, the right category, the operator's message.</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(RestoreException failure, object? target) =>
        new(failure, failure.ErrorId, Category(failure.Kind), target)
        {
            ErrorDetails = new ErrorDetails(failure.Message),
        };

    public static ErrorRecord Create(string errorId, ErrorCategory category, string message, object? target) =>
        new(new PSArgumentException(message), errorId, category, target) { ErrorDetails = new ErrorDetails(message) };

    public static ErrorCategory Category(FailureKind kind) => kind switch
    {
        FailureKind.InvalidArgument => ErrorCategory.InvalidArgument,
        FailureKind.InvalidConfiguration => ErrorCategory.InvalidData,
        FailureKind.NotSupported => ErrorCategory.NotImplemented,
        FailureKind.NotFound => ErrorCategory.ObjectNotFound,
        FailureKind.AuthenticationFailed => ErrorCategory.AuthenticationError,
        FailureKind.PermissionDenied => ErrorCategory.PermissionDenied,
        FailureKind.ConnectionFailed => ErrorCategory.ConnectionError,
        FailureKind.Timeout => ErrorCategory.OperationTimeout,
        FailureKind.Unavailable => ErrorCategory.ResourceUnavailable,
        FailureKind.IntegrityCheckFailed => ErrorCategory.InvalidData,
        FailureKind.QuotaExceeded => ErrorCategory.QuotaExceeded,
        FailureKind.LimitExceeded => ErrorCategory.LimitsExceeded,
        FailureKind.Conflict => ErrorCategory.InvalidOperation,
        FailureKind.Stopped => ErrorCategory.OperationStopped,
        FailureKind.Busy => ErrorCategory.ResourceBusy,
        _ => ErrorCategory.NotSpecified,
    };
}
