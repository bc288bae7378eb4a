using MinioRestore.Tests.Infrastructure;

namespace MinioRestore.Tests.PowerShell;

/// <summary>
/// Secrets never appear anywhere: every stream (output objects and their properties, errors and
/// their exceptions, warnings, verbose, debug, information, progress, host text) of every cmdlet,
/// on success and on the error paths, is searched for both secret keys.
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
    ];

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
        Assert.DoesNotContain(RgwPair.SourceSecretKey, all);
        Assert.DoesNotContain(RgwPair.TargetSecretKey, all);
        Assert.DoesNotContain(WrongSecret, all);
    }
}
