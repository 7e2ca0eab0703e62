using ChunkCompute.Storage.Codecs.Native;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace ChunkCompute.Storage.Codecs.Backends;

/// <summary>
/// Zstandard frames through libzstd or ZstdSharp, as <see cref="CodecBackends"/> chooses. Both keep one compression
/// and one decompression context per thread (creating a context per call costs more than compressing a small chunk).
/// </summary>
internal static class ZstdBlock
{
    [ThreadStatic]
    private static Compressor? t_compressor;

    [ThreadStatic]
    private static Decompressor? t_decompressor;

    /// <summary>The frame content size, or -1 when unknown or when the input is not a zstd frame.</summary>
    internal static long FrameContentSize(string codec, ReadOnlySpan<byte> encoded)
    {
        if (CodecBackends.UseNative(NativeCodecLibrary.Zstd, codec))
        {
            return ZstdInterop.FrameContentSize(codec, encoded);
        }

        return Math.Max(-1, ZstdFrameHeader.ContentSize(encoded));
    }

    /// <summary>Compresses <paramref name="src"/> into one frame that records its content size.</summary>
    internal static byte[] Compress(string codec, ReadOnlySpan<byte> src, int level, bool checksum)
    {
        if (CodecBackends.UseNative(NativeCodecLibrary.Zstd, codec))
        {
            return ZstdInterop.Compress(codec, src, level, checksum);
        }

        var compressor = Compressor(level, checksum);
        var dst = GC.AllocateUninitializedArray<byte>(checked((int)Math.Min(int.MaxValue, (long)ZstdSharp.Compressor.GetCompressBoundLong((ulong)src.Length))));
        try
        {
            var n = compressor.Wrap(src, dst);
            return dst.AsSpan(0, n).ToArray();
        }
        catch (ZstdException ex)
        {
            throw new CodecException(codec, $"zstd error: {ex.Message}", ex);
        }
    }

    /// <summary>Compresses <paramref name="src"/> into <paramref name="dst"/> (no checksum); the size, or 0 when it does not fit.</summary>
    internal static int CompressInto(string codec, ReadOnlySpan<byte> src, Span<byte> dst, int level)
    {
        if (CodecBackends.UseNative(NativeCodecLibrary.Zstd, codec))
        {
            return ZstdInterop.CompressInto(codec, src, dst, level);
        }

        try
        {
            return Compressor(level, checksum: false).TryWrap(src, dst, out var written) ? written : 0;
        }
        catch (ZstdException ex)
        {
            throw new CodecException(codec, $"zstd error: {ex.Message}", ex);
        }
    }

    /// <summary>Decompresses into exactly <paramref name="destination"/>; fails on any other decoded size.</summary>
    internal static void DecompressExact(string codec, ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        if (CodecBackends.UseNative(NativeCodecLibrary.Zstd, codec))
        {
            ZstdInterop.DecompressExact(codec, encoded, destination);
            return;
        }

        var declared = ZstdFrameHeader.ContentSize(encoded);
        if (declared == -2)
        {
            throw new CodecException(codec, "corrupt input: not a zstd frame (bad magic or header)");
        }

        if (declared >= 0 && declared != destination.Length && encoded.Length > 0)
        {
            throw CodecHelpers.SizeMismatch(codec, destination.Length, declared);
        }

        int n;
        try
        {
            n = Decompressor().Unwrap(encoded, destination);
        }
        catch (ZstdException ex) when (ex.Code == ZSTD_ErrorCode.ZSTD_error_dstSize_tooSmall)
        {
            throw new CodecException(codec, $"decoded size mismatch: the frame holds more than the expected {destination.Length} bytes", ex);
        }
        catch (ZstdException ex)
        {
            throw new CodecException(codec, $"corrupt input: {ex.Message}", ex);
        }

        if (n != destination.Length)
        {
            throw CodecHelpers.SizeMismatch(codec, destination.Length, n);
        }
    }

    /// <summary>Decompresses a frame (or several) of unknown size, never past <paramref name="maxDecodedLength"/>.</summary>
    internal static byte[] DecompressStreaming(string codec, ReadOnlySpan<byte> encoded, int maxDecodedLength)
    {
        if (CodecBackends.UseNative(NativeCodecLibrary.Zstd, codec))
        {
            return ZstdInterop.DecompressStreaming(codec, encoded, maxDecodedLength);
        }

        if (encoded.IsEmpty)
        {
            throw CodecHelpers.Truncated(codec, "empty input");
        }

        try
        {
            return StreamDecoding.DecodeAll(codec, encoded, s => new DecompressionStream(s), maxDecodedLength);
        }
        catch (ZstdException ex)
        {
            throw new CodecException(codec, $"corrupt input: {ex.Message}", ex);
        }
    }

    /// <summary>Decompresses one Blosc split into exactly <paramref name="destination"/>; false when it does not fit exactly.</summary>
    internal static bool TryDecompressBlock(string codec, ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        if (CodecBackends.UseNative(NativeCodecLibrary.Zstd, codec))
        {
            return ZstdInterop.TryDecompressBlock(encoded, destination);
        }

        try
        {
            return Decompressor().TryUnwrap(encoded, destination, out var n) && n == destination.Length;
        }
        catch (ZstdException)
        {
            return false;
        }
    }

    private static Compressor Compressor(int level, bool checksum)
    {
        var compressor = t_compressor ??= new Compressor(level);

        // A call that ran out of room leaves the context mid-frame, where parameters cannot be set: reset the session.
        compressor.ResetStream();
        compressor.Level = level;
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, checksum ? 1 : 0);
        return compressor;
    }

    private static Decompressor Decompressor() => t_decompressor ??= new Decompressor();
}
