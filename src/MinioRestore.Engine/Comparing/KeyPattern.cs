using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MinioRestore.Engine.Errors;

namespace MinioRestore.Engine.Comparing;

/// <summary>
/// A wildcard pattern as PowerShell's -like reads it, matched against a whole key but
/// case-sensitively, as S3 keys are: <c>*</c> any run of characters ('/' included), <c>?</c> one
/// character, <c>[abc]</c> / <c>[a-z]</c> one of a set, a backtick makes the next character literal.
/// </summary>
public sealed class KeyPattern
{
    // One character is one code point: a character beyond the BMP is two UTF-16 units.
    private const string AnyCharacter = @"(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|.)";

    private readonly Regex _regex;

    private KeyPattern(string pattern, Regex regex)
    {
        Pattern = pattern;
        _regex = regex;
    }

    public string Pattern { get; }

    public bool IsMatch(string key) => _regex.IsMatch(key);

    /// <param name="parameter">The parameter the pattern came from, to name it in the error (e.g. "-Include").</param>
    public static KeyPattern Parse(string pattern, string parameter)
    {
        if (string.IsNullOrEmpty(pattern))
            throw Invalid(pattern, parameter, "it is empty");
        var regex = new StringBuilder(@"\A");
        for (int i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append(AnyCharacter);
                    break;
                case '[':
                    int close = ClosingBracket(pattern, i + 1);
                    if (close < 0) throw Invalid(pattern, parameter, "a '[' has no closing ']' (write `[ for a literal '[')");
                    regex.Append(CharacterSet(pattern, i + 1, close, parameter));
                    i = close;
                    break;
                case '`' when i + 1 < pattern.Length:
                    regex.Append(Literal(pattern[++i]));
                    break;
                default:
                    regex.Append(Literal(pattern[i]));
                    break;
            }
        }
        regex.Append(@"\z");
        // Linear time whatever the pattern: no key can make matching slow.
        return new KeyPattern(pattern, new Regex(regex.ToString(),
            RegexOptions.Singleline | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking));
    }

    private static int ClosingBracket(string pattern, int from)
    {
        for (int i = from; i < pattern.Length; i++)
        {
            if (pattern[i] == '`') i++;
            else if (pattern[i] == ']') return i;
        }
        return -1;
    }

    private static string CharacterSet(string pattern, int start, int end, string parameter)
    {
        var members = new List<char>();
        for (int i = start; i < end; i++)
        {
            if (pattern[i] == '`' && i + 1 < end) i++;
            members.Add(pattern[i]);
        }
        if (members.Count == 0) throw Invalid(pattern, parameter, "'[]' names no character");

        var set = new StringBuilder("[");
        for (int i = 0; i < members.Count; i++)
        {
            // a-z is a range; a '-' first or last is itself.
            if (i + 2 < members.Count && members[i + 1] == '-')
            {
                char from = members[i], to = members[i + 2];
                if (from > to) throw Invalid(pattern, parameter, $"the range '{from}-{to}' runs backwards");
                set.Append(Literal(from)).Append('-').Append(Literal(to));
                i += 2;
            }
            else
            {
                set.Append(Literal(members[i]));
            }
        }
        return set.Append(']').ToString();
    }

    private static string Literal(char c) => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);

    private static RestoreException Invalid(string pattern, string parameter, string why) =>
        new(ErrorIds.InvalidFilter, FailureKind.InvalidArgument,
            $"{parameter} '{pattern}' is not a valid wildcard pattern: {why}. Use * for any characters, ? for one, [abc] or [a-z] for one of a set.");

    public override string ToString() => Pattern;
}
