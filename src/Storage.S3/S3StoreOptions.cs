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
    /// Whether the server honours <c>If-None-Match: *</c> and <c>If-Match</c> on PutObject and CompleteMultipartUpload,
    /// <c>If-Match</c> on DeleteObject, and <c>x-amz-copy-source-if-match</c> with <c>If-None-Match: *</c> on CopyObject,
    /// so the store offers <see cref="ChunkCompute.Storage.Stores.StoreCapabilities.ConditionalCreate"/>,
    /// <see cref="ChunkCompute.Storage.Stores.StoreCapabilities.ConditionalUpdate"/>,
    /// <see cref="ChunkCompute.Storage.Stores.StoreCapabilities.ConditionalDelete"/> and
    /// <see cref="ChunkCompute.Storage.Stores.StoreCapabilities.ServerSideCopy"/>. Null: true for AWS itself, false
    /// for a custom endpoint (S3-compatible servers may accept the headers and ignore them, as s3rver does; set true
    /// for one that honours them, such as a recent MinIO).
    /// </summary>
    public bool? ConditionalWrites { get; init; }

    /// <summary>
    /// Values of at least this many bytes are written as a multipart upload (CreateMultipartUpload, parts uploaded in
    /// parallel, CompleteMultipartUpload; aborted on any failure, so no partial object is ever visible); smaller ones
    /// by one PutObject. Default 16 MiB.
    /// </summary>
    public int MultipartThreshold { get; init; } = 16 << 20;

    /// <summary>The size of each part of a multipart upload but the last; at least 5 MiB (S3's minimum); default 8 MiB.</summary>
    public int PartSize { get; init; } = 8 << 20;

    /// <summary>Parts of one multipart upload, or of one parallel read, sent at once; default 8.</summary>
    public int MaxConcurrentParts { get; init; } = 8;

    /// <summary>
    /// Whole values are read by ranged GETs of this many bytes: the first tells the value's length and ETag, and the
    /// rest of a bigger value is fetched in parallel (<see cref="MaxConcurrentParts"/> at once), each part only while the
    /// ETag still matches. Default 8 MiB.
    /// </summary>
    public int ReadPartSize { get; init; } = 8 << 20;

    /// <summary>
    /// Puts your own handler in front of the store's HTTP: called once with the handler the store would use (a
    /// <see cref="SocketsHttpHandler"/> with <see cref="MaxConnections"/> and the SDK's proxy settings), it returns the
    /// handler to send requests through — typically a <see cref="DelegatingHandler"/> whose
    /// <see cref="DelegatingHandler.InnerHandler"/> is the one given (a proxy, tracing, fault injection in tests). The
    /// SDK's retries, timeouts and signing stay in front of it, so it sees every attempt. Null: the SDK's own HTTP.
    /// </summary>
    public Func<HttpMessageHandler, HttpMessageHandler>? WrapHttpHandler { get; init; }
}
