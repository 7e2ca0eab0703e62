using System.Text.Json.Nodes;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using ChunkCompute.Storage.Npy;
using Xunit;

namespace ChunkCompute.Tests.Interop;

/// <summary>
/// Round trips with zarr-python 2 (Debian's python3-zarr): we write v2 and Python reads, Python writes and we read, and
/// region reads/writes checked against NumPy. Skipped (not passed) when python3-zarr is missing.
/// </summary>
public sealed class ZarrPythonRoundTripTests(PythonWrittenStore pythonStore) : IClassFixture<PythonWrittenStore>
{
    // The real and integer types (complex and datetime interop is in Storage/DataTypes).
    private static readonly DataType[] Types = [.. DataType.Supported.Where(t => !t.IsComplex)];

    private static readonly (Compression Compression, string? Id)[] Compressions =
    [
        (Compression.None, null),
        (Compression.Blosc("lz4", 5, BloscShuffle.Shuffle), "blosc:lz4:1"),
        (Compression.Blosc("lz4", 5, BloscShuffle.BitShuffle), "blosc:lz4:2"),
        (Compression.Blosc("zstd", 3, BloscShuffle.NoShuffle), "blosc:zstd:0"),
        (Compression.Blosc("lz4hc", 9, BloscShuffle.Shuffle), "blosc:lz4hc:1"),
        (Compression.Blosc("zlib", 5, BloscShuffle.Shuffle), "blosc:zlib:1"),
        (Compression.Zstd(3), "zstd"),
        (Compression.Gzip(5), "gzip"),
        (Compression.Zlib(1), "zlib"),
        (Compression.Lz4(), "lz4"),
    ];

    // Per rank: regular chunking, edge chunks partial in every dimension, one chunk bigger than the array.
    private static readonly (long[] Shape, int[] Chunks)[][] Layouts =
    [
        [([500], [100]), ([1001], [64]), ([777], [4096])],
        [([30, 20], [10, 5]), ([31, 23], [8, 7]), ([13, 9], [20, 16])],
        [([18, 10, 8], [6, 5, 4]), ([20, 13, 11], [7, 6, 5]), ([17, 9, 6], [40, 30, 25])],
    ];

    private static JsonObject RootAttributes() => new()
    {
        ["title"] = "Prüfung ✓ 日本語 \"quoted\" \\ back",
        ["nested"] = new JsonObject { ["list"] = new JsonArray(1, 2.5, null, true, "ß"), ["obj"] = new JsonObject { ["deeper"] = new JsonObject { ["x"] = -3 } } },
        ["empty"] = new JsonObject(),
    };

    /// <summary>
    /// Deterministic mix: 24 cases cover every dtype twice, every compression at least twice and every
    /// chunking × order × separator combination twice; plus 0-d arrays and a multi-block Blosc chunk.
    /// </summary>
    private static List<V2WriteCase> WriteCases()
    {
        var cases = new List<V2WriteCase>();
        for (int i = 0; i < 24; i++)
        {
            var type = Types[i % Types.Length];
            var (compression, id) = Compressions[(i * 7) % Compressions.Length];
            int rank = 1 + ((i / 4) % 3);
            var (shape, chunks) = Layouts[rank - 1][i % 3];
            bool fortran = (i / 3) % 2 == 1;
            char sep = (i / 6) % 2 == 0 ? '.' : '/';
            JsonNode? fill = i % 2 == 0 ? TestArrays.SpecialFill(type) : null;
            string group = i % 5 == 0 ? "grp/sub/" : "cs/";
            cases.Add(new V2WriteCase($"{group}a{i:D2}", type, shape, chunks, compression, id, fortran, sep, fill, Partial: i % 4 == 1));
        }

        cases.Add(new V2WriteCase("cs/zero_d_f8", DataType.Float64, [], [], Compression.Zstd(3), "zstd", false, '.', TestArrays.SpecialFill(DataType.Float64), false));
        cases.Add(new V2WriteCase("cs/zero_d_u2", DataType.UInt16, [], [], Compression.None, null, true, '/', null, false));
        cases.Add(new V2WriteCase("cs/big_blosc", DataType.Float64, [300, 200], [128, 128], Compression.Blosc("lz4", 5, BloscShuffle.Shuffle), "blosc:lz4:1", false, '.', null, false));
        cases.Add(new V2WriteCase("cs/big_blosc_bit", DataType.Int32, [300, 200], [128, 128], Compression.Blosc("zstd", 3, BloscShuffle.BitShuffle), "blosc:zstd:2", true, '/', TestArrays.SpecialFill(DataType.Int32), true));
        cases.Add(new V2WriteCase("cs/missing_all", DataType.Float32, [20, 20], [7, 7], Compression.Gzip(5), "gzip", false, '/', TestArrays.SpecialFill(DataType.Float32), false));
        return cases;
    }

    [Fact]
    public void WriteV2_MixedDtypesCodecsLayouts_PythonReadsSameDataAndMetadata()
    {
        PythonZarr.RequireOrSkip();
        using var tmp = new TempDirectory("cc-interop-write");
        string root = tmp.Combine("cs.zarr");
        var arrays = new JsonArray();
        var groups = new JsonArray();
        var cases = WriteCases();
        using (var store = ZarrStore.Open(root, new ZarrStoreOptions { DefaultFormat = ZarrFormat.V2 }))
        {
            store.CreateGroup(string.Empty, RootAttributes(), ZarrFormat.V2);
            store.CreateGroup("grp", new JsonObject { ["ünïcode"] = "値", ["n"] = new JsonObject { ["a"] = new JsonArray(new JsonObject { ["b"] = 1 }) } }, ZarrFormat.V2);
            store.CreateGroup("grp/sub", new JsonObject { ["emoji"] = "🧊", ["big"] = 9007199254740993L }, ZarrFormat.V2);
            foreach (var path in new[] { string.Empty, "grp", "grp/sub" })
            {
                groups.Add(new JsonObject { ["path"] = path, ["attrs"] = store.OpenGroup(path).Attributes });
            }

            int seed = 0;
            foreach (var c in cases)
            {
                var attrs = seed % 3 == 0 ? new JsonObject { ["case"] = c.ToString(), ["ä"] = new JsonArray("ö", 1) } : null;
                var array = store.CreateArray(c.Path, c.Type, c.Shape, c.Chunks, new ArrayOptions
                {
                    Format = ZarrFormat.V2,
                    Compression = c.Compression,
                    FillValue = c.Fill?.DeepClone(),
                    FortranOrder = c.Fortran,
                    Separator = c.Separator,
                    Attributes = attrs,
                });
                long count = TestArrays.Count(c.Shape);
                byte[] expected = TestArrays.Filled(c.Type, c.Fill, count);
                if (c.Path.EndsWith("missing_all", StringComparison.Ordinal))
                {
                    // Nothing written: every chunk is missing and reads as the fill value.
                }
                else if (c.Partial)
                {
                    long[] extent = [.. c.Shape];
                    extent[0] = Math.Max(1, c.Shape[0] / 2);
                    long[] start = new long[c.Shape.Length];
                    var part = TestArrays.Random(c.Type, TestArrays.Count(extent), 100 + seed);
                    array.WriteBytes(new ArraySubset(start, extent), part, TestContext.Current.CancellationToken);
                    TestArrays.Paste(expected, c.Shape, start, extent, c.Type.Size, part);
                }
                else
                {
                    expected = TestArrays.Random(c.Type, count, 100 + seed);
                    array.WriteBytes(ArraySubset.All(c.Shape), expected, TestContext.Current.CancellationToken);
                }

                // Our own read-back first, so a failure says which side is wrong.
                var back = new byte[expected.Length];
                array.ReadBytes(ArraySubset.All(c.Shape), back, TestContext.Current.CancellationToken);
                TestArrays.AssertSameElements(c.Type, expected, back, "ChunkCompute read-back of " + c);

                string npy = tmp.Combine(c.Path.Replace('/', '_') + ".npy");
                Npy.Save(npy, c.Type.ToNumpyTypestr(), c.Shape, expected);
                arrays.Add(new JsonObject
                {
                    ["path"] = c.Path,
                    ["npy"] = npy,
                    ["dtype"] = c.Type.ToNumpyTypestr(),
                    ["shape"] = new JsonArray([.. c.Shape.Select(s => (JsonNode)s)]),
                    ["chunks"] = new JsonArray([.. c.Chunks.Select(s => (JsonNode)s)]),
                    ["order"] = c.Fortran ? "F" : "C",
                    ["separator"] = c.Separator.ToString(),
                    ["fill"] = c.Fill?.DeepClone() ?? (c.Type.Kind == DataTypeKind.Bool ? false : 0),
                    ["compressor"] = c.Compressor,
                    ["attrs"] = attrs?.DeepClone() ?? new JsonObject(),
                    ["stored_chunks"] = array.StoredChunkCount(),
                });
                bool untouchedChunkRow = c.Shape.Length > 0 && Math.Max(1, c.Shape[0] / 2) <= (array.GridShape[0] - 1) * c.Chunks[0];
                if ((c.Partial && untouchedChunkRow) || c.Path.EndsWith("missing_all", StringComparison.Ordinal))
                {
                    Assert.True(array.StoredChunkCount() < array.GridShape.Aggregate(1L, (a, b) => a * b), "chunks were left missing in " + c);
                }

                seed++;
            }
        }

        string manifest = tmp.Combine("manifest.json");
        File.WriteAllText(manifest, new JsonObject { ["arrays"] = arrays, ["groups"] = groups }.ToJsonString());
        string output = PythonZarr.Run(PythonScripts.VerifyV2, root, manifest);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var failures = lines.Where(l => l.StartsWith("FAIL", StringComparison.Ordinal)).ToList();
        Assert.True(failures.Count == 0, "zarr-python disagrees:\n" + string.Join("\n", failures));
        Assert.Equal(cases.Count + groups.Count, lines.Count(l => l.StartsWith("OK ", StringComparison.Ordinal)));
        Assert.Equal("DONE", lines[^1]);
    }

    [Fact]
    public void ReadV2_PythonWrittenArrays_EveryElementMatches()
    {
        PythonZarr.RequireOrSkip();
        var manifest = JsonNode.Parse(File.ReadAllText(pythonStore.Manifest))!.AsObject();
        using var store = ZarrStore.OpenExisting(pythonStore.Root);
        var failures = new List<string>();
        int checkedCount = 0;
        foreach (var entry in manifest["arrays"]!.AsArray())
        {
            string path = entry!["path"]!.GetValue<string>();
            try
            {
                var array = store.OpenArray(path);
                Assert.Equal(entry["dtype"]!.GetValue<string>(), array.DataType.Name);
                Assert.Equal(entry["shape"]!.AsArray().Select(s => s!.GetValue<long>()), array.Shape);
                var (header, expected) = Npy.Load(entry["npy"]!.GetValue<string>());
                Assert.Equal(header.Shape, array.Shape);
                var actual = new byte[expected.Length];
                array.ReadBytes(ArraySubset.All(array.Shape), actual, TestContext.Current.CancellationToken);
                TestArrays.AssertSameElements(array.DataType, expected, actual, path);
                checkedCount++;
            }
            catch (Exception ex)
            {
                failures.Add($"{path}: {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {manifest["arrays"]!.AsArray().Count} arrays failed:\n" + string.Join("\n", failures));
        Assert.True(checkedCount >= 40, $"only {checkedCount} arrays checked");
    }

    [Fact]
    public void ReadV2_PythonWrittenGroups_AttributesMatch()
    {
        PythonZarr.RequireOrSkip();
        var manifest = JsonNode.Parse(File.ReadAllText(pythonStore.Manifest))!.AsObject();
        using var store = ZarrStore.OpenExisting(pythonStore.Root);
        foreach (var entry in manifest["groups"]!.AsArray())
        {
            string path = entry!["path"]!.GetValue<string>();
            var group = store.OpenGroup(path);
            Assert.Equal(ZarrFormat.V2, group.Format);
            Assert.True(JsonNode.DeepEquals(entry["attrs"], group.Attributes), $"group '{path}': expected {entry["attrs"]!.ToJsonString()}, got {group.Attributes.ToJsonString()}");
        }

        var nodes = store.ListNodes();
        Assert.Contains(nodes, n => n.Path == "g1/g2/nested" && n.Kind == NodeKind.Array);
        Assert.Contains(nodes, n => n.Path == "g1/g2" && n.Kind == NodeKind.Group);
    }

    [Fact]
    public void ReadV2_WriteEmptyChunksFalse_MissingChunksReadAsFill()
    {
        PythonZarr.RequireOrSkip();
        _ = pythonStore.Manifest;
        using var store = ZarrStore.OpenExisting(pythonStore.Root);
        var array = store.OpenArray<short>("py/sparse");
        Assert.Equal(3, array.Untyped.StoredChunkCount());
        Assert.False(array.Untyped.ChunkExists([3, 3]));
        var values = array.Read(TestContext.Current.CancellationToken);
        Assert.Equal(99, values[(9 * 40) + 9]);
        Assert.Equal(-5, values[(30 * 40) + 12]);
        Assert.Equal(0, values[(39 * 40) + 39]);
    }

    [Theory]
    [InlineData("<i4", "C", ".")]
    [InlineData(">f8", "F", "/")]
    public void RegionIo_RandomHyperslabs_MatchNumPyAndPythonSeesWrites(string dtype, string order, string separator)
    {
        PythonZarr.RequireOrSkip();
        using var tmp = new TempDirectory("cc-interop-region");
        string root = tmp.Combine("r.zarr");
        string npy = tmp.Combine("full.npy");
        PythonZarr.Run(PythonScripts.WriteRegionArray, root, "vol", dtype, order, separator, npy);

        var (header, expected) = Npy.Load(npy);
        long[] shape = header.Shape;
        using (var store = ZarrStore.OpenExisting(root))
        {
            var array = store.OpenArray("vol");
            var type = array.DataType;
            Assert.Equal(shape, array.Shape);
            var rng = new Random(2024);
            for (int i = 0; i < 20; i++)
            {
                var (start, extent) = RandomBox(rng, shape, i);
                var actual = new byte[TestArrays.Count(extent) * type.Size];
                array.ReadBytes(new ArraySubset(start, extent), actual, TestContext.Current.CancellationToken);
                TestArrays.AssertSameElements(type, TestArrays.Extract(expected, shape, start, extent, type.Size), actual, $"read [{string.Join(",", start)}] + [{string.Join(",", extent)}]");
            }

            for (int i = 0; i < 6; i++)
            {
                var (start, extent) = RandomBox(rng, shape, i + 3);
                var values = TestArrays.Random(type, TestArrays.Count(extent), 500 + i);
                array.WriteBytes(new ArraySubset(start, extent), values, TestContext.Current.CancellationToken);
                TestArrays.Paste(expected, shape, start, extent, type.Size, values);
            }

            // A whole chunk set to the fill value: stored as missing (or as fill), read as fill either way.
            long[] chunkStart = [8, 7, 5];
            long[] chunkExtent = [8, 7, 5];
            var fill = TestArrays.Filled(type, array.Metadata.FillValueIsNull ? null : type.FormatFillValue(array.Metadata.FillValue), TestArrays.Count(chunkExtent));
            array.WriteBytes(new ArraySubset(chunkStart, chunkExtent), fill, TestContext.Current.CancellationToken);
            TestArrays.Paste(expected, shape, chunkStart, chunkExtent, type.Size, fill);
        }

        using (var reopened = ZarrStore.OpenExisting(root))
        {
            var array = reopened.OpenArray("vol");
            var all = new byte[expected.Length];
            array.ReadBytes(ArraySubset.All(shape), all, TestContext.Current.CancellationToken);
            TestArrays.AssertSameElements(array.DataType, expected, all, "re-read after writes");
        }

        string expectedNpy = tmp.Combine("expected.npy");
        Npy.Save(expectedNpy, header.NormalizedDescr, shape, expected);
        string manifest = tmp.Combine("manifest.json");
        var fillJson = dtype[1] == 'f' ? (JsonNode)"NaN" : -1;
        File.WriteAllText(manifest, new JsonObject
        {
            ["arrays"] = new JsonArray(new JsonObject
            {
                ["path"] = "vol",
                ["npy"] = expectedNpy,
                ["dtype"] = dtype,
                ["shape"] = new JsonArray([.. shape.Select(s => (JsonNode)s)]),
                ["chunks"] = new JsonArray(8, 7, 5),
                ["order"] = order,
                ["separator"] = separator,
                ["fill"] = fillJson,
                ["compressor"] = dtype[1] == 'f' ? "zlib" : "blosc:zstd:2",
            }),
        }.ToJsonString());
        string output = PythonZarr.Run(PythonScripts.VerifyV2, root, manifest);
        Assert.Contains("OK vol", output, StringComparison.Ordinal);
    }

    private static (long[] Start, long[] Extent) RandomBox(Random rng, long[] shape, int i)
    {
        if (i == 0)
        {
            return (new long[shape.Length], [.. shape]);
        }

        var start = new long[shape.Length];
        var extent = new long[shape.Length];
        for (int d = 0; d < shape.Length; d++)
        {
            start[d] = rng.NextInt64(shape[d]);
            extent[d] = i == 1 ? 1 : 1 + rng.NextInt64(shape[d] - start[d]);
        }

        return (start, extent);
    }
}
