namespace ChunkCompute.Storage;

/// <summary>A stored chunk could not be decoded: truncated, corrupt, wrong size or failed checksum.</summary>
public sealed class CorruptChunkException : ChunkComputeException
{
    /// <summary>Creates the exception for chunk <paramref name="chunkKey"/> of array <paramref name="arrayPath"/>.</summary>
    public CorruptChunkException(string store, string arrayPath, string chunkKey, string reason, Exception? innerException = null)
        : base($"Chunk '{chunkKey}' of array '{arrayPath}' in store '{store}' is corrupt: {reason}", innerException)
    {
        Store = store;
        ArrayPath = arrayPath;
        ChunkKey = chunkKey;
    }

    /// <summary>The store that holds the chunk (a directory path or a store name).</summary>
    public string Store { get; }

    /// <summary>The array's path inside the store.</summary>
    public string ArrayPath { get; }

    /// <summary>The chunk's key inside the store.</summary>
    public string ChunkKey { get; }
}
