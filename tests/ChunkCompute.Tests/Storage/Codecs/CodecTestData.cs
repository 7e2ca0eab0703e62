using ChunkCompute.Storage.Codecs;

namespace ChunkCompute.Tests.Storage.Codecs;

/// <summary>Shared inputs, codec lists and fixture paths for the codec tests.</summary>
internal static class CodecTestData
{
    public static readonly int[] Sizes = [0, 1, 7, 127, 128, 1000, 65537, (1 << 20) + 13];

    public static string Fixture(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    /// <summary>Compressible, typed-looking data: a slowly varying little-endian counter with some noise.</summary>
    public static byte[] Data(int size, int seed = 1)
    {
        var rng = new Random(seed);
        var data = new byte[size];
        for (var i = 0; i < size; i++)
        {
            data[i] = (i % 8) switch
            {
                0 => (byte)(i / 8),
                1 => (byte)(i / 2048),
                7 => (byte)rng.Next(4),
                _ => 0,
            };
        }

        return data;
    }

    public static IEnumerable<(string Label, IBytesToBytesCodec Codec)> AllCodecs(int typeSize)
    {
        yield return ("gzip", new GzipCodec(5));
        yield return ("zlib", new ZlibCodec(1));
        yield return ("zstd", new ZstdCodec(3));
        yield return ("zstd-checksum", new ZstdCodec(0, checksum: true));
        yield return ("lz4", new Lz4Codec(1));
        yield return ("bz2", new Bz2Codec(9));
        yield return ("crc32c", new Crc32cCodec());
        yield return ("adler32", new Adler32Codec());
        yield return ("adler32-end", new Adler32Codec(checksumAtEnd: true));
        yield return ("crc32", new Crc32Codec());
        yield return ("fletcher32", new Fletcher32Codec());
        foreach (var compressor in new[] { BloscCompressor.Lz4, BloscCompressor.Lz4Hc, BloscCompressor.Zstd, BloscCompressor.Zlib })
        {
            foreach (var shuffle in new[] { BloscShuffle.NoShuffle, BloscShuffle.Shuffle, BloscShuffle.BitShuffle })
            {
                yield return ($"blosc-{compressor}-{shuffle}", new BloscCodec(compressor, 5, shuffle, typeSize));
            }
        }

        yield return ("blosc-clevel0", new BloscCodec(BloscCompressor.Lz4, 0, BloscShuffle.Shuffle, typeSize));
        yield return ("blosc-bs4096", new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, typeSize, 4096));
    }
}
