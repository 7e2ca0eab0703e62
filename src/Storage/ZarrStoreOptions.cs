namespace ChunkCompute.Storage;

/// <summary>Settings of a <see cref="ZarrStore"/> handle.</summary>
public sealed class ZarrStoreOptions
{
    /// <summary>Bytes of decoded chunks kept in the LRU chunk cache; 0 turns the cache off. Default 64 MiB.</summary>
    public long ChunkCacheBytes { get; init; } = 64L << 20;

    /// <summary>Chunks read or written at once. Default: the number of cores.</summary>
    public int MaxConcurrency { get; init; } = Environment.ProcessorCount;

    /// <summary>Store chunks that hold only the fill value (default false: they are deleted, as zarr-python 3 does).</summary>
    public bool WriteEmptyChunks { get; init; }

    /// <summary>The format of new arrays and groups when not given. Default Zarr v3.</summary>
    public ZarrFormat DefaultFormat { get; init; } = ZarrFormat.V3;
}
