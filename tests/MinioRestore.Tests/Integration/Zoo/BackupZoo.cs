using System.Diagnostics;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Minio;
using Minio.DataModel.Args;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Zoo;

/// <summary>
/// One object of the zoo: which client wrote it, how, and the part lengths that client's rule
/// gives (the test proves them by recomputing the composite ETag from the bytes).
/// </summary>
/// <param name="Guessable">False for a uniform layout no candidate list holds (PartLayoutCandidates): only a server that tells the layout restores it verified.</param>
public sealed record ZooObject(string Key, string Client, string Setting, long Size, long[] Parts, bool Guessable = true)
{
    /// <summary>Every part but the last has the first part's length.</summary>
    public bool IsUniform => Parts.Take(Parts.Length - 1).All(p => p == Parts[0]);

    /// <summary>Everything but the single PUTs went multipart, one-part uploads included.</summary>
    public bool IsMultipart => !Key.StartsWith("single/", StringComparison.Ordinal) && !Key.Contains("/single", StringComparison.Ordinal);

    /// <summary>The ETag S3 gives these bytes in these parts: MD5 of the part MD5s and the count; MD5 of the body for one PUT.</summary>
    public string ExpectedETag(byte[] body)
    {
        if (!IsMultipart) return Convert.ToHexStringLower(MD5.HashData(body));
        var md5s = new List<byte>();
        long offset = 0;
        foreach (long length in Parts)
        {
            md5s.AddRange(MD5.HashData(body.AsSpan((int)offset, (int)length)));
            offset += length;
        }
        return Convert.ToHexStringLower(MD5.HashData(md5s.ToArray())) + "-" + Parts.Length;
    }
}

/// <summary>
/// A backup bucket on the source RGW written by the real clients a backup in the field comes
/// from (awscli, s3cmd, rclone, boto3, AWSSDK.S3 TransferUtility, the Minio .NET SDK) and by
/// low-level multipart calls with unequal parts and with one part, plus single PUTs and
/// metadata edge cases, and SSE-KMS objects. Written once per test run (about 535 MiB) and
/// shared by the zoo tests. No non-ASCII user metadata: no client here sends it (botocore, so
/// awscli and boto3, refuses it in handlers.py validate_ascii_metadata; AWSSDK.S3 on .NET's
/// HttpClient fails with "Request headers must contain only ASCII characters", measured).
/// </summary>
public sealed class BackupZoo
{
    private const long MiB = 1024 * 1024;
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static BackupZoo? _written;

    private BackupZoo(string bucket, IReadOnlyList<ZooObject> objects, IReadOnlyDictionary<string, byte[]> bodies)
    {
        Bucket = bucket;
        Objects = objects;
        Bodies = bodies;
    }

    public string Bucket { get; }
    public IReadOnlyList<ZooObject> Objects { get; }
    /// <summary>The bytes each client was given, by key.</summary>
    public IReadOnlyDictionary<string, byte[]> Bodies { get; }

    /// <summary>Metadata the clients were asked to send (where the client can send it), checked on the target.</summary>
    public const string ContentType = "application/x-zoo-backup";
    public const string ContentDisposition = "attachment; filename=\"zoo backup.bin\"";

    /// <summary>The key of RGW's testing KMS (tests/servers/rgw-up.sh RGW_KMS_TESTING=1).</summary>
    public const string KmsKeyId = "zoo-key-1";

    private static long[] Uniform(long size, long partSize) =>
        Enumerable.Range(0, (int)((size + partSize - 1) / partSize)).Select(i => Math.Min(partSize, size - i * partSize)).ToArray();

    /// <summary>The zoo's objects and the layouts their clients' rules give (PartLayoutCandidates cites the sources).</summary>
    public static readonly ZooObject[] Plan =
    [
        new("awscli/default-8MiB.bin", "awscli", "default (8 MiB)", 20 * MiB + 123, Uniform(20 * MiB + 123, 8 * MiB)),
        new("awscli/chunksize-32MiB.bin", "awscli", "multipart_chunksize = 32MB", 70 * MiB + 5, Uniform(70 * MiB + 5, 32 * MiB)),
        new("s3cmd/default-15MiB.bin", "s3cmd", "default (15 MiB)", 40 * MiB, Uniform(40 * MiB, 15 * MiB)),
        new("rclone/default-5MiB.bin", "rclone", "default (5 MiB), --s3-upload-cutoff 5M", 23 * MiB + 7, Uniform(23 * MiB + 7, 5 * MiB)),
        new("rclone/chunk-32MiB.bin", "rclone", "--s3-chunk-size 32M", 90 * MiB, Uniform(90 * MiB, 32 * MiB)),
        new("boto3/default-8MiB.bin", "boto3", "TransferConfig() (8 MiB)", 30 * MiB + 1, Uniform(30 * MiB + 1, 8 * MiB)),
        new("boto3/chunksize-64MiB.bin", "boto3", "TransferConfig(multipart_chunksize=64 MiB)", 100 * MiB, Uniform(100 * MiB, 64 * MiB)),
        new("transferutility/default.bin", "AWSSDK.S3 4.1.0 TransferUtility", "default (8 MiB)", 27 * MiB + 3, Uniform(27 * MiB + 3, 8 * MiB)),
        new("transferutility/partsize-12MiB.bin", "AWSSDK.S3 4.1.0 TransferUtility", "PartSize = 12 MiB", 50 * MiB, Uniform(50 * MiB, 12 * MiB), Guessable: false),
        new("minio-dotnet/default.bin", "Minio .NET 7.0.0", "PutObject default (16 MiB)", 40 * MiB + 9, Uniform(40 * MiB + 9, 16 * MiB)),
        new("lowlevel/unequal-parts.bin", "AWSSDK.S3 low-level", "parts 5, 7, 6 MiB + 1", 18 * MiB + 1, [5 * MiB, 7 * MiB, 6 * MiB + 1]),
        new("lowlevel/first-part-largest.bin", "AWSSDK.S3 low-level", "parts 7, 6, 5 MiB + 1", 18 * MiB + 1, [7 * MiB, 6 * MiB, 5 * MiB + 1]),
        new("lowlevel/one-part.bin", "AWSSDK.S3 low-level", "one part (md5-1)", 3 * MiB + 3, [3 * MiB + 3]),
        new("sse-kms/awscli-8MiB.bin", "awscli", "--sse aws:kms (RGW testing KMS), default 8 MiB", 20 * MiB + 5, Uniform(20 * MiB + 5, 8 * MiB)),
        new("sse-kms/single-sdk.bin", "AWSSDK.S3 PutObject", "single PUT, SSE-KMS (RGW testing KMS)", 2 * MiB + 1, [2 * MiB + 1]),
        new("single/awscli.txt", "awscli", "single PUT, metadata", 1000, [1000]),
        new("single/s3cmd.txt", "s3cmd", "single PUT", 2000, [2000]),
        new("single/rclone.txt", "rclone", "single PUT", 3000, [3000]),
        new("single/boto3.txt", "boto3", "single PUT, metadata", 4000, [4000]),
        new("single/sdk-headers.txt", "AWSSDK.S3 PutObject", "single PUT, every content header", 5000, [5000]),
        new("single/empty", "AWSSDK.S3 PutObject", "single PUT, empty", 0, [0]),
    ];

    /// <summary>Writes the zoo on the source of <paramref name="rgw"/> the first time, then returns it.</summary>
    public static async Task<BackupZoo> GetAsync(RgwPair rgw)
    {
        await Gate.WaitAsync();
        try
        {
            return _written ??= await WriteAsync(rgw);
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<BackupZoo> WriteAsync(RgwPair rgw)
    {
        string bucket = RgwPair.NewBucket("zoo");
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        var bodies = new Dictionary<string, byte[]>();
        using var files = new TempFolder();
        int seed = 100;
        foreach (var o in Plan)
        {
            var body = S3.RandomBytes((int)o.Size, seed++);
            bodies[o.Key] = body;
            string file = Path.Combine(files.Path, o.Key.Replace('/', '_'));
            await File.WriteAllBytesAsync(file, body);
            await UploadAsync(rgw, bucket, o, file);
            File.Delete(file);
        }
        return new BackupZoo(bucket, Plan, bodies);
    }

    private static async Task UploadAsync(RgwPair rgw, string bucket, ZooObject o, string file)
    {
        string[] metadata = ["--content-type", ContentType, "--content-disposition", ContentDisposition, "--metadata", "owner=ops-team,backup-id=2026-12-01"];
        switch (o.Key)
        {
            case "awscli/default-8MiB.bin": Cli(rgw, "awscli", "default", file, bucket, o.Key, [.. metadata, "--content-encoding", "identity"]); break;
            case "awscli/chunksize-32MiB.bin": Cli(rgw, "awscli", "32", file, bucket, o.Key); break;
            case "sse-kms/awscli-8MiB.bin": Cli(rgw, "awscli", "default", file, bucket, o.Key, ["--sse", "aws:kms", "--sse-kms-key-id", KmsKeyId]); break;
            case "sse-kms/single-sdk.bin":
                await S3.PutAsync(rgw.SourceS3, bucket, o.Key, await File.ReadAllBytesAsync(file), r =>
                {
                    r.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS;
                    r.ServerSideEncryptionKeyManagementServiceKeyId = KmsKeyId;
                });
                break;
            case "single/awscli.txt": Cli(rgw, "awscli", "default", file, bucket, o.Key, [.. metadata, "--cache-control", "max-age=60"]); break;
            // s3cmd keeps its own attributes (x-amz-meta-s3cmd-attrs) and the MIME type asked for
            case "s3cmd/default-15MiB.bin": Cli(rgw, "s3cmd", "default", file, bucket, o.Key, ["--mime-type=" + ContentType, "--no-guess-mime-type"]); break;
            case "single/s3cmd.txt": Cli(rgw, "s3cmd", "default", file, bucket, o.Key); break;
            // rclone keeps the file's modification time (x-amz-meta-mtime)
            case "rclone/default-5MiB.bin": Cli(rgw, "rclone", "default", file, bucket, o.Key); break;
            case "rclone/chunk-32MiB.bin": Cli(rgw, "rclone", "32", file, bucket, o.Key); break;
            case "single/rclone.txt": Cli(rgw, "rclone", "default", file, bucket, o.Key); break;
            case "boto3/default-8MiB.bin": Cli(rgw, "boto3", "default", file, bucket, o.Key); break;
            case "boto3/chunksize-64MiB.bin": Cli(rgw, "boto3", "64", file, bucket, o.Key, ["ContentType=" + ContentType, "Metadata.owner=ops-team", "Metadata.tool=boto3"]); break;
            case "single/boto3.txt": Cli(rgw, "boto3", "default", file, bucket, o.Key, ["ContentType=text/plain; charset=utf-8", "ContentLanguage=de-CH", "Metadata.empty-value="]); break;
            case "transferutility/default.bin":
                using (var transfer = new TransferUtility(rgw.SourceS3))
                    await transfer.UploadAsync(new TransferUtilityUploadRequest { BucketName = bucket, Key = o.Key, FilePath = file });
                break;
            case "transferutility/partsize-12MiB.bin": // a size no candidate list holds: found only where the server tells it
                using (var transfer = new TransferUtility(rgw.SourceS3))
                    await transfer.UploadAsync(new TransferUtilityUploadRequest { BucketName = bucket, Key = o.Key, FilePath = file, PartSize = 12 * MiB });
                break;
            case "minio-dotnet/default.bin":
                using (var minio = (MinioClient)new MinioClient().WithEndpoint(rgw.Source.Endpoint.Host, rgw.Source.Endpoint.Port)
                           .WithCredentials(rgw.Source.AccessKey, rgw.Source.SecretKey).WithSSL(false).Build())
                await using (var stream = File.OpenRead(file))
                    await minio.PutObjectAsync(new PutObjectArgs().WithBucket(bucket).WithObject(o.Key)
                        .WithStreamData(stream).WithObjectSize(o.Size).WithContentType(ContentType)
                        .WithHeaders(new Dictionary<string, string> { ["x-amz-meta-writer"] = "minio-dotnet" }));
                break;
            case "lowlevel/unequal-parts.bin" or "lowlevel/first-part-largest.bin" or "lowlevel/one-part.bin":
                await PutPartsAsync(rgw.SourceS3, bucket, o.Key, await File.ReadAllBytesAsync(file), o.Parts);
                break;
            case "single/sdk-headers.txt" or "single/empty":
                await S3.PutAsync(rgw.SourceS3, bucket, o.Key, await File.ReadAllBytesAsync(file), r =>
                {
                    r.Headers.ContentType = "text/csv";
                    r.Headers.ContentEncoding = "gzip";
                    r.Headers.ContentDisposition = "inline; filename=\"report, final.csv\"";
                    r.Headers["Content-Language"] = "fr";
                    r.Headers.CacheControl = "no-cache";
                    r.Headers["Expires"] = "Thu, 01 Jan 2037 00:00:00 GMT";
                    r.Metadata["with-dash_and_underscore"] = "a = b; c";
                    r.Metadata["UPPER"] = "Mixed Case Value";
                });
                break;
            default: throw new InvalidOperationException("no writer for " + o.Key);
        }
    }

    /// <summary>Runs tests/zoo/upload.sh: the client gets the source's keys from the environment, never on its command line.</summary>
    private static void Cli(RgwPair rgw, string client, string setting, string file, string bucket, string key, string[]? options = null)
    {
        var psi = new ProcessStartInfo("bash", [Path.Combine(Repo.Root, "tests", "zoo", "upload.sh"), client, setting, file, bucket, key, .. options ?? []])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var name in new[] { "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE" })
            psi.Environment.Remove(name);
        psi.Environment["ZOO_ENDPOINT"] = rgw.Source.Endpoint.ToString().TrimEnd('/');
        psi.Environment["AWS_ACCESS_KEY_ID"] = rgw.Source.AccessKey;
        psi.Environment["AWS_SECRET_ACCESS_KEY"] = rgw.Source.SecretKey;
        psi.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3))) { process.Kill(entireProcessTree: true); throw new TimeoutException($"{client} upload of {key} timed out"); }
        if (process.ExitCode != 0) throw new InvalidOperationException($"{client} upload of {key} failed ({process.ExitCode}): {stderr.Result}{stdout.Result}");
    }

    /// <summary>A multipart upload in exactly these part lengths, as a low-level caller may do.</summary>
    private static async Task PutPartsAsync(IAmazonS3 s3, string bucket, string key, byte[] body, long[] lengths)
    {
        var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key, ContentType = ContentType });
        var parts = new List<PartETag>();
        int offset = 0;
        for (int i = 0; i < lengths.Length; i++)
        {
            var r = await s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = bucket, Key = key, UploadId = upload.UploadId, PartNumber = i + 1,
                InputStream = new MemoryStream(body, offset, (int)lengths[i]), PartSize = lengths[i],
            });
            parts.Add(new PartETag(i + 1, r.ETag));
            offset += (int)lengths[i];
        }
        await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId, PartETags = parts });
    }
}
