using System.Runtime.InteropServices;

namespace ChunkCompute.Storage.Codecs.Native;

/// <summary>P/Invoke into liblz4.so.1 (raw LZ4 block API; only the bounds-safe decoder is bound).</summary>
internal static class Lz4Native
{
    /// <summary>The shared library's file name.</summary>
    internal const string Library = "liblz4.so.1";

    /// <summary>The Debian package that provides it.</summary>
    internal const string Package = "liblz4-1";

    /// <summary><c>LZ4_MAX_INPUT_SIZE</c>.</summary>
    internal const int MaxInputSize = 0x7E000000;

    [DllImport(Library, EntryPoint = "LZ4_compressBound")]
    internal static extern int CompressBound(int inputSize);

    [DllImport(Library, EntryPoint = "LZ4_compress_fast")]
    internal static extern int CompressFast(ref byte src, ref byte dst, int srcSize, int dstCapacity, int acceleration);

    [DllImport(Library, EntryPoint = "LZ4_compress_HC")]
    internal static extern int CompressHC(ref byte src, ref byte dst, int srcSize, int dstCapacity, int compressionLevel);

    [DllImport(Library, EntryPoint = "LZ4_decompress_safe")]
    internal static extern int DecompressSafe(ref byte src, ref byte dst, int compressedSize, int dstCapacity);
}
