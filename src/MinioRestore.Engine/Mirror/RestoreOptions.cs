namespace MinioRestore.Engine.Mirror;

/// <summary>What to restore and how. Defaults are what a user gets without tuning.</summary>
public sealed record RestoreOptions(string SourceBucket, string TargetBucket)
{
    public const int DefaultConcurrency = 64;
    public const int DefaultPartConcurrency = 4;

    /// <summary>Replace target objects whose content differs from the backup (never deletes).</summary>
    public bool Overwrite { get; init; }

    /// <summary>Plan only: list, compare and report what would be created and copied; write nothing.</summary>
    public bool WhatIf { get; init; }

    /// <summary>Objects copied at once.</summary>
    public int Concurrency { get; init; } = DefaultConcurrency;

    /// <summary>Parts of one multipart object copied at once.</summary>
    public int PartConcurrency { get; init; } = DefaultPartConcurrency;

    public Copying.RetryPolicy Retry { get; init; } = Copying.RetryPolicy.Default;

    /// <summary>An object transfer that moves no byte for this long is abandoned and retried.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
