using System.Buffers.Binary;
using ChunkCompute.Storage.Arrays;

namespace ChunkCompute.Storage.Codecs;

// Decoding only the part of a shard a read needs: the index, then the inner chunks the box touches, each read as a byte
// range of the stored value (neighbouring inner chunks in one range). Over an object store a small region of a large
// shard costs a few ranged requests instead of the whole shard.
public sealed partial class ShardingCodec
{
    // Ranges of inner chunks closer than this are read as one range: one request instead of two costs more than the gap.
    private const long CoalesceGap = 64 << 10;

    /// <summary>
    /// Decodes the box [<paramref name="start"/>, start + <paramref name="extent"/>) of a shard of <paramref name="shape"/>
    /// read from <paramref name="source"/> by ranges into <paramref name="destination"/> (a C-order buffer of
    /// <paramref name="destinationShape"/>, at <paramref name="destinationStart"/>), reading the index and only the inner
    /// chunks the box touches. Inner chunks not stored read as the fill value.
    /// </summary>
    /// <exception cref="CodecException">The shard is shorter than its index, an inner chunk lies outside it, or a range
    /// cannot be read (the value was replaced or cut short).</exception>
    internal unsafe void DecodeBox(
        EncodedBytes source, int[] shape, ReadOnlySpan<long> start, ReadOnlySpan<long> extent,
        byte* destination, ReadOnlySpan<long> destinationShape, ReadOnlySpan<long> destinationStart)
    {
        int rank = shape.Length;
        var perShard = ChunksPerShard(shape);
        int n = checked((int)BytesCodec.ElementCount(perShard));
        int indexLength = IndexLength(perShard);
        if (source.Length < indexLength)
        {
            throw new CodecException(Name, $"shard is {source.Length} bytes, shorter than its {indexLength}-byte index");
        }

        var indexBytes = new byte[indexLength];
        if (!source.TryReadAt(IndexAtEnd ? source.Length - indexLength : 0, indexBytes))
        {
            throw new CodecException(Name, $"the {indexLength}-byte shard index could not be read (the value changed or was cut short)");
        }

        var index = new byte[checked(n * 16)];
        IndexCodecs.Decode(indexBytes, [.. perShard, 2], index);

        // The inner chunks the box touches, by linear index, with their byte ranges.
        var first = new int[rank];
        var count = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            first[d] = (int)(start[d] / _innerShape[d]);
            count[d] = (int)(((start[d] + extent[d] - 1) / _innerShape[d]) - first[d] + 1);
        }

        var needed = new List<(int K, long Offset, long Length)>();
        var at = new int[rank];
        long touched = BytesCodec.ElementCount(count);
        for (long t = 0; t < touched; t++)
        {
            int k = 0;
            for (int d = 0; d < rank; d++)
            {
                k = (k * perShard[d]) + first[d] + at[d];
            }

            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(index.AsSpan(k * 16));
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(index.AsSpan((k * 16) + 8));
            if (offset == Empty && length == Empty)
            {
                needed.Add((k, -1, 0));
            }
            else if (offset > (ulong)source.Length || length > (ulong)source.Length - offset)
            {
                throw new CodecException(Name, $"inner chunk {k} spans bytes [{offset}, {offset + length}) beyond the {source.Length}-byte shard");
            }
            else
            {
                needed.Add((k, (long)offset, (long)length));
            }

            Increment(at, count);
        }

        int es = InnerCodecs.ElementSize;
        int innerBytes = checked((int)(BytesCodec.ElementCount(_innerShape) * es));
        var inner = Stores.StorageBuffers.Rent(innerBytes);
        try
        {
            // Stored inner chunks in offset order, neighbours merged into one range read.
            var stored = needed.Where(c => c.Offset >= 0).OrderBy(c => c.Offset).ToList();
            int i = 0;
            while (i < stored.Count)
            {
                int j = i;
                long end = stored[i].Offset + stored[i].Length;
                while (j + 1 < stored.Count && stored[j + 1].Offset - end <= CoalesceGap && stored[j + 1].Offset + stored[j + 1].Length - stored[i].Offset <= int.MaxValue)
                {
                    j++;
                    end = Math.Max(end, stored[j].Offset + stored[j].Length);
                }

                var run = Stores.StorageBuffers.Rent(checked((int)(end - stored[i].Offset)));
                try
                {
                    var bytes = run.AsSpan(0, (int)(end - stored[i].Offset));
                    if (!source.TryReadAt(stored[i].Offset, bytes))
                    {
                        throw new CodecException(Name, $"bytes [{stored[i].Offset}, {end}) of the shard could not be read (the value changed or was cut short)");
                    }

                    for (int c = i; c <= j; c++)
                    {
                        InnerCodecs.Decode(bytes.Slice((int)(stored[c].Offset - stored[i].Offset), (int)stored[c].Length), _innerShape, inner.AsSpan(0, innerBytes));
                        CopyInner(stored[c].K, inner, perShard, start, extent, destination, destinationShape, destinationStart, es);
                    }
                }
                finally
                {
                    Stores.StorageBuffers.Return(run);
                }

                i = j + 1;
            }

            var missing = needed.Where(c => c.Offset < 0).ToList();
            if (missing.Count > 0)
            {
                NdCopy.FillPattern(inner.AsSpan(0, innerBytes), _fillValue);
                foreach (var c in missing)
                {
                    CopyInner(c.K, inner, perShard, start, extent, destination, destinationShape, destinationStart, es);
                }
            }
        }
        finally
        {
            Stores.StorageBuffers.Return(inner);
        }
    }

    // Copies the part of decoded inner chunk k that lies in the box into the destination.
    private unsafe void CopyInner(
        int k, byte[] inner, int[] perShard, ReadOnlySpan<long> start, ReadOnlySpan<long> extent,
        byte* destination, ReadOnlySpan<long> destinationShape, ReadOnlySpan<long> destinationStart, int es)
    {
        int rank = perShard.Length;
        Span<long> innerShape = stackalloc long[rank];
        Span<long> from = stackalloc long[rank];
        Span<long> to = stackalloc long[rank];
        Span<long> size = stackalloc long[rank];
        int rest = k;
        for (int d = rank - 1; d >= 0; d--)
        {
            long origin = (long)(rest % perShard[d]) * _innerShape[d];
            rest /= perShard[d];
            long lo = Math.Max(origin, start[d]);
            long hi = Math.Min(origin + _innerShape[d], start[d] + extent[d]);
            innerShape[d] = _innerShape[d];
            from[d] = lo - origin;
            to[d] = destinationStart[d] + (lo - start[d]);
            size[d] = hi - lo;
        }

        fixed (byte* src = inner)
        {
            NdCopy.Copy(src, innerShape, from, destination, destinationShape, to, size, es);
        }
    }
}
