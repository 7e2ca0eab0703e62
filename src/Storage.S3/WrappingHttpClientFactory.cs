using System.Net;
using Amazon.Runtime;

namespace ChunkCompute.Storage.S3;

/// <summary>
/// The SDK's HTTP client factory for <see cref="S3StoreOptions.WrapHttpHandler"/>: builds the handler the SDK would
/// (connection limit, no automatic redirects or decompression, the configured proxy) and sends through whatever the
/// caller wraps around it. The SDK caches the client per S3 client and disposes it with that client.
/// </summary>
internal sealed class WrappingHttpClientFactory(Func<HttpMessageHandler, HttpMessageHandler> wrap) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = clientConfig.MaxConnectionsPerServer ?? int.MaxValue,
            AllowAutoRedirect = clientConfig.AllowAutoRedirect,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };
        if (clientConfig.GetWebProxy() is { } proxy)
        {
            handler.Proxy = proxy;
            if (clientConfig.ProxyCredentials is { } credentials)
            {
                proxy.Credentials = credentials;
            }
        }

        return new HttpClient(wrap(handler), disposeHandler: true)
        {
            Timeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(100),
        };
    }
}
