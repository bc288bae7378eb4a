using System.Numerics;
using System.Text;
using MinioRestore.Engine.Comparing;

namespace MinioRestore.Engine.Listing;

/// <summary>
/// The keys under a prefix read as numbers, so a stretch of flat keys (no folders to cut at) can be
/// cut evenly and probed (<see cref="LayoutSurvey.ProbeFlatAsync"/>). The characters after the
/// prefix are digits, each position over the characters a sample of keys showed there, in code point
/// order (UTF-8 byte order); digit 0 is the end of a key, so "a" comes before "a0". After the first
/// position where the sample varies, a position has only the characters seen at it (hex, digits, a
/// ':' of a time), so numbers of fixed-width keys are dense; up to it, every character the sample
/// showed, so the space reaches past the sample. (Keys of mixed radix, such as times, are still
/// sparser than their numbers over long stretches: ranges then hold fewer keys than planned.) A key's number never decreases as the
/// key grows in <see cref="KeyOrder"/>, and a number reads back as the prefix and characters of the
/// sample only, each one a bound can hold (<see cref="KeyRange.CanBound"/>). Only chooses where to
/// cut: correctness rests on the ranges tiling the listing.
/// </summary>
internal sealed class KeySpace
{
    /// <summary>Digits at most: a cut stays well within S3's 1,024 bytes of a key (4 bytes a character at most).</summary>
    private const int MaxDepth = 200;

    private readonly int[][] _alphabets;
    /// <summary>The value of one unit of each position: the product of the bases after it.</summary>
    private readonly BigInteger[] _units;

    public string Prefix { get; }

    /// <summary>The number of the last string of the space.</summary>
    public BigInteger Max { get; }

    private KeySpace(string prefix, int[][] alphabets)
    {
        Prefix = prefix;
        _alphabets = alphabets;
        _units = new BigInteger[alphabets.Length];
        BigInteger unit = BigInteger.One;
        for (int i = alphabets.Length - 1; i >= 0; i--)
        {
            _units[i] = unit;
            unit *= alphabets[i].Length + 1;
        }
        Max = unit - 1;
    }

    private static bool Usable(int codePoint) => codePoint >= 0x20 && codePoint is not (0xFFFE or 0xFFFF); // lone surrogates read as U+FFFD: usable

    /// <summary>
    /// The space under <paramref name="prefix"/> shaped by <paramref name="sample"/> (keys of one
    /// stretch, in any order) and <paramref name="bounds"/> (its ends: their characters are every
    /// position's too); null when no sample key has a usable character after the prefix, or the
    /// prefix cannot bound.
    /// </summary>
    public static KeySpace? Of(string prefix, IReadOnlyCollection<string> sample, params string?[] bounds)
    {
        if (!KeyRange.CanBound(prefix)) return null;
        var rests = sample.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && k.Length > prefix.Length)
            .Select(k => k[prefix.Length..].EnumerateRunes().Select(r => r.Value).Take(MaxDepth).ToArray()).ToList();
        if (rests.Count == 0) return null;
        var ends = bounds.Where(b => b is not null && b.StartsWith(prefix, StringComparison.Ordinal))
            .Select(b => b![prefix.Length..].EnumerateRunes().Select(r => r.Value).Take(MaxDepth).ToArray()).ToList();
        int depth = rests.Max(r => r.Length);
        int shared = 0; // positions where every sample key agrees
        while (shared < rests[0].Length && rests.All(r => r.Length > shared && r[shared] == rests[0][shared])) shared++;
        var all = new SortedSet<int>(rests.Concat(ends).SelectMany(r => r).Where(Usable));
        if (all.Count == 0) return null;
        var alphabets = new int[depth][];
        for (int i = 0; i < depth; i++)
            alphabets[i] = i <= shared ? [.. all]
                : [.. new SortedSet<int>(rests.Concat(ends).Where(r => r.Length > i).Select(r => r[i]).Where(Usable))];
        return new KeySpace(prefix, alphabets);
    }

    /// <summary>The number of <paramref name="key"/>: a character missing at its position counts as the one before it.</summary>
    public BigInteger ToNumber(string key)
    {
        if (!key.StartsWith(Prefix, StringComparison.Ordinal)) return KeyOrder.Instance.Compare(key, Prefix) < 0 ? BigInteger.Zero : Max;
        BigInteger n = BigInteger.Zero;
        int at = 0;
        foreach (var rune in key.AsSpan(Prefix.Length).EnumerateRunes())
        {
            if (at == _alphabets.Length) break;
            var alphabet = _alphabets[at];
            int i = Array.BinarySearch(alphabet, rune.Value);
            int digit = i >= 0 ? i + 1 : ~i;
            if (digit == 0) return n; // before every character here: just after the key so far
            n += digit * _units[at];
            if (i < 0) return n + _units[at] - 1; // past this character and before the next: the last number under it
            at++;
        }
        return n;
    }

    /// <summary>The string of <paramref name="number"/> (clamped to the space); it reads back to at most that number.</summary>
    public string FromNumber(BigInteger number)
    {
        if (number < 0) number = BigInteger.Zero;
        if (number > Max) number = Max;
        var text = new StringBuilder(Prefix);
        for (int at = 0; at < _alphabets.Length; at++)
        {
            int digit = (int)(number / _units[at]);
            number -= digit * _units[at];
            if (digit == 0) break; // the end of the key (a digit after it cannot be written: the string falls just before the number)
            text.Append(new Rune(_alphabets[at][digit - 1]).ToString());
        }
        return text.ToString();
    }
}
