using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using MinioRestore.Engine.Endpoints;
using MinioRestore.Engine.Mirror;

// SdkOverhead SOURCE_URL TARGET_URL BUCKET COUNT  (keys obj/0000000.., AWS_* variables hold the keys of both ends)
var (sourceUrl, targetUrl, bucket, count) = (new Uri(args[0]), new Uri(args[1]), args[2], int.Parse(args[3]));
string accessKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID")!, secretKey = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY")!;

var engine = await Measure(async () =>
{
    using var restorer = new Restorer(new S3Endpoint(sourceUrl, "us-east-1", accessKey, secretKey), new S3Endpoint(targetUrl, "us-east-1", accessKey, secretKey));
    var result = await restorer.RestoreAsync(new RestoreOptions(bucket, bucket + "-engine"), new Silent(), null, CancellationToken.None);
    return (int)result.Copied;
});
var raw = await Measure(() => RawCopyAsync(bucket + "-raw"));
Console.WriteLine($"engine (list, merge, verified copy): {engine.Copied} objects, wall {engine.Wall:0.00} s, cpu {engine.Cpu:0.00} s");
Console.WriteLine($"plain HttpClient + SigV4: {raw.Copied} objects, wall {raw.Wall:0.00} s, cpu {raw.Cpu:0.00} s");
Console.WriteLine($"cpu engine/plain {engine.Cpu / raw.Cpu:0.00}, wall engine/plain {engine.Wall / raw.Wall:0.00}");

static async Task<(int Copied, double Wall, double Cpu)> Measure(Func<Task<int>> run)
{
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    int copied = await run();
    return (copied, clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
}

async Task<int> RawCopyAsync(string target)
{
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 128 });
    (await http.SendAsync(Signed(HttpMethod.Put, targetUrl, "/" + target, new ByteArrayContent([]), null))).EnsureSuccessStatusCode();
    int copied = 0;
    await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = RestoreOptions.DefaultConcurrency }, async (i, ct) =>
    {
        string key = $"obj/{i:D7}";
        using var get = await http.SendAsync(Signed(HttpMethod.Get, sourceUrl, $"/{bucket}/{key}", null, null), HttpCompletionOption.ResponseHeadersRead, ct);
        get.EnsureSuccessStatusCode();
        var body = new StreamContent(await get.Content.ReadAsStreamAsync(ct));
        body.Headers.ContentLength = get.Content.Headers.ContentLength;
        string md5 = Convert.ToBase64String(Convert.FromHexString(get.Headers.ETag!.Tag.Trim('"')));
        using var put = await http.SendAsync(Signed(HttpMethod.Put, targetUrl, $"/{target}/{key}", body, md5), ct);
        if (put.IsSuccessStatusCode) Interlocked.Increment(ref copied);
    });
    return copied;
}

// SigV4 with UNSIGNED-PAYLOAD: the body is protected by Content-MD5 (and TLS where used).
HttpRequestMessage Signed(HttpMethod method, Uri endpoint, string path, HttpContent? content, string? md5)
{
    var now = DateTime.UtcNow;
    string amzDate = now.ToString("yyyyMMddTHHmmssZ"), day = now.ToString("yyyyMMdd"), host = endpoint.Authority;
    var request = new HttpRequestMessage(method, new Uri(endpoint, path)) { Content = content };
    var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["host"] = host, ["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD", ["x-amz-date"] = amzDate,
    };
    if (md5 is not null) { content!.Headers.ContentMD5 = Convert.FromBase64String(md5); headers["content-md5"] = md5; }
    request.Headers.Add("x-amz-date", amzDate);
    request.Headers.Add("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    string signed = string.Join(";", headers.Keys);
    string canonical = $"{method.Method}\n{path}\n\n{string.Concat(headers.Select(h => $"{h.Key}:{h.Value}\n"))}\n{signed}\nUNSIGNED-PAYLOAD";
    string scope = $"{day}/us-east-1/s3/aws4_request";
    string toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
    byte[] key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), day), "us-east-1"), "s3"), "aws4_request");
    request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope}, SignedHeaders={signed}, Signature={Hex(Hmac(key, toSign))}");
    return request;
}

static byte[] Hmac(byte[] key, string text) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text));
static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

sealed class Silent : IRestoreReporter { public void Report(RestoreEvent e) { } }
