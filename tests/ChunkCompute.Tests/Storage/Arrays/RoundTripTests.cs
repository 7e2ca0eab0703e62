using Xunit;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using ChunkCompute.Tests.TestSupport;

namespace ChunkCompute.Tests.Storage.Arrays;

/// <summary>
/// Write then read back, whole and by random regions, against <see cref="NaiveArray"/>, over data types × formats ×
/// compressors × chunkings × orders × separators, in memory and on disk.
/// </summary>
public sealed class RoundTripTests
{
    private static readonly Compression[] Compressions =
    [
        Compression.None, Compression.Default, Compression.Blosc("lz4", 5, BloscShuffle.BitShuffle), Compression.Blosc("zstd", 3, BloscShuffle.NoShuffle),
        Compression.Blosc("lz4hc", 9), Compression.Blosc("zlib", 5), Compression.Zstd(3), Compression.Gzip(5), Compression.Zlib(1), Compression.Lz4(),
    ];

    private static readonly (long[] Shape, int[] Chunks)[] Grids =
    [
        ([100], [10]), ([101], [16]), ([5], [10]), ([0], [4]), ([], []),
        ([13, 7], [5, 3]), ([16, 16], [16, 16]), ([9, 1], [4, 1]), ([0, 4], [2, 4]),
        ([6, 7, 9], [4, 3, 5]), ([3, 1, 17], [2, 1, 8]),
    ];

    public static TheoryData<int, int, int, int, bool, char> Cases()
    {
        // A deterministic mix: every data type, compressor, grid, order and separator appears, in both formats.
        var data = new TheoryData<int, int, int, int, bool, char>();
        int types = DataType.Supported.Count;
        for (int i = 0; i < 48; i++)
        {
            data.Add(i % types, i % Compressions.Length, i % Grids.Length, i % 2 == 0 ? 3 : 2, i % 3 == 0, i % 4 < 2 ? '/' : '.');
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void WriteRead_WholeAndRegions_MatchesReference(int typeIndex, int compressionIndex, int gridIndex, int format, bool fortran, char separator)
    {
        var type = DataType.Supported[typeIndex];
        var compression = Compressions[compressionIndex];
        var (shape, chunks) = Grids[gridIndex];
        using var store = ZarrStore.InMemory();
        var options = new ArrayOptions { Format = (ZarrFormat)format, Compression = compression, FortranOrder = fortran, Separator = separator };
        var array = store.CreateArray("a/b", type, shape, chunks, options);
        var reference = NaiveArray.Random(type, shape, seed: typeIndex * 100 + gridIndex);
        var all = ArraySubset.All(shape);
        array.WriteBytes(all, reference.Data);

        var reopened = store.OpenArray("a/b");
        Assert.Equal(type, reopened.DataType);
        Assert.Equal(shape, reopened.Shape);
        var back = new byte[reference.Data.Length];
        reopened.ReadBytes(all, back);
        ElementAssert.Equal(type, reference.Data, back, $"{type} {compression} v{format}");

        var rng = new Random(gridIndex);
        for (int r = 0; r < 12; r++)
        {
            var region = NaiveArray.RandomRegion(shape, rng);
            var got = new byte[region.ElementCount * type.Size];
            reopened.ReadBytes(region, got);
            ElementAssert.Equal(type, reference.Region(region), got, $"read {region}");
        }

        // Partial writes: read-modify-write of partially covered chunks.
        for (int w = 0; w < 6; w++)
        {
            var region = NaiveArray.RandomRegion(shape, rng);
            var values = NaiveArray.Random(type, region.Shape.ToArray(), seed: w).Data;
            reopened.WriteBytes(region, values);
            reference.Assign(region, values);
        }

        var final = new byte[reference.Data.Length];
        store.OpenArray("a/b").ReadBytes(all, final);
        ElementAssert.Equal(type, reference.Data, final, "after partial writes");
    }

    [Theory]
    [InlineData(ZarrFormat.V2)]
    [InlineData(ZarrFormat.V3)]
    public void WriteRead_DirectoryStore_SurvivesReopen(ZarrFormat format)
    {
        string dir = Path.Combine(Path.GetTempPath(), "cc-rt-" + Guid.NewGuid().ToString("N"));
        try
        {
            var values = Enumerable.Range(0, 37 * 11).Select(i => i * 0.5f).ToArray();
            using (var store = ZarrStore.Open(dir))
            {
                var a = store.CreateArray<float>("g/x", [37, 11], [8, 4], new ArrayOptions { Format = format, FillValue = "NaN" });
                a.Write(values);
            }

            using var again = ZarrStore.OpenExisting(dir);
            Assert.Equal(values, again.OpenArray<float>("g/x").Read());
            Assert.Equal(NodeKind.Group, again.GetNodeKind("g"));
            Assert.True(File.Exists(Path.Combine(dir, "g", "x", format == ZarrFormat.V3 ? "zarr.json" : ".zarray")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Write_AllFillChunk_IsNotStoredAndReadsAsFill()
    {
        using var store = ZarrStore.InMemory();
        var a = store.CreateArray<int>("x", [20], [5], new ArrayOptions { FillValue = -1 });
        var values = Enumerable.Range(0, 20).Select(i => i < 5 ? -1 : i).ToArray();
        a.Write(values);
        Assert.False(a.Untyped.ChunkExists([0]));
        Assert.True(a.Untyped.ChunkExists([1]));
        Assert.Equal(values, a.Read());

        // Overwriting a stored chunk with fill deletes it.
        a.Write(new ArraySubset([5], [5]), Enumerable.Repeat(-1, 5).ToArray());
        Assert.False(a.Untyped.ChunkExists([1]));
        Assert.Equal(2, a.Untyped.StoredChunkCount());
    }

    [Fact]
    public void ReadChunk_WholeChunkFastPath_EqualsRegionRead()
    {
        using var store = ZarrStore.InMemory();
        var a = store.CreateArray<double>("x", [10, 6], [4, 6]);
        var values = Enumerable.Range(0, 60).Select(i => (double)i).ToArray();
        a.Write(values);
        var chunk = a.ReadChunk([1, 0]);
        Assert.Equal(values.Skip(24).Take(24), chunk);

        // The edge chunk extends past the array; the overhang reads as the fill value.
        var edge = a.ReadChunk([2, 0]);
        Assert.Equal(values.Skip(48).Take(12).Concat(Enumerable.Repeat(0.0, 12)), edge);

        a.WriteChunk([0, 0], Enumerable.Repeat(7.0, 24).ToArray());
        Assert.All(a.Read(new ArraySubset([0, 0], [4, 6])), v => Assert.Equal(7.0, v));
    }

    [Fact]
    public void Read_ConcurrentPartialWritesToOneChunk_LoseNothing()
    {
        using var store = ZarrStore.InMemory();
        var a = store.CreateArray<int>("x", [64], [64]);
        Parallel.For(0, 64, i => a.Write(new ArraySubset([i], [1]), [i + 1]));
        Assert.Equal(Enumerable.Range(1, 64), a.Read());
    }

    [Fact]
    public void ChunkCache_RepeatedRead_HitsCacheAndWriteInvalidates()
    {
        using var store = ZarrStore.InMemory(new ZarrStoreOptions { ChunkCacheBytes = 1 << 20 });
        var a = store.CreateArray<int>("x", [100], [10]);
        a.Write(Enumerable.Range(0, 100).ToArray());
        var region = new ArraySubset([5], [10]);
        _ = a.Read(region);
        long hits = store.Cache!.Hits;
        Assert.Equal(Enumerable.Range(5, 10), a.Read(region));
        Assert.Equal(hits + 2, store.Cache.Hits);

        a.Write(new ArraySubset([8], [1]), [-8]);
        Assert.Equal(-8, a.Read(new ArraySubset([8], [1]))[0]);
    }

    [Fact]
    public void ChunkCache_Capacity_IsNeverExceeded()
    {
        var cache = new ChunkCompute.Storage.Caching.ChunkCache(1000);
        for (int i = 0; i < 50; i++)
        {
            cache.Put("k" + i, new byte[300]);
            Assert.True(cache.Size <= 1000);
        }

        Assert.Equal(3, cache.Count);
        Assert.True(cache.TryCopyTo("k49", new byte[300]));
        Assert.False(cache.TryCopyTo("k0", new byte[300]));
    }

    [Fact]
    public void CreateArray_Sharded_WritesShardsAndReadsBack()
    {
        using var store = ZarrStore.InMemory();
        var a = store.CreateArray<ushort>("s", [10, 12], [2, 3], new ArrayOptions { ShardShape = [4, 6], Checksum = true, Compression = Compression.Zstd(1) });
        var values = Enumerable.Range(0, 120).Select(i => (ushort)(i * 3)).ToArray();
        a.Write(values);
        Assert.Equal(values, store.OpenArray<ushort>("s").Read());
        Assert.Equal(6, a.Untyped.StoredChunkCount()); // ceil(10/4) * ceil(12/6) shards
        var r = new ArraySubset([3, 5], [4, 4]);
        var expected = NaiveArray.Indices([3, 5], [4, 4]).Select(ix => values[(ix[0] * 12) + ix[1]]).ToArray();
        Assert.Equal(expected, a.Read(r));
    }
}
