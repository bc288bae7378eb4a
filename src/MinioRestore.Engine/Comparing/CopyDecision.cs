using MinioRestore.Engine.Listing;

namespace MinioRestore.Engine.Comparing;

public enum CopyAction
{
    /// <summary>The target lacks the object.</summary>
    Copy,
    /// <summary>The target has different content and -Overwrite was given.</summary>
    Overwrite,
    /// <summary>The target has the same content.</summary>
    Skip,
    /// <summary>The target has different content; it may be newer than the backup, so it stays.</summary>
    Conflict,
    /// <summary>Only the target has the object; it is never deleted.</summary>
    TargetOnly,
}

/// <summary>What to do with one key, and why, in words for -Verbose and warnings.</summary>
public readonly record struct CopyDecision(CopyAction Action, string Reason);

/// <summary>
/// Decides from the two listings alone (no request per object): size first, then the ETags
/// where they are comparable content hashes.
/// </summary>
public static class CopyPlanner
{
    public static CopyDecision Decide(ObjectEntry? source, ObjectEntry? target, bool overwrite)
    {
        if (source is null) return new(CopyAction.TargetOnly, "only on the target");
        if (target is null) return new(CopyAction.Copy, "missing on the target");

        string? difference = Difference(source, target);
        if (difference is null)
        {
            var s = ETag.Parse(source.ETag);
            return s == ETag.Parse(target.ETag)
                ? new(CopyAction.Skip, "same size and ETag")
                : new(CopyAction.Skip, "same size; the ETags are not comparable content hashes (multipart or encrypted)");
        }
        return overwrite
            ? new(CopyAction.Overwrite, difference + "; -Overwrite given")
            : new(CopyAction.Conflict, difference);
    }

    /// <summary>Why the two differ, or null when they hold the same content as far as the listings tell.</summary>
    private static string? Difference(ObjectEntry source, ObjectEntry target)
    {
        if (source.Size != target.Size)
            return $"size differs (backup {source.Size} bytes, target {target.Size} bytes)";
        var s = ETag.Parse(source.ETag);
        var t = ETag.Parse(target.ETag);
        if (s == t) return null;
        // Two MD5s, or two multipart ETags of the same part count (a restore keeps the part
        // layout, so equal content gives equal ETags), are content hashes that can be compared.
        bool comparable = (s.IsMd5 && t.IsMd5) || (s.IsMultipart && s.PartCount == t.PartCount);
        return comparable ? $"content differs (same size, ETag {s} on the backup, {t} on the target)" : null;
    }
}
