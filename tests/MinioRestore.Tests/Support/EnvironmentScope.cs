namespace MinioRestore.Tests.Support;

/// <summary>
/// Sets process environment variables for one test and puts the previous values back when
/// disposed. The hosted-engine tests that use it are all in the RGW collection, which xunit runs
/// one test at a time; the engine's own tests pass a CredentialEnvironment and never change these.
/// </summary>
public sealed class EnvironmentScope : IDisposable
{
    private readonly Dictionary<string, string?> _previous = new();

    /// <summary>
    /// The variables any credential lookup reads, cleared so the machine's own settings (a real
    /// ~/.aws or ~/.mc, AWS_PROFILE) cannot change a test's outcome; set the ones a test needs with <see cref="Set"/>.
    /// </summary>
    public static EnvironmentScope Isolated(string emptyFolder)
    {
        var scope = new EnvironmentScope();
        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
                     "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" })
            scope.Set(name, null);
        scope.Set("AWS_SHARED_CREDENTIALS_FILE", Path.Combine(emptyFolder, "no-credentials"));
        scope.Set("AWS_CONFIG_FILE", Path.Combine(emptyFolder, "no-config"));
        scope.Set("MC_CONFIG_DIR", Path.Combine(emptyFolder, "no-mc"));
        return scope;
    }

    public EnvironmentScope Set(string name, string? value)
    {
        _previous.TryAdd(name, Environment.GetEnvironmentVariable(name));
        Environment.SetEnvironmentVariable(name, value);
        return this;
    }

    public void Dispose()
    {
        foreach (var (name, value) in _previous) Environment.SetEnvironmentVariable(name, value);
    }
}
