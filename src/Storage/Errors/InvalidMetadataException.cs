namespace ChunkCompute.Storage;

/// <summary>A metadata document (<c>zarr.json</c>, <c>.zarray</c>, <c>.zgroup</c>, <c>.zattrs</c>) is malformed.</summary>
public sealed class InvalidMetadataException : ChunkComputeException
{
    /// <summary>Creates the exception for metadata key <paramref name="key"/> in <paramref name="store"/>.</summary>
    public InvalidMetadataException(string store, string key, string reason, Exception? innerException = null)
        : base($"Invalid metadata '{key}' in store '{store}': {reason}", innerException)
    {
        Store = store;
        Key = key;
    }

    /// <summary>The store that holds the document.</summary>
    public string Store { get; }

    /// <summary>The document's key, e.g. <c>x/.zarray</c>.</summary>
    public string Key { get; }
}
