namespace ChunkCompute.Storage.Codecs.Native;

/// <summary>Wrappers over <see cref="Lz4Native"/> that turn a missing library into <see cref="NativeLibraryMissingException"/>.</summary>
internal static class Lz4Interop
{
    /// <summary><c>LZ4_compressBound</c>.</summary>
    internal static int CompressBound(string codec, int size)
    {
        try
        {
            return Lz4Native.CompressBound(size);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw NativeLibraryGuard.Missing(Lz4Native.Library, Lz4Native.Package, codec, ex);
        }
    }

    /// <summary><c>LZ4_compress_fast</c>; returns the compressed size, or 0 when it does not fit.</summary>
    internal static int CompressFast(string codec, ReadOnlySpan<byte> src, Span<byte> dst, int acceleration)
    {
        try
        {
            return Lz4Native.CompressFast(ref CodecHelpers.Ref(src), ref CodecHelpers.Ref(dst), src.Length, dst.Length, acceleration);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw NativeLibraryGuard.Missing(Lz4Native.Library, Lz4Native.Package, codec, ex);
        }
    }

    /// <summary><c>LZ4_compress_HC</c>; returns the compressed size, or 0 when it does not fit.</summary>
    internal static int CompressHC(string codec, ReadOnlySpan<byte> src, Span<byte> dst, int level)
    {
        try
        {
            return Lz4Native.CompressHC(ref CodecHelpers.Ref(src), ref CodecHelpers.Ref(dst), src.Length, dst.Length, level);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw NativeLibraryGuard.Missing(Lz4Native.Library, Lz4Native.Package, codec, ex);
        }
    }

    /// <summary><c>LZ4_decompress_safe</c>: the decoded size, or a negative number for malformed input.</summary>
    internal static int DecompressSafe(string codec, ReadOnlySpan<byte> src, Span<byte> dst)
    {
        try
        {
            return Lz4Native.DecompressSafe(ref CodecHelpers.Ref(src), ref CodecHelpers.Ref(dst), src.Length, dst.Length);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw NativeLibraryGuard.Missing(Lz4Native.Library, Lz4Native.Package, codec, ex);
        }
    }
}
