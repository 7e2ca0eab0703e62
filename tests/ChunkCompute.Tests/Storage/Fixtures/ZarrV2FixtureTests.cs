using System.Text.Json.Nodes;
using Xunit;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using ChunkCompute.Tests.Storage.Codecs;
using ChunkCompute.Storage.Npy;
using ChunkCompute.Tests.TestSupport;

namespace ChunkCompute.Tests.Storage.Fixtures;

/// <summary>Every array zarr-python 2.13 wrote into Fixtures/zarr-v2 reads back exactly as NumPy holds it.</summary>
public sealed class ZarrV2FixtureTests
{
    public static TheoryData<string, CodecBackend> Arrays()
    {
        var data = new List<string>();
        foreach (var npy in Directory.EnumerateFiles(FixturePaths.ZarrV2, "*.npy").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(npy);
            if (!name.StartsWith("group__", StringComparison.Ordinal))
            {
                data.Add(name);
            }
        }

        return CodecBackendScope.Cross(data);
    }

    [Theory]
    [MemberData(nameof(Arrays))]
    public void Read_ZarrPythonV2Fixture_EqualsNumPy(string name, CodecBackend backend)
    {
        using var scope = CodecBackendScope.Use(backend);
        var (header, expected) = Npy.Load(Path.Combine(FixturePaths.ZarrV2, name + ".npy"));
        using var store = ZarrStore.OpenExisting(Path.Combine(FixturePaths.ZarrV2, name + ".zarr"));
        var array = store.OpenArray(string.Empty);

        Assert.Equal(ZarrFormat.V2, array.Metadata.Format);
        Assert.Equal(header.Shape, array.Shape);
        Assert.Equal(DataType.FromNumpyTypestr(header.NormalizedDescr, out _), array.DataType);
        var actual = new byte[expected.Length];
        array.ReadBytes(ArraySubset.All(array.Shape), actual);
        ElementAssert.Equal(array.DataType, expected, actual, name);
    }

    [Fact]
    public void OpenGroup_ZarrPythonGroup_ReadsAttributesAndNestedArrays()
    {
        using var store = ZarrStore.OpenExisting(Path.Combine(FixturePaths.ZarrV2, "group.zarr"));
        var root = store.OpenGroup();
        Assert.Equal(ZarrFormat.V2, root.Format);
        Assert.NotEmpty(root.Attributes);

        var nodes = store.ListNodes();
        Assert.Contains(nodes, n => n.Path == "temperature" && n.Kind == NodeKind.Array);
        Assert.Contains(nodes, n => n.Path == "sub" && n.Kind == NodeKind.Group);
        Assert.Contains(nodes, n => n.Path == "sub/counts" && n.Kind == NodeKind.Array);

        var temperature = store.OpenArray<float>("temperature");
        Assert.Equal("K", temperature.Metadata.Attributes["units"]!.GetValue<string>());
        Assert.Equal(["time", "lat", "lon"], temperature.Metadata.Attributes["_ARRAY_DIMENSIONS"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.True(float.IsNaN(BitConverter.ToSingle(temperature.Metadata.FillValue)));
        Assert.Equal(Npy.Load<float>(Path.Combine(FixturePaths.ZarrV2, "group__temperature.npy")), temperature.Read());
        Assert.Equal(Npy.Load<uint>(Path.Combine(FixturePaths.ZarrV2, "group__sub__counts.npy")), store.OpenArray<uint>("sub/counts").Read());
        Assert.IsType<JsonObject>(store.OpenGroup("sub").Attributes);
    }

    [Fact]
    public void Read_SummaryStatistics_MatchManifest()
    {
        // Independent check of the decoded values against the manifest's NumPy sums (float64 accumulation).
        using var store = ZarrStore.OpenExisting(Path.Combine(FixturePaths.ZarrV2, "mini_a1d_f8.zarr"));
        var values = store.OpenArray<double>(string.Empty).Read();
        Assert.Equal(100000, values.Length);
        Assert.Equal(-232.66015625, values.Sum(), 6);

        using var u8 = ZarrStore.OpenExisting(Path.Combine(FixturePaths.ZarrV2, "dtype_u8.zarr"));
        var big = u8.OpenArray<ulong>(string.Empty).Read();
        Assert.Equal(System.Numerics.BigInteger.Parse("36893488147419192666", System.Globalization.CultureInfo.InvariantCulture), big.Aggregate(System.Numerics.BigInteger.Zero, (a, v) => a + v));
    }
}
