using ChunkCompute.Storage;

namespace ChunkCompute.ML;

/// <summary>Choices for a new <see cref="RaggedArray{T}"/> beyond its element type, record rank and values chunk.</summary>
public sealed class RaggedArrayOptions
{
    /// <summary>Zarr v2 or v3 for the group and its arrays; null means the store's default.</summary>
    public ZarrFormat? Format { get; init; }

    /// <summary>The compressor of all three arrays; null means <see cref="Compression.Default"/>.</summary>
    public Compression? Compression { get; init; }

    /// <summary>Records per chunk of the offsets (and shapes) arrays; default 8192 (64 KiB of int64 offsets).</summary>
    public int OffsetsChunk { get; init; } = 8192;

    /// <summary>Replace an existing node at the path instead of failing.</summary>
    public bool Overwrite { get; init; }
}
