using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using Xunit;

namespace ChunkCompute.Tests.Storage.Hostile;

/// <summary>
/// Issue 13, hostile stores: decompression bombs fail as corrupt chunks within a memory bound derived from the chunk
/// size; shapes whose sizes overflow are refused when the metadata is parsed; every metadata error names the document.
/// </summary>
public sealed class HostileStoreTests
{
    private const int ChunkBytes = 8 * 1024;

    // Far below what any bomb below would cost, far above the chunk size and the per-stage bound (8 KiB + 1 KiB + 64 KiB).
    private const long AllocationBound = 4L << 20;

    private static string ArrayJson(string codecs, string shape = "[8192]", string chunks = "[8192]", string dataType = "uint8") =>
        "{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": " + shape + ", \"data_type\": \"" + dataType + "\", "
        + "\"chunk_grid\": {\"name\": \"regular\", \"configuration\": {\"chunk_shape\": " + chunks + "}}, "
        + "\"chunk_key_encoding\": {\"name\": \"default\", \"configuration\": {\"separator\": \"/\"}}, \"fill_value\": 0, \"codecs\": " + codecs + "}";

    private static (ZarrStore Store, ZarrArray Array) StoreWith(string codecs, byte[] chunk)
    {
        var store = ZarrStore.InMemory(new ZarrStoreOptions { ChunkCacheBytes = 0 });
        store.Store.Set("bomb/zarr.json", Encoding.UTF8.GetBytes(ArrayJson(codecs)));
        store.Store.Set("bomb/c/0", chunk);
        return (store, store.OpenArray("bomb"));
    }

    private static long AllocatedBy(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static CorruptChunkException ReadFails(ZarrArray array, out long allocated)
    {
        CorruptChunkException? caught = null;
        allocated = AllocatedBy(() => caught = Assert.Throws<CorruptChunkException>(() => array.Read<byte>()));
        return caught!;
    }

    [Fact]
    public void Read_GzipBombInOuterStage_FailsAsCorruptChunkWithoutDecodingPastTheBound()
    {
        // [bytes, gzip, gzip]: the outer gzip (decoded first, size unknown) expands 256 KiB to 256 MiB of zeros.
        using var bomb = new MemoryStream();
        using (var gzip = new GZipStream(bomb, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++)
            {
                gzip.Write(zeros);
            }
        }

        var (store, array) = StoreWith("[{\"name\": \"bytes\"}, {\"name\": \"gzip\", \"configuration\": {\"level\": 5}}, {\"name\": \"gzip\", \"configuration\": {\"level\": 5}}]", bomb.ToArray());
        using (store)
        {
            var ex = ReadFails(array, out long allocated);
            Assert.Equal("bomb/c/0", ex.ChunkKey);
            Assert.Equal("bomb", ex.ArrayPath);
            Assert.Contains("bound", ex.Message, StringComparison.Ordinal);
            Assert.True(allocated < AllocationBound, $"the read allocated {allocated} bytes for an {ChunkBytes}-byte chunk");
        }
    }

    [Fact]
    public void Read_ZstdBombInOuterStage_FailsOnTheFrameHeaderBeforeAllocating()
    {
        // [bytes, zstd, zstd]: the outer zstd frame declares 64 MiB (about 2 KiB stored).
        var payload = new byte[64 << 20];
        var frame = new ZstdCodec(3).Encode(payload);
        payload = [];
        GC.Collect();
        var (store, array) = StoreWith("[{\"name\": \"bytes\"}, {\"name\": \"zstd\", \"configuration\": {\"level\": 3, \"checksum\": false}}, {\"name\": \"zstd\", \"configuration\": {\"level\": 3, \"checksum\": false}}]", frame);
        using (store)
        {
            var ex = ReadFails(array, out long allocated);
            Assert.Equal("bomb/c/0", ex.ChunkKey);
            Assert.Contains((64 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
            Assert.True(allocated < AllocationBound, $"the read allocated {allocated} bytes for an {ChunkBytes}-byte chunk");
        }
    }

    [Fact]
    public void Read_BloscHeaderClaiming2GiB_FailsAsCorruptChunkBeforeAllocating()
    {
        // [bytes, zstd, blosc]: the outer Blosc frame's header claims nbytes = 0x7FFFFFEF in one block.
        var frame = new byte[24];
        frame[0] = 2;
        frame[1] = 1;
        frame[2] = 0;
        frame[3] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), 0x7FFFFFEF);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(8), 0x7FFFFFEF);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(12), 24);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(16), 20);
        var (store, array) = StoreWith("[{\"name\": \"bytes\"}, {\"name\": \"zstd\", \"configuration\": {\"level\": 3, \"checksum\": false}}, {\"name\": \"blosc\", \"configuration\": {\"cname\": \"lz4\", \"clevel\": 5, \"shuffle\": \"noshuffle\", \"typesize\": 1, \"blocksize\": 0}}]", frame);
        using (store)
        {
            var ex = ReadFails(array, out long allocated);
            Assert.Contains("2147483631", ex.Message, StringComparison.Ordinal);
            Assert.True(allocated < AllocationBound, $"the read allocated {allocated} bytes");
        }
    }

    [Fact]
    public void Read_ShardWrappedInGzipBomb_FailsWithinTheShardBound()
    {
        // A sharded array whose shards are gzip'd: the shard's size is only bounded (index + inner chunks).
        using var bomb = new MemoryStream();
        using (var gzip = new GZipStream(bomb, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 128; i++)
            {
                gzip.Write(zeros);
            }
        }

        string codecs = "[{\"name\": \"sharding_indexed\", \"configuration\": {\"chunk_shape\": [1024], \"codecs\": [{\"name\": \"bytes\"}], "
            + "\"index_codecs\": [{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}, {\"name\": \"crc32c\"}]}}, {\"name\": \"gzip\", \"configuration\": {\"level\": 5}}]";
        var (store, array) = StoreWith(codecs, bomb.ToArray());
        using (store)
        {
            var ex = ReadFails(array, out long allocated);
            Assert.Equal("bomb/c/0", ex.ChunkKey);
            Assert.True(allocated < AllocationBound, $"the read allocated {allocated} bytes");
        }
    }

    [Fact]
    public void Read_GenuineMultiStageChunks_StillDecode()
    {
        // The bounds never reject what our own writers produce, incompressible data included.
        var values = new byte[ChunkBytes];
        new Random(7).NextBytes(values);
        foreach (var codecs in new[]
        {
            "[{\"name\": \"bytes\"}, {\"name\": \"gzip\", \"configuration\": {\"level\": 1}}, {\"name\": \"zstd\", \"configuration\": {\"level\": 1, \"checksum\": true}}, {\"name\": \"crc32c\"}]",
            "[{\"name\": \"bytes\"}, {\"name\": \"blosc\", \"configuration\": {\"cname\": \"zstd\", \"clevel\": 5, \"shuffle\": \"shuffle\", \"typesize\": 1, \"blocksize\": 0}}, {\"name\": \"numcodecs.bz2\", \"configuration\": {\"level\": 1}}]",
            "[{\"name\": \"sharding_indexed\", \"configuration\": {\"chunk_shape\": [512], \"codecs\": [{\"name\": \"bytes\"}, {\"name\": \"numcodecs.lz4\", \"configuration\": {\"acceleration\": 1}}]}}, {\"name\": \"zstd\", \"configuration\": {\"level\": 1, \"checksum\": false}}, {\"name\": \"gzip\", \"configuration\": {\"level\": 1}}]",
        })
        {
            using var store = ZarrStore.InMemory(new ZarrStoreOptions { ChunkCacheBytes = 0 });
            store.Store.Set("ok/zarr.json", Encoding.UTF8.GetBytes(ArrayJson(codecs)));
            var array = store.OpenArray("ok");
            array.Write<byte>(values);
            Assert.Equal(values, array.Read<byte>());
        }
    }

    [Theory]
    [InlineData("[9223372036854775807]", "[2]", "uint8")]
    [InlineData("[4611686018427387904]", "[1024]", "float64")]
    [InlineData("[4294967296, 4294967296]", "[1, 1]", "uint8")]
    [InlineData("[3037000500, 3037000500]", "[1, 1]", "uint8")]
    public void OpenArray_ShapeWhoseSizesOverflow_ThrowsInvalidMetadataNamingShape(string shape, string chunks, string dataType)
    {
        using var store = ZarrStore.InMemory();
        store.Store.Set("big/zarr.json", Encoding.UTF8.GetBytes(ArrayJson("[{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}]", shape, chunks, dataType)));
        var ex = Assert.Throws<InvalidMetadataException>(() => store.OpenArray("big"));
        Assert.Equal("big/zarr.json", ex.Key);
        Assert.Equal(store.Name, ex.Store);
        Assert.Contains("shape", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenArray_ChunkLargerThanOneBuffer_ThrowsInvalidMetadataNamingChunkShape()
    {
        using var store = ZarrStore.InMemory();
        store.Store.Set("big/zarr.json", Encoding.UTF8.GetBytes(ArrayJson("[{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}]", "[4294967296]", "[1073741824]", "float64")));
        var ex = Assert.Throws<InvalidMetadataException>(() => store.OpenArray("big"));
        Assert.Equal("big/zarr.json", ex.Key);
        Assert.Contains("chunk_grid.configuration.chunk_shape", ex.Message, StringComparison.Ordinal);

        store.Store.Set("v2/.zarray", Encoding.UTF8.GetBytes("{\"zarr_format\": 2, \"shape\": [4294967296], \"chunks\": [1073741824], \"dtype\": \"<f8\", \"compressor\": null, \"fill_value\": 0, \"filters\": null, \"order\": \"C\"}"));
        var v2 = Assert.Throws<InvalidMetadataException>(() => store.OpenArray("v2"));
        Assert.Equal("v2/.zarray", v2.Key);
        Assert.Contains("chunks", v2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenArray_HugeButRepresentableShape_OpensWithExactSizes()
    {
        using var store = ZarrStore.InMemory();
        store.Store.Set("huge/zarr.json", Encoding.UTF8.GetBytes(ArrayJson("[{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}]", "[1000000000000000]", "[1000000]", "float64")));
        var array = store.OpenArray("huge");
        Assert.Equal(1_000_000_000_000_000L, array.ElementCount);
        Assert.Equal([1_000_000_000L], array.GridShape);

        // The last chunk of an array near the Int64 limit: the grid is exact (no s + c - 1 overflow).
        store.Store.Set("edge/zarr.json", Encoding.UTF8.GetBytes(ArrayJson("[{\"name\": \"bytes\"}]", "[9223372036854775806]", "[2]", "uint8")));
        Assert.Equal([4611686018427387903L], store.OpenArray("edge").GridShape);
    }

    [Theory]
    [InlineData("{\"zarr_format\": 3, \"node_type\": 5}")]
    [InlineData("{\"zarr_format\": 3, \"node_type\": null}")]
    [InlineData("{\"zarr_format\": 3, \"node_type\": \"array\", \"node_type\": \"group\"}")]
    public void NodeQueries_MalformedNodeType_ThrowInvalidMetadataNamingDocument(string json)
    {
        using var store = ZarrStore.InMemory();
        store.Store.Set("n/zarr.json", Encoding.UTF8.GetBytes(json));
        foreach (var query in new Action[] { () => store.OpenArray("n"), () => store.OpenGroup("n"), () => store.GetNodeKind("n"), () => store.ListNodes() })
        {
            var ex = Assert.Throws<InvalidMetadataException>(query);
            Assert.Equal("n/zarr.json", ex.Key);
        }
    }

    [Fact]
    public void OpenArray_FuzzFindings_ThrowInvalidMetadataNamingDocument()
    {
        using var store = ZarrStore.InMemory();

        // A null in the sharding codec's chunk_shape (was a NullReferenceException).
        store.Store.Set("s/zarr.json", Encoding.UTF8.GetBytes(ArrayJson("[{\"name\": \"sharding_indexed\", \"configuration\": {\"chunk_shape\": [null], \"codecs\": [{\"name\": \"bytes\"}]}}]")));
        var ex = Assert.Throws<InvalidMetadataException>(() => store.OpenArray("s"));
        Assert.Equal("s/zarr.json", ex.Key);
        Assert.Contains("chunk_shape", ex.Message, StringComparison.Ordinal);

        // Invalid UTF-8 inside a string (was a raw InvalidOperationException when node_type was first read).
        var bytes = Encoding.UTF8.GetBytes(ArrayJson("[{\"name\": \"bytes\"}]").Replace("uint8", "uint\u00e9", StringComparison.Ordinal));
        int at = Array.IndexOf(bytes, (byte)0xC3);
        bytes[at + 1] = 0x28;
        store.Store.Set("u/zarr.json", bytes);
        Assert.Equal("u/zarr.json", Assert.Throws<InvalidMetadataException>(() => store.OpenArray("u")).Key);
        Assert.Equal("u/zarr.json", Assert.Throws<InvalidMetadataException>(() => store.ListNodes()).Key);

        // Sharding inner chunks that do not divide the shard, or a transpose of the wrong rank: refused at open time.
        store.Store.Set("d/zarr.json", Encoding.UTF8.GetBytes(ArrayJson("[{\"name\": \"sharding_indexed\", \"configuration\": {\"chunk_shape\": [3000], \"codecs\": [{\"name\": \"bytes\"}]}}]")));
        Assert.Contains("does not divide", Assert.Throws<InvalidMetadataException>(() => store.OpenArray("d")).Message, StringComparison.Ordinal);
        store.Store.Set("t/zarr.json", Encoding.UTF8.GetBytes(ArrayJson("[{\"name\": \"transpose\", \"configuration\": {\"order\": [1, 0]}}, {\"name\": \"bytes\"}]")));
        Assert.Contains("transpose order", Assert.Throws<InvalidMetadataException>(() => store.OpenArray("t")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_GzipTrailerDeclaringMoreThanTheBound_FailsBeforeDecoding()
    {
        var codec = new GzipCodec();
        var frame = codec.Encode(new byte[100_000]);
        Assert.Equal(100_000, codec.Decode(frame, 100_000).Length);
        var ex = Assert.Throws<CodecException>(() => codec.Decode(frame, 99_999));
        Assert.Contains("100000", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"shape\": [4.5]", "shape")]
    [InlineData("\"shape\": [1e300]", "shape")]
    [InlineData("\"chunk_grid\": {\"name\": \"regular\", \"configuration\": {\"chunk_shape\": [4294967296]}}", "chunk_grid.configuration.chunk_shape")]
    public void OpenArray_NonIntegerExtents_NameTheField(string replacement, string field)
    {
        var json = ArrayJson("[{\"name\": \"bytes\"}]", "[4]", "[2]");
        string key = replacement[..replacement.IndexOf(':', StringComparison.Ordinal)];
        int start = json.IndexOf(key, StringComparison.Ordinal);
        int end = key == "\"shape\"" ? json.IndexOf(']', start) + 1 : json.IndexOf("}}", start, StringComparison.Ordinal) + 2;
        json = json[..start] + replacement + json[end..];
        using var store = ZarrStore.InMemory();
        store.Store.Set("a/zarr.json", Encoding.UTF8.GetBytes(json));
        var ex = Assert.Throws<InvalidMetadataException>(() => store.OpenArray("a"));
        Assert.Equal("a/zarr.json", ex.Key);
        Assert.Contains($"'{field}'", ex.Message, StringComparison.Ordinal);
    }
}
