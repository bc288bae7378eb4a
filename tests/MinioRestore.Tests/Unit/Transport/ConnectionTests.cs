using System.Net;
using System.Net.Sockets;
using System.Text;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Tests.Unit.Transport;

/// <summary>The engine's own TCP connections (Transport/PromptAckStream.cs).</summary>
public sealed class ConnectionTests
{
    private const int IpProtoTcp = 6, TcpQuickAck = 12;

    [Fact]
    public async Task A_name_is_tried_at_each_of_its_addresses()
    {
        // "localhost" may resolve to ::1 first; the listener is on IPv4 only.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptTcpClientAsync();
        await using var stream = await PromptAckStream.ConnectAsync(new DnsEndPoint("localhost", port), CancellationToken.None);
        using var server = await accepted;
        Assert.True(((NetworkStream)stream).Socket.NoDelay);
    }

    [Fact]
    public async Task A_refused_port_is_a_SocketException_and_leaves_no_socket()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var e = await Assert.ThrowsAsync<SocketException>(async () =>
            await PromptAckStream.ConnectAsync(new DnsEndPoint("127.0.0.1", port), CancellationToken.None));
        Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode);
    }

    [Fact]
    public async Task Each_read_asks_for_an_immediate_acknowledgement()
    {
        if (!OperatingSystem.IsLinux()) return; // TCP_QUICKACK is Linux's; elsewhere the engine reads plainly
        Assert.Equal(0, await QuickAckAfterExchanges(async endPoint =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(endPoint);
            return new NetworkStream(socket, ownsSocket: true);
        })); // premise: a plain connection is left delaying its ACKs
        Assert.Equal(1, await QuickAckAfterExchanges(async endPoint =>
            (NetworkStream)await PromptAckStream.ConnectAsync(endPoint, CancellationToken.None)));
    }

    /// <summary>TCP_QUICKACK after request/response exchanges, which put Linux in its delayed-ACK ("pingpong") mode.</summary>
    private static async Task<int> QuickAckAfterExchanges(Func<DnsEndPoint, Task<NetworkStream>> connect)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = listener.AcceptTcpClientAsync();
        await using var client = await connect(new DnsEndPoint("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port));
        using var server = await accepted;
        var serverStream = server.GetStream();
        var buffer = new byte[4];
        for (int i = 0; i < 5; i++)
        {
            await client.WriteAsync("ping"u8.ToArray());
            await serverStream.ReadExactlyAsync(buffer);
            await serverStream.WriteAsync("pong"u8.ToArray());
            await client.ReadExactlyAsync(buffer);
            Assert.Equal("pong", Encoding.ASCII.GetString(buffer));
        }
        var quickAck = new byte[4];
        client.Socket.GetRawSocketOption(IpProtoTcp, TcpQuickAck, quickAck);
        return BitConverter.ToInt32(quickAck);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_SDK_clients_connect_through_the_engine_s_handler(bool privateCa)
    {
        // With the SDK's own handler its control requests (listing pages, completions) waited for delayed ACKs on RGW.
        var endpoint = new S3Endpoint(new Uri("http://127.0.0.1:9"), "us-east-1", "AKIDEXAMPLE", "secret");
        if (privateCa) endpoint = new S3Endpoint(endpoint, TlsOptions.Default with { SkipVerification = true });
        using var client = S3ClientFactory.Create(endpoint, 4);
        Assert.IsType<HttpHandlers.SdkClientFactory>(client.Config.HttpClientFactory);
    }
}
