using System.Management.Automation;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Cmdlets;

/// <summary>
/// Register-RestoreClients with credentials from where the ecosystem keeps them: AWS profiles
/// (-ProfileName, -ProfileLocation, AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE), mc aliases
/// (MC_HOST_, mc's config.json) and PSCredentials built at run time, as a SecretManagement vault
/// returns them; each followed by a real restore, and each bad input refused by a stable error.
/// Every test clears the credential variables (EnvironmentScope) so the machine's own cannot count.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class CredentialSourceTests : IDisposable
{
    private readonly RgwPair _rgw;
    private readonly PowerShellSession _ps = new();
    private readonly TempFolder _files = new();
    private readonly EnvironmentScope _environment;

    public CredentialSourceTests(RgwPair rgw)
    {
        _rgw = rgw;
        _environment = EnvironmentScope.Isolated(_files.Path);
    }

    public void Dispose()
    {
        _environment.Dispose();
        _ps.Dispose();
        _files.Dispose();
    }

    private string SourceProfile(string name, string extra = "") =>
        $"[{name}]\naws_access_key_id = {RgwPair.SourceAccessKey}\naws_secret_access_key = {RgwPair.SourceSecretKey}\n{extra}";

    private string McHost => $"http://{RgwPair.TargetAccessKey}:{RgwPair.TargetSecretKey}@127.0.0.1:{_rgw.Target.Port}";

    private async Task<string> SeedAsync(string purpose)
    {
        string bucket = RgwPair.NewBucket(purpose);
        await S3.CreateBucketAsync(_rgw.SourceS3, bucket);
        await S3.PutAsync(_rgw.SourceS3, bucket, "dir/a.bin", S3.RandomBytes(1500, 1));
        await S3.PutAsync(_rgw.SourceS3, bucket, "b.bin", S3.RandomBytes(10, 2));
        return bucket;
    }

    /// <summary>Runs Register-RestoreClients with <paramref name="arguments"/>, shows the clients, then restores <paramref name="bucket"/> with them.</summary>
    private PowerShellRun RegisterAndRestore(string arguments, string bucket, Dictionary<string, object?>? variables = null)
    {
        var run = _ps.Run($"$c = Register-RestoreClients {arguments}; $c | Out-Default; $c; $c | Start-MinioRestore -Bucket {bucket}",
            variables ?? _rgw.ScriptVariables());
        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Errors);
        Assert.Equal(2, run.Output.Count);
        Assert.Equal("Succeeded", run.Value(1, "Status")!.ToString());
        Assert.Equal(2L, run.Value(1, "Copied"));
        AssertNoSecret(run);
        return run;
    }

    private static void AssertNoSecret(PowerShellRun run)
    {
        string all = run.AllText();
        Assert.DoesNotContain(RgwPair.SourceSecretKey, all);
        Assert.DoesNotContain(RgwPair.TargetSecretKey, all);
    }

    private static void AssertError(PowerShellRun run, string id, ErrorCategory category, params string[] words)
    {
        var error = run.TerminatingRecord;
        Assert.NotNull(error);
        Assert.Equal(id, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(category, error.CategoryInfo.Category);
        foreach (var w in words) Assert.Contains(w, error.ErrorDetails?.Message ?? error.Exception.Message);
        Assert.Empty(run.Output);
        AssertNoSecret(run);
    }

    [Fact]
    public async Task ProfileName_with_ProfileLocation_gives_the_S3_keys_and_region()
    {
        string bucket = await SeedAsync("profile-location");
        _files.Write("aws/credentials", SourceProfile("backup", "region = eu-test-1\n"));

        var run = RegisterAndRestore($"-S3Endpoint $s3 -ProfileName backup -ProfileLocation '{_files.Path}/aws/credentials' -MinioEndpoint $minio -MinioCredential $miniocred", bucket);

        Assert.Equal("Profile:backup", run.Value(0, "S3CredentialSource"));
        Assert.Equal("eu-test-1", run.Value(0, "S3Region"));
        Assert.Equal("Parameter", run.Value(0, "MinioCredentialSource"));
        Assert.Contains("S3CredentialSource", run.HostText);
        Assert.Contains("Profile:backup", run.HostText);
        await S3.AssertSameContentAsync(_rgw.SourceS3, bucket, _rgw.TargetS3, bucket);
    }

    [Fact]
    public async Task ProfileName_reads_AWS_SHARED_CREDENTIALS_FILE_and_the_config_file_region()
    {
        string bucket = await SeedAsync("profile-variable");
        _environment.Set("AWS_SHARED_CREDENTIALS_FILE", _files.Write("creds", SourceProfile("restore")))
                    .Set("AWS_CONFIG_FILE", _files.Write("conf", "[profile restore]\nregion = us-test-2\n"));

        var run = RegisterAndRestore("-S3Endpoint $s3 -ProfileName restore -MinioEndpoint $minio -MinioCredential $miniocred -Verbose", bucket);

        Assert.Equal("Profile:restore", run.Value(0, "S3CredentialSource"));
        Assert.Equal("us-test-2", run.Value(0, "S3Region"));
        Assert.Contains(run.Verbose, v => v.Contains("profile 'restore'") && v.Contains(Path.Combine(_files.Path, "creds")));
    }

    [Fact]
    public async Task Without_any_credential_AWS_PROFILE_names_the_profile_and_the_AWS_variables_win_over_it()
    {
        string bucket = await SeedAsync("aws-profile");
        _environment.Set("AWS_SHARED_CREDENTIALS_FILE", _files.Write("creds", SourceProfile("nightly") + "[default]\naws_access_key_id = NOTTHISONE\naws_secret_access_key = x\n"))
                    .Set("AWS_PROFILE", "nightly");

        var run = RegisterAndRestore("-S3Endpoint $s3 -MinioEndpoint $minio -MinioCredential $miniocred", bucket);
        Assert.Equal("Profile:nightly", run.Value(0, "S3CredentialSource"));

        _environment.Set("AWS_ACCESS_KEY_ID", RgwPair.SourceAccessKey).Set("AWS_SECRET_ACCESS_KEY", RgwPair.SourceSecretKey);
        var fromVariables = _ps.Run("Register-RestoreClients -S3Endpoint $s3 -MinioEndpoint $minio -MinioCredential $miniocred", _rgw.ScriptVariables());
        Assert.Null(fromVariables.TerminatingRecord);
        Assert.Equal("Environment", fromVariables.Value(0, "S3CredentialSource"));
    }

    [Fact]
    public void S3Credential_wins_over_ProfileName_and_says_so()
    {
        string credentials = _files.Write("creds", "[other]\naws_access_key_id = NOTUSED\naws_secret_access_key = notused\n");

        var run = _ps.Run($"Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -ProfileName other -ProfileLocation '{credentials}' -MinioEndpoint $minio -MinioCredential $miniocred", _rgw.ScriptVariables());

        Assert.Null(run.TerminatingRecord);
        Assert.Equal("Parameter", run.Value(0, "S3CredentialSource"));
        Assert.Equal(RgwPair.SourceAccessKey, run.Value(0, "S3AccessKeyId"));
        Assert.Contains(run.Warnings, w => w.Contains("-S3Credential is used") && w.Contains("-ProfileName is ignored"));
    }

    [Fact]
    public async Task MinioAlias_from_MC_HOST_gives_the_MinIO_endpoint_and_keys()
    {
        string bucket = await SeedAsync("mc-host");
        _environment.Set("MC_HOST_restoretarget", McHost);

        var run = RegisterAndRestore("-S3Endpoint $s3 -S3Credential $s3cred -MinioAlias restoretarget", bucket);

        Assert.Equal("Alias:restoretarget", run.Value(0, "MinioCredentialSource"));
        Assert.Equal($"http://127.0.0.1:{_rgw.Target.Port}", run.Value(0, "MinioEndpoint"));
        Assert.Equal(RgwPair.TargetAccessKey, run.Value(0, "MinioAccessKeyId"));
        Assert.Contains("Alias:restoretarget", run.HostText);
        await S3.AssertSameContentAsync(_rgw.SourceS3, bucket, _rgw.TargetS3, bucket);
    }

    [Fact]
    public async Task The_S3_endpoint_and_keys_from_the_AWS_variables_alone()
    {
        string bucket = await SeedAsync("endpoint-variable");
        _environment.Set("AWS_ENDPOINT_URL_S3", _rgw.Source.Endpoint.ToString())
            .Set("AWS_ACCESS_KEY_ID", RgwPair.SourceAccessKey).Set("AWS_SECRET_ACCESS_KEY", RgwPair.SourceSecretKey);

        var run = RegisterAndRestore("-MinioEndpoint $minio -MinioCredential $miniocred -Verbose", bucket);

        Assert.Equal(_rgw.Source.Endpoint.GetLeftPart(UriPartial.Authority), run.Value(0, "S3Endpoint")!.ToString()!.TrimEnd('/'));
        Assert.Contains(run.Verbose, v => v.Contains("from AWS_ENDPOINT_URL_S3"));
        await S3.AssertSameContentAsync(_rgw.SourceS3, bucket, _rgw.TargetS3, bucket);
    }

    [Fact]
    public async Task MinioAlias_from_the_mc_config_in_MC_CONFIG_DIR()
    {
        string bucket = await SeedAsync("mc-config");
        _files.Write("mc/config.json", $$"""
            {"version":"10","aliases":{"dcos":{"url":"http://127.0.0.1:{{_rgw.Target.Port}}","accessKey":"{{RgwPair.TargetAccessKey}}","secretKey":"{{RgwPair.TargetSecretKey}}","api":"S3v4","path":"auto"} } }
            """);
        _environment.Set("MC_CONFIG_DIR", Path.Combine(_files.Path, "mc"));

        var run = RegisterAndRestore("-S3Endpoint $s3 -S3Credential $s3cred -MinioAlias dcos -Verbose", bucket);

        Assert.Equal("Alias:dcos", run.Value(0, "MinioCredentialSource"));
        Assert.Contains(run.Verbose, v => v.Contains("mc alias 'dcos'") && v.Contains(Path.Combine(_files.Path, "mc", "config.json")));
    }

    [Fact]
    public async Task PSCredentials_built_at_run_time_as_a_SecretManagement_vault_returns_them_work_for_both_ends()
    {
        string bucket = await SeedAsync("vault");
        var variables = _rgw.ScriptVariables();
        variables["s3secret"] = RgwPair.SourceSecretKey;
        variables["miniosecret"] = RgwPair.TargetSecretKey;
        // Get-Secret -Name x returns a PSCredential like these for a secret stored as a PSCredential.
        const string vault = """
            function Get-VaultCredential($user, $plain) { $s = [securestring]::new(); foreach ($ch in $plain.ToCharArray()) { $s.AppendChar($ch) }; $s.MakeReadOnly(); [pscredential]::new($user, $s) }
            $fromVaultS3 = Get-VaultCredential '
            """ + RgwPair.SourceAccessKey + "' $s3secret; $fromVaultMinio = Get-VaultCredential '" + RgwPair.TargetAccessKey + "' $miniosecret;\n";

        var run = _ps.Run(vault + $"Register-RestoreClients -S3Endpoint $s3 -S3Credential $fromVaultS3 -MinioEndpoint $minio -MinioCredential $fromVaultMinio | Start-MinioRestore -Bucket {bucket}", variables);

        Assert.Null(run.TerminatingRecord);
        Assert.Equal(2L, run.Value(0, "Copied"));
    }

    [Fact]
    public async Task An_access_key_shaped_like_an_email_address_is_used_as_typed()
    {
        // PSCredential.GetNetworkCredential() would split it into user "restore" and domain "corp.example".
        const string access = "restore@corp.example", secret = "email-shaped-user-secret-000000000000000";
        _rgw.Target.Admin("user", "create", "--uid", "email-shaped", "--display-name", "email-shaped", "--access-key", access, "--secret-key", secret);
        string bucket = await SeedAsync("email-key");
        var variables = _rgw.ScriptVariables();
        variables["miniocred"] = RgwPair.Credential(access, secret);

        var run = _ps.Run($"Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -MinioEndpoint $minio -MinioCredential $miniocred | Start-MinioRestore -Bucket {bucket}", variables);

        Assert.Null(run.TerminatingRecord);
        Assert.Equal(2L, run.Value(0, "Copied"));
        using var asUser = Harness.Seeder.Client(_rgw.Target.Endpoint, access, secret);
        Assert.Equal(2, (await S3.ListAsync(asUser, bucket)).Count);
    }

    // ---- bad input ----

    [Fact]
    public void An_unknown_profile_is_not_found_and_the_files_searched_are_named()
    {
        string credentials = _files.Write("creds", SourceProfile("backup"));

        var run = _ps.Run($"Register-RestoreClients -S3Endpoint $s3 -ProfileName bakup -ProfileLocation '{credentials}' -MinioEndpoint $minio -MinioCredential $miniocred", _rgw.ScriptVariables());

        AssertError(run, "ProfileNotFound", ErrorCategory.ObjectNotFound, "'bakup'", credentials, Path.Combine(_files.Path, "no-config"), "backup");
    }

    [Fact]
    public void An_SSO_profile_is_refused_by_type_with_the_command_that_exports_its_keys()
    {
        _environment.Set("AWS_CONFIG_FILE", _files.Write("conf", "[profile corp]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n[sso-session corp]\nsso_start_url = https://x\n"));

        var run = _ps.Run("Register-RestoreClients -S3Endpoint $s3 -ProfileName corp -MinioEndpoint $minio -MinioCredential $miniocred", _rgw.ScriptVariables());

        AssertError(run, "UnsupportedCredentialProfile", ErrorCategory.NotImplemented, "IAM Identity Center", "aws configure export-credentials --profile corp");
    }

    [Fact]
    public void An_unknown_alias_is_not_found_and_where_it_looked_is_named()
    {
        var run = _ps.Run("Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -MinioAlias nosuch", _rgw.ScriptVariables());

        AssertError(run, "MinioAliasNotFound", ErrorCategory.ObjectNotFound, "MC_HOST_nosuch", Path.Combine(_files.Path, "no-mc", "config.json"));
    }

    [Fact]
    public void A_malformed_MC_HOST_is_refused_without_showing_its_secret()
    {
        _environment.Set("MC_HOST_broken", $"127.0.0.1:{_rgw.Target.Port}@{RgwPair.TargetAccessKey}:{RgwPair.TargetSecretKey}");

        var run = _ps.Run("Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -MinioAlias broken", _rgw.ScriptVariables());

        AssertError(run, "InvalidMinioAlias", ErrorCategory.InvalidArgument, "MC_HOST_broken", "http://");
    }

    [Fact]
    public void A_broken_mc_config_json_is_invalid_data_named_by_file_and_line()
    {
        string path = _files.Write("mc/config.json", $"{{\"version\":\"10\",\"aliases\":{{\n\"dcos\":{{\"secretKey\":\"{RgwPair.TargetSecretKey}\",,}}}}}}");
        _environment.Set("MC_CONFIG_DIR", Path.Combine(_files.Path, "mc"));

        var run = _ps.Run("Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -MinioAlias dcos", _rgw.ScriptVariables());

        AssertError(run, "InvalidConfigFile", ErrorCategory.InvalidData, path, "line 2", "not valid JSON");
    }

    [Fact]
    public void MinioAlias_and_MinioEndpoint_together_are_refused_by_PowerShell_before_anything_runs()
    {
        _environment.Set("MC_HOST_restoretarget", McHost);

        var run = _ps.Run("Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -MinioAlias restoretarget -MinioEndpoint $minio -MinioCredential $miniocred", _rgw.ScriptVariables());

        AssertError(run, "AmbiguousParameterSet", ErrorCategory.InvalidArgument, "cannot be used together");
    }

    [Fact]
    public void A_failed_registration_keeps_the_clients_registered_before()
    {
        var first = _ps.Run("Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -MinioEndpoint $minio -MinioCredential $miniocred | Out-Null", _rgw.ScriptVariables());
        Assert.Null(first.TerminatingRecord);

        var failed = _ps.Run("Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -MinioAlias nosuch", _rgw.ScriptVariables());
        Assert.NotNull(failed.TerminatingRecord);

        var restore = _ps.Run("Start-MinioRestore -Bucket no-such-backup-bucket", _rgw.ScriptVariables());
        Assert.Equal("SourceBucketNotFound", Assert.Single(restore.Errors).FullyQualifiedErrorId.Split(',')[0]);
    }
}
