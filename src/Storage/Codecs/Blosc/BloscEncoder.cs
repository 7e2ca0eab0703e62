using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using ChunkCompute.Storage.Codecs.Backends;
using ChunkCompute.Storage.Codecs.Native;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// Writes Blosc1 frames (format version 2) that c-blosc 1.x reads: block size chosen like c-blosc's
/// <c>compute_blocksize</c>, blocks split per byte stream under c-blosc's forward-compatible rule (every codec except
/// zstd, typesize ≤ 16, ≥ 128 elements per block), splits stored raw when compression does not shrink them, and the
/// whole buffer stored uncompressed (MEMCPYED) for clevel 0, inputs under 128 bytes, or incompressible data. LZ4 runs
/// with c-blosc's acceleration <c>10 - clevel</c>, so with the same liblz4 the frames equal c-blosc's byte for byte.
/// </summary>
internal static class BloscEncoder
{
    private const string Codec = "blosc";
    private const int L1 = 32 * 1024;
    private const int ParallelMinBlocks = 4;
    private const int ParallelMinBytes = 1 << 20;

    /// <summary>Encodes <paramref name="src"/>.</summary>
    internal static byte[] Encode(ReadOnlySpan<byte> src, BloscCompressor compressor, int clevel, BloscShuffle shuffle, int typesize, int forcedBlocksize)
    {
        using var frame = EncodeCore(src, compressor, clevel, shuffle, typesize, forcedBlocksize, pooled: false);
        return frame.ToArray();
    }

    /// <summary>
    /// Encodes <paramref name="src"/> into pooled memory: the frame is the compressor's own staging buffer, so no
    /// frame-sized array is allocated (dispose the result to return it). The bytes equal <see cref="Encode"/>'s.
    /// </summary>
    internal static PooledFrame EncodePooled(ReadOnlySpan<byte> src, BloscCompressor compressor, int clevel, BloscShuffle shuffle, int typesize, int forcedBlocksize) =>
        EncodeCore(src, compressor, clevel, shuffle, typesize, forcedBlocksize, pooled: true);

    // pooled: the frame stays in the staging buffer; otherwise it is assembled into a new exact-size array.
    private static PooledFrame EncodeCore(ReadOnlySpan<byte> src, BloscCompressor compressor, int clevel, BloscShuffle shuffle, int typesize, int forcedBlocksize, bool pooled)
    {
        if (src.Length > BloscFormat.MaxBufferSize)
        {
            throw new CodecException(Codec, $"input of {src.Length} bytes exceeds Blosc's limit of {BloscFormat.MaxBufferSize}");
        }

        var ts = typesize > 255 ? 1 : typesize;
        var nbytes = src.Length;
        var flags = (byte)(BloscFormat.FormatOf(compressor) << 5);
        if (shuffle == BloscShuffle.Shuffle)
        {
            flags |= BloscFormat.DoShuffle;
        }
        else if (shuffle == BloscShuffle.BitShuffle)
        {
            flags |= BloscFormat.DoBitShuffle;
        }

        var blocksize = ComputeBlocksize(compressor, clevel, ts, nbytes, forcedBlocksize);
        var split = compressor != BloscCompressor.Zstd && ts <= BloscFormat.MaxSplits && blocksize / ts >= BloscFormat.MinBufferSize;
        if (!split)
        {
            flags |= BloscFormat.DontSplit;
        }

        if (clevel == 0 || nbytes < BloscFormat.MinBufferSize)
        {
            return Memcpyed(src, flags, ts, blocksize, pooled);
        }

        switch (compressor)
        {
            // The backend is settled here, on the caller's thread: a forced native library that is missing fails
            // before any block is compressed (in parallel, it would surface wrapped in an AggregateException).
            case BloscCompressor.Lz4:
            case BloscCompressor.Lz4Hc:
                CodecBackends.UseNative(NativeCodecLibrary.Lz4, Codec);
                break;
            case BloscCompressor.Zstd:
                CodecBackends.UseNative(NativeCodecLibrary.Zstd, Codec);
                break;
            case BloscCompressor.BloscLz:
                throw new UnsupportedCodecException(Codec, "writing cname 'blosclz' is not supported; use lz4, lz4hc, zstd or zlib");
        }

        var nblocks = (int)(((long)nbytes + blocksize - 1) / blocksize);
        var leftover = nbytes % blocksize;
        var maxTotal = (long)nbytes + BloscFormat.HeaderSize;
        if (BloscFormat.HeaderSize + (4L * nblocks) > maxTotal)
        {
            return Memcpyed(src, flags, ts, blocksize, pooled);
        }

        bool parallel = nblocks >= ParallelMinBlocks && nbytes >= ParallelMinBytes && Environment.ProcessorCount > 1;
        return EncodeBlocks(src, compressor, clevel, shuffle, ts, flags, split, blocksize, nblocks, leftover, maxTotal, parallel, pooled);
    }

    // Blocks are shuffled and compressed into one pooled staging buffer, which becomes the frame. In sequence they are
    // laid out back to back after the header and offsets; in parallel (c-blosc compresses a chunk's blocks on several
    // threads too; we do when the chunk is big enough that the per-block work outweighs the hand-off) block b goes to
    // its own slot after the offsets, at b × (blocksize + 4 × splits), and the slots are then compacted in block order,
    // so the frame is the same either way. One rental per call, reused by the next: no per-block
    // buffers (for a 64 MiB chunk they were ~100 MiB of fresh 1 MiB arrays per call, more than the pool keeps).
    private static PooledFrame EncodeBlocks(
        ReadOnlySpan<byte> source, BloscCompressor compressor, int clevel, BloscShuffle shuffle, int ts, byte flags, bool split, int blocksize, int nblocks, int leftover, long maxTotal, bool parallel, bool pooled)
    {
        int slot = blocksize + (4 * Math.Max(1, ts));
        int first = BloscFormat.HeaderSize + (4 * nblocks);
        parallel &= first + ((long)slot * nblocks) <= Array.MaxLength;
        long stagingBytes = parallel ? first + ((long)slot * nblocks) : Math.Min(Array.MaxLength, maxTotal + slot);
        var staging = Stores.StorageBuffers.RentBuffer((int)stagingBytes);
        var lengths = new int[nblocks];
        bool keep = false;
        try
        {
            unsafe
            {
                fixed (byte* p = source)
                {
                    nint srcPtr = (nint)p;
                    int srcLength = source.Length;

                    // Shuffles and compresses block b into dst (at least bsize + 4 × splits bytes); returns its length.
                    int EncodeBlock(int b, Span<byte> dst)
                    {
                        var src = new ReadOnlySpan<byte>((byte*)srcPtr, srcLength);
                        var isLeftover = b == nblocks - 1 && leftover != 0;
                        var bsize = isLeftover ? leftover : blocksize;
                        var block = src.Slice(b * blocksize, bsize);
                        var shuffled = shuffle == BloscShuffle.NoShuffle ? null : ArrayPool<byte>.Shared.Rent(blocksize);
                        try
                        {
                            // The shuffled block is the compressor's input; each split is compressed straight into dst
                            // after its 4-byte length (c-blosc's maxout = neblock: a split that does not shrink makes
                            // the compressor give up and is stored raw).
                            if (shuffle == BloscShuffle.Shuffle && ts > 1)
                            {
                                BlockShuffle.Shuffle(block, shuffled, ts);
                                block = shuffled.AsSpan(0, bsize);
                            }
                            else if (shuffle == BloscShuffle.BitShuffle && bsize >= ts && (bsize / ts) % 8 == 0)
                            {
                                BitShuffle.Shuffle(block, shuffled, ts);
                                block = shuffled.AsSpan(0, bsize);
                            }

                            var nsplits = split && !isLeftover ? ts : 1;
                            var neblock = bsize / nsplits;
                            int pos = 0;
                            for (var s = 0; s < nsplits; s++)
                            {
                                var part = block.Slice(s * neblock, neblock);
                                var csize = CompressSplit(compressor, clevel, part, dst.Slice(pos + 4, neblock));
                                var raw = csize <= 0 || csize >= neblock;
                                var size = raw ? neblock : csize;
                                BinaryPrimitives.WriteInt32LittleEndian(dst.Slice(pos, 4), size);
                                if (raw)
                                {
                                    part.CopyTo(dst[(pos + 4)..]);
                                }

                                pos += 4 + size;
                            }

                            return pos;
                        }
                        finally
                        {
                            if (shuffled is not null)
                            {
                                ArrayPool<byte>.Shared.Return(shuffled);
                            }
                        }
                    }

                    if (parallel)
                    {
                        Parallel.For(
                            0,
                            nblocks,
                            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                            b => lengths[b] = EncodeBlock(b, staging.Span.Slice(first + (b * slot), slot)));
                    }
                    else
                    {
                        long pos = first;
                        for (int b = 0; b < nblocks; b++)
                        {
                            if (pos + slot > staging.Length)
                            {
                                return Memcpyed(source, flags, ts, blocksize, pooled); // cannot end within maxTotal
                            }

                            lengths[b] = EncodeBlock(b, staging.Span.Slice((int)pos, slot));
                            pos += lengths[b];
                        }
                    }
                }
            }

            long total = first + lengths.Sum(l => (long)l);
            if (total > maxTotal)
            {
                return Memcpyed(source, flags, ts, blocksize, pooled);
            }

            // The frame: in the staging buffer itself (pooled; in parallel the slots are compacted in place, left to
            // right — block b moves to at most its slot's start, since every earlier block took at most a slot, so no
            // slot is overwritten before it has moved), or in a new exact-size array (one copy of the compressed bytes).
            var array = pooled ? null : GC.AllocateUninitializedArray<byte>((int)total);
            var stagingSpan = staging.Span;
            var frame = array is null ? stagingSpan : array.AsSpan();
            if (!pooled && !parallel)
            {
                stagingSpan.Slice(first, (int)total - first).CopyTo(frame[first..]);
            }

            int at = first;
            for (int b = 0; b < nblocks; b++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(frame.Slice(BloscFormat.HeaderSize + (4 * b), 4), at);
                if (parallel)
                {
                    stagingSpan.Slice(first + (b * slot), lengths[b]).CopyTo(frame[at..]);
                }

                at += lengths[b];
            }

            WriteHeader(frame, flags, ts, source.Length, blocksize, at);
            keep = pooled;
            return array is null ? new PooledFrame(staging, at) : new PooledFrame(array, at);
        }
        finally
        {
            if (!keep)
            {
                ((IDisposable)staging).Dispose();
            }
        }
    }

    /// <summary>c-blosc 1.x <c>compute_blocksize</c> (forward-compatible split mode).</summary>
    internal static int ComputeBlocksize(BloscCompressor compressor, int clevel, int typesize, int nbytes, int forcedBlocksize)
    {
        if (nbytes < typesize)
        {
            return 1;
        }

        var hcr = compressor is BloscCompressor.Zlib or BloscCompressor.Zstd or BloscCompressor.Lz4Hc;
        long blocksize = nbytes;
        if (forcedBlocksize > 0)
        {
            blocksize = Math.Clamp(forcedBlocksize, BloscFormat.MinBufferSize, 1 << 30);
        }
        else if (nbytes >= L1)
        {
            blocksize = hcr ? 2 * L1 : L1;
            blocksize = clevel switch
            {
                0 => blocksize / 4,
                1 => blocksize / 2,
                2 => blocksize,
                3 => blocksize * 2,
                4 or 5 => blocksize * 4,
                6 or 7 or 8 => blocksize * 8,
                _ => blocksize * (hcr ? 16 : 8),
            };
        }

        var split = compressor != BloscCompressor.Zstd && typesize <= BloscFormat.MaxSplits && blocksize / typesize >= BloscFormat.MinBufferSize;
        if (clevel > 0 && split && forcedBlocksize <= 0)
        {
            blocksize = Math.Min(blocksize, 1 << 18) * typesize;
            blocksize = Math.Clamp(blocksize, 1 << 16, 1 << 20);
        }

        blocksize = Math.Min(blocksize, nbytes);
        if (blocksize > typesize)
        {
            blocksize = blocksize / typesize * typesize;
        }

        return (int)blocksize;
    }

    private static int CompressSplit(BloscCompressor compressor, int clevel, ReadOnlySpan<byte> part, Span<byte> dst)
    {
        switch (compressor)
        {
            case BloscCompressor.Lz4:
                return Lz4Block.Compress(Codec, part, dst, Lz4Acceleration(clevel));
            case BloscCompressor.Lz4Hc:
                return Lz4Block.CompressHC(Codec, part, dst, clevel);
            case BloscCompressor.Zstd:
                return ZstdBlock.CompressInto(Codec, part, dst, clevel < 9 ? (2 * clevel) - 1 : 22);
            default:
                var z = StreamDecoding.Encode(part, s => new ZLibStream(s, StreamDecoding.Options(clevel), leaveOpen: true));
                if (z.Length > dst.Length)
                {
                    return 0;
                }

                z.CopyTo(dst);
                return z.Length;
        }
    }

    /// <summary>
    /// c-blosc 1.x's LZ4 acceleration for a compression level: <c>10 - clevel</c> (level 9 → 1, level 5 → 5, level 1 →
    /// 9), so with the same liblz4 our LZ4 frames are byte-identical to c-blosc's. LZ4HC takes the level itself.
    /// </summary>
    internal static int Lz4Acceleration(int clevel) => Math.Max(1, 10 - clevel);

    // pooled: the frame is in a storage buffer (the scope's native memory for large chunks), not a new array.
    private static PooledFrame Memcpyed(ReadOnlySpan<byte> src, byte flags, int typesize, int blocksize, bool pooled)
    {
        int length = src.Length + BloscFormat.HeaderSize;
        var buffer = pooled ? Stores.StorageBuffers.RentBuffer(length) : null;
        var array = pooled ? null : GC.AllocateUninitializedArray<byte>(length);
        var output = buffer is not null ? buffer.Span : array.AsSpan();
        src.CopyTo(output[BloscFormat.HeaderSize..]);
        WriteHeader(output, (byte)(flags | BloscFormat.Memcpyed), typesize, src.Length, blocksize, length);
        return buffer is not null ? new PooledFrame(buffer, length) : new PooledFrame(array!, length);
    }

    private static void WriteHeader(Span<byte> output, byte flags, int typesize, int nbytes, int blocksize, int cbytes)
    {
        output[0] = BloscFormat.Version;
        output[1] = BloscFormat.VersionLz;
        output[2] = flags;
        output[3] = (byte)typesize;
        BinaryPrimitives.WriteInt32LittleEndian(output.Slice(4, 4), nbytes);
        BinaryPrimitives.WriteInt32LittleEndian(output.Slice(8, 4), blocksize);
        BinaryPrimitives.WriteInt32LittleEndian(output.Slice(12, 4), cbytes);
    }
}
