using System.Runtime.InteropServices;

namespace ChunkCompute.Storage.Codecs.Native;

/// <summary>P/Invoke into libbz2.so.1.0 (one-shot buffer API).</summary>
internal static class Bz2Native
{
    /// <summary>The shared library's file name.</summary>
    internal const string Library = "libbz2.so.1.0";

    /// <summary>The Debian package that provides it.</summary>
    internal const string Package = "libbz2-1.0";

    /// <summary><c>BZ_OK</c>.</summary>
    internal const int Ok = 0;

    /// <summary><c>BZ_OUTBUFF_FULL</c>.</summary>
    internal const int OutBuffFull = -8;

    /// <summary><c>BZ_UNEXPECTED_EOF</c>.</summary>
    internal const int UnexpectedEof = -7;

    /// <summary><c>BZ_MEM_ERROR</c>.</summary>
    internal const int MemError = -3;

    [DllImport(Library, EntryPoint = "BZ2_bzBuffToBuffCompress")]
    internal static extern int Compress(ref byte dest, ref uint destLen, ref byte source, uint sourceLen, int blockSize100k, int verbosity, int workFactor);

    [DllImport(Library, EntryPoint = "BZ2_bzBuffToBuffDecompress")]
    internal static extern int Decompress(ref byte dest, ref uint destLen, ref byte source, uint sourceLen, int small, int verbosity);
}
