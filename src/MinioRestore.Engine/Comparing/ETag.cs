namespace MinioRestore.Engine.Comparing;

/// <summary>
/// What an S3 ETag says about content. A 32-hex-digit ETag is the MD5 of the body (single-part
/// upload, no SSE-KMS/SSE-C); "md5-N" is the MD5 of the N part MD5s of a multipart upload.
/// </summary>
public readonly record struct ETag(string Value)
{
    public static ETag Parse(string? raw) => new((raw ?? "").Trim().Trim('"').ToLowerInvariant());

    public bool IsMd5 => Value.Length == 32 && IsHex(Value.AsSpan());

    /// <summary>Parts of a multipart upload, or 0 when this is not a multipart ETag.</summary>
    public int PartCount
    {
        get
        {
            int dash = Value.IndexOf('-');
            return dash == 32 && IsHex(Value.AsSpan(0, 32)) && int.TryParse(Value.AsSpan(33), out int n) && n > 0 ? n : 0;
        }
    }

    public bool IsMultipart => PartCount > 0;

    /// <summary>
    /// Whether an object's ETag is the MD5 (or multipart MD5) of its bytes, from its
    /// x-amz-server-side-encryption answer and whether a customer key (SSE-C) encrypts it: not for
    /// SSE-KMS, DSSE-KMS or SSE-C (Amazon S3), where it is opaque. SSE-S3 (AES256) keeps MD5s.
    /// </summary>
    public static bool IsContentHashOf(string? encryption, bool customerKey) =>
        !customerKey && (string.IsNullOrEmpty(encryption) || !encryption.StartsWith("aws:kms", StringComparison.OrdinalIgnoreCase));

    /// <summary>The MD5 digest as bytes; only for <see cref="IsMd5"/> ETags.</summary>
    public byte[] Md5Bytes() => IsMd5 ? Convert.FromHexString(Value) : throw new InvalidOperationException("Not an MD5 ETag.");

    public override string ToString() => Value;

    private static bool IsHex(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
            if (!char.IsAsciiHexDigit(c)) return false;
        return true;
    }
}
