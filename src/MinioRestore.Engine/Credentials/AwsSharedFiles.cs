namespace MinioRestore.Engine.Credentials;

/// <summary>
/// The AWS shared credentials and config files, located and merged as the AWS CLI does it:
/// AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials ([name] sections), AWS_CONFIG_FILE or
/// ~/.aws/config ([profile name] sections, and [default]); a profile's settings in the credentials
/// file win over the same settings in the config file. Read afresh for every lookup (AWSSDK's
/// SharedCredentialsFile fixes both paths at first use in the process and reports a profile with
/// any setting it cannot parse as missing, so it is not used).
/// </summary>
internal sealed class AwsSharedFiles
{
    private readonly List<IniSection>? _credentials, _config;

    private AwsSharedFiles(string credentialsPath, string configPath)
    {
        CredentialsPath = credentialsPath;
        ConfigPath = configPath;
        _credentials = IniFile.Read(credentialsPath);
        _config = IniFile.Read(configPath);
    }

    public string CredentialsPath { get; }
    public string ConfigPath { get; }

    /// <param name="credentialsFile">-ProfileLocation: replaces AWS_SHARED_CREDENTIALS_FILE and ~/.aws/credentials, as in AWS.Tools; the config file is still read.</param>
    public static AwsSharedFiles Read(string? credentialsFile, CredentialEnvironment environment) => new(
        credentialsFile ?? Located(environment, "AWS_SHARED_CREDENTIALS_FILE", "credentials"),
        Located(environment, "AWS_CONFIG_FILE", "config"));

    private static string Located(CredentialEnvironment environment, string variable, string fileName) =>
        environment.Variable(variable) is { } path ? environment.ExpandHome(path) : Path.Combine(environment.Home, ".aws", fileName);

    /// <summary>The profile's merged settings and the files they came from, or null when neither file has it.</summary>
    public AwsProfile? Find(string name)
    {
        var fromConfig = (_config ?? []).Where(s => ConfigProfileName(s.Name) == name)
            .OrderBy(s => s.Name == "default" ? 0 : 1); // [profile default] over [default]
        var fromCredentials = (_credentials ?? []).Where(s => s.Name == name).ToList();
        if (fromCredentials.Count == 0) // the AWS SDK for .NET (and AWS.Tools) also takes [profile name] there
            fromCredentials = (_credentials ?? []).Where(s => ConfigProfileName(s.Name) == name && s.Name != "default").ToList();

        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = new List<string>();
        foreach (var (sections, path) in new[] { (fromConfig.ToList(), ConfigPath), (fromCredentials, CredentialsPath) })
        {
            if (sections.Count > 0) files.Add(path);
            foreach (var (key, value) in sections.SelectMany(s => s.Properties)) settings[key] = value;
        }
        return files.Count == 0 ? null : new AwsProfile(name, settings, files);
    }

    /// <summary>Every profile name either file defines, for an error that lists what is there.</summary>
    public IReadOnlyList<string> ProfileNames() =>
        (_credentials ?? []).Select(s => ConfigProfileName(s.Name) is { } n && s.Name != "default" ? n : s.Name)
            .Concat((_config ?? []).Select(s => ConfigProfileName(s.Name)).OfType<string>())
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>"'~/.aws/credentials' (not found) and '~/.aws/config'".</summary>
    public string Describe() =>
        $"{ConfigFile.Describe(CredentialsPath, _credentials is not null)} and {ConfigFile.Describe(ConfigPath, _config is not null)}";

    /// <summary>The profile a config file section defines: [profile name], or [default]; null for [sso-session x], [services x] and the like.</summary>
    private static string? ConfigProfileName(string section) =>
        section == "default" ? "default"
        : section.StartsWith("profile", StringComparison.Ordinal) && section.Length > 7 && char.IsWhiteSpace(section[7]) ? section[8..].Trim()
        : null;
}

/// <summary>A profile's settings (keys lower-cased) and the files that define it.</summary>
internal sealed record AwsProfile(string Name, IReadOnlyDictionary<string, string> Settings, IReadOnlyList<string> Files)
{
    public string? this[string key] => Settings.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

    public string Origin => $"profile '{Name}' in {string.Join(" and ", Files.Select(f => $"'{f}'"))}";
}

/// <summary>One [section] of an INI file.</summary>
internal sealed record IniSection(string Name, Dictionary<string, string> Properties);

/// <summary>
/// INI files as the AWS CLI reads them (Python's configparser): keys case-insensitive, '=' or ':'
/// after the key, whole-line # and ; comments, lines indented deeper than a setting continue it
/// (nested settings such as "s3 =" followed by "  addressing_style = path"); a section or a key
/// given twice is an error, as it is for the AWS CLI.
/// </summary>
internal static class IniFile
{
    private const string Fix = "Fix the file: the AWS CLI cannot read it either.";

    /// <returns>The sections, or null when the file does not exist.</returns>
    public static List<IniSection>? Read(string path) =>
        ConfigFile.ReadOrNull(path) is { } text ? Parse(text.ReplaceLineEndings("\n").Split('\n'), path) : null;

    public static List<IniSection> Parse(IReadOnlyList<string> lines, string path)
    {
        var sections = new List<IniSection>();
        IniSection? current = null;
        int settingIndent = -1;
        for (int i = 0; i < lines.Count; i++)
        {
            string line = lines[i].TrimEnd(), text = line.TrimStart();
            if (text.Length == 0 || text[0] is '#' or ';') continue;
            int indent = line.Length - text.Length;
            if (settingIndent >= 0 && indent > settingIndent) continue;
            if (text[0] == '[')
            {
                int close = text.LastIndexOf(']');
                if (close < 2) throw ConfigFile.Malformed(path, i + 1, "a section header is written [name]", Fix);
                string name = text[1..close].Trim();
                if (sections.Any(s => s.Name == name)) throw ConfigFile.Malformed(path, i + 1, $"section [{name}] appears twice", Fix);
                sections.Add(current = new IniSection(name, new Dictionary<string, string>(StringComparer.Ordinal)));
                settingIndent = -1;
                continue;
            }
            if (current is null) throw ConfigFile.Malformed(path, i + 1, "a setting comes before the first [section]", Fix);
            int delimiter = text.IndexOfAny(['=', ':']);
            if (delimiter <= 0) throw ConfigFile.Malformed(path, i + 1, "it is neither a [section] nor a setting (name = value)", Fix);
            string key = text[..delimiter].Trim().ToLowerInvariant();
            if (!current.Properties.TryAdd(key, WithoutComment(text[(delimiter + 1)..])))
                throw ConfigFile.Malformed(path, i + 1, $"'{key}' appears twice in [{current.Name}]", Fix);
            settingIndent = indent;
        }
        return sections;
    }

    /// <summary>A value without a trailing comment; # or ; start one only after white space (keys never contain any).</summary>
    private static string WithoutComment(string value)
    {
        for (int i = 1; i < value.Length; i++)
            if (value[i] is '#' or ';' && char.IsWhiteSpace(value[i - 1])) return value[..i].Trim();
        return value.Trim();
    }
}
