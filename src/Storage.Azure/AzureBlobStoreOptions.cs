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

    /// <summary>The limit on one request (the SDK's network timeout); default 60 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
