using ChunkCompute.Storage.Codecs;

namespace ChunkCompute.Storage;

/// <summary>
/// What reading one stored chunk holds in memory at once, so a caller with a memory budget can plan (or refuse) before
/// it reads any chunk: the decoded chunk, its stored bytes (taken as large as the decoded chunk: a compressor gains
/// nothing on hostile or random data), the codecs' intermediate buffers and, for a shard, its index of 16 bytes per
/// inner chunk plus one inner chunk being decoded. Sizes saturate at <see cref="long.MaxValue"/> instead of overflowing.
/// </summary>
public static class ChunkMemory
{
    /// <summary>The largest chunk (decoded) the storage layer reads or writes: one .NET array, 2 GiB less a little.</summary>
    public const long MaxChunkBytes = int.MaxValue;

    /// <summary>Decoded bytes of one chunk of <paramref name="metadata"/>.</summary>
    public static long ChunkBytes(ArrayMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return Multiply(metadata.ChunkShape.Select(d => (long)d), metadata.DataType.Size);
    }

    /// <summary>Bytes held at once while one chunk of <paramref name="metadata"/> is read and decoded.</summary>
    public static long DecodeBytes(ArrayMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return Decode(metadata.Codecs, metadata.ChunkShape.Select(d => (long)d).ToArray(), metadata.DataType.Size, stored: true);
    }

    /// <summary>Bytes of a shard's index (16 per inner chunk), or 0 when the array is not sharded.</summary>
    public static long ShardIndexBytes(ArrayMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.Codecs.ArrayToBytes is ShardingCodec sharding
            ? Multiply([InnerChunksPerShard(metadata.ChunkShape.Select(d => (long)d).ToArray(), sharding)], 16)
            : 0;
    }

    private static long Decode(CodecPipeline codecs, long[] shape, int elementSize, bool stored)
    {
        long chunk = Multiply(shape, elementSize);
        long need = Add(chunk, stored ? chunk : 0);
        if (!codecs.IsDirect)
        {
            if (codecs.BytesToBytes.Count > 0)
            {
                need = Add(need, chunk); // the serialized bytes between the compressor and the array-to-bytes codec
            }

            if (codecs.ArrayToArray.Count > 0)
            {
                need = Add(need, Multiply([chunk], 2)); // two ping-pong buffers for transpose/delta
            }
        }

        if (codecs.ArrayToBytes is ShardingCodec sharding)
        {
            long index = Multiply([InnerChunksPerShard(shape, sharding)], 16);
            long[] inner = sharding.InnerChunkShape.Select(d => (long)d).ToArray();
            need = Add(Add(need, index), Decode(sharding.InnerCodecs, inner, elementSize, stored: false));
        }

        return need;
    }

    private static long InnerChunksPerShard(long[] shape, ShardingCodec sharding)
    {
        var inner = sharding.InnerChunkShape;
        if (inner.Count != shape.Length)
        {
            return 0;
        }

        return Multiply(shape.Select((s, d) => s / Math.Max(1, inner[d])), 1);
    }

    private static long Multiply(IEnumerable<long> values, long start)
    {
        long product = start;
        foreach (long v in values)
        {
            if (v != 0 && product > long.MaxValue / v)
            {
                return long.MaxValue;
            }

            product *= v;
        }

        return product;
    }

    private static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
