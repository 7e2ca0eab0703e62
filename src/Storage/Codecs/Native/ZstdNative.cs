using System.Runtime.InteropServices;

namespace ChunkCompute.Storage.Codecs.Native;

/// <summary>
/// P/Invoke into libzstd.so.1. Plain <c>DllImport</c> with blittable signatures (<c>ref byte</c> pins the buffer for
/// the call): the Storage project does not enable unsafe code, which <c>LibraryImport</c> requires.
/// </summary>
internal static class ZstdNative
{
    /// <summary>The shared library's file name.</summary>
    internal const string Library = "libzstd.so.1";

    /// <summary>The Debian package that provides it.</summary>
    internal const string Package = "libzstd1";

    /// <summary><c>ZSTD_CONTENTSIZE_UNKNOWN</c>.</summary>
    internal const ulong ContentSizeUnknown = ulong.MaxValue;

    /// <summary><c>ZSTD_CONTENTSIZE_ERROR</c>.</summary>
    internal const ulong ContentSizeError = ulong.MaxValue - 1;

    /// <summary><c>ZSTD_c_compressionLevel</c>.</summary>
    internal const int CompressionLevelParameter = 100;

    /// <summary><c>ZSTD_c_contentSizeFlag</c>.</summary>
    internal const int ContentSizeFlagParameter = 200;

    /// <summary><c>ZSTD_c_checksumFlag</c>.</summary>
    internal const int ChecksumFlagParameter = 201;

    /// <summary><c>ZSTD_reset_session_only</c>.</summary>
    internal const int ResetSessionOnly = 1;

    /// <summary><c>ZSTD_error_dstSize_tooSmall</c>.</summary>
    internal const int ErrorDstSizeTooSmall = 70;

    /// <summary>One side of a streaming call (<c>ZSTD_inBuffer</c> / <c>ZSTD_outBuffer</c>).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Buffer
    {
        /// <summary>Start of the (pinned) memory.</summary>
        public IntPtr Data;

        /// <summary>Its size in bytes.</summary>
        public nuint Size;

        /// <summary>How far the library has read or written.</summary>
        public nuint Position;
    }

    [DllImport(Library, EntryPoint = "ZSTD_compressBound")]
    internal static extern nuint CompressBound(nuint srcSize);

    [DllImport(Library, EntryPoint = "ZSTD_compress")]
    internal static extern nuint Compress(ref byte dst, nuint dstCapacity, ref byte src, nuint srcSize, int level);

    [DllImport(Library, EntryPoint = "ZSTD_isError")]
    internal static extern uint IsError(nuint code);

    [DllImport(Library, EntryPoint = "ZSTD_getErrorCode")]
    internal static extern int GetErrorCode(nuint code);

    [DllImport(Library, EntryPoint = "ZSTD_getErrorName")]
    internal static extern IntPtr GetErrorName(nuint code);

    [DllImport(Library, EntryPoint = "ZSTD_getFrameContentSize")]
    internal static extern ulong GetFrameContentSize(ref byte src, nuint srcSize);

    [DllImport(Library, EntryPoint = "ZSTD_createCCtx")]
    internal static extern IntPtr CreateCCtx();

    [DllImport(Library, EntryPoint = "ZSTD_freeCCtx")]
    internal static extern nuint FreeCCtx(IntPtr cctx);

    [DllImport(Library, EntryPoint = "ZSTD_CCtx_setParameter")]
    internal static extern nuint CCtxSetParameter(IntPtr cctx, int parameter, int value);

    [DllImport(Library, EntryPoint = "ZSTD_CCtx_reset")]
    internal static extern nuint CCtxReset(IntPtr cctx, int reset);

    [DllImport(Library, EntryPoint = "ZSTD_compress2")]
    internal static extern nuint Compress2(IntPtr cctx, ref byte dst, nuint dstCapacity, ref byte src, nuint srcSize);

    [DllImport(Library, EntryPoint = "ZSTD_createDCtx")]
    internal static extern IntPtr CreateDCtx();

    [DllImport(Library, EntryPoint = "ZSTD_freeDCtx")]
    internal static extern nuint FreeDCtx(IntPtr dctx);

    [DllImport(Library, EntryPoint = "ZSTD_decompressDCtx")]
    internal static extern nuint DecompressDCtx(IntPtr dctx, ref byte dst, nuint dstCapacity, ref byte src, nuint srcSize);

    [DllImport(Library, EntryPoint = "ZSTD_DCtx_reset")]
    internal static extern nuint DCtxReset(IntPtr dctx, int reset);

    [DllImport(Library, EntryPoint = "ZSTD_decompressStream")]
    internal static extern nuint DecompressStream(IntPtr dctx, ref Buffer output, ref Buffer input);

    [DllImport(Library, EntryPoint = "ZSTD_DStreamOutSize")]
    internal static extern nuint DStreamOutSize();

    /// <summary>The library's message for an error code.</summary>
    internal static string ErrorName(nuint code) => Marshal.PtrToStringAnsi(GetErrorName(code)) ?? "unknown error";
}
