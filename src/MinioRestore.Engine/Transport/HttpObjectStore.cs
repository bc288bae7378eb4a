using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Xml;
using Amazon.Runtime;
using Amazon.S3;

using MinioRestore.Engine.Comparing;

namespace MinioRestore.Engine.Transport;

/// <summary>
/// The data path for S3-compatible servers: path-style SigV4 requests on one pooled HttpClient.
/// Failures surface as <see cref="AmazonS3Exception"/>s carrying the server's error code and
/// status, so they are explained and retried exactly like the SDK's.
/// </summary>
internal sealed class HttpObjectStore : IObjectStore
{
    private readonly HttpClient _http;
    private readonly RequestSigner _signer;
    private readonly Func<DateTime> _clock;
    // Server time minus ours, learnt from a RequestTimeTooSkewed answer, as the SDK corrects its own requests.
    private long _clockOffsetTicks;
    private volatile bool _serverKnown;

    /// <param name="clock">This machine's UTC clock; tests pass a wrong one.</param>
    public HttpObjectStore(S3Endpoint endpoint, int maxConnections, Func<DateTime>? clock = null)
    {
        _clock = clock ?? (() => DateTime.UtcNow);
        var handler = HttpHandlers.Create(endpoint.Tls, maxConnections, TimeSpan.FromSeconds(10));
        handler.AllowAutoRedirect = false;
        handler.UseCookies = false;
        handler.AutomaticDecompression = DecompressionMethods.None; // gzip objects are copied as stored
        // Metadata may hold any byte; Latin-1 carries each one through unchanged (and is what the signer hashes).
        handler.RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1;
        handler.ResponseHeaderEncodingSelector = (_, _) => Encoding.Latin1;
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }; // the copier's idle timeout guards each transfer
        _signer = new RequestSigner(endpoint);
    }

    public async Task<SourceObject> GetAsync(string bucket, string key, string? etagToMatch, ByteSpan? range, CancellationToken cancel, string? versionId = null)
    {
        var request = versionId is null ? _signer.Create(HttpMethod.Get, bucket, key) : _signer.Create(HttpMethod.Get, bucket, key, ("versionId", versionId));
        if (etagToMatch?.Trim() is { } etag)
            request.Headers.TryAddWithoutValidation("If-Match", etag.StartsWith('"') ? etag : $"\"{etag}\"");
        if (range is { } r) request.Headers.TryAddWithoutValidation("Range", $"bytes={r.Offset}-{r.Offset + r.Length - 1}");
        else request.Headers.TryAddWithoutValidation("x-amz-checksum-mode", "ENABLED");
        var response = await SendAsync(request, cancel).ConfigureAwait(false);
        try
        {
            var body = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
            return new SourceObject(body, response.Content.Headers.ContentLength ?? -1, ETag.Parse(Header(response.Headers, "ETag")),
                ObjectHeaders.From(response), response, !EncryptedWithKeyElsewhere(response),
                range is null ? FullObjectChecksum.From(name => Header(response.Headers, name)) : null);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async Task<WriteAnswer> PutAsync(string bucket, string key, Stream body, long length, byte[]? md5, ObjectHeaders headers, WriteGuard? guard, CancellationToken cancel,
        FullObjectChecksum? checksum = null)
    {
        var request = _signer.Create(HttpMethod.Put, bucket, key);
        request.Content = Body(body, length);
        if (md5 is not null) request.Content.Headers.TryAddWithoutValidation("Content-MD5", Convert.ToBase64String(md5));
        if (checksum is not null) request.Headers.TryAddWithoutValidation(checksum.Header, checksum.Value);
        guard?.ApplyTo(request);
        headers.ApplyTo(request);
        return await SendForAnswerAsync(request, cancel, checksum).ConfigureAwait(false);
    }

    public async Task<string> InitiateMultipartAsync(string bucket, string key, ObjectHeaders headers, CancellationToken cancel)
    {
        var request = _signer.Create(HttpMethod.Post, bucket, key, ("uploads", ""));
        request.Content = new ByteArrayContent([]);
        headers.ApplyTo(request);
        using var response = await SendAsync(request, cancel).ConfigureAwait(false);
        string answer = await response.Content.ReadAsStringAsync(cancel).ConfigureAwait(false);
        using var reader = XmlReader.Create(new StringReader(answer), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
        while (reader.Read())
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "UploadId") return reader.ReadElementContentAsString();
        throw new AmazonS3Exception("The answer to starting a multipart upload has no UploadId.", null, ErrorType.Receiver, "", Header(response.Headers, "x-amz-request-id") ?? "", response.StatusCode);
    }

    public async Task<WriteAnswer> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, long length, CancellationToken cancel)
    {
        var request = _signer.Create(HttpMethod.Put, bucket, key, ("partNumber", partNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("uploadId", uploadId));
        request.Content = Body(body, length);
        return await SendForAnswerAsync(request, cancel).ConfigureAwait(false);
    }

    /// <summary>The most a body's copy buffer holds (rented from the shared pool for the duration of the upload).</summary>
    internal const int MaxBodyBuffer = 64 * 1024;

    /// <summary>
    /// The copy buffer of a body: no larger than the body. A small object's upload then holds a
    /// buffer of its own size, not 64 KiB: with 64 uploads of 4 KiB objects at once that is
    /// 256 KiB in flight instead of 4 MiB (and the pool keeps the smaller arrays).
    /// </summary>
    internal static int BodyBufferSize(long length) => (int)Math.Clamp(length, 1, MaxBodyBuffer);

    private static StreamContent Body(Stream body, long length)
    {
        var content = new StreamContent(body, BodyBufferSize(length));
        content.Headers.ContentLength = length;
        return content;
    }

    private async Task<WriteAnswer> SendForAnswerAsync(HttpRequestMessage request, CancellationToken cancel, FullObjectChecksum? sent = null)
    {
        using var response = await SendAsync(request, cancel).ConfigureAwait(false);
        return new(Header(response.Headers, "ETag") ?? "", EncryptedWithKeyElsewhere(response), sent is null ? null : Header(response.Headers, sent.Header),
            Header(response.Headers, "x-amz-version-id"));
    }

    /// <summary>SSE-KMS, DSSE-KMS or SSE-C: the object's ETag is then no MD5 of its bytes.</summary>
    private static bool EncryptedWithKeyElsewhere(HttpResponseMessage response) =>
        !ETag.IsContentHashOf(Header(response.Headers, "x-amz-server-side-encryption"),
            customerKey: Header(response.Headers, "x-amz-server-side-encryption-customer-algorithm") is not null);

    /// <summary>Signs and sends; answers with headers read, or throws the server's error.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancel)
    {
        using (request)
        {
            if (!_serverKnown && RequestSigner.DependsOnWhitespaceRule(request))
                await LearnServerAsync(request.RequestUri!, cancel).ConfigureAwait(false);
            _signer.Sign(request, _clock() + TimeSpan.FromTicks(Interlocked.Read(ref _clockOffsetTicks)));
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
            if (!_serverKnown) NoteServer(response);
            if (response.IsSuccessStatusCode) return response;
            using (response)
            {
                var error = await ErrorOf(response, cancel).ConfigureAwait(false);
                if (error.ErrorCode == "RequestTimeTooSkewed" && response.Headers.Date is { } serverTime)
                    Interlocked.Exchange(ref _clockOffsetTicks, (serverTime.UtcDateTime - _clock()).Ticks); // the retry signs with the server's time
                throw error;
            }
        }
    }

    /// <summary>MinIO says who it is in every answer, and checks signatures with its own white-space rule.</summary>
    private void NoteServer(HttpResponseMessage response)
    {
        _signer.CollapsesAllWhitespace = Header(response.Headers, "Server")?.Contains("MinIO", StringComparison.OrdinalIgnoreCase) == true;
        _serverKnown = true;
    }

    /// <summary>Before the first request whose signature depends on the server's white-space rule: one HEAD of the bucket tells the server.</summary>
    private async Task LearnServerAsync(Uri of, CancellationToken cancel)
    {
        string bucket = of.AbsolutePath.TrimStart('/').Split('/')[0];
        using var probe = _signer.Create(HttpMethod.Head, bucket, "");
        _signer.Sign(probe, _clock() + TimeSpan.FromTicks(Interlocked.Read(ref _clockOffsetTicks)));
        using var response = await _http.SendAsync(probe, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
        NoteServer(response);
    }

    /// <summary>The S3 error document (<c>&lt;Error&gt;&lt;Code&gt;...</c>) as the SDK would report it.</summary>
    private static async Task<AmazonS3Exception> ErrorOf(HttpResponseMessage response, CancellationToken cancel)
    {
        string? code = null, message = null, requestId = Header(response.Headers, "x-amz-request-id");
        try
        {
            string text = await response.Content.ReadAsStringAsync(cancel).ConfigureAwait(false);
            if (text.Length > 0)
            {
                using var reader = XmlReader.Create(new StringReader(text), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
                while (reader.Read())
                {
                    if (reader.NodeType != XmlNodeType.Element) continue;
                    switch (reader.LocalName)
                    {
                        case "Code": code = reader.ReadElementContentAsString(); break;
                        case "Message": message = reader.ReadElementContentAsString(); break;
                        case "RequestId": requestId = reader.ReadElementContentAsString(); break;
                    }
                }
            }
        }
        catch (Exception e) when (e is XmlException or IOException or HttpRequestException)
        {
            // No readable error document (HEAD-like answers, proxies): the status code still explains it.
        }
        var status = response.StatusCode;
        return new AmazonS3Exception(string.IsNullOrEmpty(message) ? $"HTTP {(int)status} {code}".TrimEnd() : message, null,
            (int)status >= 500 ? ErrorType.Receiver : ErrorType.Sender, code ?? "", requestId ?? "", status);
    }

    internal static string? Header(HttpHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;

    public void Dispose() => _http.Dispose();
}
