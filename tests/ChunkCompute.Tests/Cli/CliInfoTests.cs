using System.Text.Json;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Cli;

public sealed class CliInfoTests
{
    private static string MakeStore(TempDirectory tmp, ZarrFormat format)
    {
        string root = tmp.Combine("s.zarr");
        using var store = ZarrStore.Open(root, new ZarrStoreOptions { DefaultFormat = format });
        var a = store.CreateArray<float>("grp/temps", [100, 50], [32, 32], new ArrayOptions { Format = format, Compression = Compression.Zstd(3) });
        var data = Enumerable.Range(0, 5000).Select(i => (float)(i % 7)).ToArray();
        a.Write(data, TestContext.Current.CancellationToken);
        return root;
    }

    [Theory]
    [InlineData(ZarrFormat.V2)]
    [InlineData(ZarrFormat.V3)]
    public void Info_Text_ListsGroupsAndArrayDetails(ZarrFormat format)
    {
        using var tmp = new TempDirectory("cc-cli-info");
        string root = MakeStore(tmp, format);
        var result = CliHarness.Expect(0, "info", root);
        Assert.Empty(result.Stderr);
        Assert.Contains("/grp", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("/grp/temps", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("float32", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("shape [100, 50]", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("chunks [32, 32]", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"zarr v{(int)format}", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("zstd", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ZarrFormat.V2)]
    [InlineData(ZarrFormat.V3)]
    public void Info_Json_ParsesWithRequiredFields(ZarrFormat format)
    {
        using var tmp = new TempDirectory("cc-cli-info");
        string root = MakeStore(tmp, format);
        var result = CliHarness.Expect(0, "info", root, "--json");
        using var doc = JsonDocument.Parse(result.Stdout);
        var nodes = doc.RootElement.GetProperty("nodes").EnumerateArray().ToList();
        var array = nodes.Single(n => n.GetProperty("path").GetString() == "grp/temps");
        Assert.Equal("array", array.GetProperty("kind").GetString());
        Assert.Equal("float32", array.GetProperty("dtype").GetString());
        Assert.Equal([100L, 50L], array.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([32L, 32L], array.GetProperty("chunks").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(JsonValueKind.Array, array.GetProperty("codecs").ValueKind);
        Assert.Contains(array.GetProperty("codecs").EnumerateArray(), c => c.GetProperty("name").GetString() == "zstd");
        Assert.Equal(100 * 50 * 4, array.GetProperty("logical_bytes").GetInt64());
        long stored = array.GetProperty("stored_bytes").GetInt64();
        Assert.InRange(stored, 1, 100 * 50 * 4);
        Assert.Equal((int)format, array.GetProperty("format").GetInt32());
        Assert.Contains(nodes, n => n.GetProperty("path").GetString() == "grp" && n.GetProperty("kind").GetString() == "group");
    }

    [Fact]
    public void Info_JsonWithArray_DescribesOnlyThatArray()
    {
        using var tmp = new TempDirectory("cc-cli-info");
        string root = MakeStore(tmp, ZarrFormat.V2);
        var result = CliHarness.Expect(0, "info", root, "--array", "grp/temps", "--json");
        using var doc = JsonDocument.Parse(result.Stdout);
        var node = Assert.Single(doc.RootElement.GetProperty("nodes").EnumerateArray());
        Assert.Equal("grp/temps", node.GetProperty("path").GetString());
    }

    [Fact]
    public void Info_MissingStore_ExitsOneWithOneLine()
    {
        using var tmp = new TempDirectory("cc-cli-info");
        string missing = tmp.Combine("nope.zarr");
        CliHarness.ExpectError("nope.zarr", "info", missing);
        Assert.False(Directory.Exists(missing), "info must not create a store");
    }

    [Fact]
    public void Info_MissingArray_ExitsOneNamingPath()
    {
        using var tmp = new TempDirectory("cc-cli-info");
        string root = MakeStore(tmp, ZarrFormat.V3);
        CliHarness.ExpectError("no/such", "info", root, "--array", "no/such");
    }
}
