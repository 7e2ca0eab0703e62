using ChunkCompute.Storage.Codecs.Native;
using K4os.Compression.LZ4;

namespace ChunkCompute.Storage.Codecs.Backends;

/// <summary>
/// Raw LZ4 blocks (no frame) through liblz4 or K4os.Compression.LZ4, as <see cref="CodecBackends"/> chooses. Both
/// write standard LZ4 blocks: either decodes the other's.
/// </summary>
internal static class Lz4Block
{
    /// <summary>LZ4's worst-case compressed size for <paramref name="size"/> input bytes (<c>LZ4_COMPRESSBOUND</c>).</summary>
    internal static int CompressBound(int size) => size + (size / 255) + 16;

    /// <summary>
    /// Compresses with the fast compressor; returns the size, or 0 when it does not fit. The managed compressor has no
    /// acceleration factor (it behaves as acceleration 1): the block format is the same.
    /// </summary>
    internal static int Compress(string codec, ReadOnlySpan<byte> src, Span<byte> dst, int acceleration)
    {
        if (CodecBackends.UseNative(NativeCodecLibrary.Lz4, codec))
        {
            return Lz4Interop.CompressFast(codec, src, dst, acceleration);
        }

        return src.IsEmpty ? EmptyBlock(dst) : Math.Max(0, LZ4Codec.Encode(src, dst, LZ4Level.L00_FAST));
    }

    /// <summary>Compresses with the high-compression compressor at <paramref name="level"/>; 0 when it does not fit.</summary>
    internal static int CompressHC(string codec, ReadOnlySpan<byte> src, Span<byte> dst, int level)
    {
        if (CodecBackends.UseNative(NativeCodecLibrary.Lz4, codec))
        {
            return Lz4Interop.CompressHC(codec, src, dst, level);
        }

        // K4os's HC levels run 3..12 (liblz4 treats 1..2 as a lighter HC mode; the block format is the same).
        return src.IsEmpty ? EmptyBlock(dst) : Math.Max(0, LZ4Codec.Encode(src, dst, (LZ4Level)Math.Clamp(level, (int)LZ4Level.L03_HC, (int)LZ4Level.L12_MAX)));
    }

    /// <summary>Decodes one block into <paramref name="dst"/>: the decoded size, or a negative number for malformed input.</summary>
    internal static int Decompress(string codec, ReadOnlySpan<byte> src, Span<byte> dst)
    {
        if (CodecBackends.UseNative(NativeCodecLibrary.Lz4, codec))
        {
            return Lz4Interop.DecompressSafe(codec, src, dst);
        }

        if (dst.IsEmpty)
        {
            return src.Length == 1 && src[0] == 0 ? 0 : -1; // the one-token empty block (K4os rejects an empty target)
        }

        return LZ4Codec.Decode(src, dst);
    }

    // liblz4 encodes empty input as one token byte (no literals, no match); K4os returns 0 for it.
    private static int EmptyBlock(Span<byte> dst)
    {
        if (dst.IsEmpty)
        {
            return 0;
        }

        dst[0] = 0;
        return 1;
    }
}
