using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

/// <summary>
/// A loopback TCP proxy that delays every byte by half the round trip in each direction (a delay
/// line: data is read as it comes and written once its time is due, so throughput is not capped,
/// only latency added), standing in for a backup store across a WAN. Each direction holds at most
/// <see cref="Window"/> chunks, so a slow reader slows the sender as TCP would.
/// </summary>
internal static class DelayProxy
{
    private const int Chunk = 64 * 1024, Window = 128;

    public static async Task<int> RunAsync(int listenPort, Uri upstream, TimeSpan roundTrip)
    {
        var listener = new TcpListener(IPAddress.Loopback, listenPort);
        listener.Start(512);
        var oneWay = roundTrip / 2;
        Console.WriteLine($"delay proxy 127.0.0.1:{listenPort} -> {upstream.Host}:{upstream.Port}, +{roundTrip.TotalMilliseconds:0} ms per round trip");
        while (true)
        {
            var client = await listener.AcceptSocketAsync();
            _ = Task.Run(async () =>
            {
                using var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                using var _ = client;
                client.NoDelay = true;
                try
                {
                    await server.ConnectAsync(upstream.Host, upstream.Port);
                    await Task.WhenAll(PumpAsync(client, server, oneWay), PumpAsync(server, client, oneWay));
                }
                catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException) { }
            });
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, TimeSpan delay)
    {
        var line = Channel.CreateBounded<(byte[] Buffer, int Length, long Due)>(new BoundedChannelOptions(Window) { SingleReader = true, SingleWriter = true });
        var reading = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var buffer = ArrayPool<byte>.Shared.Rent(Chunk);
                    int n = await from.ReceiveAsync(buffer, SocketFlags.None);
                    if (n == 0) { ArrayPool<byte>.Shared.Return(buffer); break; }
                    await line.Writer.WriteAsync((buffer, n, Environment.TickCount64 + (long)delay.TotalMilliseconds));
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
            finally { line.Writer.TryComplete(); }
        });
        try
        {
            await foreach (var (buffer, length, due) in line.Reader.ReadAllAsync())
            {
                long wait = due - Environment.TickCount64;
                if (wait > 0) await Task.Delay((int)wait);
                for (int sent = 0; sent < length;) sent += await to.SendAsync(buffer.AsMemory(sent, length - sent), SocketFlags.None);
                ArrayPool<byte>.Shared.Return(buffer);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            from.Close(); to.Close();
        }
        await reading;
    }
}
