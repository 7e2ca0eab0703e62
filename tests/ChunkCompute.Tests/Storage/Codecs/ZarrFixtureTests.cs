using System.Buffers.Binary;
using System.Text.Json.Nodes;
using ChunkCompute.Storage.Codecs;
using Xunit;

namespace ChunkCompute.Tests.Storage.Codecs;

public sealed class ZarrFixtureTests
{
    private static readonly string[] F8Chunks = ["0.0", "0.1", "1.0", "1.1", "2.0", "2.1"];

    public static TheoryData<string, CodecBackend> CompressedF8Arrays
    {
        get
        {
            var data = new List<string>();
            foreach (var dir in Directory.GetDirectories(CodecTestData.Fixture("zarr-v2"), "comp_*_f8.zarr").Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(dir);
                if (name != "comp_none_f8.zarr")
                {
                    data.Add(name);
                }
            }

            return CodecBackendScope.Cross(data);
        }
    }

    public static TheoryData<string, CodecBackend> BloscZstdU2Arrays =>
        CodecBackendScope.Cross(["comp_blosc_zstd_noshuffle_u2.zarr", "comp_blosc_zstd_shuffle_u2.zarr", "comp_blosc_zstd_bitshuffle_u2.zarr"]);

    [Theory]
    [MemberData(nameof(CompressedF8Arrays))]
    public void Decode_CompressedF8Fixture_EqualsRawChunks(string array, CodecBackend backend)
    {
        using var scope = CodecBackendScope.Use(backend);
        var codec = V2Compressor(array, 8);
        foreach (var chunk in F8Chunks)
        {
            var expected = File.ReadAllBytes(CodecTestData.Fixture("zarr-v2", "comp_none_f8.zarr", chunk));
            var encoded = File.ReadAllBytes(CodecTestData.Fixture("zarr-v2", array, chunk));
            var length = codec.GetDecodedLength(encoded);
            Assert.True(length == -1 || length == expected.Length);
            var exact = new byte[expected.Length];
            codec.Decode(encoded, exact);
            Assert.Equal(expected, exact);
            Assert.Equal(expected, codec.Decode(encoded));
        }
    }

    [Theory]
    [MemberData(nameof(BloscZstdU2Arrays))]
    public void Decode_BloscZstdU2Fixture_HoldsThreeTimesFlatIndex(string array, CodecBackend backend)
    {
        using var scope = CodecBackendScope.Use(backend);
        var codec = V2Compressor(array, 2);
        for (var ci = 0; ci < 4; ci++)
        {
            for (var cj = 0; cj < 2; cj++)
            {
                var decoded = codec.Decode(File.ReadAllBytes(CodecTestData.Fixture("zarr-v2", array, $"{ci}.{cj}")));
                Assert.Equal(16 * 16 * 2, decoded.Length);
                for (var r = 0; r < 16; r++)
                {
                    for (var c = 0; c < 16; c++)
                    {
                        var (i, j) = ((ci * 16) + r, (cj * 16) + c);
                        if (i >= 50 || j >= 20)
                        {
                            continue;
                        }

                        var value = BinaryPrimitives.ReadUInt16LittleEndian(decoded.AsSpan(((r * 16) + c) * 2));
                        Assert.Equal((ushort)(3 * ((i * 20) + j)), value);
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData("be_i4_zlib.zarr", 4, 16, CodecBackend.Managed)]
    [InlineData("be_i4_zlib.zarr", 4, 16, CodecBackend.Native)]
    [InlineData("fill_nan_f4.zarr", 4, 16, CodecBackend.Managed)]
    [InlineData("fill_nan_f4.zarr", 4, 16, CodecBackend.Native)]
    [InlineData("fill_i2_m1.zarr", 2, 16, CodecBackend.Managed)]
    [InlineData("fill_i2_m1.zarr", 2, 16, CodecBackend.Native)]
    [InlineData("be_f8_lz4.zarr", 8, 16, CodecBackend.Managed)]
    [InlineData("be_f8_lz4.zarr", 8, 16, CodecBackend.Native)]
    [InlineData("dtype_i1.zarr", 1, 15, CodecBackend.Managed)]
    [InlineData("dtype_i1.zarr", 1, 15, CodecBackend.Native)]
    [InlineData("mini_a1d_f8.zarr", 8, 8192, CodecBackend.Managed)]
    [InlineData("mini_a1d_f8.zarr", 8, 8192, CodecBackend.Native)]
    public void Decode_OtherV2Fixtures_HaveChunkSize(string array, int elementSize, int elements, CodecBackend backend)
    {
        using var scope = CodecBackendScope.Use(backend);
        var codec = V2Compressor(array, elementSize);
        var files = Directory.GetFiles(CodecTestData.Fixture("zarr-v2", array)).Where(f => !Path.GetFileName(f).StartsWith('.')).ToArray();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var exact = new byte[elementSize * elements];
            codec.Decode(File.ReadAllBytes(file), exact);
        }
    }

    [Theory]
    [InlineData("array_adler32.zarr", CodecBackend.Managed)]
    [InlineData("array_adler32.zarr", CodecBackend.Native)]
    [InlineData("array_fletcher32.zarr", CodecBackend.Managed)]
    [InlineData("array_fletcher32.zarr", CodecBackend.Native)]
    public void Decode_V3ChecksumFixture_HoldsArange(string array, CodecBackend backend)
    {
        using var scope = CodecBackendScope.Use(backend);
        var dir = CodecTestData.Fixture("zarr-v3", "zarrs", "v3_zarr_python", array);
        var meta = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "zarr.json")))!.AsObject();
        var entry = meta["codecs"]!.AsArray()[1]!.AsObject();
        var codec = CodecRegistry.TryCreateBytesToBytesFromV3(entry["name"]!.GetValue<string>(), entry["configuration"] as JsonObject, 4);
        Assert.NotNull(codec);
        var encoded = File.ReadAllBytes(Path.Combine(dir, "c", "0", "0"));
        Assert.Equal(100, codec.GetDecodedLength(encoded));
        var decoded = new byte[100];
        codec.Decode(encoded, decoded);
        for (var i = 0; i < 5; i++)
        {
            for (var j = 0; j < 5; j++)
            {
                Assert.Equal((10 * i) + j, BinaryPrimitives.ReadSingleLittleEndian(decoded.AsSpan(((i * 5) + j) * 4)));
            }
        }

        var reencoded = codec.Encode(decoded);
        Assert.Equal(encoded, reencoded);
    }

    private static IBytesToBytesCodec V2Compressor(string array, int elementSize)
    {
        var zarray = JsonNode.Parse(File.ReadAllText(CodecTestData.Fixture("zarr-v2", array, ".zarray")))!.AsObject();
        return CodecRegistry.CreateBytesToBytesFromV2(zarray["compressor"]!.AsObject(), elementSize);
    }
}
