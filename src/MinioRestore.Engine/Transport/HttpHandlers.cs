using System.Net.Http;
using Amazon.Runtime;
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

    /// <summary>
    /// The SDK's HTTP clients, from <see cref="Create"/> like every other connection: with its own
    /// handler the SDK would check certificates only against the system store and delay its ACKs,
    /// so every control request with a body (a listing page, a completion) could wait 40 ms on RGW.
    /// Reads the server leaves unanswered are asked again (<see cref="HedgingHandler"/>).
    /// </summary>
    internal sealed class SdkClientFactory(TlsOptions tls, int maxConnections) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
            new(new HedgingHandler(Create(tls, maxConnections, clientConfig.ConnectTimeout ?? TimeSpan.FromSeconds(10)), HedgingHandler.DefaultAfter))
            { Timeout = clientConfig.Timeout ?? Timeout.InfiniteTimeSpan };

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;
        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
        public override string GetConfigUniqueString(IClientConfig clientConfig) => "MinioRestore";
    }
}
