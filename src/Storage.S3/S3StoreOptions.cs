namespace ChunkCompute.Storage.S3;

/// <summary>
/// Where and how an <see cref="S3Store"/> connects. Unset properties come from the standard AWS configuration: the
/// environment (<c>AWS_ENDPOINT_URL</c>, <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_REGION</c>,
/// <c>AWS_PROFILE</c>) and the shared config and credentials files. Options in code override the environment.
/// </summary>
public sealed class S3StoreOptions
{
    /// <summary>A custom endpoint (an S3-compatible server); null: <c>AWS_ENDPOINT_URL</c>, else AWS itself.</summary>
    public string? ServiceUrl { get; init; }

    /// <summary>The region; null: <c>AWS_REGION</c>, the profile's, else us-east-1.</summary>
    public string? Region { get; init; }

    /// <summary>The access key id (with <see cref="SecretAccessKey"/>); null: the SDK's credential chain.</summary>
    public string? AccessKeyId { get; init; }

    /// <summary>The secret access key.</summary>
    public string? SecretAccessKey { get; init; }

    /// <summary>Path-style addressing (<c>endpoint/bucket/key</c>); null: on for a custom endpoint, off for AWS.</summary>
    public bool? ForcePathStyle { get; init; }

    /// <summary>Requests in flight at once (connections); default 64: many more than the cores.</summary>
    public int MaxConnections { get; init; } = 64;

    /// <summary>Retries of throttled, failed (5xx) or timed-out requests, with backoff and jitter; default 4.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>
    /// The limit on one request until its response starts, and on each wait for more of a response body (a stalled
    /// download fails instead of hanging); default 60 s. A timed-out request is retried like a failed one.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Puts your own handler in front of the store's HTTP: called once with the handler the store would use (a
    /// <see cref="SocketsHttpHandler"/> with <see cref="MaxConnections"/> and the SDK's proxy settings), it returns the
    /// handler to send requests through — typically a <see cref="DelegatingHandler"/> whose
    /// <see cref="DelegatingHandler.InnerHandler"/> is the one given (a proxy, tracing, fault injection in tests). The
    /// SDK's retries, timeouts and signing stay in front of it, so it sees every attempt. Null: the SDK's own HTTP.
    /// </summary>
    public Func<HttpMessageHandler, HttpMessageHandler>? WrapHttpHandler { get; init; }
}
