using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using ChunkCompute.Storage.Codecs.Native;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// Writes Blosc1 frames (format version 2) that c-blosc 1.x reads: block size chosen like c-blosc's
/// <c>compute_blocksize</c>, blocks split per byte stream under c-blosc's forward-compatible rule (every codec except
/// zstd, typesize ≤ 16, ≥ 128 elements per block), splits stored raw when compression does not shrink them, and the
/// whole buffer stored uncompressed (MEMCPYED) for clevel 0, inputs under 128 bytes, or incompressible data.
/// </summary>
internal static class BloscEncoder
{
    private const string Codec = "blosc";
    private const int L1 = 32 * 1024;

    /// <summary>Encodes <paramref name="src"/>.</summary>
    internal static byte[] Encode(ReadOnlySpan<byte> src, BloscCompressor compressor, int clevel, BloscShuffle shuffle, int typesize, int forcedBlocksize)
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
            return Memcpyed(src, flags, ts, blocksize);
        }

        switch (compressor)
        {
            case BloscCompressor.Lz4:
            case BloscCompressor.Lz4Hc:
                Lz4Interop.Ensure(Codec);
                break;
            case BloscCompressor.Zstd:
                ZstdInterop.Ensure(Codec);
                break;
            case BloscCompressor.BloscLz:
                throw new UnsupportedCodecException(Codec, "writing cname 'blosclz' is not supported; use lz4, lz4hc, zstd or zlib");
        }

        var nblocks = (int)(((long)nbytes + blocksize - 1) / blocksize);
        var leftover = nbytes % blocksize;
        var maxTotal = (long)nbytes + BloscFormat.HeaderSize;
        var output = GC.AllocateUninitializedArray<byte>((int)maxTotal);
        long pos = BloscFormat.HeaderSize + (4L * nblocks);
        if (pos > maxTotal)
        {
            return Memcpyed(src, flags, ts, blocksize);
        }

        var shuffled = shuffle == BloscShuffle.NoShuffle ? null : ArrayPool<byte>.Shared.Rent(blocksize);
        var compressed = ArrayPool<byte>.Shared.Rent(blocksize + 64);
        try
        {
            for (var b = 0; b < nblocks; b++)
            {
                var isLeftover = b == nblocks - 1 && leftover != 0;
                var bsize = isLeftover ? leftover : blocksize;
                var block = src.Slice(b * blocksize, bsize);
                if (shuffle == BloscShuffle.Shuffle && ts > 1)
                {
                    ByteShuffle.Shuffle(block, shuffled, ts);
                    block = shuffled.AsSpan(0, bsize);
                }
                else if (shuffle == BloscShuffle.BitShuffle && bsize >= ts && (bsize / ts) % 8 == 0)
                {
                    BitShuffle.Shuffle(block, shuffled, ts);
                    block = shuffled.AsSpan(0, bsize);
                }

                BinaryPrimitives.WriteInt32LittleEndian(output.AsSpan(BloscFormat.HeaderSize + (4 * b), 4), (int)pos);
                var nsplits = split && !isLeftover ? ts : 1;
                var neblock = bsize / nsplits;
                for (var s = 0; s < nsplits; s++)
                {
                    var part = block.Slice(s * neblock, neblock);
                    var csize = CompressSplit(compressor, clevel, part, compressed.AsSpan(0, neblock + 64));
                    var raw = csize <= 0 || csize >= neblock;
                    var size = raw ? neblock : csize;
                    if (pos + 4 + size > maxTotal)
                    {
                        return Memcpyed(src, flags, ts, blocksize);
                    }

                    BinaryPrimitives.WriteInt32LittleEndian(output.AsSpan((int)pos, 4), size);
                    pos += 4;
                    (raw ? part : compressed.AsSpan(0, csize)).CopyTo(output.AsSpan((int)pos));
                    pos += size;
                }
            }
        }
        finally
        {
            if (shuffled is not null)
            {
                ArrayPool<byte>.Shared.Return(shuffled);
            }

            ArrayPool<byte>.Shared.Return(compressed);
        }

        WriteHeader(output, flags, ts, nbytes, blocksize, (int)pos);
        return pos == output.Length ? output : output.AsSpan(0, (int)pos).ToArray();
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
                return Lz4Interop.CompressFast(Codec, part, dst, 1);
            case BloscCompressor.Lz4Hc:
                return Lz4Interop.CompressHC(Codec, part, dst, clevel);
            case BloscCompressor.Zstd:
                return ZstdInterop.CompressInto(Codec, part, dst, clevel < 9 ? (2 * clevel) - 1 : 22);
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

    private static byte[] Memcpyed(ReadOnlySpan<byte> src, byte flags, int typesize, int blocksize)
    {
        var output = GC.AllocateUninitializedArray<byte>(src.Length + BloscFormat.HeaderSize);
        src.CopyTo(output.AsSpan(BloscFormat.HeaderSize));
        WriteHeader(output, (byte)(flags | BloscFormat.Memcpyed), typesize, src.Length, blocksize, output.Length);
        return output;
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
