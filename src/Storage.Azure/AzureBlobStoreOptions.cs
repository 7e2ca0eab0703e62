namespace ChunkCompute.Storage.Azure;

/// <summary>
/// Where and how an <see cref="AzureBlobStore"/> connects. The account comes from a connection string, given here or in
/// the environment (<c>AZURE_STORAGE_CONNECTION_STRING</c>); options in code override the environment. Connecting by
/// account URL with Azure.Identity credentials (managed identity, Azure CLI login) is not supported yet.
/// </summary>
public sealed class AzureBlobStoreOptions
{
    /// <summary>The storage account's connection string; null: <c>AZURE_STORAGE_CONNECTION_STRING</c>.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Retries of throttled, failed (5xx) or timed-out requests, with exponential backoff; default 4.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>
    /// The limit on one request until its response starts, and on each wait for more of a response body (the SDK's
    /// network timeout); default 60 s. A timed-out request, or a download whose body stalls, is retried.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Puts your own handler in front of the store's HTTP: called once with the handler the store would use (a
    /// <see cref="SocketsHttpHandler"/> without automatic redirects or cookies, as the SDK's own), it returns the
    /// handler to send requests through — typically a <see cref="DelegatingHandler"/> whose
    /// <see cref="DelegatingHandler.InnerHandler"/> is the one given (a proxy, tracing, fault injection in tests). The
    /// SDK's retries, timeouts and signing stay in front of it, so it sees every attempt. Null: the SDK's shared HTTP.
    /// </summary>
    public Func<HttpMessageHandler, HttpMessageHandler>? WrapHttpHandler { get; init; }
}
