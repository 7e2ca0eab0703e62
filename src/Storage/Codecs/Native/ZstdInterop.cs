using System.Runtime.InteropServices;

namespace ChunkCompute.Storage.Codecs.Native;

/// <summary>Safe wrappers over <see cref="ZstdNative"/>: error checking, a per-thread decompression context, streaming.</summary>
internal static class ZstdInterop
{
    [ThreadStatic]
    private static DCtxHolder? t_dctx;

    [ThreadStatic]
    private static CCtxHolder? t_cctx;

    /// <summary>The frame content size, or -1 when unknown; throws on a header that is not a zstd frame.</summary>
    internal static long FrameContentSize(string codec, ReadOnlySpan<byte> encoded)
    {
        ulong size;
        try
        {
            size = ZstdNative.GetFrameContentSize(ref CodecHelpers.Ref(encoded), (nuint)encoded.Length);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw NativeLibraryGuard.Missing(ZstdNative.Library, ZstdNative.Package, codec, ex);
        }

        return size switch
        {
            ZstdNative.ContentSizeUnknown => -1,
            ZstdNative.ContentSizeError => -1,
            > long.MaxValue => -1,
            _ => (long)size,
        };
    }

    /// <summary>Compresses <paramref name="src"/> into one frame that records its content size.</summary>
    internal static byte[] Compress(string codec, ReadOnlySpan<byte> src, int level, bool checksum)
    {
        try
        {
            var bound = ZstdNative.CompressBound((nuint)src.Length);
            var dst = GC.AllocateUninitializedArray<byte>(checked((int)bound));
            var written = CompressWithParameters(codec, src, dst, level, checksum);
            Check(codec, written);
            return dst.AsSpan(0, (int)written).ToArray();
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw NativeLibraryGuard.Missing(ZstdNative.Library, ZstdNative.Package, codec, ex);
        }
    }

    /// <summary>Compresses <paramref name="src"/> into <paramref name="dst"/>; returns the size, or 0 when it does not fit.</summary>
    internal static int CompressInto(string codec, ReadOnlySpan<byte> src, Span<byte> dst, int level)
    {
        try
        {
            var written = CompressWithParameters(codec, src, dst, level, checksum: false);
            if (ZstdNative.IsError(written) != 0)
            {
                if (ZstdNative.GetErrorCode(written) == ZstdNative.ErrorDstSizeTooSmall)
                {
                    return 0;
                }

                throw new CodecException(codec, $"zstd error: {ZstdNative.ErrorName(written)}");
            }

            return (int)written;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw NativeLibraryGuard.Missing(ZstdNative.Library, ZstdNative.Package, codec, ex);
        }
    }

    /// <summary>Decompresses into exactly <paramref name="destination"/>; fails on any other decoded size.</summary>
    internal static void DecompressExact(string codec, ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        try
        {
            var declared = ZstdNative.GetFrameContentSize(ref CodecHelpers.Ref(encoded), (nuint)encoded.Length);
            if (declared == ZstdNative.ContentSizeError)
            {
                throw new CodecException(codec, "corrupt input: not a zstd frame (bad magic or header)");
            }

            if (declared != ZstdNative.ContentSizeUnknown && declared != (ulong)destination.Length && encoded.Length > 0)
            {
                throw CodecHelpers.SizeMismatch(codec, destination.Length, (long)Math.Min(declared, long.MaxValue));
            }

            var dctx = DCtx();
            var n = ZstdNative.DecompressDCtx(dctx, ref CodecHelpers.Ref(destination), (nuint)destination.Length, ref CodecHelpers.Ref(encoded), (nuint)encoded.Length);
            if (ZstdNative.IsError(n) != 0)
            {
                if (ZstdNative.GetErrorCode(n) == ZstdNative.ErrorDstSizeTooSmall)
                {
                    throw new CodecException(codec, $"decoded size mismatch: the frame holds more than the expected {destination.Length} bytes");
                }

                throw new CodecException(codec, $"corrupt input: {ZstdNative.ErrorName(n)}");
            }

            if (n != (nuint)destination.Length)
            {
                throw CodecHelpers.SizeMismatch(codec, destination.Length, (long)n);
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw NativeLibraryGuard.Missing(ZstdNative.Library, ZstdNative.Package, codec, ex);
        }
    }

    /// <summary>Decompresses a frame (or several) of unknown size with <c>ZSTD_decompressStream</c>.</summary>
    internal static byte[] DecompressStreaming(string codec, ReadOnlySpan<byte> encoded, int maxDecodedLength)
    {
        if (encoded.IsEmpty)
        {
            throw CodecHelpers.Truncated(codec, "empty input");
        }

        try
        {
            var outSize = (int)Math.Min((ulong)ZstdNative.DStreamOutSize(), 1UL << 20);
            var input = GC.AllocateUninitializedArray<byte>(encoded.Length, pinned: true);
            encoded.CopyTo(input);
            var chunk = GC.AllocateUninitializedArray<byte>(outSize, pinned: true);
            var output = new CappedOutput(codec, Math.Min(encoded.Length * 4L, 1L << 20), maxDecodedLength);
            var dctx = DCtx();
            Check(codec, ZstdNative.DCtxReset(dctx, ZstdNative.ResetSessionOnly));
            try
            {
                var inBuf = new ZstdNative.Buffer { Data = Marshal.UnsafeAddrOfPinnedArrayElement(input, 0), Size = (nuint)input.Length };
                while (true)
                {
                    var outBuf = new ZstdNative.Buffer { Data = Marshal.UnsafeAddrOfPinnedArrayElement(chunk, 0), Size = (nuint)chunk.Length };
                    var ret = ZstdNative.DecompressStream(dctx, ref outBuf, ref inBuf);
                    if (ZstdNative.IsError(ret) != 0)
                    {
                        throw new CodecException(codec, $"corrupt input: {ZstdNative.ErrorName(ret)}");
                    }

                    output.Write(chunk.AsSpan(0, (int)outBuf.Position));
                    if (inBuf.Position == inBuf.Size)
                    {
                        if (ret == 0)
                        {
                            break;
                        }

                        if (outBuf.Position < outBuf.Size)
                        {
                            throw CodecHelpers.Truncated(codec, "the zstd frame ends early");
                        }
                    }
                }
            }
            finally
            {
                GC.KeepAlive(input);
                GC.KeepAlive(chunk);
            }

            return output.ToArray();
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw NativeLibraryGuard.Missing(ZstdNative.Library, ZstdNative.Package, codec, ex);
        }
    }

    /// <summary>Decompresses one Blosc split into exactly <paramref name="destination"/>; false when it does not fit exactly.</summary>
    internal static bool TryDecompressBlock(ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        var n = ZstdNative.DecompressDCtx(DCtx(), ref CodecHelpers.Ref(destination), (nuint)destination.Length, ref CodecHelpers.Ref(encoded), (nuint)encoded.Length);
        return ZstdNative.IsError(n) == 0 && n == (nuint)destination.Length;
    }

    // One context per thread, its parameters set on every call (cheap) since the codecs differ in level and checksum;
    // ZSTD_compress2 starts a new frame (resets the session) each time.
    private static nuint CompressWithParameters(string codec, ReadOnlySpan<byte> src, Span<byte> dst, int level, bool checksum)
    {
        var cctx = (t_cctx ??= new CCtxHolder()).Handle;

        // A call that ran out of room (a Blosc split that does not compress) leaves the context mid-frame, where
        // parameters cannot be set: start a fresh session first.
        Check(codec, ZstdNative.CCtxReset(cctx, ZstdNative.ResetSessionOnly));
        Check(codec, ZstdNative.CCtxSetParameter(cctx, ZstdNative.CompressionLevelParameter, level));
        Check(codec, ZstdNative.CCtxSetParameter(cctx, ZstdNative.ChecksumFlagParameter, checksum ? 1 : 0));
        Check(codec, ZstdNative.CCtxSetParameter(cctx, ZstdNative.ContentSizeFlagParameter, 1));
        return ZstdNative.Compress2(cctx, ref CodecHelpers.Ref(dst), (nuint)dst.Length, ref CodecHelpers.Ref(src), (nuint)src.Length);
    }

    private static IntPtr DCtx()
    {
        var holder = t_dctx ??= new DCtxHolder();
        return holder.Handle;
    }

    private static void Check(string codec, nuint code)
    {
        if (ZstdNative.IsError(code) != 0)
        {
            throw new CodecException(codec, $"zstd error: {ZstdNative.ErrorName(code)}");
        }
    }
}
