using System.Buffers.Binary;
using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Tests.Storage.Codecs;

/// <summary>
/// Decoding in pieces is a codec capability (<see cref="IPieceDecodingCodec"/>, <see cref="IPieceDecodingArrayCodec"/>),
/// not a type test: chunks stored without compression, through Blosc, or in shards whose inner chunks are rows (each inner
/// chunk through its own codecs, in pieces or whole) are handed out in C-order pieces that tile the chunk and equal the
/// whole decode, from memory and from files; reductions over them stream and match a naive reference.
/// </summary>
public sealed class PieceDecodingTests
{
    public static TheoryData<string, bool> Layouts()
    {
        var data = new TheoryData<string, bool>();
        foreach (string layout in new[] { "none", "blosc", "shard-none", "shard-blosc", "shard-gzip", "shard-start" })
        {
            data.Add(layout, false);
            data.Add(layout, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Pieces_TileEveryChunk_AndEqualTheWholeDecode(string layout, bool directory)
    {
        using var dir = new Interop.TempDirectory();
        using var store = Open(directory, dir.Path);
        long[] shape = [300, 150];
        var values = Values(shape);
        var array = Create(store, layout, shape);
        array.Write(values);

        Assert.True(array.Untyped.DecodesInPieces, layout);
        foreach (var index in new long[][] { [0, 0], [1, 1], [2, 0] })
        {
            var whole = System.Runtime.InteropServices.MemoryMarshal.AsBytes(array.ReadChunk(index).AsSpan()).ToArray();
            using var pieces = array.Untyped.OpenChunkPieces(index);
            Assert.NotNull(pieces);
            var seen = new byte[whole.Length];
            long next = 0;
            int count = 0;
            while (pieces.TryRead(out var bytes, out long offset))
            {
                Assert.Equal(next, offset);
                Assert.Equal(0, bytes.Length % sizeof(double));
                bytes.CopyTo(seen.AsSpan((int)offset));
                next += bytes.Length;
                count++;
            }

            Assert.Equal(whole.Length, next);
            Assert.Equal(whole, seen);
            if (layout.StartsWith("shard", StringComparison.Ordinal))
            {
                Assert.True(count >= 4, $"{layout}: {count} pieces for a shard of 4 inner chunks"); // one per inner chunk at least
            }
        }
    }

    [Theory]
    [InlineData("none")]
    [InlineData("shard-blosc")]
    [InlineData("shard-gzip")]
    public void Reductions_OverPieceDecodedArrays_Stream_AndMatchTheReference(string layout)
    {
        using var dir = new Interop.TempDirectory();
        using var store = Open(true, dir.Path);
        long[] shape = [300, 150];
        var values = Values(shape);
        var array = Create(store, layout, shape);
        array.Write(values);

        var x = store.Open<double>("x");
        Assert.Contains("streamed", x.Sum().Explain(), StringComparison.Ordinal);
        Assert.Equal(values.Sum(), x.Sum().ComputeScalar(), 1e-9 * Math.Abs(values.Sum()));
        var columnMeans = x.Mean(0).Compute().ToArray();
        for (int j = 0; j < shape[1]; j++)
        {
            double expected = 0;
            for (int i = 0; i < shape[0]; i++)
            {
                expected += values[(i * shape[1]) + j];
            }

            Assert.Equal(expected / shape[0], columnMeans[j], 1e-12);
        }

        Assert.Equal(values.Max(), x.Max().ComputeScalar());
    }

    [Fact]
    public void MissingInnerChunks_AreHandedOutAsTheFillValue()
    {
        using var store = ZarrStore.InMemory();
        var array = store.CreateArray<double>("x", [100, 10], [25, 10], new ArrayOptions { ShardShape = [100, 10], Compression = Compression.None, FillValue = 7.5 });
        var rows = Enumerable.Range(0, 250).Select(i => (double)i).ToArray();
        array.Write(new ArraySubset([25, 0], [25, 10]), rows); // only the second inner chunk is not the fill value
        using var pieces = array.Untyped.OpenChunkPieces([0, 0]);
        Assert.NotNull(pieces);
        var seen = new double[1000];
        while (pieces.TryRead(out var bytes, out long offset))
        {
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes).CopyTo(seen.AsSpan((int)(offset / 8)));
        }

        var expected = Enumerable.Repeat(7.5, 1000).ToArray();
        rows.CopyTo(expected, 250);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public void Shards_WhoseInnerChunksAreNotRows_AndChecksummedChunks_AreDecodedWhole()
    {
        using var store = ZarrStore.InMemory();
        var columns = store.CreateArray<double>("c", [100, 10], [25, 5], new ArrayOptions { ShardShape = [100, 10] });
        Assert.False(columns.Untyped.DecodesInPieces);
        Assert.Null(columns.Untyped.OpenChunkPieces([0, 0]));
        var checksummed = store.CreateArray<double>("k", [100, 10], [50, 10], new ArrayOptions { Checksum = true });
        Assert.False(checksummed.Untyped.DecodesInPieces);
        var rows = store.CreateArray<double>("r", [100, 10], [50, 10], new ArrayOptions { Compression = Compression.None });
        Assert.True(rows.Untyped.DecodesInPieces);
        Assert.Null(rows.Untyped.OpenChunkPieces([1, 0])); // not stored: the caller reads the fill value whole
    }

    [Fact]
    public void CorruptInnerChunk_FailsThePieceRead_WithTheChunkNamed()
    {
        using var store = ZarrStore.InMemory(new ZarrStoreOptions { ChunkCacheBytes = 0 });
        var array = store.CreateArray<double>("x", [100, 10], [25, 10], new ArrayOptions { ShardShape = [100, 10], Compression = Compression.Blosc() });
        array.Write(Values([100, 10]));
        string key = "x/c/0/0";
        var shard = store.Store.Get(key)!;
        // The index (at the end, crc32c-checked) is intact; the first inner chunk's Blosc frame gets a bad block offset.
        BinaryPrimitives.WriteInt32LittleEndian(shard.AsSpan(16), int.MaxValue);
        store.Store.Set(key, shard);

        var ex = Assert.Throws<CorruptChunkException>(() =>
        {
            using var pieces = array.Untyped.OpenChunkPieces([0, 0]);
            Assert.NotNull(pieces);
            while (pieces.TryRead(out _, out _))
            {
            }
        });
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
        Assert.Throws<CorruptChunkException>(() => array.ReadChunk([0, 0])); // the whole decode agrees
    }

    [Fact]
    public void RawPieces_FromAFile_AreReadInSmallWindows()
    {
        using var dir = new Interop.TempDirectory();
        using var store = Open(true, dir.Path);
        var array = Create(store, "none", [300, 150]);
        array.Write(Values([300, 150]));
        using var pieces = array.Untyped.OpenChunkPieces([0, 0]);
        Assert.NotNull(pieces);
        int largest = 0;
        while (pieces.TryRead(out var bytes, out _))
        {
            largest = Math.Max(largest, bytes.Length);
        }

        Assert.InRange(largest, 1, 4 * ChunkPieces.PieceBytes); // a 100×64×8-byte chunk is never held whole
    }

    [Fact]
    public void Pieces_ReadByStoreRanges_EqualTheWholeDecode()
    {
        // A store that reads byte ranges (as object stores will): only the header, block table and each block are read.
        var store = new MemoryStore();
        var codec = new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, 8, 32 * 1024);
        var values = Values([300, 150]);
        var decoded = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        store.Set("k", codec.Encode(decoded));
        using var pieces = codec.TryOpenPieces(EncodedBytes.FromStoreRanges(store, "k", store.GetSize("k")!.Value), decoded.Length, 8);
        Assert.NotNull(pieces);
        var seen = new byte[decoded.Length];
        long next = 0;
        while (pieces.TryRead(out var bytes, out long offset))
        {
            Assert.Equal(next, offset);
            bytes.CopyTo(seen.AsSpan((int)offset));
            next += bytes.Length;
        }

        Assert.Equal(decoded, seen);

        // A value shortened under the reader is reported as truncated, not read past its end.
        using var truncated = codec.TryOpenPieces(EncodedBytes.FromStoreRanges(store, "k", store.GetSize("k")!.Value), decoded.Length, 8);
        store.Set("k", store.Get("k")!.AsSpan(0, 100));
        Assert.Throws<CodecException>(() =>
        {
            while (truncated!.TryRead(out _, out _))
            {
            }
        });
    }

    private static ZarrStore Open(bool directory, string path) =>
        directory ? new ZarrStore(new DirectoryStore(path), new ZarrStoreOptions { ChunkCacheBytes = 0 }) : ZarrStore.InMemory(new ZarrStoreOptions { ChunkCacheBytes = 0 });

    private static ZarrArray<double> Create(ZarrStore store, string layout, long[] shape) => layout switch
    {
        "none" => store.CreateArray<double>("x", shape, [100, 64], new ArrayOptions { Compression = Compression.None }),
        "blosc" => store.CreateArray<double>("x", shape, [100, 64], new ArrayOptions { Compression = Compression.Blosc() }),
        "shard-none" => store.CreateArray<double>("x", shape, [25, 64], new ArrayOptions { ShardShape = [100, 64], Compression = Compression.None }),
        "shard-blosc" => store.CreateArray<double>("x", shape, [25, 64], new ArrayOptions { ShardShape = [100, 64], Compression = Compression.Blosc() }),
        "shard-gzip" => store.CreateArray<double>("x", shape, [25, 64], new ArrayOptions { ShardShape = [100, 64], Compression = Compression.Gzip() }),
        _ => CreateIndexAtStart(store, shape),
    };

    // A shard whose index comes first (index_location "start"), as zarr-python may write it.
    private static ZarrArray<double> CreateIndexAtStart(ZarrStore store, long[] shape)
    {
        string json = "{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": [" + shape[0] + ", " + shape[1] + "], \"data_type\": \"float64\", "
            + "\"chunk_grid\": {\"name\": \"regular\", \"configuration\": {\"chunk_shape\": [100, 64]}}, "
            + "\"chunk_key_encoding\": {\"name\": \"default\", \"configuration\": {\"separator\": \"/\"}}, \"fill_value\": 0.0, "
            + "\"codecs\": [{\"name\": \"sharding_indexed\", \"configuration\": {\"chunk_shape\": [20, 64], \"codecs\": [{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}, {\"name\": \"zstd\", \"configuration\": {\"level\": 1, \"checksum\": false}}], \"index_location\": \"start\"}}]}";
        store.Store.Set("x/zarr.json", System.Text.Encoding.UTF8.GetBytes(json));
        return store.OpenArray("x").As<double>();
    }

    private static double[] Values(long[] shape)
    {
        var rng = new Random(17);
        return Enumerable.Range(0, (int)(shape[0] * shape[1])).Select(i => Math.Round(rng.NextDouble() * 1000, 3) - (i % 7)).ToArray();
    }
}
