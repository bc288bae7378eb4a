using MinioRestore.Engine.Copying;
using MinioRestore.Engine.Listing;

namespace MinioRestore.Engine.Comparing;

public enum CopyAction
{
    /// <summary>The target lacks the object.</summary>
    Copy,
    /// <summary>The target has different content and -Overwrite was given.</summary>
    Overwrite,
    /// <summary>The target has the same content: proven by size and a comparable ETag or checksum.</summary>
    Skip,
    /// <summary>The target has different content; it may be newer than the backup, so it stays.</summary>
    Conflict,
    /// <summary>Only the target has the object; it is never deleted.</summary>
    TargetOnly,
    /// <summary>
    /// Same size, and what the target holds is what a restore of it writes, but no comparable
    /// hash proves the content equal (encrypted objects, a part layout that cannot be reproduced):
    /// left as it is and counted unverified, never taken for proven.
    /// </summary>
    SkipUnverified,
    /// <summary>The listings cannot tell: the objects' own headers (encryption, checksums) decide.</summary>
    Check,
}

/// <summary>What to do with one key, and why, in words for -Verbose and warnings.</summary>
public readonly record struct CopyDecision(CopyAction Action, string Reason);

/// <summary>
/// What a HEAD of one object says beyond its listing entry: how it is encrypted (the ETags of
/// SSE-KMS, DSSE-KMS and SSE-C objects are not content MD5s) and the full-object checksums it
/// carries (x-amz-checksum-*, as Amazon S3 stores them).
/// </summary>
public sealed record ObjectFacts(string? Encryption, bool CustomerKey, IReadOnlyDictionary<string, string> Checksums)
{
    public static readonly ObjectFacts Plain = new(null, false, new Dictionary<string, string>());

    /// <summary>Whether the ETag is the MD5 (or multipart MD5) of the bytes: not for KMS or customer-key encryption.</summary>
    public bool ETagIsContentHash => ETag.IsContentHashOf(Encryption, CustomerKey);
}

/// <summary>
/// Decides from the two listings (no request per object) wherever they prove the answer: the
/// target lacks the key, the sizes differ, the ETags are equal, or the ETags are two content
/// hashes that differ. Two objects are identical only when evidence proves it; what the listings
/// cannot settle is decided from both objects' headers (<see cref="CopyAction.Check"/>), and what
/// no evidence settles is <see cref="CopyAction.SkipUnverified"/> or, when the target holds
/// something no restore writes, a conflict.
/// </summary>
public static class CopyPlanner
{
    /// <param name="facts">Both objects' headers, once a <see cref="CopyAction.Check"/> asked for them.</param>
    public static CopyDecision Decide(ObjectEntry? source, ObjectEntry? target, bool overwrite, (ObjectFacts Source, ObjectFacts Target)? facts = null)
    {
        if (source is null) return new(CopyAction.TargetOnly, "only on the target");
        if (target is null) return new(CopyAction.Copy, "missing on the target");
        if (source.Size != target.Size)
            return Different($"size differs (backup {source.Size} bytes, target {target.Size} bytes)", overwrite);

        var s = ETag.Parse(source.ETag);
        var t = ETag.Parse(target.ETag);
        if (s == t && s.Value.Length > 0) return new(CopyAction.Skip, "same size and ETag");

        // Two MD5s, or two multipart ETags of the same part count, are content hashes of the same
        // kind, unless an object is encrypted with KMS or a customer key: the headers tell.
        if ((s.IsMd5 && t.IsMd5) || (s.IsMultipart && s.PartCount == t.PartCount))
        {
            if (facts is not { } f) return new(CopyAction.Check, "same size, other ETags: the objects' encryption decides whether those are content hashes");
            if (f.Source.ETagIsContentHash && f.Target.ETagIsContentHash)
                return Different($"content differs (same size, ETag {s} on the backup, {t} on the target)", overwrite);
            return ByChecksum(f.Source, f.Target, overwrite)
                ?? new(CopyAction.SkipUnverified, "same size; the ETag of an encrypted object is not a content hash and neither end has a checksum to compare");
        }

        // What the restore writes when the backup's layout cannot be reproduced: its own layout,
        // never with the backup's part count, so that it is told apart from a proven copy.
        if (t.IsMultipart && !s.IsMd5 && t.PartCount == PartLayout.ForUnverifiedCopy(source.Size, s.PartCount).Count)
            return new(CopyAction.SkipUnverified, $"same size; the target holds the restore's own part layout ({t.PartCount} parts), as the backup's ETag {s} could not be reproduced");
        if (!t.IsMd5 && !t.IsMultipart)
            return new(CopyAction.SkipUnverified, $"same size; the target's ETag '{t}' is not a content hash");

        return Different($"same size, but the target's ETag {t} is not what a restore of the backup's {s} writes", overwrite);
    }

    private static CopyDecision? ByChecksum(ObjectFacts source, ObjectFacts target, bool overwrite)
    {
        foreach (var (algorithm, value) in source.Checksums)
            if (target.Checksums.TryGetValue(algorithm, out var other))
                return value == other
                    ? new(CopyAction.Skip, $"same size and {algorithm} checksum")
                    : Different($"content differs ({algorithm} checksum {value} on the backup, {other} on the target)", overwrite);
        return null;
    }

    private static CopyDecision Different(string why, bool overwrite) =>
        overwrite ? new(CopyAction.Overwrite, why + "; -Overwrite given") : new(CopyAction.Conflict, why);
}
