namespace MinioRestore.Engine.Comparing;

/// <summary>
/// Orders keys the way S3 servers list them: by UTF-8 bytes, which is code point order.
/// <see cref="string.CompareOrdinal(string, string)"/> compares UTF-16 units and puts characters
/// above U+FFFF (surrogate pairs) before U+E000..U+FFFF, which would break the listing merge.
/// </summary>
public sealed class KeyOrder : IComparer<string>
{
    public static readonly KeyOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        int n = Math.Min(x.Length, y.Length);
        for (int i = 0; i < n; i++)
        {
            char a = x[i], b = y[i];
            if (a != b) return CodePointRank(a) - CodePointRank(b);
        }
        return x.Length - y.Length;
    }

    // Surrogates (D800-DFFF) encode code points above FFFF, so they rank above E000-FFFF.
    private static int CodePointRank(char c) =>
        c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
}
