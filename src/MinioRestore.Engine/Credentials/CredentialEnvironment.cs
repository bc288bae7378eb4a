namespace MinioRestore.Engine.Credentials;

/// <summary>
/// What credential lookups read from the machine: environment variables and the home folder.
/// Read at each lookup (a session may change $env:AWS_PROFILE between two registrations); tests
/// pass their own instead of changing the process's.
/// </summary>
public sealed record CredentialEnvironment(Func<string, string?> Variables, string Home, bool IsWindows)
{
    public static CredentialEnvironment Current() => new(
        Environment.GetEnvironmentVariable,
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        OperatingSystem.IsWindows());

    /// <summary>A variable's value; set-but-empty counts as unset, as for the AWS CLI.</summary>
    public string? Variable(string name) => Variables(name) is { Length: > 0 } value ? value : null;

    /// <summary>A path with a leading ~ meaning the home folder, as the AWS CLI expands the paths in its variables.</summary>
    public string ExpandHome(string path) =>
        path == "~" ? Home
        : path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal) ? Path.Combine(Home, path[2..])
        : path;
}
