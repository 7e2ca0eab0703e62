namespace ChunkCompute.Storage.Codecs;

/// <summary>The compressor inside a Blosc1 frame (the <c>cname</c> of the Zarr metadata).</summary>
public enum BloscCompressor
{
    /// <summary><c>blosclz</c>: Blosc's own LZ77 codec (read only; writing it is not supported).</summary>
    BloscLz,

    /// <summary><c>lz4</c>: raw LZ4 blocks.</summary>
    Lz4,

    /// <summary><c>lz4hc</c>: LZ4 high-compression, stored as raw LZ4 blocks.</summary>
    Lz4Hc,

    /// <summary><c>zlib</c>: zlib streams.</summary>
    Zlib,

    /// <summary><c>zstd</c>: zstd frames.</summary>
    Zstd,
}
