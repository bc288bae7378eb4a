using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Cmdlets;

/// <summary>
/// Secrets never appear anywhere: every stream (output objects and their properties, errors and
/// their exceptions, warnings, verbose, debug, information, progress, host text) of every cmdlet,
/// on success and on the error paths, is searched for both secret keys; also when the keys come
/// from an AWS profile file, an MC_HOST_ variable or mc's config.json, broken or not.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class SecretTests(RgwPair rgw) : IDisposable
{
    private readonly PowerShellSession _ps = new();
    public void Dispose() => _ps.Dispose();

    private const string Register = RgwPair.RegisterScript;
    private const string WrongSecret = "Wrong/Secret+Value0000000000000000000000";

    public static TheoryData<string> Scripts() =>
    [
        $"{Register} -Verbose -Debug | Out-Default; {Register} | Start-MinioRestore -Bucket $bucket -Verbose -Debug -InformationAction Continue | Out-Default",
        $"{Register} | Start-MinioRestore -Bucket $bucket -WhatIf -Verbose",
        $"{Register} | Out-Null; Test-MinioRestore -Bucket $bucket -Content -Verbose | Out-Default",
        $"{Register} | Start-MinioRestore -Bucket no-such-bucket-anywhere -Verbose",
        $"{Register} | Start-MinioRestore -Bucket 'Not A Bucket' -Verbose",
        $"$j = {Register} | Start-MinioRestore -Bucket $bucket -Remove -Force -AsJob -Verbose; $j | Wait-Job | Receive-Job -Verbose -Keep | Out-Default; $j | Out-Default; $j.PSObject.Properties | ForEach-Object {{ \"$($_.Name)=$($_.Value)\" }}; $j.ChildJobs.Count",
        $"{Register} | Start-MinioRestore -ServiceName no-such-service -Verbose",
        $"{Register} | Start-MinioRestore -Bucket $bucket -Remove -MaxDelete 0 -Force -Verbose -Prefix a",
        "Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -MinioEndpoint http://127.0.0.1:9 -MinioCredential $miniocred -Verbose",
        "Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -MinioEndpoint $minio -MinioCredential $wrong -Verbose",
        "Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -MinioEndpoint 'minio:9000' -MinioCredential $miniocred",
        $"$c = {Register}; $c.ToString(); $c | Out-Default; $c.PSObject.Properties | ForEach-Object {{ \"$($_.Name)=$($_.Value)\" }}",
        $"{Register} | Out-Null; 'Start-MinioRestore -Bucket se', 'Start-MinioRestore -TargetBucket ' | ForEach-Object {{ (TabExpansion2 $_ $_.Length).CompletionMatches }}",
        // Exports, where a secret would be escaped: ConvertTo-Json, CSV, System.Text.Json ('+' as \u002B).
        $"$c = {Register}; $c | ConvertTo-Json -Depth 4; $c | ConvertTo-Csv; [System.Text.Json.JsonSerializer]::Serialize($c); $c | Start-MinioRestore -Bucket $bucket | ConvertTo-Json -Depth 3",
        $"{Register} | Start-MinioRestore -Bucket no-such-bucket-anywhere -ErrorVariable e -ErrorAction SilentlyContinue; $e | ConvertTo-Json -Depth 2 -WarningAction SilentlyContinue; $e.Exception | Format-List * -Force | Out-String",
        "try { Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -MinioEndpoint $minio -MinioCredential $wrong -ErrorAction Stop } catch { $_ | ConvertTo-Json -Depth 2 -WarningAction SilentlyContinue; $_.Exception.ToString() }",
    ];

    [Fact]
    public void The_scan_finds_a_secret_however_it_was_escaped()
    {
        string secret = RgwPair.SourceSecretKey; // holds '+' and '/'
        foreach (var written in new[] { System.Text.Json.JsonSerializer.Serialize(new { secret }), Uri.EscapeDataString(secret), System.Net.WebUtility.UrlEncode(secret), secret.Replace("/", "\\/") })
            Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => SecretScan.AssertNoSecret($"before {written} after", secret));
        SecretScan.AssertNoSecret("nothing here", secret);
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task No_stream_of_any_cmdlet_carries_a_secret(string script)
    {
        string bucket = RgwPair.NewBucket("secrets");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        await S3.PutAsync(rgw.SourceS3, bucket, "a", [1, 2, 3]);
        var variables = rgw.ScriptVariables();
        variables["bucket"] = bucket;
        variables["wrong"] = RgwPair.Credential(RgwPair.TargetAccessKey, WrongSecret);

        var run = _ps.Run(script, variables);

        string all = run.AllText();
        Assert.True(all.Length > 50, "the script produced too little to search: " + all);
        SecretScan.AssertNoSecret(all, RgwPair.SourceSecretKey, RgwPair.TargetSecretKey, WrongSecret);
    }

    /// <summary>Scripts reading the keys from files and variables set up by <see cref="No_credential_file_or_alias_path_leaks_a_secret"/>.</summary>
    public static TheoryData<string, string?> CredentialSourceScripts() =>
    new()
    {
        { "Register-RestoreClients -S3Endpoint $s3 -ProfileName secrets -ProfileLocation $profiles -MinioAlias secrets -Verbose -Debug | Start-MinioRestore -Bucket $bucket -Verbose | Out-Default", null },
        { "$c = Register-RestoreClients -S3Endpoint $s3 -ProfileName secrets -ProfileLocation $profiles -MinioAlias fromfile; $c.ToString(); $c | Out-Default; $c.PSObject.Properties | ForEach-Object { \"$($_.Name)=$($_.Value)\" }", null },
        { "Register-RestoreClients -S3Endpoint $s3 -ProfileName nosuch -ProfileLocation $profiles -MinioAlias secrets -Verbose", "ProfileNotFound" },
        { "Register-RestoreClients -S3Endpoint $s3 -ProfileName half -ProfileLocation $profiles -MinioAlias secrets -Verbose", "InvalidConfigFile" },
        { "Register-RestoreClients -S3Endpoint $s3 -ProfileName process -ProfileLocation $profiles -MinioAlias secrets -Verbose", "UnsupportedCredentialProfile" },
        { "Register-RestoreClients -S3Endpoint $s3 -ProfileName x -ProfileLocation $brokenProfiles -MinioAlias secrets -Verbose", "InvalidConfigFile" },
        { "Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -MinioAlias malformed -Verbose", "InvalidMinioAlias" },
        { "Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -MinioAlias withpath -Verbose", "InvalidMinioAlias" },
        { "Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -MinioAlias wrongsecret -Verbose", "CredentialsRejected" },
        { "$env:MC_CONFIG_DIR = $brokenMc; Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -MinioAlias fromfile -Verbose", "InvalidConfigFile" },
        { "Register-RestoreClients -S3Endpoint $s3 -S3Credential $s3cred -MinioEndpoint $keysInUrl -MinioCredential $miniocred -Verbose", "InvalidEndpoint" },
    };

    [Theory]
    [MemberData(nameof(CredentialSourceScripts))]
    public async Task No_credential_file_or_alias_path_leaks_a_secret(string script, string? errorId)
    {
        string bucket = RgwPair.NewBucket("secret-files");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        await S3.PutAsync(rgw.SourceS3, bucket, "a", [1, 2, 3]);
        using var files = new TempFolder();
        using var environment = EnvironmentScope.Isolated(files.Path);
        string host = $"127.0.0.1:{rgw.Target.Port}", keys = $"{RgwPair.TargetAccessKey}:{RgwPair.TargetSecretKey}";
        environment.Set("MC_HOST_secrets", $"http://{keys}@{host}")
            .Set("MC_HOST_malformed", $"{host}@{keys}")
            .Set("MC_HOST_withpath", $"http://{keys}@{host}/bucket")
            .Set("MC_HOST_wrongsecret", $"http://{RgwPair.TargetAccessKey}:{WrongSecret}@{host}")
            .Set("MC_CONFIG_DIR", Path.Combine(files.Path, "mc"));
        files.Write("mc/config.json",
            $"{{\"version\":\"10\",\"aliases\":{{\"fromfile\":{{\"url\":\"http://{host}\",\"accessKey\":\"{RgwPair.TargetAccessKey}\",\"secretKey\":\"{RgwPair.TargetSecretKey}\"}}}}}}");
        var variables = rgw.ScriptVariables();
        variables["bucket"] = bucket;
        variables["profiles"] = files.Write("credentials",
            $"[secrets]\naws_access_key_id = {RgwPair.SourceAccessKey}\naws_secret_access_key = {RgwPair.SourceSecretKey}\n" +
            $"[half]\naws_secret_access_key = {RgwPair.SourceSecretKey}\n[process]\ncredential_process = fetch --secret {RgwPair.SourceSecretKey}\n");
        variables["brokenProfiles"] = files.Write("broken-credentials", $"[x]\naws_access_key_id {RgwPair.SourceSecretKey}\n");
        variables["brokenMc"] = Path.GetDirectoryName(files.Write("broken-mc/config.json", $"{{\"aliases\":{{\"fromfile\":{{\"secretKey\":{RgwPair.TargetSecretKey}}}}}}}"));
        variables["keysInUrl"] = $"http://{keys}@{host}/bucket";

        var run = _ps.Run(script, variables);

        Assert.Equal(errorId, run.TerminatingRecord?.FullyQualifiedErrorId.Split(',')[0]);
        string all = run.AllText();
        Assert.True(all.Length > 50, "the script produced too little to search: " + all);
        SecretScan.AssertNoSecret(all, RgwPair.SourceSecretKey, RgwPair.TargetSecretKey, WrongSecret);
    }
}
