using MinioRestore.Engine.Errors;

namespace MinioRestore.Engine.Credentials;

/// <summary>
/// Reads the credential files of other tools (AWS profiles, mc's config.json). Their errors name
/// the file and line, never a line's text: it may hold a secret key.
/// </summary>
internal static class ConfigFile
{
    /// <returns>The file's text, or null when it does not exist.</returns>
    public static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            throw new RestoreException(ErrorIds.InvalidConfigFile, FailureKind.PermissionDenied,
                $"'{path}' cannot be read: permission denied. Run as the user who owns it, or give another file.");
        }
        catch (IOException e)
        {
            throw new RestoreException(ErrorIds.InvalidConfigFile, FailureKind.InvalidConfiguration, $"'{path}' cannot be read: {e.Message}");
        }
    }

    public static RestoreException Malformed(string path, long line, string why, string fix) =>
        new(ErrorIds.InvalidConfigFile, FailureKind.InvalidConfiguration, $"'{path}' line {line} cannot be read: {why}. {fix}");

    /// <summary>"'path'" or "'path' (not found)", for messages that list where a lookup looked.</summary>
    public static string Describe(string path, bool exists) => exists ? $"'{path}'" : $"'{path}' (not found)";
}
