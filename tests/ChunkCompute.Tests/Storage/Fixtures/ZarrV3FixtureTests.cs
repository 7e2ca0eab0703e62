using Xunit;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using ChunkCompute.Tests.Storage.Codecs;
using ChunkCompute.Storage.Npy;
using ChunkCompute.Tests.TestSupport;

namespace ChunkCompute.Tests.Storage.Fixtures;

/// <summary>
/// Arrays written by zarr-python 3 and zarrs (Fixtures/zarr-v3) read back as expected/*.npy; codecs we do not implement
/// fail with a clear <see cref="UnsupportedCodecException"/>.
/// </summary>
public sealed class ZarrV3FixtureTests
{
    private static string ExpectedDir => Path.Combine(FixturePaths.ZarrV3, "expected");

    public static TheoryData<string, CodecBackend> Arrays()
    {
        var data = new List<string>();
        foreach (var npy in Directory.EnumerateFiles(ExpectedDir, "*.npy").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(npy));
        }

        return CodecBackendScope.Cross(data);
    }

    // expected/<folder>__<path with / as __>.npy names the array relative to Fixtures/zarr-v3.
    private static string ArrayPath(string name) => name.Replace("__", "/", StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(Arrays))]
    public void Read_V3Fixture_EqualsExpected(string name, CodecBackend backend)
    {
        using var scope = CodecBackendScope.Use(backend);
        var (header, expected) = Npy.Load(Path.Combine(ExpectedDir, name + ".npy"));
        using var store = ZarrStore.OpenExisting(FixturePaths.ZarrV3);
        var array = store.OpenArray(ArrayPath(name));

        Assert.Equal(ZarrFormat.V3, array.Metadata.Format);
        Assert.Equal(header.Shape, array.Shape);
        var actual = new byte[expected.Length];
        array.ReadBytes(ArraySubset.All(array.Shape), actual);
        ElementAssert.Equal(array.DataType, expected, actual, name);
    }

    [Theory]
    [InlineData("zarrs/v3_zarr_python/array_pcodec.zarr", "numcodecs.pcodec")]
    [InlineData("zarrs/v3_zarr_python/array_zfpy.zarr", "numcodecs.zfpy")]
    public void OpenArray_UnsupportedCodec_ThrowsNamingCodecAndArray(string path, string codec)
    {
        using var store = ZarrStore.OpenExisting(FixturePaths.ZarrV3);
        var ex = Assert.Throws<UnsupportedCodecException>(() => store.OpenArray(path));
        Assert.Equal(codec, ex.Codec);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListNodes_ZarrsHierarchy_FindsGroupsArraysAndAttributes()
    {
        using var store = ZarrStore.OpenExisting(Path.Combine(FixturePaths.ZarrV3, "zarrs", "hierarchy.zarr"));
        var nodes = store.ListNodes();
        Assert.Contains(nodes, n => n.Path == string.Empty && n.Kind == NodeKind.Group);
        Assert.Contains(nodes, n => n.Path == "a/foo" && n.Kind == NodeKind.Array);
        Assert.Contains(nodes, n => n.Path == "a/baz" && n.Kind == NodeKind.Array);
        Assert.Equal("test_value", store.OpenGroup("b").Attributes["test_key"]!.GetValue<string>());

        var foo = store.OpenArray<double>("a/foo");
        Assert.Equal([10000L, 1000L], foo.Shape);
        Assert.Equal(42, foo.Metadata.Attributes["foo"]!.GetValue<int>());

        // No chunk is stored: a region reads as the NaN fill value.
        var region = foo.Read(new ArraySubset([9990, 990], [10, 10]));
        Assert.All(region, v => Assert.True(double.IsNaN(v)));
    }

    [Fact]
    public void OpenArray_DimensionNamesAndNaNFill_AreParsed()
    {
        using var store = ZarrStore.OpenExisting(FixturePaths.ZarrV3);
        var array = store.OpenArray<float>("zarrs/array_write_read.zarr/group/array");
        Assert.Equal(["y", "x"], array.Metadata.DimensionNames!);
        Assert.True(float.IsNaN(BitConverter.ToSingle(array.Metadata.FillValue)));
        Assert.Equal(0x7FC00000u, BitConverter.ToUInt32(array.Metadata.FillValue));
    }
}
