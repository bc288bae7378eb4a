namespace MinioRestore.Engine.Errors;

/// <summary>
/// A failure explained for an operator: a stable <see cref="ErrorId"/>, a <see cref="Kind"/> and a
/// message that says what happened and what to do. Messages never contain secrets.
/// </summary>
public sealed class RestoreException : Exception
{
    public RestoreException(string errorId, FailureKind kind, string message, Exception? inner = null, bool transient = false)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        IsTransient = transient;
    }

    public string ErrorId { get; }
    public FailureKind Kind { get; }

    /// <summary>True when trying again later may succeed (throttling, timeouts, resets, 5xx).</summary>
    public bool IsTransient { get; }
}
