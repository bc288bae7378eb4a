using System.Net;
using System.Net.Sockets;

namespace MinioRestore.Engine.Transport;

/// <summary>
/// A connection that acknowledges what it receives at once (Linux's TCP_QUICKACK before each read).
/// Servers that leave Nagle's algorithm on, as Ceph RGW's beast frontend does by default, write a
/// small response's headers and body in two segments and hold the second until the first is
/// acknowledged; on a kept-alive connection Linux delays that acknowledgement by 40 ms. A 4 KiB GET
/// took 44 ms instead of 1 ms (<c>bench/BenchTools latency</c>), and every small object paid it.
/// </summary>
internal sealed class PromptAckStream : NetworkStream
{
    private const int IpProtoTcp = 6, TcpQuickAck = 12;
    private static readonly byte[] On = [1, 0, 0, 0];

    private PromptAckStream(Socket socket) : base(socket, ownsSocket: true) { }

    /// <summary>Connects as SocketsHttpHandler does by default (no delay, every address of the name tried).</summary>
    internal static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, CancellationToken cancel)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancel).ConfigureAwait(false);
            if (!TryQuickAck(socket)) return new NetworkStream(socket, ownsSocket: true);
            return new PromptAckStream(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        TryQuickAck(Socket);
        return base.ReadAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        TryQuickAck(Socket);
        return base.ReadAsync(buffer, offset, count, cancellationToken);
    }

    public override int Read(Span<byte> buffer)
    {
        TryQuickAck(Socket);
        return base.Read(buffer);
    }

    private static bool TryQuickAck(Socket socket)
    {
        try
        {
            socket.SetRawSocketOption(IpProtoTcp, TcpQuickAck, On);
            return true;
        }
        catch (SocketException)
        {
            return false; // not a Linux TCP socket (a Unix socket proxy, say): plain reads, as before
        }
    }
}
