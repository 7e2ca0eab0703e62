namespace ChunkCompute.Storage.Stores;

/// <summary>How an <see cref="HttpStore"/> talks to its server. Every property has a sensible default.</summary>
public sealed class HttpStoreOptions
{
    /// <summary>Retries of a request that failed transiently (connection error, timeout, 5xx, 429); default 4.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>
    /// The first retry's delay; each next one doubles, with ±50 % jitter (default 200 ms: four retries give up after
    /// about 3 s).
    /// </summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The limit on one request, headers and body (default 30 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The limit on opening a connection (default 5 s), so an unreachable server fails within seconds.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Connections per server (default 64: many requests in flight, not one per core).</summary>
    public int MaxConnections { get; init; } = 64;

    /// <summary>
    /// The HTTP handler to send requests through (tests inject faults with a delegating handler); null: a
    /// <see cref="System.Net.Http.SocketsHttpHandler"/> with the limits above. The store does not dispose a given handler.
    /// </summary>
    public HttpMessageHandler? Handler { get; init; }
}
