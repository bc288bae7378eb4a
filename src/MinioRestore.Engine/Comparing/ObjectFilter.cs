using System.Globalization;
using MinioRestore.Engine.Errors;

namespace MinioRestore.Engine.Comparing;

/// <summary>
/// Which objects a restore or a verification covers. The key rules (prefix, include, exclude) apply
/// the same way to both ends, so an object out of scope is neither copied, nor counted, nor removed.
/// The date rules pick backup objects by their LastModified: a key the backup holds out of that
/// window is left alone on the target, never taken for one the backup lacks.
/// </summary>
public sealed class ObjectFilter
{
    public static readonly ObjectFilter All = new(null, [], [], null, null);

    private readonly IReadOnlyList<KeyPattern> _include;
    private readonly IReadOnlyList<KeyPattern> _exclude;

    private ObjectFilter(string? prefix, IReadOnlyList<KeyPattern> include, IReadOnlyList<KeyPattern> exclude, DateTime? newerThan, DateTime? olderThan)
    {
        Prefix = prefix;
        _include = include;
        _exclude = exclude;
        NewerThan = newerThan;
        OlderThan = olderThan;
    }

    /// <summary>
    /// Checks every rule before any request. Dates without a time zone are local time, as
    /// PowerShell's [datetime] and Get-Date give them.
    /// </summary>
    public static ObjectFilter Create(string? prefix = null, IEnumerable<string>? include = null, IEnumerable<string>? exclude = null,
        DateTime? newerThan = null, DateTime? olderThan = null)
    {
        var newer = newerThan?.ToUniversalTime();
        var older = olderThan?.ToUniversalTime();
        if (newer is { } n && older is { } o && n >= o)
            throw new RestoreException(ErrorIds.InvalidFilter, FailureKind.InvalidArgument,
                $"-NewerThan ({Show(n)}) is not earlier than -OlderThan ({Show(o)}): no backup object can be both, so nothing would be restored. Swap or correct the dates.");
        return new ObjectFilter(string.IsNullOrEmpty(prefix) ? null : prefix,
            (include ?? []).Select(p => KeyPattern.Parse(p, "-Include")).ToList(),
            (exclude ?? []).Select(p => KeyPattern.Parse(p, "-Exclude")).ToList(),
            newer, older);
    }

    /// <summary>Listed server-side on both ends, so keys outside it cost nothing.</summary>
    public string? Prefix { get; }

    /// <summary>Backup objects modified after this (UTC), or null.</summary>
    public DateTime? NewerThan { get; }

    /// <summary>Backup objects modified before this (UTC), or null.</summary>
    public DateTime? OlderThan { get; }

    /// <summary>The -Include patterns as given (a checkpoint records them).</summary>
    internal IEnumerable<string> IncludePatterns => _include.Select(p => p.Pattern);

    /// <summary>The -Exclude patterns as given.</summary>
    internal IEnumerable<string> ExcludePatterns => _exclude.Select(p => p.Pattern);

    public bool IsAll => Prefix is null && _include.Count == 0 && _exclude.Count == 0 && NewerThan is null && OlderThan is null;

    /// <summary>The key is in scope on either end: it has the prefix, matches an -Include (if any) and no -Exclude.</summary>
    public bool SelectsKey(string key) =>
        (Prefix is null || key.StartsWith(Prefix, StringComparison.Ordinal))
        && (_include.Count == 0 || _include.Any(p => p.IsMatch(key)))
        && !_exclude.Any(p => p.IsMatch(key));

    /// <summary>A backup object's LastModified is inside the -NewerThan/-OlderThan window.</summary>
    public bool SelectsBackupDate(DateTime lastModified)
    {
        var utc = lastModified.ToUniversalTime();
        return (NewerThan is not { } n || utc > n) && (OlderThan is not { } o || utc < o);
    }

    /// <summary>In words, for verbose output: "keys starting with 'logs/', matching *.gz, ...".</summary>
    public override string ToString()
    {
        if (IsAll) return "all objects";
        var parts = new List<string>();
        if (Prefix is not null) parts.Add($"keys starting with '{Prefix}'");
        if (_include.Count > 0) parts.Add("matching " + string.Join(" or ", _include));
        if (_exclude.Count > 0) parts.Add("not matching " + string.Join(" or ", _exclude));
        if (NewerThan is { } n) parts.Add($"backup objects modified after {Show(n)}");
        if (OlderThan is { } o) parts.Add($"backup objects modified before {Show(o)}");
        return string.Join(", ", parts);
    }

    private static string Show(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
