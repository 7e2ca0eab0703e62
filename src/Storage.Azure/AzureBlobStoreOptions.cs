using Azure.Core;

namespace ChunkCompute.Storage.Azure;

/// <summary>
/// Where and how an <see cref="AzureBlobStore"/> connects. The account is given by a connection string (key or SAS) or
/// by an account URL signed into with an Azure.Identity credential (by default <c>DefaultAzureCredential</c>: managed
/// identity, workload identity, Azure CLI login, …). In code: <see cref="ConnectionString"/>, else
/// <see cref="AccountUrl"/>; then the environment: <c>AZURE_STORAGE_CONNECTION_STRING</c>, else
/// <c>AZURE_STORAGE_ACCOUNT_NAME</c> (the account URL <c>https://NAME.blob.core.windows.net</c>). Options in code
/// override the environment.
/// </summary>
public sealed class AzureBlobStoreOptions
{
    /// <summary>The storage account's connection string; null: <see cref="AccountUrl"/>, then the environment.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>
    /// The account's blob endpoint, <c>https://NAME.blob.core.windows.net</c> (https: tokens are never sent in clear),
    /// signed into with <see cref="Credential"/>; used when no connection string is given. Null:
    /// <c>AZURE_STORAGE_CONNECTION_STRING</c>, else <c>AZURE_STORAGE_ACCOUNT_NAME</c>.
    /// </summary>
    public string? AccountUrl { get; init; }

    /// <summary>
    /// The credential for <see cref="AccountUrl"/> (any Azure.Core <see cref="TokenCredential"/>: managed identity,
    /// workload identity, a service principal); null: a new <c>DefaultAzureCredential</c>. A credential that fails makes
    /// each request fail with a <see cref="ChunkCompute.Storage.StoreUnavailableException"/> naming the store and the
    /// credential's error.
    /// </summary>
    public TokenCredential? Credential { get; init; }

    /// <summary>Retries of throttled, failed (5xx) or timed-out requests, with exponential backoff; default 4.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>
    /// The limit on one request until its response starts, and on each wait for more of a response body (the SDK's
    /// network timeout); default 60 s. A timed-out request, or a download whose body stalls, is retried.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Values of at least this many bytes are written as staged blocks (Put Block, in parallel, then Put Block List,
    /// which makes the blob appear whole; a failed upload commits nothing and leaves the key as it was); smaller ones by
    /// one Put Blob. Default 16 MiB.
    /// </summary>
    public int BlockUploadThreshold { get; init; } = 16 << 20;

    /// <summary>The size of each staged block but the last; default 8 MiB.</summary>
    public int BlockSize { get; init; } = 8 << 20;

    /// <summary>Blocks of one upload, or parts of one parallel read, sent at once; default 8.</summary>
    public int MaxConcurrentBlocks { get; init; } = 8;

    /// <summary>
    /// Whole values are read by ranged GETs of this many bytes: the first tells the value's length and ETag, and the
    /// rest of a bigger value is fetched in parallel (<see cref="MaxConcurrentBlocks"/> at once), each part only while
    /// the ETag still matches. Default 8 MiB.
    /// </summary>
    public int ReadPartSize { get; init; } = 8 << 20;

    /// <summary>
    /// Puts your own handler in front of the store's HTTP: called once with the handler the store would use (a
    /// <see cref="SocketsHttpHandler"/> without automatic redirects or cookies, as the SDK's own), it returns the
    /// handler to send requests through — typically a <see cref="DelegatingHandler"/> whose
    /// <see cref="DelegatingHandler.InnerHandler"/> is the one given (a proxy, tracing, fault injection in tests). The
    /// SDK's retries, timeouts and signing stay in front of it, so it sees every attempt. Null: the SDK's shared HTTP.
    /// </summary>
    public Func<HttpMessageHandler, HttpMessageHandler>? WrapHttpHandler { get; init; }
}
