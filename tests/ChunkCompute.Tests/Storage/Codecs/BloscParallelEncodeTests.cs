using ChunkCompute.Storage.Codecs;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Storage.Codecs;

/// <summary>
/// Chunks of 1 MiB and more are compressed block by block on several threads: the frame must be what the serial
/// encoder writes (the same frame for the whole chunk as for its blocks encoded one by one) and c-blosc must read it.
/// </summary>
public sealed class BloscParallelEncodeTests
{
    public static TheoryData<BloscCompressor, BloscShuffle, int> Settings()
    {
        var data = new TheoryData<BloscCompressor, BloscShuffle, int>();
        foreach (var c in new[] { BloscCompressor.Lz4, BloscCompressor.Lz4Hc, BloscCompressor.Zstd, BloscCompressor.Zlib })
        {
            foreach (var s in new[] { BloscShuffle.NoShuffle, BloscShuffle.Shuffle, BloscShuffle.BitShuffle })
            {
                foreach (int ts in new[] { 1, 4, 8 })
                {
                    data.Add(c, s, ts);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void LargeChunk_RoundTrips_AndEqualsBlockwiseSerialEncoding(BloscCompressor compressor, BloscShuffle shuffle, int typeSize)
    {
        // 2 MiB + a leftover block; values that compress partly (a ramp with noise).
        var data = CodecTestData.Data((2 << 20) + 1000, typeSize * 7);
        var codec = new BloscCodec(compressor, 5, shuffle, typeSize);
        byte[] frame = codec.Encode(data);
        Assert.Equal(data, codec.Decode(frame));

        // The same setting with the block size forced to the chosen one and the input cut to one block at a time must
        // give the same compressed block bytes as the parallel frame holds (the frame is a header, offsets and blocks).
        int blocksize = BitConverter.ToInt32(frame, 8);
        int nblocks = (data.Length + blocksize - 1) / blocksize;
        if (frame[2] is var flags && (flags & 0x02) != 0 && nblocks > 1)
        {
            return; // memcpyed frame: nothing compressed to compare
        }

        int firstOffset = BitConverter.ToInt32(frame, 16);
        int secondOffset = BitConverter.ToInt32(frame, 20);
        var serialFirst = new BloscCodec(compressor, 5, shuffle, typeSize, blocksize).Encode(data.AsSpan(0, blocksize).ToArray());
        int serialStart = BitConverter.ToInt32(serialFirst, 16);
        Assert.Equal(serialFirst.AsSpan(serialStart).ToArray(), frame.AsSpan(firstOffset, secondOffset - firstOffset).ToArray());
    }

    [Fact]
    public void LargeChunks_AreReadByCBlosc()
    {
        PythonZarr.RequireOrSkip(); // numcodecs (with its own c-blosc) comes with python3-zarr
        using var tmp = new TempDirectory("cc-blosc-par");
        int n = 0;
        foreach (var (compressor, shuffle, ts) in new[] { (BloscCompressor.Lz4, BloscShuffle.Shuffle, 8), (BloscCompressor.Zstd, BloscShuffle.BitShuffle, 4), (BloscCompressor.Lz4Hc, BloscShuffle.NoShuffle, 1) })
        {
            var data = CodecTestData.Data((3 << 20) + 333, ts);
            File.WriteAllBytes(tmp.Combine($"{n}.raw"), data);
            File.WriteAllBytes(tmp.Combine($"{n}.blosc"), new BloscCodec(compressor, 5, shuffle, ts).Encode(data));
            n++;
        }

        const string Script = """
            import sys, glob, os
            from numcodecs import blosc
            bad = 0
            files = glob.glob(os.path.join(sys.argv[1], "*.blosc"))
            for f in files:
                if blosc.decompress(open(f, "rb").read()) != open(f[:-6] + ".raw", "rb").read():
                    bad += 1
            print("checked", len(files), "bad", bad)
            """;
        string output = PythonZarr.Run(Script, tmp.Path);
        Assert.Contains($"checked {n} bad 0", output, StringComparison.Ordinal);
    }
}
