using System.Text.Json;
using System.Text.RegularExpressions;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Engine.Credentials;

/// <summary>
/// An mc alias: a MinIO endpoint and its keys, resolved as mc resolves it. First the
/// MC_HOST_&lt;alias&gt; variable (https://ACCESS_KEY:SECRET_KEY[:SESSION_TOKEN]@host:port, the keys
/// taken literally, as mc takes them), then the alias in mc's config.json (in MC_CONFIG_DIR, else
/// ~/.mc, or %USERPROFILE%\mc on Windows): "aliases" since version 10, "hosts" before. Like mc,
/// it trusts the CA certificates in that folder's certs/CAs.
/// </summary>
public sealed partial class McAlias
{
    private McAlias(string name, Uri url, ResolvedCredential credential, string caFolder)
    {
        Name = name;
        Url = url;
        Credential = credential;
        CaFolder = caFolder;
    }

    public string Name { get; }
    public Uri Url { get; }
    public ResolvedCredential Credential { get; }

    /// <summary>mc's folder of extra trusted CA certificates (certs/CAs in its configuration folder); it may not exist.</summary>
    public string CaFolder { get; }

    /// <summary>mc's placeholders in the aliases it writes on first run (s3, gcs).</summary>
    private static readonly string[] PlaceholderKeys = ["YOUR-ACCESS-KEY-HERE", "YOUR-SECRET-KEY-HERE"];

    public static McAlias Resolve(string alias, CredentialEnvironment environment)
    {
        string name = alias.Trim().TrimEnd('/', '\\'); // as typed in an mc path: "prod/"
        if (!AliasName().IsMatch(name))
            throw new RestoreException(ErrorIds.InvalidMinioAlias, FailureKind.InvalidArgument,
                $"'{alias}' is not an mc alias name: it starts with a letter, followed by letters, digits, '-' or '_'.");

        string configFolder = environment.Variable("MC_CONFIG_DIR") is { } dir ? environment.ExpandHome(dir)
            : Path.Combine(environment.Home, environment.IsWindows ? "mc" : ".mc");
        string caFolder = Path.Combine(configFolder, "certs", "CAs");
        string variable = "MC_HOST_" + name;
        if (environment.Variable(variable) is { } value) return FromVariable(name, variable, value, caFolder);

        string path = Path.Combine(configFolder, "config.json");
        var aliases = ReadAliases(path);
        if (aliases is not null && aliases.TryGetValue(name, out var entry)) return FromConfig(name, entry, path, caFolder);

        throw new RestoreException(ErrorIds.MinioAliasNotFound, FailureKind.NotFound,
            $"No mc alias '{name}': {variable} is not set, and " + (aliases is null
                ? $"{ConfigFile.Describe(path, false)} does not exist (set MC_CONFIG_DIR if mc keeps its configuration elsewhere). "
                : $"'{path}' has no alias '{name}'" + (aliases.Count > 0 ? $" (it has: {string.Join(", ", aliases.Keys.Order(StringComparer.Ordinal))}). " : ". "))
            + $"Add it with mc alias set {name} https://host:port ACCESS_KEY SECRET_KEY, or set {variable} to https://ACCESS_KEY:SECRET_KEY@host:port.");
    }

    /// <summary>mc's own reading of MC_HOST_ (cmd/config.go parseEnvURLStr): with a session token if there are three parts, the host after the last '@'.</summary>
    private static McAlias FromVariable(string name, string variable, string value, string caFolder)
    {
        string? why = null, accessKey = "", secretKey = "", token = null, url = "";
        if (WithToken().Match(value) is { Success: true } t)
            (accessKey, secretKey, token, url) = (t.Groups[2].Value, t.Groups[3].Value, t.Groups[4].Value, t.Groups[1].Value + t.Groups[5].Value);
        else if (WithKeys().Match(value) is { Success: true } k)
            (accessKey, secretKey, url) = (k.Groups[2].Value, k.Groups[3].Value, k.Groups[1].Value + k.Groups[4].Value);
        else if (!value.StartsWith("http://", StringComparison.Ordinal) && !value.StartsWith("https://", StringComparison.Ordinal))
            why = "it does not start with http:// or https://";
        else
            why = value.Contains('@') ? "it has an access key but no secret key before the '@'" : "it has no ACCESS_KEY:SECRET_KEY@ before the host";

        if (why is null && accessKey.Length == 0) why = "its access key is empty";
        if (why is null && secretKey.Length == 0) why = "its secret key is empty";
        if (why is not null)
            throw new RestoreException(ErrorIds.InvalidMinioAlias, FailureKind.InvalidArgument,
                $"{variable} cannot be used: {why}. Write it as https://ACCESS_KEY:SECRET_KEY@host:port (its value is not shown: it holds a secret key).");

        return new McAlias(name, AliasUrl(url, $"mc alias '{name}' ({variable})"),
            new ResolvedCredential(accessKey, secretKey, string.IsNullOrEmpty(token) ? null : token, ResolvedCredential.AliasPrefix + name, variable), caFolder);
    }

    private static McAlias FromConfig(string name, JsonElement entry, string path, string caFolder)
    {
        string role = $"mc alias '{name}' in '{path}'";
        string? Text(string property) =>
            entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

        if (Text("url") is not { } url)
            throw new RestoreException(ErrorIds.InvalidMinioAlias, FailureKind.InvalidArgument, $"The {role} has no url. Set it again with mc alias set.");
        if (Text("accessKey") is not { } accessKey || Text("secretKey") is not { } secretKey || PlaceholderKeys.Contains(accessKey) || PlaceholderKeys.Contains(secretKey))
            throw new RestoreException(ErrorIds.InvalidMinioAlias, FailureKind.InvalidArgument,
                $"The {role} has no access key and secret key. Set them with mc alias set {name} {url} ACCESS_KEY SECRET_KEY.");
        // "path" (on/off/auto) needs no handling: requests to MinIO are always path-style, which every MinIO server accepts.
        return new McAlias(name, AliasUrl(url, role),
            new ResolvedCredential(accessKey, secretKey, Text("sessionToken"), ResolvedCredential.AliasPrefix + name, role), caFolder);
    }

    /// <summary>The aliases of mc's config.json by name, or null when it does not exist.</summary>
    private static Dictionary<string, JsonElement>? ReadAliases(string path)
    {
        if (ConfigFile.ReadOrNull(path) is not { } text) return null;
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            // e.Message quotes the offending character, which may belong to a secret key.
            throw ConfigFile.Malformed(path, (e.LineNumber ?? 0) + 1, "it is not valid JSON",
                "Fix it (mc alias list reports the same file), or set MC_CONFIG_DIR to another mc configuration folder.");
        }
        if (root.ValueKind != JsonValueKind.Object)
            throw ConfigFile.Malformed(path, 1, "it is not an mc configuration (a JSON object with \"aliases\")", "Give mc's config.json.");
        var aliases = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (string key in new[] { "aliases", "hosts" })
            if (root.TryGetProperty(key, out var section) && section.ValueKind == JsonValueKind.Object)
            {
                foreach (var alias in section.EnumerateObject()) aliases.TryAdd(alias.Name, alias.Value);
                break;
            }
        return aliases;
    }

    private static Uri AliasUrl(string url, string role)
    {
        try
        {
            return EndpointUrl.Parse(url, role);
        }
        catch (RestoreException e) when (e.ErrorId == ErrorIds.InvalidEndpoint)
        {
            throw new RestoreException(ErrorIds.InvalidMinioAlias, FailureKind.InvalidArgument, e.Message);
        }
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_-]*\z")]
    private static partial Regex AliasName();

    // mc's hostKeyTokens and hostKeys, as in mc's cmd/config.go.
    [GeneratedRegex(@"^(https?://)(.*?):(.*?):(.*)@(.*?)\z")]
    private static partial Regex WithToken();

    [GeneratedRegex(@"^(https?://)(.*?):(.*)@(.*?)\z")]
    private static partial Regex WithKeys();
}
