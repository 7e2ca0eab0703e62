namespace ChunkCompute.Storage.Codecs;

/// <summary>Constants of the Blosc1 frame (c-blosc <c>blosc.h</c>, <c>README_HEADER.rst</c>).</summary>
internal static class BloscFormat
{
    /// <summary>Header size in bytes.</summary>
    internal const int HeaderSize = 16;

    /// <summary>The format version c-blosc 1.x writes.</summary>
    internal const byte Version = 2;

    /// <summary>The codec format version c-blosc writes for every compressor.</summary>
    internal const byte VersionLz = 1;

    /// <summary>Flag: byte shuffle.</summary>
    internal const byte DoShuffle = 0x01;

    /// <summary>Flag: stored uncompressed after the header.</summary>
    internal const byte Memcpyed = 0x02;

    /// <summary>Flag: bit shuffle.</summary>
    internal const byte DoBitShuffle = 0x04;

    /// <summary>Flag: blocks are not split into per-byte streams.</summary>
    internal const byte DontSplit = 0x10;

    /// <summary>Buffers below this size are stored uncompressed, and splits need this many elements.</summary>
    internal const int MinBufferSize = 128;

    /// <summary>Largest typesize for which blocks are split.</summary>
    internal const int MaxSplits = 16;

    /// <summary>Largest input c-blosc accepts (<c>BLOSC_MAX_BUFFERSIZE</c>).</summary>
    internal const int MaxBufferSize = int.MaxValue - HeaderSize;

    /// <summary>Compressor format codes (flags bits 5-7).</summary>
    internal const int FormatBloscLz = 0;

    /// <summary>LZ4 and LZ4HC.</summary>
    internal const int FormatLz4 = 1;

    /// <summary>Snappy (not supported).</summary>
    internal const int FormatSnappy = 2;

    /// <summary>zlib.</summary>
    internal const int FormatZlib = 3;

    /// <summary>zstd.</summary>
    internal const int FormatZstd = 4;

    /// <summary>The format code stored in the flags for <paramref name="compressor"/>.</summary>
    internal static int FormatOf(BloscCompressor compressor) => compressor switch
    {
        BloscCompressor.BloscLz => FormatBloscLz,
        BloscCompressor.Lz4 or BloscCompressor.Lz4Hc => FormatLz4,
        BloscCompressor.Zlib => FormatZlib,
        BloscCompressor.Zstd => FormatZstd,
        _ => throw new ArgumentOutOfRangeException(nameof(compressor)),
    };
}
