namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// Which implementation of LZ4, Zstandard and bzip2 the codecs use (the <c>numcodecs.lz4</c>, <c>zstd</c> and
/// <c>numcodecs.bz2</c> codecs and the LZ4 / LZ4HC / Zstandard compressors inside Blosc frames). Both produce the same
/// formats: frames written by one decode with the other. Set it through <see cref="CodecBackends.Prefer"/> or the
/// <c>CHUNKCOMPUTE_CODECS</c> environment variable (<see cref="CodecBackends.EnvironmentVariable"/>).
/// </summary>
public enum CodecBackend
{
    /// <summary>
    /// The default: the native library (liblz4.so.1, libzstd.so.1, libbz2.so.1.0) when <c>NativeLibrary.TryLoad</c>
    /// finds it (probed once per process, at first use), otherwise the managed implementation.
    /// </summary>
    Auto = 0,

    /// <summary>Always the managed implementations (K4os.Compression.LZ4, ZstdSharp, SharpZipLib); never loads a native library.</summary>
    Managed = 1,

    /// <summary>
    /// Always the native libraries: a codec whose library is missing throws <see cref="NativeLibraryMissingException"/>
    /// naming the library and the Debian package that provides it.
    /// </summary>
    Native = 2,
}
