using System.Text.Json.Nodes;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using ChunkCompute.Storage.Codecs.Native;
using Xunit;

namespace ChunkCompute.Tests.Storage.Codecs;

public sealed class CodecRegistryTests
{
    [Fact]
    public void CreateBytesToBytesFromV2_BloscAutoShuffle_ResolvesPerTypeSize()
    {
        var json = JsonNode.Parse("""{"id":"blosc","cname":"zstd","clevel":3,"shuffle":-1,"blocksize":0}""")!.AsObject();
        var wide = Assert.IsType<BloscCodec>(CodecRegistry.CreateBytesToBytesFromV2(json, 8));
        Assert.Equal(BloscShuffle.Shuffle, wide.Shuffle);
        Assert.Equal(BloscCompressor.Zstd, wide.Compressor);
        var narrow = Assert.IsType<BloscCodec>(CodecRegistry.CreateBytesToBytesFromV2(json, 1));
        Assert.Equal(BloscShuffle.BitShuffle, narrow.Shuffle);
        Assert.Equal("bitshuffle", narrow.ToV3Json()["configuration"]!["shuffle"]!.GetValue<string>());
        Assert.Equal(2, narrow.ToV2Json()!["shuffle"]!.GetValue<int>());
    }

    [Fact]
    public void CreateBytesToBytesFromV2_Snappy_ThrowsUnsupported()
    {
        var json = JsonNode.Parse("""{"id":"blosc","cname":"snappy","clevel":3,"shuffle":1}""")!.AsObject();
        Assert.Throws<UnsupportedCodecException>(() => CodecRegistry.CreateBytesToBytesFromV2(json, 8));
    }

    [Fact]
    public void CreateBytesToBytesFromV2_UnknownId_ThrowsUnsupported()
    {
        var ex = Assert.Throws<UnsupportedCodecException>(() => CodecRegistry.CreateBytesToBytesFromV2(new JsonObject { ["id"] = "lzma" }, 8));
        Assert.Equal("lzma", ex.Codec);
    }

    [Fact]
    public void CreateBytesToBytesFromV2_OutOfRangeLevel_ThrowsUnsupported()
    {
        Assert.Throws<UnsupportedCodecException>(() => CodecRegistry.CreateBytesToBytesFromV2(new JsonObject { ["id"] = "bz2", ["level"] = 12 }, 8));
    }

    [Fact]
    public void TryCreateBytesToBytesFromV3_NonBytesToBytes_ReturnsNull()
    {
        Assert.Null(CodecRegistry.TryCreateBytesToBytesFromV3("bytes", new JsonObject { ["endian"] = "little" }, 8));
        Assert.Null(CodecRegistry.TryCreateBytesToBytesFromV3("transpose", null, 8));
        Assert.Null(CodecRegistry.TryCreateBytesToBytesFromV3("sharding_indexed", null, 8));
    }

    [Theory]
    [InlineData("""{"name":"blosc","configuration":{"cname":"lz4","clevel":5,"shuffle":"shuffle","typesize":4,"blocksize":0}}""")]
    [InlineData("""{"name":"zstd","configuration":{"level":0,"checksum":false}}""")]
    [InlineData("""{"name":"gzip","configuration":{"level":5}}""")]
    [InlineData("""{"name":"crc32c"}""")]
    [InlineData("""{"name":"numcodecs.lz4","configuration":{"acceleration":1}}""")]
    [InlineData("""{"name":"numcodecs.zlib","configuration":{"level":1}}""")]
    [InlineData("""{"name":"numcodecs.bz2","configuration":{"level":1}}""")]
    [InlineData("""{"name":"numcodecs.adler32","configuration":{}}""")]
    [InlineData("""{"name":"numcodecs.crc32","configuration":{"location":"end"}}""")]
    [InlineData("""{"name":"numcodecs.fletcher32","configuration":{}}""")]
    public void TryCreateBytesToBytesFromV3_KnownCodec_RoundTripsJson(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        var codec = CodecRegistry.TryCreateBytesToBytesFromV3(node["name"]!.GetValue<string>(), node["configuration"] as JsonObject, 4);
        Assert.NotNull(codec);
        Assert.True(JsonNode.DeepEquals(node, codec.ToV3Json()), codec.ToV3Json().ToJsonString());
        var v2 = codec.ToV2Json();
        if (v2 is not null)
        {
            var again = CodecRegistry.CreateBytesToBytesFromV2(v2, 4);
            Assert.True(JsonNode.DeepEquals(codec.ToV3Json(), again.ToV3Json()));
        }
    }

    [Fact]
    public void Constructors_OutOfRangeArguments_ThrowNamingParameter()
    {
        Assert.Equal("level", Assert.Throws<ArgumentOutOfRangeException>(() => new GzipCodec(10)).ParamName);
        Assert.Equal("level", Assert.Throws<ArgumentOutOfRangeException>(() => new Bz2Codec(0)).ParamName);
        Assert.Equal("level", Assert.Throws<ArgumentOutOfRangeException>(() => new ZstdCodec(23)).ParamName);
        Assert.Equal("acceleration", Assert.Throws<ArgumentOutOfRangeException>(() => new Lz4Codec(-1)).ParamName);
        Assert.Equal("typeSize", Assert.Throws<ArgumentOutOfRangeException>(() => BloscCodec.Lz4Shuffle(0)).ParamName);
        Assert.Equal("level", Assert.Throws<ArgumentOutOfRangeException>(() => BloscCodec.Lz4Shuffle(8, 10)).ParamName);
    }

    [Fact]
    public void EnsureLoaded_MissingLibrary_ThrowsWithInstallHint()
    {
        var ex = Assert.Throws<NativeLibraryMissingException>(
            () => NativeLibraryGuard.EnsureLoaded("libchunkcompute-does-not-exist.so.9", "libcc-missing1", "zstd"));
        Assert.Equal("libchunkcompute-does-not-exist.so.9", ex.Library);
        Assert.Equal("libcc-missing1", ex.Package);
        Assert.Equal(
            "The zstd codec needs the native library 'libchunkcompute-does-not-exist.so.9', which was not found. Install it with: apt-get install libcc-missing1 (or set CHUNKCOMPUTE_CODECS=auto to use the managed implementation)",
            ex.Message);
    }

    [Fact]
    public void EnsureLoaded_InstalledLibraries_DoNotThrow()
    {
        NativeLibraryGuard.EnsureLoaded(ZstdNative.Library, ZstdNative.Package, "zstd");
        NativeLibraryGuard.EnsureLoaded(Lz4Native.Library, Lz4Native.Package, "numcodecs.lz4");
        NativeLibraryGuard.EnsureLoaded(Bz2Native.Library, Bz2Native.Package, "numcodecs.bz2");
    }
}
