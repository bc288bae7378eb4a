using System.Diagnostics;
using System.Net.Http;
using Minio;
using Minio.DataModel.Args;
using Amazon.S3.Model;
using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Reporting;
using MinioRestore.Engine.Restoring;
using MinioRestore.Engine.Transport;

// BenchTools overhead SOURCE_URL TARGET_URL BUCKET COUNT   the engine (cold, then warm) vs a bare signed copy loop
// BenchTools raw-copy SOURCE TARGET BUCKET COUNT CONCURRENCY  the bare signed GET+PUT loop alone: the small-object limit
// BenchTools raw-get ENDPOINT BUCKET                        every object read to nowhere, 16 MiB ranges, 16 at once
// BenchTools raw-put ENDPOINT BUCKET COUNT SIZE             COUNT multipart objects of SIZE from memory, 16 MiB parts, 16 at once
// BenchTools minio-put ENDPOINT BUCKET COUNT SIZE           the same objects through Minio 7.0.0's PutObjectAsync, all COUNT at once
// BenchTools latency SOURCE TARGET BUCKET COUNT CONCURRENCY  small GETs, PUTs and GET+PUT copies: latency, plain handler vs the engine's
// BenchTools versioning ENDPOINT BUCKET                     creates the bucket if need be and enables versioning (bench/versions.sh)
// BenchTools plain-copy SOURCE TARGET BUCKET INTO PART_SIZE STREAMS [ranged|streamed|whole]  the server pair's limit with nothing of the engine (PlainS3.cs)
// BenchTools engine SOURCE TARGET BUCKET INTO PER_OBJECT PART_STREAMS  the engine's restore with these part settings, twice (cold, warm)
// BenchTools timeline SOURCE TARGET BUCKET INTO RUNS        the engine's restore, RUNS times in one process: its requests by end and kind, when they start and end (Timeline.cs)
// BenchTools delay-proxy PORT UPSTREAM_URL ROUND_TRIP_MS    a loopback proxy adding latency, the WAN case (DelayProxy.cs)
// BenchTools list ENDPOINT BUCKET serial|ranges RUNS [versions]   the bucket listing alone (Listing/BucketLister), one chain of pages or key ranges: seconds per run;
//                                                          versions: the version listing (Listing/VersionLister, as -AsOf and -AllVersions list)
// The AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables hold the keys of both ends.
string accessKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID")!, secretKey = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY")!;
S3Endpoint At(string url) => new(new Uri(url), "us-east-1", accessKey, secretKey);
const long Chunk = 16 * 1024 * 1024;
const int Streams = 16;

return args switch
{
    ["overhead", var source, var target, var bucket, var count] => await OverheadAsync(At(source), At(target), bucket, int.Parse(count)),
    ["raw-copy", var source, var target, var bucket, var count, var concurrency] =>
        await RawCopyAsync(At(source), At(target), bucket, int.Parse(count), int.Parse(concurrency)),
    ["raw-get", var endpoint, var bucket] => await RawGetAsync(At(endpoint), bucket),
    ["raw-put", var endpoint, var bucket, var count, var size] => await RawPutAsync(At(endpoint), bucket, int.Parse(count), long.Parse(size)),
    ["minio-put", var endpoint, var bucket, var count, var size] => await MinioPutAsync(At(endpoint), bucket, int.Parse(count), long.Parse(size)),
    ["latency", var source, var target, var bucket, var count, var concurrency] =>
        await LatencyAsync(At(source), At(target), bucket, int.Parse(count), int.Parse(concurrency)),
    ["versioning", var endpoint, var bucket] => await EnableVersioningAsync(At(endpoint), bucket),
    ["plain-copy", var source, var target, var bucket, var into, var partSize, var streams, .. var mode] =>
        await PlainS3.CopyAsync(new PlainS3(source, accessKey, secretKey, int.Parse(streams)), new PlainS3(target, accessKey, secretKey, int.Parse(streams)),
            bucket, into, long.Parse(partSize), int.Parse(streams), mode is [var m] ? m : "ranged"),
    ["engine", var source, var target, var bucket, var into, var perObject, var partStreams] =>
        await EngineAsync(At(source), At(target), bucket, into, int.Parse(perObject), int.Parse(partStreams)),
    ["list", var endpoint, var bucket, var mode and ("serial" or "ranges"), var runs] => await ListAsync(At(endpoint), bucket, mode == "ranges", int.Parse(runs), false),
    ["list", var endpoint, var bucket, var mode and ("serial" or "ranges"), var runs, "versions"] => await ListAsync(At(endpoint), bucket, mode == "ranges", int.Parse(runs), true),
    ["timeline", var source, var target, var bucket, var into, var runs] => await Timeline.RunAsync(At(source), At(target), bucket, into, int.Parse(runs)),
    ["delay-proxy", var port, var upstream, var roundTrip] => await DelayProxy.RunAsync(int.Parse(port), new Uri(upstream), TimeSpan.FromMilliseconds(double.Parse(roundTrip))),
    _ => Usage(),
};

async Task<int> EnableVersioningAsync(S3Endpoint endpoint, string bucket)
{
    using var s3 = S3ClientFactory.Create(endpoint, 4);
    try { await s3.PutBucketAsync(bucket); }
    catch (Amazon.S3.AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists") { }
    await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
    {
        BucketName = bucket, VersioningConfig = new S3BucketVersioningConfig { Status = Amazon.S3.VersionStatus.Enabled },
    });
    Console.Error.WriteLine($"versioning enabled on {bucket}");
    return 0;
}

async Task<int> ListAsync(S3Endpoint endpoint, string bucket, bool ranges, int runs, bool versions)
{
    using var s3 = S3ClientFactory.Create(endpoint, RestoreOptions.DefaultConnections);
    var shape = ListingShape.Default with { Parallel = ranges };
    for (int run = 0; run < runs; run++)
    {
        var clock = Stopwatch.StartNew();
        long keys = 0;
        var listing = versions
            ? VersionLister.ListAsync(s3, bucket, null, VersionLister.DefaultPageSize, CancellationToken.None, null, shape)
            : BucketLister.ListAsync(s3, bucket, null, CancellationToken.None, null, shape);
        await foreach (var _ in listing) keys++;
        Console.WriteLine($"{clock.Elapsed.TotalSeconds:0.00} s {keys} keys");
    }
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: BenchTools overhead SOURCE TARGET BUCKET COUNT | raw-get ENDPOINT BUCKET | raw-put ENDPOINT BUCKET COUNT SIZE | minio-put ENDPOINT BUCKET COUNT SIZE | latency SOURCE TARGET BUCKET COUNT CONCURRENCY | raw-copy SOURCE TARGET BUCKET COUNT CONCURRENCY | versioning ENDPOINT BUCKET | plain-copy SOURCE TARGET BUCKET INTO PART_SIZE STREAMS | delay-proxy PORT UPSTREAM_URL ROUND_TRIP_MS | list ENDPOINT BUCKET serial|ranges RUNS [versions]");
    return 2;
}

async Task<int> OverheadAsync(S3Endpoint source, S3Endpoint target, string bucket, int count)
{
    using var restorer = new Restorer(source, target);
    async Task<int> Restore(string into) =>
        (int)(await restorer.RestoreAsync(new RestoreOptions(bucket, into), new Silent(), null, CancellationToken.None)).Copied;
    var cold = await Measure(() => Restore(bucket + "-cold"));
    var warm = await Measure(() => Restore(bucket + "-warm"));
    var bare = await Measure(() => BareCopyAsync(source, target, bucket, bucket + "-bare", count, RestoreOptions.DefaultConcurrency));
    Console.WriteLine($"engine, first run (JIT, connections): {cold.Copied} objects, wall {cold.Wall:0.00} s, cpu {cold.Cpu:0.00} s");
    Console.WriteLine($"engine, second run: {warm.Copied} objects, wall {warm.Wall:0.00} s, cpu {warm.Cpu:0.00} s");
    Console.WriteLine($"bare signed GET+PUT loop: {bare.Copied} objects, wall {bare.Wall:0.00} s, cpu {bare.Cpu:0.00} s");
    Console.WriteLine($"second run / bare: cpu {warm.Cpu / bare.Cpu:0.00}, wall {warm.Wall / bare.Wall:0.00}");
    return 0;
}

static async Task<int> EngineAsync(S3Endpoint source, S3Endpoint target, string bucket, string into, int perObject, int partStreams)
{
    var options = new RestoreOptions(bucket, into) { PartConcurrency = perObject, PartStreams = partStreams };
    using var restorer = new Restorer(source, target, options.Connections);
    foreach (var run in new[] { "cold", "warm" })
    {
        var result = await Measure(async () =>
        {
            var r = await restorer.RestoreAsync(options with { TargetBucket = $"{into}-{run}" }, new Silent(), null, CancellationToken.None);
            if (r.Failed > 0) throw new InvalidOperationException($"{r.Failed} objects failed");
            return (int)r.Copied;
        });
        Console.WriteLine($"engine {run}, {perObject} parts per object, {partStreams} part streams: {result.Copied} objects, wall {result.Wall:0.00} s, cpu {result.Cpu:0.00} s");
    }
    return 0;
}

static async Task<(int Copied, double Wall, double Cpu)> Measure(Func<Task<int>> run)
{
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    int copied = await run();
    return (copied, clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
}

static async Task<int> RawCopyAsync(S3Endpoint source, S3Endpoint target, string bucket, int count, int concurrency)
{
    var (copied, wall, cpu) = await Measure(() => BareCopyAsync(source, target, bucket, $"{bucket}-raw-{concurrency}", count, concurrency));
    Console.WriteLine($"raw copy: {copied} objects at {concurrency} in {wall:0.00} s = {copied / wall:0} objects/s (cpu {cpu:0.00} s)");
    return 0;
}

// The least a copy can do: known keys, no listing, no checks beyond the target's Content-MD5.
static async Task<int> BareCopyAsync(S3Endpoint source, S3Endpoint target, string bucket, string into, int count, int concurrency)
{
    var (read, write) = (new RequestSigner(source), new RequestSigner(target));
    using var http = new HttpClient(HttpHandlers.Create(TlsOptions.Default, 2 * concurrency, TimeSpan.FromSeconds(10))); // with the engine's prompt ACKs
    await SendAsync(http, write, write.Create(HttpMethod.Put, into, ""));
    int copied = 0;
    await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
    {
        string key = $"obj/{i:D7}";
        var getRequest = read.Create(HttpMethod.Get, bucket, key);
        read.Sign(getRequest, DateTime.UtcNow);
        using var get = await http.SendAsync(getRequest, HttpCompletionOption.ResponseHeadersRead, ct);
        get.EnsureSuccessStatusCode();
        var put = write.Create(HttpMethod.Put, into, key);
        put.Content = new StreamContent(await get.Content.ReadAsStreamAsync(ct));
        put.Content.Headers.ContentLength = get.Content.Headers.ContentLength;
        put.Content.Headers.ContentMD5 = Convert.FromHexString(get.Headers.ETag!.Tag.Trim('"'));
        await SendAsync(http, write, put, ct);
        Interlocked.Increment(ref copied);
    });
    return copied;
}

static async Task<string?> SendAsync(HttpClient http, RequestSigner signer, HttpRequestMessage request, CancellationToken cancel = default)
{
    signer.Sign(request, DateTime.UtcNow);
    using var response = await http.SendAsync(request, cancel);
    if (!response.IsSuccessStatusCode && response.StatusCode != System.Net.HttpStatusCode.Conflict) // Conflict: the bucket exists
        throw new HttpRequestException($"{request.Method} {request.RequestUri}: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancel)}");
    return response.Headers.ETag?.Tag;
}

static async Task<int> RawGetAsync(S3Endpoint endpoint, string bucket)
{
    using var s3 = S3ClientFactory.Create(endpoint, Streams);
    var keys = new List<(string Key, long Size)>();
    await foreach (var entry in BucketLister.ListAsync(s3, bucket, null, CancellationToken.None))
        keys.Add((entry.Key, entry.Size));

    var signer = new RequestSigner(endpoint);
    using var http = new HttpClient(HttpHandlers.Create(TlsOptions.Default, Streams, TimeSpan.FromSeconds(10))); // the engine's connections
    var clock = Stopwatch.StartNew();
    long bytes = 0;
    var ranges = keys.SelectMany(k => Enumerable.Range(0, (int)Math.Max(1, (k.Size + Chunk - 1) / Chunk))
        .Select(i => (k.Key, Offset: i * Chunk, Length: Math.Min(Chunk, k.Size - i * Chunk))));
    await Parallel.ForEachAsync(ranges, new ParallelOptions { MaxDegreeOfParallelism = Streams }, async (r, ct) =>
    {
        var get = signer.Create(HttpMethod.Get, bucket, r.Key);
        if (r.Length > 0) get.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(r.Offset, r.Offset + r.Length - 1);
        signer.Sign(get, DateTime.UtcNow);
        using var response = await http.SendAsync(get, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[81920];
        int n;
        while ((n = await body.ReadAsync(buffer, ct)) > 0) Interlocked.Add(ref bytes, n);
    });
    Report("raw GET", bytes, clock.Elapsed);
    return 0;
}

static async Task<int> RawPutAsync(S3Endpoint endpoint, string bucket, int count, long size)
{
    using var s3 = S3ClientFactory.Create(endpoint, Streams);
    var signer = new RequestSigner(endpoint);
    using var http = new HttpClient(HttpHandlers.Create(TlsOptions.Default, Streams, TimeSpan.FromSeconds(10))); // the engine's connections
    await SendAsync(http, signer, signer.Create(HttpMethod.Put, bucket, ""));
    var part = new byte[Chunk];
    new Random(1).NextBytes(part);
    long allocated = GC.GetTotalAllocatedBytes(precise: true);
    var clock = Stopwatch.StartNew();
    var uploads = new string[count];
    for (int i = 0; i < count; i++)
        uploads[i] = (await s3.InitiateMultipartUploadAsync(bucket, $"raw/{i}")).UploadId;
    int partsPer = (int)((size + Chunk - 1) / Chunk);
    var etags = new string[count, partsPer];
    // UNSIGNED-PAYLOAD, as the engine sends: no SHA-256 of the body on this side.
    await Parallel.ForEachAsync(Enumerable.Range(0, count * partsPer), new ParallelOptions { MaxDegreeOfParallelism = Streams }, async (j, ct) =>
    {
        int obj = j / partsPer, p = j % partsPer;
        int length = (int)Math.Min(Chunk, size - (long)p * Chunk);
        var put = signer.Create(HttpMethod.Put, bucket, $"raw/{obj}", ("partNumber", (p + 1).ToString()), ("uploadId", uploads[obj]));
        put.Content = new ByteArrayContent(part, 0, length);
        etags[obj, p] = (await SendAsync(http, signer, put, ct))!;
    });
    for (int i = 0; i < count; i++)
        await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket, Key = $"raw/{i}", UploadId = uploads[i],
            PartETags = Enumerable.Range(0, partsPer).Select(p => new PartETag(p + 1, etags[i, p])).ToList(),
        });
    Report("raw PUT", (long)count * size, clock.Elapsed, allocatedSince: allocated);
    return 0;
}

// Where a small-object copy waits: GETs alone, PUTs alone, then GET+PUT copies, each COUNT at CONCURRENCY.
static async Task<int> LatencyAsync(S3Endpoint source, S3Endpoint target, string bucket, int count, int concurrency)
{
    var (read, write) = (new RequestSigner(source), new RequestSigner(target));
    foreach (var (name, handler) in new[]
    {
        ("plain SocketsHttpHandler", new SocketsHttpHandler { MaxConnectionsPerServer = 2 * concurrency }),
        ("the engine's handler", HttpHandlers.Create(TlsOptions.Default, 2 * concurrency, TimeSpan.FromSeconds(10))),
    })
    {
        Console.WriteLine(name + ":");
        using var http = new HttpClient(handler);
        await LatencyWithAsync(http, read, write, bucket, count, concurrency);
    }
    return 0;
}

static async Task LatencyWithAsync(HttpClient http, RequestSigner read, RequestSigner write, string bucket, int count, int concurrency)
{
    string into = bucket + "-latency";
    await SendAsync(http, write, write.Create(HttpMethod.Put, into, ""));
    var body = new byte[4096];
    async Task<byte[]> Get(int i, CancellationToken ct)
    {
        var get = read.Create(HttpMethod.Get, bucket, $"obj/{i:D7}");
        read.Sign(get, DateTime.UtcNow);
        using var response = await http.SendAsync(get, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync(ct);
    }
    async Task Put(int i, byte[] bytes, CancellationToken ct)
    {
        var put = write.Create(HttpMethod.Put, into, $"obj/{i:D7}");
        put.Content = new ByteArrayContent(bytes);
        await SendAsync(http, write, put, ct);
    }
    async Task Run(string what, Func<int, CancellationToken, Task> step)
    {
        var took = new double[count];
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
        {
            long start = Stopwatch.GetTimestamp();
            await step(i, ct);
            took[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        });
        Array.Sort(took);
        Console.WriteLine($"{what,-9} x{count} at {concurrency}: {count / clock.Elapsed.TotalSeconds,6:0} /s, ms p50 {took[count / 2]:0.0} p90 {took[count * 9 / 10]:0.0} p99 {took[count * 99 / 100]:0.0} max {took[^1]:0.0}");
    }
    await Run("GET", async (i, ct) => await Get(i, ct));
    await Run("PUT", (i, ct) => Put(i, body, ct));
    await Run("GET+PUT", async (i, ct) => await Put(i, await Get(i, ct), ct));
}

// Minio 7.0.0 uploads a large object's parts one after another, each read into a buffer first;
// objects go in parallel. Same data as raw-put, so the two figures compare the upload routes.
static async Task<int> MinioPutAsync(S3Endpoint endpoint, string bucket, int count, long size)
{
    using var minio = (MinioClient)new MinioClient().WithEndpoint(endpoint.Url.Host, endpoint.Url.Port)
        .WithCredentials(endpoint.AccessKeyId, endpoint.SecretKey).WithSSL(endpoint.Url.Scheme == "https").Build();
    if (!await minio.BucketExistsAsync(new BucketExistsArgs().WithBucket(bucket)))
        await minio.MakeBucketAsync(new MakeBucketArgs().WithBucket(bucket));
    var data = new byte[size];
    new Random(1).NextBytes(data);
    long allocated = GC.GetTotalAllocatedBytes(precise: true);
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, count).Select(i => minio.PutObjectAsync(new PutObjectArgs()
        .WithBucket(bucket).WithObject($"minio/{i}").WithStreamData(new MemoryStream(data, writable: false)).WithObjectSize(size)
        .WithContentType("application/octet-stream"))));
    Report("Minio PutObject", (long)count * size, clock.Elapsed, allocatedSince: allocated);
    return 0;
}

/// <param name="allocatedSince">GC.GetTotalAllocatedBytes at the start, to report what the transfer allocated.</param>
static void Report(string what, long bytes, TimeSpan elapsed, long? allocatedSince = null)
{
    Console.WriteLine($"{what}: {bytes} bytes in {elapsed.TotalSeconds:0.000} s = {bytes / elapsed.TotalSeconds / 1e6:0.0} MB/s");
    if (allocatedSince is { } start)
        Console.WriteLine($"{what} allocated {(GC.GetTotalAllocatedBytes(precise: true) - start) / 1048576.0:0} MiB for {bytes / 1048576.0:0} MiB uploaded");
}

sealed class Silent : IRestoreReporter { public void Report(RestoreEvent e) { } }

