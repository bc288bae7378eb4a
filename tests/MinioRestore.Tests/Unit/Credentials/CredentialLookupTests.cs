using System.Net;
using MinioRestore.Engine.Credentials;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Transport;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Unit.Credentials;

/// <summary>
/// Where credentials come from: the AWS shared credentials/config files, the AWS variables and mc
/// aliases, read as the AWS CLI and mc read them, from files in a temporary home folder and a
/// CredentialEnvironment of the test's own (the process's variables are never touched).
/// </summary>
public sealed class CredentialLookupTests : IDisposable
{
    private const string Secret = "wJalr/K7MDENG+bPxRfi/Secret0000000000001";
    private const string OtherSecret = "other/Secret+Key000000000000000000000002";

    private readonly TempFolder _home = new();
    private readonly Dictionary<string, string?> _variables = new();

    public void Dispose() => _home.Dispose();

    private CredentialEnvironment Environment(bool windows = false) => new(n => _variables.GetValueOrDefault(n), _home.Path, windows);

    private string Credentials(string text) => _home.Write(".aws/credentials", text);
    private string Config(string text) => _home.Write(".aws/config", text);

    private ResolvedCredential S3(string? profileName = null, string? profileLocation = null, NetworkCredential? credential = null) =>
        S3CredentialChain.Resolve(credential, profileName, profileLocation, Environment());

    private static (string Secret, string? Token) SecretOf(ResolvedCredential credential)
    {
        var endpoint = credential.ToEndpoint(new Uri("http://127.0.0.1:9000"), "us-east-1");
        return (endpoint.SecretKey, endpoint.SessionToken);
    }

    private static RestoreException Fails(Action lookup, string errorId, FailureKind kind, params string[] words)
    {
        var e = Assert.Throws<RestoreException>(lookup);
        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(kind, e.Kind);
        foreach (var w in words) Assert.Contains(w, e.Message);
        Assert.DoesNotContain(Secret, e.Message);
        Assert.DoesNotContain(OtherSecret, e.Message);
        return e;
    }

    // ---- AWS profiles ----

    [Fact]
    public void The_S3_endpoint_is_found_as_the_AWS_SDKs_find_a_configured_one()
    {
        Credentials($"[backup]\naws_access_key_id = AKIDBACKUP\naws_secret_access_key = {Secret}\n");
        Config("[profile backup]\nendpoint_url = https://profile.example:7480\n");
        var backup = S3("backup");
        (string Url, string Origin) Endpoint(string? parameter = null)
        {
            var (url, origin) = S3CredentialChain.Endpoint(parameter, backup, Environment());
            return (url.GetLeftPart(UriPartial.Authority), origin);
        }

        Assert.Equal(("https://profile.example:7480", $"endpoint_url of the AWS {backup.Origin}"), Endpoint());
        _variables["AWS_ENDPOINT_URL"] = "https://all-services.example";
        Assert.Equal(("https://all-services.example", "AWS_ENDPOINT_URL"), Endpoint());
        _variables["AWS_ENDPOINT_URL_S3"] = "http://10.0.0.5:7480";
        Assert.Equal(("http://10.0.0.5:7480", "AWS_ENDPOINT_URL_S3"), Endpoint());
        Assert.Equal(("https://given.example", "-S3Endpoint"), Endpoint("https://given.example"));
        _variables["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
        Assert.Equal(("https://s3.amazonaws.com", "the default, Amazon S3"), Endpoint());
        Assert.Equal(("https://given.example", "-S3Endpoint"), Endpoint("https://given.example"));
    }

    [Fact]
    public void A_profile_that_ignores_configured_endpoints_and_keys_from_the_environment_mean_Amazon_S3()
    {
        Credentials($"[backup]\naws_access_key_id = AKIDBACKUP\naws_secret_access_key = {Secret}\n");
        Config("[profile backup]\nendpoint_url = https://profile.example\nignore_configured_endpoint_urls = true\n");
        Assert.Equal(new Uri("https://s3.amazonaws.com"), S3CredentialChain.Endpoint(null, S3("backup"), Environment()).Url);

        _variables["AWS_ACCESS_KEY_ID"] = "AKIDENV";
        _variables["AWS_SECRET_ACCESS_KEY"] = Secret;
        Assert.Equal(new Uri("https://s3.amazonaws.com"), S3CredentialChain.Endpoint(null, S3(), Environment()).Url);
    }

    [Fact]
    public void A_bad_endpoint_in_a_variable_is_refused_naming_the_variable_without_its_keys()
    {
        _variables["AWS_ENDPOINT_URL_S3"] = $"https://AKIDINURL:{Secret}@rgw.example:7480/bucket";
        _variables["AWS_ACCESS_KEY_ID"] = "AKIDENV";
        _variables["AWS_SECRET_ACCESS_KEY"] = Secret;

        var e = Fails(() => S3CredentialChain.Endpoint(null, S3(), Environment()), ErrorIds.InvalidEndpoint, FailureKind.InvalidArgument,
            "AWS_ENDPOINT_URL_S3", "***@rgw.example");
        Assert.DoesNotContain("AKIDINURL", e.Message);
    }

    [Fact]
    public void A_named_profile_merges_both_files_and_the_credentials_file_wins()
    {
        Credentials($"[backup]\naws_access_key_id = AKIDBACKUP\naws_secret_access_key = {Secret}\naws_session_token = TOKEN1\n");
        Config("[profile backup]\nregion = eu-west-3\naws_access_key_id = AKIDFROMCONFIG\n\n[default]\nregion = us-west-2\n");

        var c = S3("backup");

        Assert.Equal("AKIDBACKUP", c.AccessKeyId);
        Assert.Equal((Secret, "TOKEN1"), SecretOf(c));
        Assert.Equal("eu-west-3", c.Region);
        Assert.Equal("Profile:backup", c.Source);
        Assert.Contains(_home.Path, c.Origin);
        Assert.DoesNotContain(Secret, c.ToString());
    }

    [Fact]
    public void A_profile_only_in_the_config_file_is_read_from_its_profile_section()
    {
        Config($"[backup]\naws_access_key_id = WRONG\naws_secret_access_key = {OtherSecret}\n[profile backup]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = {Secret}\n");

        var c = S3("backup");

        Assert.Equal("AKIDCONFIG", c.AccessKeyId);
        Assert.Equal(Secret, SecretOf(c).Secret);
        Assert.Null(c.Region);
    }

    [Fact]
    public void The_ini_syntax_the_AWS_CLI_accepts_is_read()
    {
        Credentials(string.Join("\r\n",
            "# comment", "; another", "[ops]   # trailing comment",
            "AWS_Access_Key_ID=AKIDOPS",
            $"aws_secret_access_key : {Secret}   ; inline comment",
            "s3 =",
            "    aws_access_key_id = NESTED-NOT-A-KEY",
            "    addressing_style = path",
            "region = ap-south-1", ""));

        var c = S3("ops");

        Assert.Equal("AKIDOPS", c.AccessKeyId);
        Assert.Equal(Secret, SecretOf(c).Secret);
        Assert.Equal("ap-south-1", c.Region);
    }

    [Theory]
    [InlineData("aws_access_key_id = A\n[x]\n", 1, "before the first [section]")]
    [InlineData("[x]\naws_access_key_id = A\nthis line has no equals sign " + Secret + "\n", 3, "neither a [section] nor a setting")]
    [InlineData("[x]\naws_secret_access_key = " + Secret + "\naws_secret_access_key = " + OtherSecret + "\n", 3, "appears twice")]
    [InlineData("[x]\n[y]\n[x]\n", 3, "section [x] appears twice")]
    public void A_broken_credentials_file_is_named_with_its_line_and_never_quoted(string text, int line, string why)
    {
        string path = Credentials(text);
        Fails(() => S3("x"), ErrorIds.InvalidConfigFile, FailureKind.InvalidConfiguration, path, $"line {line}", why);
    }

    [Fact]
    public void The_file_variables_and_ProfileLocation_choose_the_files()
    {
        string credentials = _home.Write("elsewhere/creds", $"[a]\naws_access_key_id = AKIDA\naws_secret_access_key = {Secret}\n");
        _home.Write("elsewhere/conf", "[profile a]\nregion = ca-central-1\n");
        Credentials($"[a]\naws_access_key_id = AKIDHOME\naws_secret_access_key = {OtherSecret}\n");
        _variables["AWS_SHARED_CREDENTIALS_FILE"] = "~/elsewhere/creds";
        _variables["AWS_CONFIG_FILE"] = Path.Combine(_home.Path, "elsewhere", "conf");

        var fromVariables = S3("a");
        Assert.Equal(("AKIDA", "ca-central-1"), (fromVariables.AccessKeyId, fromVariables.Region));

        _variables.Remove("AWS_SHARED_CREDENTIALS_FILE");
        Assert.Equal("AKIDHOME", S3("a").AccessKeyId);

        // -ProfileLocation replaces the credentials file; the config file still gives the region.
        var fromLocation = S3("a", profileLocation: credentials);
        Assert.Equal(("AKIDA", "ca-central-1"), (fromLocation.AccessKeyId, fromLocation.Region));
    }

    [Fact]
    public void Precedence_is_parameter_then_profile_name_then_variables_then_AWS_PROFILE_then_default()
    {
        Credentials($"[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = {Secret}\n" +
                    $"[named]\naws_access_key_id = AKIDNAMED\naws_secret_access_key = {Secret}\n" +
                    $"[fromvar]\naws_access_key_id = AKIDFROMVAR\naws_secret_access_key = {Secret}\n");
        _variables["AWS_ACCESS_KEY_ID"] = "AKIDENV";
        _variables["AWS_SECRET_ACCESS_KEY"] = OtherSecret;
        _variables["AWS_SESSION_TOKEN"] = "ENVTOKEN";
        _variables["AWS_PROFILE"] = "fromvar";

        Assert.Equal(("AKIDPARAM", "Parameter"), Pick(S3("named", credential: new NetworkCredential("AKIDPARAM", Secret))));
        Assert.Equal(("AKIDNAMED", "Profile:named"), Pick(S3("named")));
        var environment = S3();
        Assert.Equal(("AKIDENV", "Environment"), Pick(environment));
        Assert.Equal((OtherSecret, "ENVTOKEN"), SecretOf(environment));
        _variables.Remove("AWS_ACCESS_KEY_ID");
        _variables.Remove("AWS_SECRET_ACCESS_KEY");
        Assert.Equal(("AKIDFROMVAR", "Profile:fromvar"), Pick(S3()));
        _variables.Remove("AWS_PROFILE");
        Assert.Equal(("AKIDDEFAULT", "Profile:default"), Pick(S3()));
        // -ProfileLocation alone: AWS_PROFILE, else default, from that file.
        Assert.Equal(("AKIDDEFAULT", "Profile:default"), Pick(S3(profileLocation: Path.Combine(_home.Path, ".aws", "credentials"))));

        static (string, string) Pick(ResolvedCredential c) => (c.AccessKeyId, c.Source);
    }

    [Fact]
    public void Region_is_the_parameter_then_the_profile_then_the_AWS_variables()
    {
        Credentials($"[r]\naws_access_key_id = A\naws_secret_access_key = {Secret}\nregion = eu-north-1\n[n]\naws_access_key_id = A\naws_secret_access_key = {Secret}\n");
        _variables["AWS_REGION"] = "us-west-1";
        _variables["AWS_DEFAULT_REGION"] = "us-east-2";

        Assert.Equal("sa-east-1", S3CredentialChain.Region("sa-east-1", S3("r"), Environment()));
        Assert.Equal("eu-north-1", S3CredentialChain.Region(null, S3("r"), Environment()));
        Assert.Equal("us-west-1", S3CredentialChain.Region(" ", S3("n"), Environment()));
        _variables.Remove("AWS_REGION");
        Assert.Equal("us-east-2", S3CredentialChain.Region(null, S3("n"), Environment()));
        _variables.Remove("AWS_DEFAULT_REGION");
        Assert.Equal("us-east-1", S3CredentialChain.Region(null, S3("n"), Environment()));
    }

    [Fact]
    public void An_unknown_profile_lists_the_files_searched_and_the_profiles_there()
    {
        string credentials = Credentials($"[prod]\naws_access_key_id = A\naws_secret_access_key = {Secret}\n");
        string config = Path.Combine(_home.Path, ".aws", "config");

        Fails(() => S3("prdo"), ErrorIds.ProfileNotFound, FailureKind.NotFound, "'prdo'", "-ProfileName", credentials, $"'{config}' (not found)", "prod");

        _variables["AWS_PROFILE"] = "staging";
        Fails(() => S3(), ErrorIds.ProfileNotFound, FailureKind.NotFound, "'staging'", "AWS_PROFILE", credentials);
        Fails(() => S3("x", profileLocation: Path.Combine(_home.Path, "nope")), ErrorIds.ProfileNotFound, FailureKind.NotFound, "-ProfileLocation", "nope");
    }

    [Fact]
    public void Nothing_anywhere_lists_everything_looked_at()
    {
        Fails(() => S3(), ErrorIds.MissingCredentials, FailureKind.InvalidArgument,
            "-S3Credential", "-ProfileName", "AWS_ACCESS_KEY_ID", "AWS_PROFILE", Path.Combine(_home.Path, ".aws", "credentials"), "(not found)");

        _variables["AWS_ACCESS_KEY_ID"] = "AKIDALONE";
        Fails(() => S3(), ErrorIds.MissingCredentials, FailureKind.InvalidArgument, "AWS_SECRET_ACCESS_KEY is not");
    }

    [Theory]
    [InlineData("role_arn = arn:aws:iam::123456789012:role/restore\nsource_profile = default\n", "assumes a role (role_arn)")]
    [InlineData("sso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Restore\n", "IAM Identity Center (sso_session)")]
    [InlineData("sso_start_url = https://corp.awsapps.com/start\n", "IAM Identity Center (sso_start_url)")]
    [InlineData("credential_process = /usr/local/bin/get-keys --secret " + Secret + "\n", "credential_process")]
    [InlineData("role_arn = arn:aws:iam::123456789012:role/r\naws_access_key_id = A\naws_secret_access_key = " + Secret + "\n", "role_arn")]
    public void Profiles_that_fetch_expiring_keys_are_refused_by_type(string settings, string type)
    {
        Config("[profile federated]\n" + settings);
        Fails(() => S3("federated"), ErrorIds.UnsupportedCredentialProfile, FailureKind.NotSupported,
            "'federated'", type, "aws configure export-credentials --profile federated");
    }

    [Fact]
    public void Keys_written_beside_credential_process_are_used_as_the_AWS_CLI_uses_them()
    {
        Credentials($"[p]\naws_access_key_id = AKIDP\naws_secret_access_key = {Secret}\ncredential_process = never-run\n");
        Assert.Equal("AKIDP", S3("p").AccessKeyId);
    }

    [Theory]
    [InlineData("aws_access_key_id = A\n", "no aws_secret_access_key")]
    [InlineData("aws_secret_access_key = " + Secret + "\n", "no aws_access_key_id")]
    [InlineData("region = eu-west-1\n", "no aws_access_key_id and aws_secret_access_key")]
    public void A_profile_without_both_keys_says_which_is_missing(string settings, string missing)
    {
        Credentials("[half]\n" + settings);
        Fails(() => S3("half"), ErrorIds.InvalidConfigFile, FailureKind.InvalidConfiguration, "'half'", missing);
    }

    [Fact]
    public void An_empty_parameter_credential_is_refused()
    {
        Fails(() => S3(credential: new NetworkCredential("", Secret)), ErrorIds.MissingCredentials, FailureKind.InvalidArgument, "-S3Credential");
    }

    // ---- mc aliases ----

    private McAlias Alias(string name, bool windows = false) => McAlias.Resolve(name, Environment(windows));

    /// <summary>Writes mc's config.json, with SECRET standing for <see cref="Secret"/>.</summary>
    private string McConfig(string json, string folder = ".mc") => _home.Write(Path.Combine(folder, "config.json"), json.Replace("SECRET", Secret));

    [Theory]
    [InlineData("http://AKMINIO:" + Secret + "@minio.example:9000", "http://minio.example:9000/", "AKMINIO", Secret, null)]
    [InlineData("https://AKMINIO:" + Secret + ":SESSIONTOKEN@minio.example", "https://minio.example/", "AKMINIO", Secret, "SESSIONTOKEN")]
    [InlineData("https://AK:p@ss/wo+rd@minio.example:443/", "https://minio.example/", "AK", "p@ss/wo+rd", null)]
    [InlineData("http://AK:se%2Fcret@10.0.0.5:9000", "http://10.0.0.5:9000/", "AK", "se%2Fcret", null)]
    public void MC_HOST_is_read_as_mc_reads_it(string value, string url, string accessKey, string secret, string? token)
    {
        _variables["MC_HOST_prod"] = value;

        var alias = Alias("prod/");

        Assert.Equal(new Uri(url), alias.Url);
        Assert.Equal(accessKey, alias.Credential.AccessKeyId);
        Assert.Equal((secret, token), SecretOf(alias.Credential));
        Assert.Equal("Alias:prod", alias.Credential.Source);
        Assert.Equal("MC_HOST_prod", alias.Credential.Origin);
    }

    [Theory]
    [InlineData("minio.example:9000", "does not start with http:// or https://")]
    [InlineData("ftp://AK:" + Secret + "@minio.example", "does not start with http:// or https://")]
    [InlineData("https://minio.example:9000", "no ACCESS_KEY:SECRET_KEY@")]
    [InlineData("https://AKONLY@minio.example:9000", "no secret key")]
    [InlineData("https://:" + Secret + "@minio.example:9000", "access key is empty")]
    [InlineData("https://AK:" + Secret + "@minio.example:9000/bucket", "has a path")]
    public void A_malformed_MC_HOST_says_what_is_wrong_without_showing_it(string value, string why)
    {
        _variables["MC_HOST_prod"] = value;
        Fails(() => Alias("prod"), ErrorIds.InvalidMinioAlias, FailureKind.InvalidArgument, "MC_HOST_prod", why);
    }

    [Fact]
    public void The_config_file_aliases_are_read_and_MC_HOST_wins_over_them()
    {
        string path = McConfig("""
            {"version":"10","aliases":{
              "prod":{"url":"https://minio.example:9000","accessKey":"AKFILE","secretKey":"SECRET","api":"s3v4","path":"auto"},
              "sts":{"url":"http://127.0.0.1:9000/","accessKey":"AKSTS","secretKey":"SECRET","sessionToken":"TOK","api":"S3v4","path":"on"}}}
            """);

        var prod = Alias("prod");
        Assert.Equal((new Uri("https://minio.example:9000"), "AKFILE", "Alias:prod"), (prod.Url, prod.Credential.AccessKeyId, prod.Credential.Source));
        Assert.Contains(path, prod.Credential.Origin);
        Assert.Equal((Secret, "TOK"), SecretOf(Alias("sts").Credential));

        _variables["MC_HOST_prod"] = $"http://AKENV:{OtherSecret}@other.example:9000";
        Assert.Equal("AKENV", Alias("prod").Credential.AccessKeyId);
    }

    [Fact]
    public void Version_9_hosts_MC_CONFIG_DIR_and_the_Windows_folder_are_honoured()
    {
        McConfig("""{"version":"9","hosts":{"old":{"url":"http://old.example:9000","accessKey":"AKOLD","secretKey":"SECRET","api":"S3v4","lookup":"auto"}}}""", "custom");
        McConfig("""{"version":"10","aliases":{"win":{"url":"http://win.example:9000","accessKey":"AKWIN","secretKey":"SECRET"}}}""", "mc");

        Assert.Equal("AKWIN", Alias("win", windows: true).Credential.AccessKeyId);
        _variables["MC_CONFIG_DIR"] = Path.Combine(_home.Path, "custom");
        Assert.Equal("AKOLD", Alias("old").Credential.AccessKeyId);
    }

    [Fact]
    public void An_unknown_alias_lists_where_it_looked()
    {
        string missing = Path.Combine(_home.Path, ".mc", "config.json");
        Fails(() => Alias("prod"), ErrorIds.MinioAliasNotFound, FailureKind.NotFound, "MC_HOST_prod is not set", missing, "does not exist", "MC_CONFIG_DIR");

        McConfig("""{"version":"10","aliases":{"play":{"url":"https://play.min.io","accessKey":"Q3","secretKey":"SECRET"},"local":{"url":"http://localhost:9000","accessKey":"","secretKey":""}}}""");
        Fails(() => Alias("prod"), ErrorIds.MinioAliasNotFound, FailureKind.NotFound, missing, "no alias 'prod'", "local, play", "mc alias set prod");
    }

    [Theory]
    [InlineData("{\"version\":\"10\",\"aliases\":{\"prod\":{\"url\":\"http://h:9000\",\"secretKey\":\"" + Secret + "\",}}}", 1)]
    [InlineData("{\n\"version\":\"10\",\n\"aliases\": {\n\"prod\": {\"secretKey\": " + Secret + "}}}", 4)]
    public void A_broken_config_json_is_named_with_its_line_and_never_quoted(string json, int line)
    {
        string path = McConfig(json);
        Fails(() => Alias("prod"), ErrorIds.InvalidConfigFile, FailureKind.InvalidConfiguration, path, $"line {line}", "not valid JSON");
    }

    [Theory]
    [InlineData("{\"url\":\"http://h:9000\",\"accessKey\":\"\",\"secretKey\":\"\"}", "no access key and secret key")]
    [InlineData("{\"url\":\"https://s3.amazonaws.com\",\"accessKey\":\"YOUR-ACCESS-KEY-HERE\",\"secretKey\":\"YOUR-SECRET-KEY-HERE\"}", "no access key and secret key")]
    [InlineData("{\"accessKey\":\"AK\",\"secretKey\":\"" + Secret + "\"}", "has no url")]
    [InlineData("{\"url\":\"minio:9000\",\"accessKey\":\"AK\",\"secretKey\":\"" + Secret + "\"}", "no scheme")]
    [InlineData("\"http://AK:" + Secret + "@h:9000\"", "has no url")]
    public void An_incomplete_alias_entry_is_refused(string entry, string why)
    {
        McConfig($"{{\"version\":\"10\",\"aliases\":{{\"prod\":{entry}}}}}");
        Fails(() => Alias("prod"), ErrorIds.InvalidMinioAlias, FailureKind.InvalidArgument, "'prod'", why);
    }

    [Theory]
    [InlineData("9lives")]
    [InlineData("my alias")]
    [InlineData("a.b")]
    public void A_name_mc_could_not_have_is_refused(string name)
    {
        Fails(() => Alias(name), ErrorIds.InvalidMinioAlias, FailureKind.InvalidArgument, "not an mc alias name");
    }

    // ---- endpoint URLs ----

    [Theory]
    [InlineData("http://AK:" + Secret + "@minio.example:9000/bucket")]
    [InlineData("http://AK:" + Secret + "@minio.example:9000")]
    [InlineData("AK:" + Secret + "@minio.example:9000")]
    public void An_endpoint_URL_with_keys_in_it_is_refused_without_showing_them(string url)
    {
        Fails(() => EndpointUrl.Parse(url, "MinIO endpoint"), ErrorIds.InvalidEndpoint, FailureKind.InvalidArgument, "minio.example:9000");
    }
}
