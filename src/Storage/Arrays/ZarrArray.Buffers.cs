using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage;

// What a region read or write holds in the storage layer's own buffers, for a scheduler to reserve against its budget
// (called for every task: arithmetic only, no region plan).
public sealed partial class ZarrArray
{
    // What decoding a chunk in pieces from a file holds, taken as an upper bound on a Blosc block (the compressed
    // block read and the block decoded): writers keep blocks far smaller (c-blosc: at most a few hundred KiB).
    private const long PieceScratchBytes = 4L << 20;

    /// <summary>
    /// A bound on the bytes of the storage layer's own buffers while
    /// <see cref="ReadBytes(ArraySubset, Span{byte}, bool, CancellationToken)"/> reads <paramref name="region"/> with
    /// the cache bypassed, besides the destination: for each chunk read at the same time, its compressed value (at
    /// most about a chunk) and, when the region covers the chunk only in part, a whole decoded chunk — except when
    /// the chunk is decoded in pieces from a local file (<see cref="DecodesInPieces"/>; not a shard), which takes a few
    /// blocks.
    /// </summary>
    public long ReadBufferBytes(ArraySubset region)
    {
        if (!ChunksOf(region, out long chunks, out bool oneChunk))
        {
            return 0;
        }

        long chunk = ChunkByteCount;
        long each = oneChunk ? chunk
            : IsRemote || !DecodesInPieces || Rank == 0 ? 2 * chunk
            : _view is IFileValueStore { OpensFiles: true } && Metadata.Codecs.ArrayToBytes is not Codecs.ShardingCodec ? Math.Min(chunk, 2 * PieceScratchBytes)
            : chunk;
        return AtOnce(chunks) * each;
    }

    /// <summary>
    /// A bound on the bytes of the storage layer's own buffers while <see cref="WriteBytes"/> writes
    /// <paramref name="region"/>, besides the values given: a region that is exactly one stored chunk inside the array,
    /// through codecs that encode into pooled memory (Blosc, directly on the element bytes), is encoded in place and
    /// takes the encoder's staging (about the chunk); any other write takes, for each chunk written at the same time,
    /// the chunk assembled (its stored value read first when covered in part) and its encoding.
    /// </summary>
    public long WriteBufferBytes(ArraySubset region)
    {
        if (!ChunksOf(region, out long chunks, out bool oneChunk))
        {
            return 0;
        }

        long chunk = ChunkByteCount;
        bool pooled = Metadata.Codecs is { IsDirect: true, BytesToBytes: [Codecs.IPooledEncodingCodec] };
        if (oneChunk && pooled)
        {
            return EncodeStagingBound(chunk);
        }

        long each = pooled ? StorageBuffers.SizeClass(chunk) + EncodeStagingBound(chunk) : (2 * StorageBuffers.SizeClass(chunk)) + chunk;
        return AtOnce(chunks) * each;
    }

    // The stored chunks a region touches, and whether it is exactly one of them (aligned, its full shape); false for
    // an empty region.
    private bool ChunksOf(ArraySubset region, out long chunks, out bool oneChunk)
    {
        ArgumentNullException.ThrowIfNull(region);
        CheckRegion(region);
        chunks = 1;
        oneChunk = true;
        if (region.ElementCount == 0)
        {
            return false;
        }

        var shape = Metadata.ChunkShapeArray;
        for (int d = 0; d < Rank; d++)
        {
            long start = region.StartArray[d], extent = region.ShapeArray[d];
            chunks *= ((start + extent - 1) / shape[d]) - (start / shape[d]) + 1;
            oneChunk &= start % shape[d] == 0 && extent == shape[d];
        }

        return true;
    }

    // How many of a region's chunks are read or written at the same time.
    private long AtOnce(long chunks) =>
        Math.Max(1, Math.Min(chunks, IsRemote ? _owner.Options.MaxRequestsInFlight : _owner.Options.MaxConcurrency));

    // The encoder's staging for a chunk of `bytes`. From 1 MiB it comes from the scope's pool: the frame plus per-block
    // slots (Blosc: 4 bytes per split stream per block, under 1/16 of any block of 64 bytes or more) and a block of
    // slack (writers' blocks stay under 2 MiB), rounded up to the pool's size class. Below, it is a managed rental of
    // the next power of two, taken as twice the chunk.
    private static long EncodeStagingBound(long bytes) =>
        bytes < StorageBuffers.ScopedThreshold ? 2 * bytes : StorageBuffers.SizeClass(bytes + (bytes / 16) + Math.Min(bytes, 2L << 20));
}
