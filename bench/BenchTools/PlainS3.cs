using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Xml;

/// <summary>
/// The server pair's limit, measured with nothing of the engine: a plain SocketsHttpHandler, a
/// SigV4 signer written here from the AWS documentation (path style, UNSIGNED-PAYLOAD), and the
/// least a copy can do: GET each part's range, PUT it as the same part of a new multipart upload,
/// complete; objects below the part size go as one GET and one PUT. No checks beyond the HTTP status.
/// Only TCP_QUICKACK is set on the sockets (its own code, below), because RGW leaves Nagle on and a
/// kept-alive GET otherwise waits 40 ms for our delayed ACK (bench/RESULTS.md, 2026-11-24): without
/// it the "limit" of small objects would be that wait, not the servers.
/// </summary>
internal sealed class PlainS3 : IDisposable
{
    private readonly Uri _url;
    private readonly string _region, _accessKey, _secretKey;
    private readonly HttpClient _http;

    public PlainS3(string url, string accessKey, string secretKey, int connections, string region = "us-east-1")
    {
        _url = new Uri(url);
        (_accessKey, _secretKey, _region) = (accessKey, secretKey, region);
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, ConnectCallback = ConnectQuickAckAsync };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public void Dispose() => _http.Dispose();

    private static async ValueTask<Stream> ConnectQuickAckAsync(SocketsHttpConnectionContext context, CancellationToken cancel)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(context.DnsEndPoint, cancel);
        return new QuickAckStream(socket);
    }

    private sealed class QuickAckStream(Socket socket) : NetworkStream(socket, ownsSocket: true)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancel = default)
        {
            Socket.SetRawSocketOption(6, 12, [1, 0, 0, 0]); // IPPROTO_TCP, TCP_QUICKACK
            return base.ReadAsync(buffer, cancel);
        }
    }

    /// <summary>A signed request; <paramref name="query"/> in any order (it is sorted for the signature).</summary>
    public HttpRequestMessage Request(HttpMethod method, string bucket, string key, params (string Name, string Value)[] query)
    {
        string path = "/" + bucket + (key.Length > 0 ? "/" + string.Join('/', key.Split('/').Select(Uri.EscapeDataString)) : "");
        var sorted = query.Select(q => (Name: Uri.EscapeDataString(q.Name), Value: Uri.EscapeDataString(q.Value))).OrderBy(q => q.Name, StringComparer.Ordinal).ToArray();
        string canonicalQuery = string.Join('&', sorted.Select(q => $"{q.Name}={q.Value}"));
        var request = new HttpRequestMessage(method, new Uri(_url, path + (canonicalQuery.Length > 0 ? "?" + canonicalQuery : "")));
        var now = DateTime.UtcNow;
        string amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture), day = amzDate[..8];
        string host = _url.IsDefaultPort ? _url.Host : $"{_url.Host}:{_url.Port}";
        const string payload = "UNSIGNED-PAYLOAD";
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", payload);
        string canonical = $"{method.Method}\n{path}\n{canonicalQuery}\nhost:{host}\nx-amz-content-sha256:{payload}\nx-amz-date:{amzDate}\n\nhost;x-amz-content-sha256;x-amz-date\n{payload}";
        string scope = $"{day}/{_region}/s3/aws4_request";
        string toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        byte[] k = Hmac(Encoding.UTF8.GetBytes("AWS4" + _secretKey), day);
        k = Hmac(Hmac(Hmac(k, _region), "s3"), "aws4_request");
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={_accessKey}/{scope}, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={Hex(Hmac(k, toSign))}");
        return request;
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancel = default, bool headersOnly = false)
    {
        var response = await _http.SendAsync(request, headersOnly ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, cancel);
        if (response.IsSuccessStatusCode || (request.Method == HttpMethod.Put && request.RequestUri!.AbsolutePath.Count(c => c == '/') == 1 && response.StatusCode == System.Net.HttpStatusCode.Conflict))
            return response;
        string text = await response.Content.ReadAsStringAsync(cancel);
        response.Dispose();
        throw new HttpRequestException($"{request.Method} {request.RequestUri}: HTTP {(int)response.StatusCode} {text}");
    }

    public async Task<List<(string Key, long Size)>> ListAsync(string bucket)
    {
        var keys = new List<(string, long)>();
        string? token = null;
        do
        {
            var query = new List<(string, string)> { ("list-type", "2") };
            if (token is not null) query.Add(("continuation-token", token));
            using var response = await SendAsync(Request(HttpMethod.Get, bucket, "", query.ToArray()));
            token = null;
            using var reader = XmlReader.Create(await response.Content.ReadAsStreamAsync(), new XmlReaderSettings { Async = false });
            string? key = null;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element) continue;
                switch (reader.LocalName)
                {
                    case "Key": key = reader.ReadElementContentAsString(); break;
                    case "Size": keys.Add((key!, long.Parse(reader.ReadElementContentAsString(), CultureInfo.InvariantCulture))); break;
                    case "NextContinuationToken": token = reader.ReadElementContentAsString(); break;
                }
            }
        } while (token is not null);
        return keys;
    }

    /// <summary>
    /// Copies every object of <paramref name="bucket"/> into <paramref name="into"/>: single GET+PUT below
    /// <paramref name="partSize"/>, else multipart in parts of that size, <paramref name="streams"/> transfers at once over all objects.
    /// </summary>
    /// <param name="mode">ranged: a GET of each part's range (parts of all objects in flight at once); streamed: one GET per object, its parts
    /// uploaded one after another as the bytes come (objects at once); whole: one GET and one PUT per object (rclone's way below its cutoff, a new ETag).</param>
    public static async Task<int> CopyAsync(PlainS3 source, PlainS3 target, string bucket, string into, long partSize, int streams, string mode = "ranged")
    {
        if (mode == "whole") partSize = 0;
        var keys = await source.ListAsync(bucket);
        (await target.SendAsync(target.Request(HttpMethod.Put, into, ""))).Dispose();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var whole = keys.Where(k => k.Size < partSize || partSize <= 0).ToList();
        var multi = keys.Where(k => partSize > 0 && k.Size >= partSize).ToList();
        var uploads = new Dictionary<string, string>();
        foreach (var (key, _) in multi)
        {
            var initiate = target.Request(HttpMethod.Post, into, key, ("uploads", ""));
            initiate.Content = new ByteArrayContent([]);
            using var response = await target.SendAsync(initiate);
            uploads[key] = Element(await response.Content.ReadAsStringAsync(), "UploadId");
        }
        var etags = multi.ToDictionary(k => k.Key, k => new string[(int)((k.Size + partSize - 1) / partSize)]);
        var work = whole.Select(k => (k.Key, k.Size, Part: 0))
            .Concat(multi.SelectMany(k => Enumerable.Range(1, etags[k.Key].Length).Select(p => (k.Key, k.Size, Part: p))))
            .OrderBy(w => w.Part) // part 1 of every object first, as a copier with every object in flight would
            .ToList();
        long bytes = 0;
        if (mode == "streamed")
        {
            await Parallel.ForEachAsync(multi, new ParallelOptions { MaxDegreeOfParallelism = streams }, async (k, ct) =>
            {
                using var read = await source.SendAsync(source.Request(HttpMethod.Get, bucket, k.Key), ct, headersOnly: true);
                await using var body = await read.Content.ReadAsStreamAsync(ct);
                for (int p = 1; p <= etags[k.Key].Length; p++)
                {
                    long length = Math.Min(partSize, k.Size - (p - 1) * partSize);
                    var put = target.Request(HttpMethod.Put, into, k.Key, ("partNumber", p.ToString(CultureInfo.InvariantCulture)), ("uploadId", uploads[k.Key]));
                    put.Content = new StreamContent(new Slice(body, length));
                    put.Content.Headers.ContentLength = length;
                    using var written = await target.SendAsync(put, ct);
                    etags[k.Key][p - 1] = written.Headers.ETag!.Tag;
                    Interlocked.Add(ref bytes, length);
                }
            });
            work = work.Where(w => w.Part == 0).ToList();
        }
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = streams }, async (w, ct) =>
        {
            var get = source.Request(HttpMethod.Get, bucket, w.Key);
            long offset = 0, length = w.Size;
            if (w.Part > 0)
            {
                offset = (w.Part - 1) * partSize;
                length = Math.Min(partSize, w.Size - offset);
                get.Headers.Range = new RangeHeaderValue(offset, offset + length - 1);
            }
            using var read = await source.SendAsync(get, ct, headersOnly: true);
            var put = w.Part > 0
                ? target.Request(HttpMethod.Put, into, w.Key, ("partNumber", w.Part.ToString(CultureInfo.InvariantCulture)), ("uploadId", uploads[w.Key]))
                : target.Request(HttpMethod.Put, into, w.Key);
            put.Content = new StreamContent(await read.Content.ReadAsStreamAsync(ct));
            put.Content.Headers.ContentLength = length;
            using var written = await target.SendAsync(put, ct);
            if (w.Part > 0) etags[w.Key][w.Part - 1] = written.Headers.ETag!.Tag;
            Interlocked.Add(ref bytes, length);
        });
        foreach (var (key, _) in multi)
        {
            var xml = new StringBuilder("<CompleteMultipartUpload>");
            for (int p = 0; p < etags[key].Length; p++) xml.Append($"<Part><PartNumber>{p + 1}</PartNumber><ETag>{etags[key][p]}</ETag></Part>");
            var complete = target.Request(HttpMethod.Post, into, key, ("uploadId", uploads[key]));
            complete.Content = new StringContent(xml.Append("</CompleteMultipartUpload>").ToString(), Encoding.UTF8, "application/xml");
            (await target.SendAsync(complete)).Dispose();
        }
        double wall = clock.Elapsed.TotalSeconds, used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        Console.WriteLine($"plain copy ({mode}): {keys.Count} objects, {bytes} bytes at {streams} streams in {wall:0.000} s = {bytes / wall / 1e6:0.0} MB/s = {keys.Count / wall:0} objects/s (cpu {used:0.00} s)");
        return 0;
    }

    /// <summary>The next <c>length</c> bytes of a stream, as a stream of their own (one part of a streamed GET).</summary>
    private sealed class Slice(Stream inner, long size) : Stream
    {
        private readonly long _size = size;
        private long _left = size;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => _size;
        public override long Position { get => _size - _left; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancel = default)
        {
            if (_left == 0) return 0;
            int n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancel);
            if (n == 0) throw new EndOfStreamException();
            _left -= n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static string Element(string xml, string name)
    {
        using var reader = XmlReader.Create(new StringReader(xml));
        while (reader.Read())
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == name) return reader.ReadElementContentAsString();
        throw new InvalidOperationException($"no {name} in {xml}");
    }
}
