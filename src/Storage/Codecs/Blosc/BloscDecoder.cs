using System.Buffers.Binary;
using System.IO.Compression;
using ChunkCompute.Storage.Codecs.Native;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// Decodes Blosc1 frames (format versions 1-2, 16-byte header) in managed code over liblz4 / libzstd / zlib and a
/// managed BloscLZ decoder. Every header field and offset is validated before use. Blocks that need no unshuffle are
/// decompressed straight into the destination; others go through a per-thread scratch buffer.
/// </summary>
internal static class BloscDecoder
{
    private const string Codec = "blosc";

    [ThreadStatic]
    private static byte[]? t_scratch;

    /// <summary>The <c>nbytes</c> of the header, or -1 when the buffer is not a readable Blosc1 frame.</summary>
    internal static int GetDecodedLength(ReadOnlySpan<byte> src)
    {
        if (src.Length < BloscFormat.HeaderSize || src[0] is 0 or > BloscFormat.Version)
        {
            return -1;
        }

        var nbytes = BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(4, 4));
        return nbytes > BloscFormat.MaxBufferSize ? -1 : (int)nbytes;
    }

    /// <summary>Validates the header and returns <c>nbytes</c>.</summary>
    internal static int ReadDecodedLength(ReadOnlySpan<byte> src)
    {
        if (src.Length < BloscFormat.HeaderSize)
        {
            throw CodecHelpers.Truncated(Codec, $"{src.Length} bytes is shorter than the 16-byte Blosc header");
        }

        var version = src[0];
        var flags = src[2];
        if (version > BloscFormat.Version)
        {
            throw new CodecException(Codec, $"unsupported Blosc format version {version}: only Blosc1 frames (versions 1-2) are supported, not Blosc2 chunks");
        }

        if (version == 0)
        {
            throw new CodecException(Codec, "corrupt header: format version 0");
        }

        if ((flags & (BloscFormat.DoShuffle | BloscFormat.DoBitShuffle)) == (BloscFormat.DoShuffle | BloscFormat.DoBitShuffle))
        {
            throw new CodecException(Codec, "unsupported Blosc2 extended header (flags 0x01 and 0x04 both set): only Blosc1 frames are supported");
        }

        var nbytes = BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(4, 4));
        var cbytes = BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(12, 4));
        if (nbytes > BloscFormat.MaxBufferSize)
        {
            throw new CodecException(Codec, $"corrupt header: nbytes {nbytes} exceeds the Blosc limit");
        }

        if (cbytes < BloscFormat.HeaderSize)
        {
            throw new CodecException(Codec, $"corrupt header: cbytes {cbytes} is smaller than the header");
        }

        if (cbytes > (uint)src.Length)
        {
            throw CodecHelpers.Truncated(Codec, $"header says {cbytes} bytes, buffer has {src.Length}");
        }

        if ((flags & BloscFormat.Memcpyed) != 0 && cbytes - BloscFormat.HeaderSize < nbytes)
        {
            throw CodecHelpers.Truncated(Codec, $"uncompressed frame holds {cbytes - BloscFormat.HeaderSize} of {nbytes} bytes");
        }

        var blocksize = BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(8, 4));
        if ((flags & BloscFormat.Memcpyed) == 0 && nbytes > 0
            && (blocksize == 0 || BloscFormat.HeaderSize + (4 * (((long)nbytes + blocksize - 1) / blocksize)) > cbytes))
        {
            throw new CodecException(Codec, $"corrupt header: nbytes {nbytes} and blocksize {blocksize} do not fit a {cbytes}-byte frame");
        }

        return (int)nbytes;
    }

    /// <summary>Decodes a frame into <paramref name="dest"/>, whose length must equal the header's <c>nbytes</c>.</summary>
    internal static void Decode(ReadOnlySpan<byte> src, Span<byte> dest)
    {
        var nbytes = ReadDecodedLength(src);
        if (nbytes != dest.Length)
        {
            throw CodecHelpers.SizeMismatch(Codec, dest.Length, nbytes);
        }

        var flags = src[2];
        int typesize = src[3];
        var blocksize = BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(8, 4));
        var cbytes = (int)BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(12, 4));
        src = src[..cbytes];

        if ((flags & BloscFormat.Memcpyed) != 0)
        {
            if (cbytes - BloscFormat.HeaderSize < nbytes)
            {
                throw CodecHelpers.Truncated(Codec, $"uncompressed frame holds {cbytes - BloscFormat.HeaderSize} of {nbytes} bytes");
            }

            src.Slice(BloscFormat.HeaderSize, nbytes).CopyTo(dest);
            return;
        }

        if (nbytes == 0)
        {
            return;
        }

        if (blocksize == 0 || blocksize > BloscFormat.MaxBufferSize)
        {
            throw new CodecException(Codec, $"corrupt header: blocksize {blocksize}");
        }

        if (typesize == 0)
        {
            throw new CodecException(Codec, "corrupt header: typesize 0");
        }

        var format = flags >> 5;
        switch (format)
        {
            case BloscFormat.FormatBloscLz:
            case BloscFormat.FormatZlib:
                break;
            case BloscFormat.FormatLz4:
                Lz4Interop.Ensure(Codec);
                break;
            case BloscFormat.FormatZstd:
                ZstdInterop.Ensure(Codec);
                break;
            case BloscFormat.FormatSnappy:
                throw new UnsupportedCodecException(Codec, "the chunk is compressed with snappy, which ChunkCompute does not support");
            default:
                throw new CodecException(Codec, $"corrupt header: unknown compressor format {format}");
        }

        var bs = (int)Math.Min(blocksize, (uint)nbytes);
        var nblocks = (int)(((long)nbytes + blocksize - 1) / blocksize);
        var leftover = (int)(nbytes % blocksize);
        var tableEnd = BloscFormat.HeaderSize + (4L * nblocks);
        if (tableEnd > cbytes)
        {
            throw CodecHelpers.Truncated(Codec, $"block table of {nblocks} entries does not fit in {cbytes} bytes");
        }

        var dontSplit = (flags & BloscFormat.DontSplit) != 0;
        var byteShuffle = (flags & BloscFormat.DoShuffle) != 0 && typesize > 1;
        var bitShuffle = (flags & BloscFormat.DoBitShuffle) != 0;
        Span<byte> scratch = default;
        if (byteShuffle || bitShuffle)
        {
            var scratchArray = t_scratch;
            if (scratchArray is null || scratchArray.Length < bs)
            {
                scratchArray = t_scratch = GC.AllocateUninitializedArray<byte>(Math.Max(bs, 64 * 1024));
            }

            scratch = scratchArray;
        }

        for (var b = 0; b < nblocks; b++)
        {
            var isLeftover = b == nblocks - 1 && leftover != 0;
            var bsize = isLeftover ? leftover : (int)blocksize;
            var outBlock = dest.Slice((int)((long)b * blocksize), bsize);
            var unshuffle = byteShuffle || (bitShuffle && bsize >= typesize);
            var target = unshuffle ? scratch[..bsize] : outBlock;

            var pos = BinaryPrimitives.ReadInt32LittleEndian(src.Slice(BloscFormat.HeaderSize + (4 * b), 4));
            if (pos < tableEnd || pos > cbytes)
            {
                throw new CodecException(Codec, $"corrupt block table: block {b} starts at {pos}, outside {tableEnd}..{cbytes}");
            }

            var nsplits = !dontSplit && typesize <= BloscFormat.MaxSplits && bsize / typesize >= BloscFormat.MinBufferSize && !isLeftover
                ? typesize
                : 1;
            if (bsize % nsplits != 0)
            {
                throw new CodecException(Codec, $"corrupt header: blocksize {bsize} is not a multiple of typesize {typesize}");
            }

            var neblock = bsize / nsplits;
            for (var s = 0; s < nsplits; s++)
            {
                if (pos > cbytes - 4)
                {
                    throw CodecHelpers.Truncated(Codec, $"block {b} split {s} header lies past the end of the frame");
                }

                var csize = BinaryPrimitives.ReadInt32LittleEndian(src.Slice(pos, 4));
                pos += 4;
                if (csize < 0 || csize > cbytes - pos)
                {
                    throw CodecHelpers.Truncated(Codec, $"block {b} split {s} claims {csize} bytes at offset {pos} of a {cbytes}-byte frame");
                }

                var part = src.Slice(pos, csize);
                var output = target.Slice(s * neblock, neblock);
                if (csize == neblock)
                {
                    part.CopyTo(output);
                }
                else if (!DecompressSplit(format, part, output))
                {
                    throw new CodecException(Codec, $"corrupt input: block {b} split {s} does not decompress to {neblock} bytes");
                }

                pos += csize;
            }

            if (!unshuffle)
            {
                continue;
            }

            if (byteShuffle)
            {
                ByteShuffle.Unshuffle(target, outBlock, typesize);
            }
            else if ((bsize / typesize) % 8 == 0)
            {
                BitShuffle.Unshuffle(target, outBlock, typesize);
            }
            else
            {
                target.CopyTo(outBlock);
            }
        }
    }

    private static bool DecompressSplit(int format, ReadOnlySpan<byte> part, Span<byte> output)
    {
        switch (format)
        {
            case BloscFormat.FormatLz4:
                return Lz4Interop.DecompressSafe(Codec, part, output) == output.Length;
            case BloscFormat.FormatZstd:
                return ZstdInterop.TryDecompressBlock(part, output);
            case BloscFormat.FormatBloscLz:
                return BloscLzDecoder.Decompress(part, output) == output.Length;
            default:
                try
                {
                    StreamDecoding.DecodeInto(Codec, part, s => new ZLibStream(s, CompressionMode.Decompress), output);
                    return true;
                }
                catch (CodecException)
                {
                    return false;
                }
        }
    }
}
