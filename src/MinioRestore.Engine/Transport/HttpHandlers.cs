using System.Net.Http;
using System.Security.Cryptography.X509Certificates;

namespace MinioRestore.Engine.Transport;

/// <summary>Every HTTP connection of the engine, the SDK's and the lean data path's, comes from here.</summary>
internal static class HttpHandlers
{
    /// <summary>A pooled handler that checks certificates as <paramref name="tls"/> says and acknowledges promptly (<see cref="PromptAckStream"/>).</summary>
    public static SocketsHttpHandler Create(TlsOptions tls, int maxConnections, TimeSpan connectTimeout)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = maxConnections, ConnectTimeout = connectTimeout };
        if (OperatingSystem.IsLinux()) handler.ConnectCallback = (context, cancel) => PromptAckStream.ConnectAsync(context.DnsEndPoint, cancel);
        if (!tls.IsDefault)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) => tls.Validate(cert as X509Certificate2, errors);
        return handler;
    }
}
