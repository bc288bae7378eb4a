using System.Net;
using System.Text.RegularExpressions;
using MinioRestore.Engine.Errors;

namespace MinioRestore.Engine.Listing;

/// <summary>S3 bucket naming rules, checked before any request so a typo fails fast and clearly.</summary>
public static partial class BucketNames
{
    /// <param name="legacy">Allow the old us-east-1 names (upper case, underscores) for an existing source bucket.</param>
    public static string Validate(string? name, string role, bool legacy = false)
    {
        string? why = Problem(name, legacy);
        if (why is not null)
            throw new RestoreException(ErrorIds.InvalidBucketName, FailureKind.InvalidArgument,
                $"'{name}' is not a valid {role} bucket name: {why}.");
        return name!;
    }

    /// <summary>Whether <paramref name="name"/> follows the rules, without throwing.</summary>
    public static bool IsValid(string? name, bool legacy = false) => Problem(name, legacy) is null;

    private static string? Problem(string? name, bool legacy)
    {
        if (string.IsNullOrEmpty(name)) return "it is empty";
        if (name.Length < 3 || name.Length > (legacy ? 255 : 63)) return $"it must be 3 to {(legacy ? 255 : 63)} characters long";
        if (legacy ? !LegacyName().IsMatch(name) : !StrictName().IsMatch(name))
            return legacy
                ? "use letters, digits, '.', '-' and '_' only"
                : "use lower-case letters, digits, '.' and '-' only, starting and ending with a letter or digit";
        if (!legacy && name.Contains("..", StringComparison.Ordinal)) return "it must not contain '..'";
        if (IPAddress.TryParse(name, out _)) return "it must not look like an IP address";
        return null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$")]
    private static partial Regex StrictName();

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex LegacyName();
}
