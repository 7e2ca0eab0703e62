namespace ChunkCompute.Storage;

/// <summary>The Zarr format version of a node.</summary>
public enum ZarrFormat
{
    /// <summary>Zarr v2: <c>.zarray</c>, <c>.zgroup</c>, <c>.zattrs</c>, numcodecs compressors.</summary>
    V2 = 2,

    /// <summary>Zarr v3: <c>zarr.json</c> and a codec chain. The default for new stores.</summary>
    V3 = 3,
}
