using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MinioRestore.Tests.Support;

public enum Fault
{
    None,
    /// <summary>503 SlowDown without forwarding the request.</summary>
    SlowDown,
    /// <summary>500 InternalError without forwarding the request.</summary>
    InternalError,
    /// <summary>Forward half the request body, then reset the connection (the server never sees the whole body).</summary>
    ResetRequestBody,
    /// <summary>Forward the response head and half its body, then reset the connection.</summary>
    ResetResponseBody,
    /// <summary>Forward the request, then never answer.</summary>
    Stall,
    /// <summary>Forward the response head and half its body, then close cleanly: a short body.</summary>
    TruncateResponseBody,
    /// <summary>Forward the response head and half its body, then send nothing more and keep the connection open.</summary>
    StallResponseBody,
    /// <summary>Flip one byte in the middle of the request body.</summary>
    CorruptRequestBody,
    /// <summary>Flip one byte in the middle of the response body (its length and headers unchanged).</summary>
    CorruptResponseBody,
}

/// <summary>
/// How the proxy plays a server that behaves otherwise than RGW, as that server documents it:
/// it answers the request itself with an S3 error (the request never reaches RGW), or it rewrites
/// the body of RGW's answer (e.g. a listing).
/// </summary>
public sealed record Emulation(Emulation.Error? Answer = null, Func<string, string>? RewriteBody = null, Func<byte[], byte[]>? RewriteHead = null)
{
    public sealed record Error(int Status, string Code, string Message);

    /// <summary>An emulation that rewrites answer heads (status line and headers); a rewrite that returns the head it was given changes nothing.</summary>
    public static Func<ProxiedRequest, Emulation?> OfHeads(Func<ProxiedRequest, byte[], byte[]> rewrite) =>
        request => new Emulation(RewriteHead: head => rewrite(request, head));
}

/// <summary>One HTTP request as the proxy saw it.</summary>
/// <param name="Head">The request line and headers as sent.</param>
public sealed record ProxiedRequest(int Sequence, string Method, string Target, long BodyLength, string Head = "")
{
    public bool HasHeader(string name) => Header(name) is not null;

    /// <summary>A request header's value, or null.</summary>
    public string? Header(string name) => FaultProxy.Header(System.Text.Encoding.Latin1.GetBytes(Head), name);
}

/// <summary>
/// An HTTP/1.1 proxy in front of a real S3 server that injects faults into chosen requests:
/// throttling, connection resets in the middle of request or response bodies, stalls, short
/// bodies and corrupted bytes. Everything else is relayed byte for byte.
/// </summary>
public sealed class FaultProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _upstream;
    private readonly Func<ProxiedRequest, Fault> _decide;
    private readonly Func<ProxiedRequest, Emulation?>? _emulate;
    private int _emulated;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private int _sequence;
    private readonly Dictionary<Fault, int> _injected = [];

    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2? _certificate;

    /// <param name="certificate">Serve https with this certificate (a TLS front end for a plain-HTTP server).</param>
    /// <param name="emulate">Which requests get another server's behaviour instead of RGW's.</param>
    public FaultProxy(Uri upstream, Func<ProxiedRequest, Fault> decide, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null,
        Func<ProxiedRequest, Emulation?>? emulate = null)
    {
        _upstream = upstream;
        _decide = decide;
        _emulate = emulate;
        _certificate = certificate;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public Uri Endpoint => new($"{(_certificate is null ? "http" : "https")}://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>How many faults of each kind were injected.</summary>
    public IReadOnlyDictionary<Fault, int> Injected { get { lock (_injected) return new Dictionary<Fault, int>(_injected); } }

    public int TotalInjected => Injected.Values.Sum();

    /// <summary>Exchanges answered or rewritten by an <see cref="Emulation"/> so far.</summary>
    public int Emulated => Volatile.Read(ref _emulated);

    /// <summary>Requests seen so far.</summary>
    public int Requests => Volatile.Read(ref _sequence);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch { return; }
            lock (_connections) _connections.Add(ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        using var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(_upstream.Host, _upstream.Port, _stop.Token);
            Stream down = client.GetStream();
            if (_certificate is not null)
            {
                var tls = new System.Net.Security.SslStream(down);
                await tls.AuthenticateAsServerAsync(_certificate);
                down = tls;
            }
            var up = upstream.GetStream();
            var fromClient = new HttpReader(down);
            var fromServer = new HttpReader(up);
            while (!_stop.IsCancellationRequested)
            {
                var head = await fromClient.ReadHeadAsync(_stop.Token);
                if (head is null) return;
                var (method, target) = RequestLine(head);
                var request = new ProxiedRequest(Interlocked.Increment(ref _sequence), method, target, BodyLength(head), Encoding.Latin1.GetString(head));
                var fault = _decide(request);
                if (fault != Fault.None) lock (_injected) _injected[fault] = _injected.GetValueOrDefault(fault) + 1;
                // Answer "Expect: 100-continue" ourselves (the server's own 100 is dropped below),
                // so the client sends its body while we relay it.
                if (Header(head, "Expect")?.Equals("100-continue", StringComparison.OrdinalIgnoreCase) == true)
                    await down.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), _stop.Token);

                var emulation = fault == Fault.None ? _emulate?.Invoke(request) : null;
                if (emulation?.Answer is { } answer)
                {
                    Interlocked.Increment(ref _emulated);
                    await fromClient.CopyBodyAsync(head, Stream.Null, int.MaxValue, _stop.Token);
                    await WriteErrorAsync(down, answer.Status, answer.Code, answer.Message);
                    return; // Connection: close
                }

                switch (fault)
                {
                    case Fault.SlowDown or Fault.InternalError:
                        await fromClient.CopyBodyAsync(head, Stream.Null, int.MaxValue, _stop.Token);
                        await WriteErrorAsync(down, fault == Fault.SlowDown ? 503 : 500, fault == Fault.SlowDown ? "SlowDown" : "InternalError");
                        return; // Connection: close
                    case Fault.ResetRequestBody:
                        await up.WriteAsync(head, _stop.Token);
                        await fromClient.CopyBodyAsync(head, up, (int)Math.Max(1, request.BodyLength / 2), _stop.Token);
                        Reset(client);
                        Reset(upstream);
                        return;
                    case Fault.CorruptRequestBody:
                        await up.WriteAsync(head, _stop.Token);
                        await fromClient.CopyBodyAsync(head, up, int.MaxValue, _stop.Token, corruptAt: request.BodyLength / 2);
                        break;
                    default:
                        await up.WriteAsync(head, _stop.Token);
                        await fromClient.CopyBodyAsync(head, up, int.MaxValue, _stop.Token);
                        break;
                }

                if (fault == Fault.Stall)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }

                var responseHead = await fromServer.ReadHeadAsync(_stop.Token);
                while (responseHead is not null && Status(responseHead) < 200)
                    responseHead = await fromServer.ReadHeadAsync(_stop.Token); // interim 1xx
                if (responseHead is null) return;
                if (emulation?.RewriteHead is { } rewriteHead && rewriteHead(responseHead) is var changed && !ReferenceEquals(changed, responseHead))
                {
                    Interlocked.Increment(ref _emulated);
                    responseHead = changed;
                }
                bool noBody = method == "HEAD" || Status(responseHead) is 204 or 304;
                if (emulation?.RewriteBody is null || noBody) await down.WriteAsync(responseHead, _stop.Token);
                if (noBody) continue;
                if (emulation?.RewriteBody is { } rewrite)
                {
                    var body = new MemoryStream();
                    await fromServer.CopyBodyAsync(responseHead, body, int.MaxValue, _stop.Token, dechunk: true);
                    byte[] rewritten = Encoding.UTF8.GetBytes(rewrite(Encoding.UTF8.GetString(body.ToArray())));
                    Interlocked.Increment(ref _emulated);
                    await down.WriteAsync(WithContentLength(responseHead, rewritten.Length), _stop.Token);
                    await down.WriteAsync(rewritten, _stop.Token);
                    continue;
                }
                if (fault is Fault.ResetResponseBody or Fault.TruncateResponseBody or Fault.StallResponseBody)
                {
                    long length = BodyLength(responseHead);
                    await fromServer.CopyBodyAsync(responseHead, down, (int)Math.Max(1, length / 2), _stop.Token);
                    if (fault == Fault.ResetResponseBody) Reset(client);
                    if (fault == Fault.StallResponseBody) await Task.Delay(Timeout.Infinite, _stop.Token);
                    return; // truncate: a clean close before the announced length
                }
                await fromServer.CopyBodyAsync(responseHead, down, int.MaxValue, _stop.Token,
                    corruptAt: fault == Fault.CorruptResponseBody ? BodyLength(responseHead) / 2 : -1);
            }
        }
        catch (Exception)
        {
            // A broken connection on either side ends this relay, as it would a real proxy's.
        }
    }

    private static void Reset(TcpClient client)
    {
        try
        {
            client.Client.LingerState = new LingerOption(true, 0); // close with RST
            client.Client.Close();
        }
        catch (ObjectDisposedException) { }
    }

    private static async Task WriteErrorAsync(Stream down, int status, string code, string message = "")
    {
        string body = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{System.Security.SecurityElement.Escape(message)}</Message><RequestId>fault-proxy</RequestId></Error>";
        string head = $"HTTP/1.1 {status} {code}\r\nContent-Type: application/xml\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n";
        await down.WriteAsync(Encoding.ASCII.GetBytes(head + body));
        await down.FlushAsync();
    }

    /// <summary>The response head with its framing replaced by a Content-Length of <paramref name="length"/>.</summary>
    private static byte[] WithContentLength(byte[] head, int length)
    {
        var lines = Encoding.ASCII.GetString(head).Split("\r\n").Where(l => l.Length > 0)
            .Where(l => !l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase) && !l.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase));
        return Encoding.ASCII.GetBytes(string.Join("\r\n", lines) + $"\r\nContent-Length: {length}\r\n\r\n");
    }

    private static (string Method, string Target) RequestLine(byte[] head)
    {
        string line = Encoding.ASCII.GetString(head, 0, Array.IndexOf(head, (byte)'\r'));
        var parts = line.Split(' ');
        return (parts[0], parts.Length > 1 ? parts[1] : "");
    }

    private static int Status(byte[] head) => int.Parse(Encoding.ASCII.GetString(head, 9, 3));

    internal static string? Header(byte[] head, string name)
    {
        foreach (var line in Encoding.ASCII.GetString(head).Split("\r\n"))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim().Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(colon + 1)..].Trim();
        }
        return null;
    }

    /// <summary>Content-Length, or -1 for a chunked body.</summary>
    private static long BodyLength(byte[] head) =>
        Header(head, "Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true ? -1
        : long.TryParse(Header(head, "Content-Length"), out long n) ? n : 0;

    private int _disposed;

    /// <summary>Stops listening (later connections are refused) and ends open connections; a second call does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stop.Cancel();
        _listener.Stop();
        Task[] open;
        lock (_connections) open = [.. _connections];
        Task.WaitAll(open.Select(t => t.ContinueWith(_ => { })).ToArray(), TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    /// <summary>Reads HTTP/1.1 message heads and bodies from a stream, with its own read-ahead buffer.</summary>
    private sealed class HttpReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start, _end;

        private async Task<bool> FillAsync(CancellationToken cancel)
        {
            if (_start == _end) _start = _end = 0;
            if (_end == _buffer.Length)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            int n = await stream.ReadAsync(_buffer.AsMemory(_end), cancel);
            _end += n;
            return n > 0;
        }

        public async Task<byte[]?> ReadHeadAsync(CancellationToken cancel)
        {
            var head = new MemoryStream();
            while (true)
            {
                for (int i = _start; i < _end; i++)
                {
                    head.WriteByte(_buffer[i]);
                    var h = head.GetBuffer();
                    long len = head.Length;
                    if (len >= 4 && h[len - 4] == '\r' && h[len - 3] == '\n' && h[len - 2] == '\r' && h[len - 1] == '\n')
                    {
                        _start = i + 1;
                        return head.ToArray();
                    }
                }
                _start = _end;
                if (!await FillAsync(cancel)) return null;
            }
        }

        /// <summary>Relays the body that follows <paramref name="head"/>, stopping after <paramref name="limit"/> bytes.</summary>
        /// <param name="dechunk">Write a chunked body's data only, without its framing.</param>
        public async Task CopyBodyAsync(byte[] head, Stream to, int limit, CancellationToken cancel, long corruptAt = -1, bool dechunk = false)
        {
            long length = BodyLength(head);
            if (length >= 0)
            {
                await CopyAsync(to, Math.Min(length, limit), cancel, corruptAt);
                return;
            }
            // chunked: relay chunk by chunk up to the final empty chunk and its trailer
            long sent = 0;
            var framing = dechunk ? Stream.Null : to;
            while (sent < limit)
            {
                string sizeLine = await ReadLineAsync(framing, cancel);
                int size = Convert.ToInt32(sizeLine.Split(';')[0].Trim(), 16);
                if (size == 0)
                {
                    while ((await ReadLineAsync(framing, cancel)).Length > 0) { }
                    return;
                }
                await CopyAsync(to, size, cancel, -1);
                sent += size;
                await ReadLineAsync(framing, cancel);
            }
        }

        private async Task CopyAsync(Stream to, long count, CancellationToken cancel, long corruptAt)
        {
            long copied = 0;
            while (copied < count)
            {
                if (_start == _end && !await FillAsync(cancel)) throw new EndOfStreamException();
                int n = (int)Math.Min(_end - _start, count - copied);
                if (corruptAt >= copied && corruptAt < copied + n) _buffer[_start + (corruptAt - copied)] ^= 0xFF;
                await to.WriteAsync(_buffer.AsMemory(_start, n), cancel);
                _start += n;
                copied += n;
            }
        }

        /// <summary>Reads one CRLF-terminated line, relaying it, and returns it without the CRLF.</summary>
        private async Task<string> ReadLineAsync(Stream to, CancellationToken cancel)
        {
            var line = new List<byte>();
            while (true)
            {
                if (_start == _end && !await FillAsync(cancel)) throw new EndOfStreamException();
                byte b = _buffer[_start++];
                line.Add(b);
                if (line.Count >= 2 && line[^2] == '\r' && line[^1] == '\n')
                {
                    await to.WriteAsync(line.ToArray(), cancel);
                    return Encoding.ASCII.GetString(line.ToArray(), 0, line.Count - 2);
                }
            }
        }
    }
}
