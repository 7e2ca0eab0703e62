using System.Text;
using Xunit;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Tests.Storage.Arrays;

/// <summary>
/// Corrupt chunks, malformed metadata and misuse each give a clear exception naming the store, the array and the chunk
/// key, never a crash or a hang, and a failed write leaves everything already stored unchanged.
/// </summary>
public sealed class BadInputTests
{
    private static readonly (string Name, Compression Compression)[] Codecs =
    [
        ("none", Compression.None), ("blosc-lz4", Compression.Default), ("blosc-zstd", Compression.Blosc("zstd", 3)),
        ("blosc-zlib", Compression.Blosc("zlib", 5)), ("zstd", Compression.Zstd(3)), ("gzip", Compression.Gzip(5)),
        ("zlib", Compression.Zlib(5)), ("lz4", Compression.Lz4()),
    ];

    public static TheoryData<string, int> CodecCases()
    {
        var data = new TheoryData<string, int>();
        foreach (var (name, _) in Codecs)
        {
            data.Add(name, 2);
            data.Add(name, 3);
        }

        return data;
    }

    private static (ZarrStore Store, ZarrArray Array, double[] Values) Make(string codec, int format, bool checksum = false)
    {
        var store = ZarrStore.InMemory(new ZarrStoreOptions { ChunkCacheBytes = 0 });
        var compression = Codecs.Single(c => c.Name == codec).Compression;
        var array = store.CreateArray("data/x", DataType.Float64, [64, 32], [32, 32], new ArrayOptions { Format = (ZarrFormat)format, Compression = compression, Checksum = checksum });
        var values = Enumerable.Range(0, 64 * 32).Select(i => Math.Round(Math.Sin(i * 0.01) * 100, 2)).ToArray();
        array.Write<double>(values);
        return (store, array, values);
    }

    [Theory]
    [MemberData(nameof(CodecCases))]
    public void Read_TruncatedChunk_ThrowsCorruptChunkNamingStoreArrayAndKey(string codec, int format)
    {
        var (store, array, _) = Make(codec, format);
        string key = array.ChunkKey([1, 0]);
        var bytes = store.Store.Get(key)!;
        store.Store.Set(key, bytes.AsSpan(0, bytes.Length / 2));

        var ex = Assert.Throws<CorruptChunkException>(() => array.Read<double>());
        Assert.Equal(store.Name, ex.Store);
        Assert.Equal("data/x", ex.ArrayPath);
        Assert.Equal(key, ex.ChunkKey);
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);

        // The other chunk still reads.
        Assert.Equal(32 * 32, array.Read<double>(new ArraySubset([0, 0], [32, 32])).Length);
    }

    [Theory]
    [MemberData(nameof(CodecCases))]
    public void Read_FlippedBytes_ThrowsOrReturnsWithoutCrashing(string codec, int format)
    {
        var (store, array, _) = Make(codec, format);
        string key = array.ChunkKey([0, 0]);
        var original = store.Store.Get(key)!;
        for (int position = 0; position < original.Length; position += Math.Max(1, original.Length / 97))
        {
            var bytes = (byte[])original.Clone();
            bytes[position] ^= 0x5A;
            store.Store.Set(key, bytes);
            try
            {
                _ = array.Read<double>(new ArraySubset([0, 0], [32, 32]));
            }
            catch (CorruptChunkException ex)
            {
                Assert.Equal(key, ex.ChunkKey);
            }
        }
    }

    [Theory]
    [InlineData("blosc-lz4")]
    [InlineData("zstd")]
    [InlineData("none")]
    [InlineData("gzip")]
    public void Read_ChunkOfWrongDecodedSize_ThrowsCorruptChunk(string codec)
    {
        var (store, array, _) = Make(codec, 3);
        string key = array.ChunkKey([0, 0]);

        // A well-formed chunk of another array with a smaller chunk shape, stored under this key.
        var other = store.CreateArray("data/small", DataType.Float64, [16, 32], [16, 32], new ArrayOptions { Compression = Codecs.Single(c => c.Name == codec).Compression });
        other.Write<double>(Enumerable.Range(1, 16 * 32).Select(i => (double)i).ToArray());
        store.Store.Set(key, store.Store.Get(other.ChunkKey([0, 0]))!);

        var ex = Assert.Throws<CorruptChunkException>(() => array.Read<double>());
        Assert.Equal(key, ex.ChunkKey);
    }

    [Fact]
    public void Read_Crc32cMismatch_ThrowsCorruptChunkSayingChecksum()
    {
        var (store, array, _) = Make("none", 3, checksum: true);
        string key = array.ChunkKey([0, 0]);
        var bytes = store.Store.Get(key)!;
        bytes[10] ^= 1;
        store.Store.Set(key, bytes);
        var ex = Assert.Throws<CorruptChunkException>(() => array.Read<double>());
        Assert.Contains("checksum", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(".zarray", "{\"zarr_format\": 2, \"shape\": [4")]
    [InlineData(".zarray", "[1, 2, 3]")]
    [InlineData(".zarray", "{\"zarr_format\": 2, \"shape\": [4], \"chunks\": [0], \"dtype\": \"<f8\", \"compressor\": null, \"fill_value\": 0, \"filters\": null, \"order\": \"C\"}")]
    [InlineData(".zarray", "{\"zarr_format\": 2, \"shape\": [4], \"chunks\": [2], \"dtype\": \"<f8\", \"compressor\": null, \"fill_value\": \"oops\", \"filters\": null, \"order\": \"C\"}")]
    [InlineData(".zarray", "{\"zarr_format\": 2, \"shape\": [4], \"chunks\": [2], \"dtype\": \"<f8\", \"compressor\": null, \"fill_value\": 0, \"filters\": null, \"order\": \"K\"}")]
    [InlineData("zarr.json", "{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": [4], \"data_type\": \"float64\", \"fill_value\": 0, \"codecs\": [{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}]}")]
    [InlineData("zarr.json", "{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": [4], \"data_type\": \"float64\", \"chunk_grid\": {\"name\": \"regular\", \"configuration\": {\"chunk_shape\": [2]}}, \"fill_value\": 0, \"codecs\": []}")]
    public void OpenArray_MalformedMetadata_ThrowsInvalidMetadataNamingKey(string document, string json)
    {
        using var store = ZarrStore.InMemory();
        store.Store.Set("bad/" + document, Encoding.UTF8.GetBytes(json));
        var ex = Assert.Throws<InvalidMetadataException>(() => store.OpenArray("bad"));
        Assert.Equal("bad/" + document, ex.Key);
        Assert.Equal(store.Name, ex.Store);
    }

    [Theory]
    [InlineData(".zarray", "{\"zarr_format\": 2, \"shape\": [4], \"chunks\": [2], \"dtype\": \"<f8\", \"compressor\": {\"id\": \"snappy2\"}, \"fill_value\": 0, \"filters\": null, \"order\": \"C\"}", "snappy2")]
    [InlineData(".zarray", "{\"zarr_format\": 2, \"shape\": [4], \"chunks\": [2], \"dtype\": \"<f8\", \"compressor\": null, \"fill_value\": 0, \"filters\": [{\"id\": \"quantize\", \"digits\": 2}], \"order\": \"C\"}", "quantize")]
    [InlineData("zarr.json", "{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": [4], \"data_type\": \"float64\", \"chunk_grid\": {\"name\": \"regular\", \"configuration\": {\"chunk_shape\": [2]}}, \"fill_value\": 0, \"codecs\": [{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}, {\"name\": \"lzma\"}]}", "lzma")]
    public void OpenArray_UnknownCodec_ThrowsNamingCodecAndArray(string document, string json, string codec)
    {
        using var store = ZarrStore.InMemory();
        store.Store.Set("arr/" + document, Encoding.UTF8.GetBytes(json));
        var ex = Assert.Throws<UnsupportedCodecException>(() => store.OpenArray("arr"));
        Assert.Equal(codec, ex.Codec);
        Assert.Contains("'arr'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".zarray", "{\"zarr_format\": 2, \"shape\": [4], \"chunks\": [2], \"dtype\": \"|V8\", \"compressor\": null, \"fill_value\": null, \"filters\": null, \"order\": \"C\"}", "|V8")]
    [InlineData(".zarray", "{\"zarr_format\": 2, \"shape\": [4], \"chunks\": [2], \"dtype\": \"<f16\", \"compressor\": null, \"fill_value\": null, \"filters\": null, \"order\": \"C\"}", "<f16")]
    [InlineData("zarr.json", "{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": [4], \"data_type\": \"bfloat16\", \"chunk_grid\": {\"name\": \"regular\", \"configuration\": {\"chunk_shape\": [2]}}, \"fill_value\": 0, \"codecs\": [{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}]}", "bfloat16")]
    public void OpenArray_UnknownDataType_ThrowsNamingType(string document, string json, string dataType)
    {
        using var store = ZarrStore.InMemory();
        store.Store.Set("arr/" + document, Encoding.UTF8.GetBytes(json));
        var ex = Assert.Throws<UnsupportedDataTypeException>(() => store.OpenArray("arr"));
        Assert.Equal(dataType, ex.DataType);
    }

    [Fact]
    public void Write_WrongShapeOrTypeOrBounds_ThrowsAndLeavesStoreUnchanged()
    {
        var (store, array, values) = Make("blosc-lz4", 3);
        var snapshot = Snapshot(store.Store);

        var tooFew = Assert.Throws<ShapeMismatchException>(() => array.Write<double>(new ArraySubset([0, 0], [10, 10]), new double[99]));
        Assert.Contains("data/x", tooFew.Message, StringComparison.Ordinal);
        var outside = Assert.Throws<ShapeMismatchException>(() => array.Write<double>(new ArraySubset([60, 0], [10, 10]), new double[100]));
        Assert.Contains("[60:70, 0:10]", outside.Message, StringComparison.Ordinal);
        Assert.Throws<ShapeMismatchException>(() => array.Write<double>(new ArraySubset([0], [10]), new double[10]));
        var wrongType = Assert.Throws<DataTypeMismatchException>(() => array.Write<float>(new ArraySubset([0, 0], [1, 1]), new float[1]));
        Assert.Contains("float64", wrongType.Message, StringComparison.Ordinal);
        Assert.Throws<ShapeMismatchException>(() => array.Read<double>(new ArraySubset([0, 0], [65, 1])));
        Assert.Throws<ShapeMismatchException>(() => array.WriteChunk<double>([2, 0], new double[32 * 32]));
        Assert.Throws<ShapeMismatchException>(() => array.WriteChunk<double>([0, 0], new double[10]));

        Assert.Equal(snapshot, Snapshot(store.Store));
        Assert.Equal(values, array.Read<double>());
    }

    [Fact]
    public void CreateArray_InvalidArguments_ThrowArgumentExceptions()
    {
        using var store = ZarrStore.InMemory();
        Assert.Throws<ArgumentException>(() => store.CreateArray<int>("a", [4, 4], [2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.CreateArray<int>("a", [-1], [2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.CreateArray<int>("a", [4], [0]));
        Assert.Throws<ArgumentException>(() => store.CreateArray<int>("../a", [4], [2]));
        store.CreateArray<int>("a", [4], [2]);
        Assert.Throws<InvalidOperationException>(() => store.CreateArray<int>("a", [4], [2]));
        Assert.Throws<NodeNotFoundException>(() => store.OpenArray("missing"));
        Assert.Throws<DataTypeMismatchException>(() => store.OpenArray<long>("a"));
        using var v2 = ZarrStore.InMemory(new ZarrStoreOptions { DefaultFormat = ZarrFormat.V2 });
        Assert.Throws<ArgumentException>(() => v2.CreateArray<int>("v2", [4], [2], new ArrayOptions { Format = ZarrFormat.V2, ShardShape = [4] }));
    }

    private static Dictionary<string, string> Snapshot(IStore store) =>
        store.List(string.Empty).ToDictionary(k => k, k => Convert.ToBase64String(store.Get(k)!));
}
