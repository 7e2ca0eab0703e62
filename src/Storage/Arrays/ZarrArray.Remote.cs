using ChunkCompute.Storage.Arrays;
using ChunkCompute.Storage.Codecs;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage;

// Chunks as asynchronous requests, for stores that answer over a network (object stores): the request and the decoding
// (or encoding) are separate steps, so many requests can be in flight while few threads decode.
public sealed partial class ZarrArray
{
    /// <summary>
    /// True when the array's store answers over a network (<see cref="StoreCapabilities.RemoteRequests"/>: S3, Azure
    /// Blob, HTTP). The engine then fetches chunks with <see cref="FetchChunkAsync"/> ahead of decoding them, and writes
    /// whole chunks with <see cref="WriteChunkBytesAsync"/>, with many requests in flight.
    /// </summary>
    public bool IsRemote => (_view.Capabilities & StoreCapabilities.RemoteRequests) != 0;

    /// <summary>
    /// Reads stored chunk <paramref name="chunkIndex"/>'s encoded bytes with one asynchronous request, without decoding
    /// them (see <see cref="DecodeChunk"/>, <see cref="OpenChunkPieces(EncodedChunk)"/>). The chunk cache is bypassed.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The index is outside the chunk grid.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled (the request is cancelled with it).</exception>
    public async ValueTask<EncodedChunk> FetchChunkAsync(long[] chunkIndex, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunkIndex);
        CheckNotVariableLength();
        CheckChunkIndex(chunkIndex);
        string key = ChunkKey(chunkIndex);
        var stored = await _view.GetPooledAsync(key, cancellationToken).ConfigureAwait(false);
        return new EncodedChunk(this, (long[])chunkIndex.Clone(), key, stored);
    }

    /// <summary>
    /// Decodes a fetched chunk into <paramref name="destination"/>: either the whole chunk (its full chunk shape, C
    /// order) or, for a chunk at the array's edge, only its part inside the array (C order over that part's shape).
    /// A chunk that is not stored reads as the fill value.
    /// </summary>
    /// <exception cref="ArgumentException">The chunk belongs to another array.</exception>
    /// <exception cref="ShapeMismatchException">The destination has neither size.</exception>
    /// <exception cref="CorruptChunkException">The stored bytes do not decode.</exception>
    public unsafe void DecodeChunk(EncodedChunk chunk, Span<byte> destination)
    {
        CheckOwn(chunk);
        if (destination.Length == ChunkByteCount)
        {
            DecodeStored(chunk.Key, chunk.Stored, destination);
            return;
        }

        var index = chunk.ChunkIndex;
        var chunkShape = Metadata.ChunkShapeArray;
        var extent = new long[Rank];
        long elements = 1;
        for (int d = 0; d < Rank; d++)
        {
            extent[d] = Math.Min(chunkShape[d], Shape[d] - (index[d] * chunkShape[d]));
            elements *= extent[d];
        }

        int es = DataType.Size;
        if (destination.Length != elements * es)
        {
            throw new ShapeMismatchException($"Array '{Path}' in store '{_owner.Name}': chunk '{chunk.Key}' holds {Metadata.ChunkElementCount} elements ({elements} inside the array), but the destination holds {destination.Length / es}");
        }

        using var buffer = StorageBuffers.RentBuffer(ChunkByteCount);
        DecodeStored(chunk.Key, chunk.Stored, buffer.Span);
        var zero = new long[Rank];
        var full = chunkShape.Select(c => (long)c).ToArray();
        fixed (byte* src = buffer.Span)
        fixed (byte* dst = destination)
        {
            NdCopy.Copy(src, full, zero, dst, extent, zero, extent, es);
        }
    }

    /// <summary>
    /// Opens a fetched chunk for reading in decoded pieces (see <see cref="OpenChunkPieces(ReadOnlySpan{long})"/>); the
    /// pieces read <paramref name="chunk"/>'s bytes, so dispose them before the chunk. Null when the chunk is not stored
    /// or cannot be decoded part by part: decode it whole with <see cref="DecodeChunk"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The chunk belongs to another array.</exception>
    public ChunkPieces? OpenChunkPieces(EncodedChunk chunk)
    {
        CheckOwn(chunk);
        if (!DecodesInPieces || !chunk.IsStored)
        {
            return null;
        }

        var stored = chunk.Stored;
        if (stored is null)
        {
            return null;
        }

        var pieces = Metadata.Codecs.TryOpenPieces(EncodedBytes.FromMemory(stored.Memory), Metadata.ChunkShapeArray);
        return pieces is null ? null : new StoredChunkPieces(this, chunk.Key, pieces);
    }

    /// <summary>
    /// Replaces one whole chunk (full chunk shape, C order) as the encoding on the calling thread followed by one
    /// asynchronous write: the task completes when the store has the chunk. A chunk holding only the fill value is
    /// deleted instead, unless <see cref="ZarrStoreOptions.WriteEmptyChunks"/>. On a store that commits every write (a
    /// transactional directory outside a transaction) this is <see cref="WriteChunk{T}"/>'s synchronous commit.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The index is outside the grid, or the bytes are not one chunk.</exception>
    public async ValueTask WriteChunkBytesAsync(long[] chunkIndex, ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunkIndex);
        CheckNotVariableLength();
        CheckChunkIndex(chunkIndex);
        if (chunk.Length != ChunkByteCount)
        {
            throw new ShapeMismatchException($"Array '{Path}' in store '{_owner.Name}': a chunk holds {ChunkByteCount} bytes, but {chunk.Length} were given");
        }

        string key = ChunkKey(chunkIndex);
        if (_owner.AutoCommits)
        {
            Mutate(a => a.StoreChunk(key, chunk.Span), cancellationToken);
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        _owner.Cache?.Remove(CacheKey(key));
        if (!_owner.Options.WriteEmptyChunks && NdCopy.IsAllPattern(chunk.Span, Metadata.FillValue))
        {
            await _view.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var encoded = Metadata.Codecs.EncodePooled(chunk.Span, Metadata.ChunkShapeArray);
        await _view.SetAsync(key, encoded.Memory, cancellationToken).ConfigureAwait(false);
    }

    // Over a network: many chunk requests in flight (each awaited, holding no thread), each decoded as it arrives.
    private void ReadRemote(RegionPlan plan, nint destination, bool useCache, CancellationToken cancellationToken)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = _owner.Options.MaxRequestsInFlight, CancellationToken = cancellationToken };
        var run = Parallel.ForEachAsync(LongRange(plan.ChunkCount), options, async (k, token) =>
        {
            var (key, partOfShard) = Locate(plan, k);
            if (partOfShard)
            {
                // A small part of a shard: its index and inner chunks are read by ranges, not the whole value.
                await Task.Run(() => ReadOneAt(plan, k, destination, useCache, null), token).ConfigureAwait(false);
                return;
            }

            using var stored = await _view.GetPooledAsync(key, token).ConfigureAwait(false);
            ReadOneAt(plan, k, destination, useCache, new Fetched(stored));
        });
        run.GetAwaiter().GetResult();
    }

    private static IEnumerable<long> LongRange(long count)
    {
        for (long k = 0; k < count; k++)
        {
            yield return k;
        }
    }

    // Chunk k of a region plan: its key, and whether the region takes only a small part of a shard (read by ranges).
    private (string Key, bool PartOfShard) Locate(RegionPlan plan, long k)
    {
        int rank = Rank;
        Span<long> chunkIndex = stackalloc long[rank];
        Span<long> a = stackalloc long[rank];
        Span<long> b = stackalloc long[rank];
        Span<long> extent = stackalloc long[rank];
        plan.Intersect(k, chunkIndex, a, b, extent);
        return (ChunkKey(chunkIndex), ShardForBoxReads(extent) is not null);
    }

    private unsafe void ReadOneAt(RegionPlan plan, long k, nint destination, bool useCache, Fetched? fetched) =>
        ReadOne(plan, k, (byte*)destination, useCache, fetched);

    // The sharding codec when a box of this array's shards is better read by ranges (the index and the inner chunks it
    // touches) than whole: over a network, with byte ranges, for a box of at most half the shard.
    private Codecs.ShardingCodec? ShardForBoxReads(ReadOnlySpan<long> extent)
    {
        if (!IsRemote || (_view.Capabilities & Stores.StoreCapabilities.ByteRanges) == 0
            || Metadata.Codecs is not { ArrayToArray.Count: 0, BytesToBytes.Count: 0, ArrayToBytes: Codecs.ShardingCodec sharding })
        {
            return null;
        }

        long box = 1;
        foreach (long e in extent)
        {
            box *= e;
        }

        return box * 2 <= Metadata.ChunkElementCount ? sharding : null;
    }

    private unsafe void ReadShardBox(Codecs.ShardingCodec sharding, string key, ReadOnlySpan<long> start, ReadOnlySpan<long> extent, byte* destination, long[] destinationShape, ReadOnlySpan<long> destinationStart)
    {
        if (_view.GetSize(key) is not { } size)
        {
            // Not stored: the box is the fill value.
            long elements = 1;
            foreach (long e in extent)
            {
                elements *= e;
            }

            using var fill = Stores.StorageBuffers.RentBuffer(checked((int)(elements * DataType.Size)));
            NdCopy.FillPattern(fill.Span, Metadata.FillValue);
            var zero = new long[Rank];
            fixed (byte* src = fill.Span)
            {
                NdCopy.Copy(src, extent, zero, destination, destinationShape, destinationStart, extent, DataType.Size);
            }

            return;
        }

        using var source = Codecs.EncodedBytes.FromStoreRanges(_view, key, size);
        try
        {
            sharding.DecodeBox(source, Metadata.ChunkShapeArray, start, extent, destination, destinationShape, destinationStart);
        }
        catch (Exception ex) when (ex is CodecException or FormatException or ArgumentException or InvalidDataException or IndexOutOfRangeException or OverflowException)
        {
            throw new CorruptChunkException(_owner.Name, Path, key, ex.Message, ex);
        }
    }

    // A value already fetched for a chunk (null Owner: the chunk is not stored).
    private sealed record Fetched(System.Buffers.IMemoryOwner<byte>? Owner);

    private void CheckOwn(EncodedChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (!ReferenceEquals(chunk.Array, this))
        {
            throw new ArgumentException($"chunk '{chunk.Key}' was fetched from array '{chunk.Array.Path}', not '{Path}'", nameof(chunk));
        }
    }
}
