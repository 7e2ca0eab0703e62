using Xunit;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Tests.Storage.Arrays;

/// <summary>
/// A region that covers stored chunks only in part is copied from the chunks' decoded pieces (no whole-chunk
/// temporary): every box of every layout must equal the same box cut from the values written, including chunks Blosc
/// stored uncompressed (read from the file in windows), edge chunks, chunks never written (the fill value), and a
/// chunk file cut short (an error naming the chunk).
/// </summary>
public sealed class PartialChunkReadTests
{
    public static TheoryData<string> Layouts() => ["blosc-lz4", "blosc-clevel0", "blosc-noshuffle", "none"];

    [Theory]
    [MemberData(nameof(Layouts))]
    public void RandomBoxes_OfA3DArrayInAFileStore_EqualTheValuesWritten(string layout)
    {
        using var dir = new Interop.TempDirectory();
        using var store = new ZarrStore(new DirectoryStore(dir.Path), new ZarrStoreOptions { ChunkCacheBytes = 0 });
        long[] shape = [37, 29, 301];
        int[] chunks = [8, 7, 128];
        var values = Values(shape);
        var array = store.CreateArray<double>("x", shape, chunks, Options(layout));
        array.Write(values);
        Assert.True(array.Untyped.DecodesInPieces);

        var rng = new Random(5);
        for (int trial = 0; trial < 60; trial++)
        {
            var (start, extent) = RandomBox(rng, shape);

            var region = new ArraySubset(start, extent);
            var got = new double[region.ElementCount];
            array.Read(region, got);
            Assert.Equal(Cut(values, shape, start, extent), got);
        }
    }

    [Fact]
    public void NextInBox_EqualsAScanOfEveryElement()
    {
        // The skip target for decoders: the first element at or after a position that lies in the box, found by index
        // arithmetic, against a linear scan of the whole chunk.
        long[] shape = [5, 6, 7];
        var rng = new Random(3);
        for (int trial = 0; trial < 40; trial++)
        {
            var (start, extent) = RandomBox(rng, shape);

            long total = shape[0] * shape[1] * shape[2];
            long expected = -1;
            for (long at = total; at >= 0; at--)
            {
                if (at < total && Inside(at))
                {
                    expected = at;
                }

                Assert.Equal(expected, ChunkCompute.Storage.Arrays.PieceCopy.NextInBox(at, shape, start, extent));
            }

            bool Inside(long e) =>
                e / (shape[1] * shape[2]) - start[0] is var i && i >= 0 && i < extent[0]
                && (e / shape[2] % shape[1]) - start[1] is var j && j >= 0 && j < extent[1]
                && (e % shape[2]) - start[2] is var k && k >= 0 && k < extent[2];
        }
    }

    [Fact]
    public void ColumnBandsOfSquareChunks_WithAChunkNeverWritten_ReadTheFillValueThere()
    {
        using var dir = new Interop.TempDirectory();
        using var store = new ZarrStore(new DirectoryStore(dir.Path), new ZarrStoreOptions { ChunkCacheBytes = 0 });
        long[] shape = [512, 512];
        var array = store.CreateArray<float>("g", shape, [128, 128], new ArrayOptions { Compression = Compression.Blosc(), FillValue = -1f, Format = ZarrFormat.V2 });
        var values = Enumerable.Range(0, 512 * 512).Select(i => (float)Math.Sin(i * 0.001)).ToArray();
        array.Write(values);
        Assert.True(store.Store.Delete("g/1.2")); // one chunk never written: the fill value

        var band = new float[512 * 32];
        array.Read(new ArraySubset([0, 272], [512, 32]), band);
        for (int r = 0; r < 512; r++)
        {
            for (int c = 0; c < 32; c++)
            {
                float expected = r is >= 128 and < 256 ? -1f : values[(r * 512) + 272 + c];
                Assert.Equal(expected, band[(r * 32) + c]);
            }
        }
    }

    [Fact]
    public void ChunksStoredUncompressed_LargerThanOneReadWindow_ReadInPartEqualTheValues()
    {
        // Blosc at level 0 stores each chunk as it is (a "memcpyed" frame): read from the file in 1 MiB windows.
        using var dir = new Interop.TempDirectory();
        using var store = new ZarrStore(new DirectoryStore(dir.Path), new ZarrStoreOptions { ChunkCacheBytes = 0 });
        long[] shape = [1200, 700];
        var values = Values(shape);
        var array = store.CreateArray<double>("m", shape, [600, 600], new ArrayOptions { Compression = Compression.Blosc(level: 0) });
        array.Write(values);
        foreach (var (start, extent) in new (long[], long[])[] { ([0, 5], [1200, 17]), ([590, 0], [20, 700]), ([599, 599], [2, 2]), ([100, 300], [1000, 400]) })
        {
            var got = new double[extent[0] * extent[1]];
            array.Read(new ArraySubset(start, extent), got);
            var expected = new double[got.Length];
            for (long i = 0; i < extent[0]; i++)
            {
                for (long j = 0; j < extent[1]; j++)
                {
                    expected[(i * extent[1]) + j] = values[((start[0] + i) * shape[1]) + start[1] + j];
                }
            }

            Assert.Equal(expected, got);
        }
    }

    [Fact]
    public void ChunkFileCutShort_PartialRead_NamesTheChunk()
    {
        using var dir = new Interop.TempDirectory();
        using var store = new ZarrStore(new DirectoryStore(dir.Path), new ZarrStoreOptions { ChunkCacheBytes = 0 });
        var array = store.CreateArray<double>("x", [64, 64], [32, 32], new ArrayOptions { Compression = Compression.Blosc(), Format = ZarrFormat.V2 });
        array.Write(Values([64, 64]));
        string file = Path.Combine(dir.Path, "x", "1.0");
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length * 2 / 3)]);

        var e = Assert.ThrowsAny<ChunkComputeException>(() => array.Read(new ArraySubset([40, 3], [10, 20]), new double[200]));
        Assert.Contains("1.0", e.Message, StringComparison.Ordinal);
        Assert.Contains("'x'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadBufferBytes_FileStoreInPieces_IsBlocksNotChunks_AndWholeChunkReadsTakeTheValue()
    {
        using var dir = new Interop.TempDirectory();
        using var store = new ZarrStore(new DirectoryStore(dir.Path), new ZarrStoreOptions { ChunkCacheBytes = 0, MaxConcurrency = 2 });
        var array = store.CreateArray<float>("g", [8192, 8192], [4096, 4096], new ArrayOptions { Compression = Compression.Blosc() }).Untyped;
        long chunk = 4096L * 4096 * 4;

        // A column band over two chunks, read two at a time in pieces: a few blocks each, not a 64 MiB temporary.
        long band = array.ReadBufferBytes(new ArraySubset([0, 0], [8192, 1024]));
        Assert.True(band <= 2 * (8L << 20), $"{band}");
        Assert.True(band > 0);

        // One whole chunk: its compressed value, at most about a chunk.
        Assert.Equal(chunk, array.ReadBufferBytes(new ArraySubset([0, 0], [4096, 4096])));

        // Held in memory (no files): a partial chunk holds the whole compressed value.
        using var memory = ZarrStore.InMemory(new ZarrStoreOptions { ChunkCacheBytes = 0, MaxConcurrency = 2 });
        var inMemory = memory.CreateArray<float>("g", [8192, 8192], [4096, 4096], new ArrayOptions { Compression = Compression.Blosc() }).Untyped;
        Assert.Equal(2 * chunk, inMemory.ReadBufferBytes(new ArraySubset([0, 0], [8192, 1024])));

        // Gzip does not decode in pieces: each partly covered chunk is decoded whole into a temporary.
        var gzip = memory.CreateArray<float>("z", [8192, 8192], [4096, 4096], new ArrayOptions { Compression = Compression.Gzip() }).Untyped;
        Assert.Equal(2 * 2 * chunk, gzip.ReadBufferBytes(new ArraySubset([0, 0], [8192, 1024])));
    }

    [Fact]
    public void WriteBufferBytes_OneWholeChunk_IsTheEncoderStaging_OtherWritesAssembleChunks()
    {
        using var memory = ZarrStore.InMemory(new ZarrStoreOptions { ChunkCacheBytes = 0, MaxConcurrency = 2 });
        var blosc = memory.CreateArray<float>("b", [8192, 8192], [4096, 4096], new ArrayOptions { Compression = Compression.Blosc() }).Untyped;
        long chunk = 64L << 20;

        // Exactly one stored chunk: encoded in place; the staging is the 64 MiB frame + 1/16 + 2 MiB of block slack,
        // in the pool's 8 MiB size class: 72 MiB.
        Assert.Equal(72L << 20, blosc.WriteBufferBytes(new ArraySubset([4096, 0], [4096, 4096])));

        // A band across two chunks: each (two at once) is assembled in a 64 MiB buffer and then encoded.
        Assert.Equal(2 * (chunk + (72L << 20)), blosc.WriteBufferBytes(new ArraySubset([0, 100], [8192, 1024])));

        // Gzip encodes into managed memory of its own: counted as two chunks plus the assembled one.
        var gzip = memory.CreateArray<float>("z", [8192, 8192], [4096, 4096], new ArrayOptions { Compression = Compression.Gzip() }).Untyped;
        Assert.Equal(3 * chunk, gzip.WriteBufferBytes(new ArraySubset([0, 0], [4096, 4096])));

        // Small chunks come from managed pools (power-of-two rentals): twice the chunk for the encoder.
        var small = memory.CreateArray<float>("s", [1024, 1024], [256, 256], new ArrayOptions { Compression = Compression.Blosc() }).Untyped;
        Assert.Equal(2L * 256 * 256 * 4, small.WriteBufferBytes(new ArraySubset([256, 512], [256, 256])));
    }

    // A random non-empty box inside an array of `shape`.
    private static (long[] Start, long[] Extent) RandomBox(Random rng, long[] shape)
    {
        var start = new long[shape.Length];
        var extent = new long[shape.Length];
        for (int d = 0; d < shape.Length; d++)
        {
            start[d] = rng.NextInt64(shape[d]);
            extent[d] = 1 + rng.NextInt64(shape[d] - start[d]);
        }

        return (start, extent);
    }

    private static ArrayOptions Options(string layout) => layout switch
    {
        "blosc-lz4" => new ArrayOptions { Compression = Compression.Blosc() },
        "blosc-clevel0" => new ArrayOptions { Compression = Compression.Blosc(level: 0) },
        "blosc-noshuffle" => new ArrayOptions { Compression = Compression.Blosc("zstd", 3, BloscShuffle.NoShuffle) },
        _ => new ArrayOptions { Compression = Compression.None },
    };

    private static double[] Values(long[] shape)
    {
        var rng = new Random(11);
        long n = shape.Aggregate(1L, (a, b) => a * b);
        return Enumerable.Range(0, (int)n).Select(i => Math.Round(rng.NextDouble() * 100, 2) + (i % 13)).ToArray();
    }

    // The box cut from C-order values by index arithmetic alone (the reference).
    private static double[] Cut(double[] values, long[] shape, long[] start, long[] extent)
    {
        var result = new List<double>();
        for (long i = start[0]; i < start[0] + extent[0]; i++)
        {
            for (long j = start[1]; j < start[1] + extent[1]; j++)
            {
                for (long k = start[2]; k < start[2] + extent[2]; k++)
                {
                    result.Add(values[(((i * shape[1]) + j) * shape[2]) + k]);
                }
            }
        }

        return [.. result];
    }
}
