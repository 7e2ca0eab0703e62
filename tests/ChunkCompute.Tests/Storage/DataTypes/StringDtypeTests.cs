using System.Text.Json;
using System.Text.Json.Nodes;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Storage.DataTypes;

/// <summary>
/// String dtypes (issue 14): |S n, U n and vlen-utf8 arrays written by zarr-python 2 (Fixtures/strings, see
/// make_fixtures.py) read exactly, whole and by region; ours read exactly by zarr-python; corrupt chunks named.
/// </summary>
public sealed class StringDtypeTests
{
    private static readonly Lazy<JsonObject> Json = new(() => JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "expected.json")))!.AsObject());

    private static string Dir => Path.Combine(FixturePaths.Root, "strings");

    private static string[] Expected(string key) => Json.Value[key]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();

    [Theory]
    [InlineData("s5", "|S5")]
    [InlineData("s5fill", "|S5")]
    [InlineData("s5_sparse", "|S5")]
    [InlineData("u7", "<U7")]
    [InlineData("u7_sparse", "<U7")]
    [InlineData("u3b", ">U3")]
    [InlineData("vlen", "|O")]
    [InlineData("vlen_none", "|O")]
    [InlineData("vlen_str", "|O")]
    [InlineData("vlen_sparse", "|O")]
    public void ReadV2_Strings_MatchZarrPython(string name, string typestr)
    {
        using var store = ZarrStore.OpenExisting(Path.Combine(Dir, "v2.zarr"));
        var array = store.OpenArray(name);
        Assert.True(array.DataType.IsString);
        Assert.Equal(typestr, array.Metadata.ToV2Json()["dtype"]!.GetValue<string>());
        Assert.Equal(Expected(name), array.ReadStrings());
    }

    [Theory]
    [InlineData("str")]
    [InlineData("str_raw")]
    public void ReadV3_VlenUtf8_MatchesNumcodecs(string name)
    {
        using var store = ZarrStore.OpenExisting(Path.Combine(Dir, "v3.zarr"));
        var array = store.OpenArray(name);
        Assert.Same(DataType.String, array.DataType);
        Assert.Equal(Expected("v3_" + name), array.ReadStrings());
    }

    [Theory]
    [InlineData("v2.zarr", "s5", "s5")]
    [InlineData("v2.zarr", "u7", "u7")]
    [InlineData("v2.zarr", "vlen", "vlen")]
    [InlineData("v2.zarr", "vlen_sparse", "vlen_sparse")]
    [InlineData("v3.zarr", "str", "v3_str")]
    public void RegionReads_MatchSlicesOfTheWhole(string storeName, string name, string key)
    {
        using var store = ZarrStore.OpenExisting(Path.Combine(Dir, storeName));
        var array = store.OpenArray(name);
        var whole = Expected(key);
        long rows = array.Shape[0], cols = array.Shape[1];
        foreach (var (r0, c0, nr, nc) in new[] { (0L, 0L, 1L, 1L), (1, 1, rows - 1, cols - 1), (rows - 1, 0, 1, cols), (0, cols - 1, rows, 1), (1, 0, 2, 2), (0, 0, 0, 2) })
        {
            var got = array.ReadStrings(new ArraySubset([r0, c0], [nr, nc]));
            var want = new List<string>();
            for (long r = r0; r < r0 + nr; r++)
            {
                for (long c = c0; c < c0 + nc; c++)
                {
                    want.Add(whole[(r * cols) + c]);
                }
            }

            Assert.Equal(want, got);
        }
    }

    [Fact]
    public void FillValues_AsZarrPython2WritesThem()
    {
        using var store = ZarrStore.OpenExisting(Path.Combine(Dir, "v2.zarr"));
        Assert.Equal("eno=", store.OpenArray("s5fill").Metadata.ToV2Json()["fill_value"]!.GetValue<string>());
        Assert.Equal("zz", store.OpenArray("s5_sparse").ReadStrings(new ArraySubset([0, 0], [1, 1]))[0]);
        Assert.Equal("fé", store.OpenArray("u3b").Metadata.ToV2Json()["fill_value"]!.GetValue<string>());
        Assert.Equal("é😀", store.OpenArray("u7_sparse").ReadStrings(new ArraySubset([0, 0], [1, 1]))[0]);
        Assert.Equal("fill", store.OpenArray("vlen_sparse").ReadStrings(new ArraySubset([4, 3], [1, 1]))[0]);
        var none = store.OpenArray("vlen_none").Metadata;
        Assert.True(none.FillValueIsNull);
        Assert.Null(none.ToV2Json()["fill_value"]);
    }

    [Fact]
    public void WriteV2_AllKinds_ZarrPythonReadsExactly()
    {
        PythonZarr.RequireOrSkip();
        using var tmp = new TempDirectory("cc-strings-py");
        string path = tmp.Combine("o.zarr");
        string[] latin = ["abc", "", "hello", "x\0y", "\u00ff\u00fe", "é", "a", "bb", "", "q", "zz", "12345"];
        string[] unicode = ["héllo", "", "日本語", "😀x", "abcdefg", "𐍈💩", "a", "b", "c", "", "fill", "Ω"];
        string[] vlen = ["", "a", "héllo wörld", "😀", new string('w', 300), "", "日本", "x", "", "tab\t", "new\nline", "end"];
        using (var store = ZarrStore.Open(path, new ZarrStoreOptions { DefaultFormat = ZarrFormat.V2 }))
        {
            var v2 = new ArrayOptions { Format = ZarrFormat.V2 };
            store.CreateArray("s", DataType.FixedBytes(5), [4, 3], [3, 2], v2).WriteStrings(latin);
            store.CreateArray("u", DataType.FixedUnicode(7), [4, 3], [3, 2], new ArrayOptions { Format = ZarrFormat.V2, FillValue = "f😀" }).WriteStrings(unicode);
            var o = store.CreateArray("o", DataType.String, [4, 3], [3, 2], new ArrayOptions { Format = ZarrFormat.V2, Compression = Compression.Zstd(3) });
            o.WriteStrings(vlen);
            o.WriteStrings(new ArraySubset([1, 1], [1, 1]), ["partial ✓"]);
            vlen[4] = "partial ✓";
        }

        string output = PythonZarr.Run(
            "import sys, json, zarr\ng = zarr.open(sys.argv[1], mode='r')\n"
            + "print(json.dumps({'s': [x.decode('latin-1') for x in g['s'][:].ravel().tolist()], 'u': g['u'][:].ravel().tolist(), 'o': g['o'][:].ravel().tolist(),\n"
            + " 'dt': [str(g[k].dtype) for k in 'suo'], 'ufill': g['u'].fill_value, 'ofilters': [f.codec_id for f in g['o'].filters]}))",
            path);
        var result = JsonNode.Parse(output)!.AsObject();
        Assert.Equal(latin, result["s"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(unicode, result["u"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(vlen, result["o"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["|S5", "<U7", "object"], result["dt"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("f😀", result["ufill"]!.GetValue<string>());
        Assert.Equal(["vlen-utf8"], result["ofilters"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public void WriteV3_VlenUtf8_RoundTripsWithVlenCodec()
    {
        using var tmp = new TempDirectory("cc-strings-v3");
        string[] values = ["a", "", "😀", "日本語", "x", ""];
        using (var store = ZarrStore.Open(tmp.Combine("o.zarr")))
        {
            var a = store.CreateArray("s", DataType.String, [2, 3], [1, 2], new ArrayOptions { Format = ZarrFormat.V3, Compression = Compression.Zstd(3) });
            a.WriteStrings(values);
            var doc = a.Metadata.ToV3Json();
            Assert.Equal("string", doc["data_type"]!.GetValue<string>());
            Assert.Equal("vlen-utf8", doc["codecs"]![0]!["name"]!.GetValue<string>());
            Assert.Equal(string.Empty, doc["fill_value"]!.GetValue<string>());
        }

        using var reopened = ZarrStore.OpenExisting(tmp.Combine("o.zarr"));
        Assert.Equal(values, reopened.OpenArray("s").ReadStrings());
    }

    [Fact]
    public void V3_FixedLength_UsesZarrPython3ExtensionTypes()
    {
        using var tmp = new TempDirectory("cc-strings-v3fixed");
        string path = tmp.Combine("o.zarr");
        using (var store = ZarrStore.Open(path))
        {
            var u = store.CreateArray("u", DataType.FixedUnicode(3), [5], [2], new ArrayOptions { Format = ZarrFormat.V3, FillValue = "é" });
            u.WriteStrings(new ArraySubset([1], [3]), ["😀", "abc", ""]);
            var doc = u.Metadata.ToV3Json();
            Assert.Equal("{\"name\":\"fixed_length_utf32\",\"configuration\":{\"length_bytes\":12}}", doc["data_type"]!.ToJsonString());
            Assert.Equal("é", doc["fill_value"]!.GetValue<string>());
            var b = store.CreateArray("b", DataType.FixedBytes(4), [3], [3], new ArrayOptions { Format = ZarrFormat.V3 });
            b.WriteStrings(["ab", "", "wxyz"]);
            Assert.Equal("{\"name\":\"null_terminated_bytes\",\"configuration\":{\"length_bytes\":4}}", b.Metadata.ToV3Json()["data_type"]!.ToJsonString());
        }

        // A document as zarr-python 3 writes it (big-endian bytes codec for UTF-32, base64 fill for bytes).
        Directory.CreateDirectory(Path.Combine(path, "py"));
        File.WriteAllText(Path.Combine(path, "py", "zarr.json"), """
            {"zarr_format": 3, "node_type": "array", "shape": [2], "data_type": {"name": "fixed_length_utf32", "configuration": {"length_bytes": 8}},
             "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2]}}, "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
             "fill_value": "", "codecs": [{"name": "bytes", "configuration": {"endian": "big"}}], "attributes": {}}
            """);
        Directory.CreateDirectory(Path.Combine(path, "py", "c"));
        File.WriteAllBytes(Path.Combine(path, "py", "c", "0"), [0, 0, 0, 0x61, 0, 1, 0xF6, 0, 0, 0, 0, 0x62, 0, 0, 0, 0]);
        using var reopened = ZarrStore.OpenExisting(path);
        Assert.Equal(["é", "😀", "abc", "", "é"], reopened.OpenArray("u").ReadStrings());
        Assert.Equal(["ab", "", "wxyz"], reopened.OpenArray("b").ReadStrings());
        Assert.Equal(["a\U0001F600", "b"], reopened.OpenArray("py").ReadStrings());
    }

    [Fact]
    public void WriteV2_VlenPartialChunks_ReadModifyWrite()
    {
        using var tmp = new TempDirectory("cc-strings-rmw");
        using var store = ZarrStore.Open(tmp.Combine("o.zarr"));
        var a = store.CreateArray("s", DataType.String, [5, 5], [2, 3], new ArrayOptions { Format = ZarrFormat.V2 });
        var expected = Enumerable.Repeat(string.Empty, 25).ToArray();
        a.WriteStrings(new ArraySubset([1, 1], [3, 3]), ["a", "b", "c", "d", "e", "f", "g", "h", "i"]);
        a.WriteStrings(new ArraySubset([3, 0], [2, 5]), ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
        string[] block = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for (int i = 0; i < 9; i++)
        {
            expected[((1 + (i / 3)) * 5) + 1 + (i % 3)] = block[i];
        }

        for (int i = 0; i < 10; i++)
        {
            expected[15 + i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.Equal(expected, a.ReadStrings());
        a.WriteStrings(Enumerable.Repeat(string.Empty, 25).ToArray());
        Assert.Equal(0, a.StoredChunkCount());
    }

    [Fact]
    public void ResizeVlen_ShrinkThenGrow_ReadsFillNotOldStrings()
    {
        using var tmp = new TempDirectory("cc-strings-resize");
        using var store = ZarrStore.Open(tmp.Combine("o.zarr"));
        var a = store.CreateArray("s", DataType.String, [4], [3], new ArrayOptions { Format = ZarrFormat.V2, FillValue = "-" });
        a.WriteStrings(["a", "b", "c", "d"]);
        a.Resize([2]);
        a.Resize([5]);
        Assert.Equal(["a", "b", "-", "-", "-"], a.ReadStrings());
        Assert.Equal(["b", "-"], a.ReadStrings(new ArraySubset([1], [2])));
    }

    [Theory]
    [InlineData("S")]
    [InlineData("U")]
    public void WriteFixed_TooLong_ArgumentExceptionNamesArrayAndIndex(string kind)
    {
        using var tmp = new TempDirectory("cc-strings-long");
        using var store = ZarrStore.Open(tmp.Combine("o.zarr"));
        var a = store.CreateArray("names", kind == "S" ? DataType.FixedBytes(3) : DataType.FixedUnicode(3), [4], [2], new ArrayOptions { Format = ZarrFormat.V2 });
        a.WriteStrings(new[] { "abc", "", "😀😀😀", "x" }.Select(s => kind == "S" && s.Length > 3 ? "xyz" : s).ToArray());
        var ex = Assert.Throws<ArgumentException>(() => a.WriteStrings(["ok", "toolong", "", ""]));
        Assert.Contains("'names'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("value 1", ex.Message, StringComparison.Ordinal);
        if (kind == "S")
        {
            Assert.Throws<ArgumentException>(() => a.WriteStrings(["", "", "Ω", ""]));
        }
        else
        {
            Assert.Equal("😀😀😀", a.ReadStrings()[2]);
        }
    }

    [Theory]
    [InlineData(6, "truncated")]
    [InlineData(15, "truncated")]
    [InlineData(18, "declares")]
    [InlineData(-3, "declares")]
    public void ReadVlen_TruncatedChunk_CorruptChunkExceptionNamesTheChunk(int keep, string reason)
    {
        using var tmp = new TempDirectory("cc-strings-corrupt");
        string path = tmp.Combine("o.zarr");
        using (var store = ZarrStore.Open(path, new ZarrStoreOptions { DefaultFormat = ZarrFormat.V2 }))
        {
            var a = store.CreateArray("t", DataType.String, [4], [2], new ArrayOptions { Format = ZarrFormat.V2, Compression = Compression.None });
            a.WriteStrings(["hello", "world", "a", "b"]);
        }

        string chunk = Path.Combine(path, "t", "1");
        var bytes = File.ReadAllBytes(Path.Combine(path, "t", "0"));
        File.WriteAllBytes(Path.Combine(path, "t", "0"), bytes[..(keep > 0 ? keep : bytes.Length + keep)]);
        using var reopened = ZarrStore.OpenExisting(path);
        var array = reopened.OpenArray("t");
        Assert.Equal(["a", "b"], array.ReadStrings(new ArraySubset([2], [2])));
        var ex = Assert.Throws<CorruptChunkException>(() => array.ReadStrings());
        Assert.Equal("t/0", ex.ChunkKey);
        Assert.Equal("t", ex.ArrayPath);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(chunk));
    }

    [Fact]
    public void ReadVlen_ItemCountDiffersFromChunk_CorruptChunkException()
    {
        using var tmp = new TempDirectory("cc-strings-count");
        string path = tmp.Combine("o.zarr");
        using (var store = ZarrStore.Open(path, new ZarrStoreOptions { DefaultFormat = ZarrFormat.V2 }))
        {
            store.CreateArray("t", DataType.String, [4], [2], new ArrayOptions { Format = ZarrFormat.V2, Compression = Compression.None }).WriteStrings(["a", "b", "c", "d"]);
        }

        // Three items where the chunk holds two (a well-formed numcodecs buffer of the wrong count).
        File.WriteAllBytes(Path.Combine(path, "t", "1"), [3, 0, 0, 0, 1, 0, 0, 0, (byte)'x', 0, 0, 0, 0, 0, 0, 0, 0]);
        using var reopened = ZarrStore.OpenExisting(path);
        var ex = Assert.Throws<CorruptChunkException>(() => reopened.OpenArray("t").ReadStrings());
        Assert.Equal("t/1", ex.ChunkKey);
        Assert.Contains("3 items", ex.Message, StringComparison.Ordinal);

        // A huge count with few bytes fails before allocating.
        File.WriteAllBytes(Path.Combine(path, "t", "1"), [0xFF, 0xFF, 0xFF, 0x7F, 1, 0, 0, 0]);
        Assert.Throws<CorruptChunkException>(() => reopened.OpenArray("t").ReadStrings());
    }

    [Fact]
    public void TypedAccess_ToAStringArray_DataTypeMismatch()
    {
        using var store = ZarrStore.OpenExisting(Path.Combine(Dir, "v2.zarr"));
        var ex = Assert.Throws<DataTypeMismatchException>(() => store.OpenArray<int>("u7"));
        Assert.Contains("U7", ex.Message, StringComparison.Ordinal);
        Assert.Throws<DataTypeMismatchException>(() => store.OpenArray<byte>("vlen"));
        Assert.Throws<DataTypeMismatchException>(() => store.OpenArray("vlen").ReadBytes(new ArraySubset([0, 0], [1, 1]), new byte[8]));
        using var other = ZarrStore.OpenExisting(DtypeFixtures.V2);
        Assert.Throws<DataTypeMismatchException>(() => other.OpenArray("c16").ReadStrings());
    }

    [Fact]
    public void Parse_NumpyTypestrs_And_FixedElements()
    {
        Assert.Same(DataType.FixedBytes(5), DataType.FromNumpyTypestr("|S5", out _));
        Assert.Same(DataType.FixedUnicode(7), DataType.FromNumpyTypestr(">U7", out bool big));
        Assert.True(big);
        Assert.Equal(28, DataType.FixedUnicode(7).Size);
        Assert.Equal(">U7", DataType.FixedUnicode(7).ToNumpyTypestr(bigEndian: true));
        Assert.Same(DataType.String, DataType.FromNumpyTypestr("|O", out _));
        Assert.Same(DataType.String, DataType.FromV3Name("string"));
        Assert.Throws<UnsupportedDataTypeException>(() => DataType.FromNumpyTypestr("|S0", out _));
        Assert.Equal("MA==", DataType.FixedBytes(2).FormatFillValue(DataType.FixedBytes(2).ParseFillValue(JsonValue.Create("MA=="))).GetValue<string>());
        Assert.Equal("0", Assert.IsType<string>(JsonSerializer.Deserialize<string>(DataType.FixedUnicode(2).FormatFillValue(DataType.FixedUnicode(2).ParseFillValue(JsonValue.Create("0"))).ToJsonString())));
    }
}
