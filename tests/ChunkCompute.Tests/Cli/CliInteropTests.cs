using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Npy;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Cli;

/// <summary>
/// Issue 14, CLI side: stores the writing commands make open in zarr-python as it expects (one format per store,
/// consolidated metadata, dimension names), arguments in one order with usage errors for swapped ones, info and
/// verify on stores other tools wrote, and read-only commands that write nothing.
/// </summary>
public sealed class CliInteropTests : IDisposable
{
    // Every array zarr-python finds, via open_group and via open, with its values (as nested lists).
    private const string ListArrays = """
        import sys, json, zarr
        p = sys.argv[1]
        def arrays(node):
            found = {}
            node.visititems(lambda name, obj: found.__setitem__(name, obj[...].tolist()) if isinstance(obj, zarr.Array) else None)
            return found
        g = zarr.open_group(p, mode='r')
        z = zarr.open(p, mode='r')
        print(json.dumps({'group': arrays(g), 'open': arrays(z), 'open_type': type(z).__name__}))
        """;

    private readonly TempDirectory _dir = new("cc-cli-interop");

    public void Dispose() => _dir.Dispose();

    private string Store => _dir.Combine("s.zarr");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // import .npy, import CSV, convert (within the store and into a second one) and append, all in `format`.
    private (int[] Matrix, double[] Csv) WriteWithEveryCommand(string format, string second)
    {
        string npy = _dir.Combine("m.npy");
        var data = CliHarness.SaveMatrix(npy, 10, 6);
        CliHarness.Expect(0, "import", npy, Store, "--array", "m", "--chunks", "4,6", "--format", format);
        string csv = _dir.Combine("t.csv");
        File.WriteAllText(csv, "a,b,c\n1.5,2,3\n-4,5.25,6\n");
        CliHarness.Expect(0, "import", csv, Store, "--array", "tables/t", "--format", format);
        string more = _dir.Combine("more.npy");
        Npy.Save<int>(more, [.. Enumerable.Range(0, 12).Select(i => -i)], [2, 6]);
        CliHarness.Expect(0, "append", more, Store, "--array", "m");
        CliHarness.Expect(0, "convert", Store, Store, "--array", "m", "--to-array", "m2", "--chunks", "5,5", "--format", format);
        CliHarness.Expect(0, "convert", Store, second, "--array", "m", "--format", format);
        return ([.. data, .. Enumerable.Range(0, 12).Select(i => -i)], [1.5, 2, 3, -4, 5.25, 6]);
    }

    [Fact]
    public void WritingCommands_V2_ZarrPythonOpensGroupAndStore_EveryArrayExact()
    {
        PythonZarr.RequireOrSkip();
        string second = _dir.Combine("second.zarr");
        var (matrix, csv) = WriteWithEveryCommand("v2", second);
        Assert.True(File.Exists(Path.Combine(Store, ".zgroup")));
        Assert.False(File.Exists(Path.Combine(Store, "zarr.json")));

        using var doc = JsonDocument.Parse(PythonZarr.Run(ListArrays, Store));
        var expectedM = matrix.Chunk(6).Select(r => r.ToArray()).ToArray();
        foreach (var view in new[] { "group", "open" })
        {
            var arrays = doc.RootElement.GetProperty(view);
            Assert.Equal(["m", "m2", "tables/t"], arrays.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Equal(expectedM, arrays.GetProperty("m").Deserialize<int[][]>());
            Assert.Equal(expectedM, arrays.GetProperty("m2").Deserialize<int[][]>());
            Assert.Equal(csv.Chunk(3).Select(r => r.ToArray()).ToArray(), arrays.GetProperty("tables/t").Deserialize<double[][]>());
        }

        Assert.Equal("Group", doc.RootElement.GetProperty("open_type").GetString());
        using var other = JsonDocument.Parse(PythonZarr.Run(ListArrays, second));
        Assert.Equal(expectedM, other.RootElement.GetProperty("group").GetProperty("m").Deserialize<int[][]>());
        Assert.Equal(expectedM, other.RootElement.GetProperty("open").GetProperty("m").Deserialize<int[][]>());
    }

    [Fact]
    public void WritingCommands_V3_RootIsZarrJson_AndOurReaderSeesEveryArray()
    {
        string second = _dir.Combine("second.zarr");
        var (matrix, csv) = WriteWithEveryCommand("v3", second);
        foreach (var store in new[] { Store, second })
        {
            Assert.True(File.Exists(Path.Combine(store, "zarr.json")));
            Assert.False(File.Exists(Path.Combine(store, ".zgroup")));
            using var zarr = ZarrStore.OpenExisting(store);
            Assert.Equal(ZarrFormat.V3, zarr.HierarchyFormat());
            Assert.All(zarr.ListNodes(), n => Assert.Equal(ZarrFormat.V3, n.Format));
            Assert.Equal(matrix, zarr.OpenArray<int>("m").Read(Ct));
        }

        using var s = ZarrStore.OpenExisting(Store);
        Assert.Equal(matrix, s.OpenArray<int>("m2").Read(Ct));
        Assert.Equal(csv, s.OpenArray<double>("tables/t").Read(Ct));
    }

    [Theory]
    [InlineData("v3", "v2")]
    [InlineData("v2", "v3")]
    public void OtherFormatIntoExistingStore_RefusedNamingBothAndTheFlag_NothingWritten(string existing, string other)
    {
        string npy = _dir.Combine("m.npy");
        CliHarness.SaveMatrix(npy);
        CliHarness.Expect(0, "import", npy, Store, "--array", "m", "--format", existing);
        // Opening a store with a log pins the snapshot read (a file in .chunkcompute/pins, removed again): not a write.
        string[] Data(string store) => [.. Snapshot(store).Where(e => !e.StartsWith(".chunkcompute/pins", StringComparison.Ordinal))];
        var before = Data(Store);

        var import = CliHarness.ExpectError("--format", "import", npy, Store, "--array", "x", "--format", other);
        Assert.Contains(existing, import.Stderr, StringComparison.Ordinal);
        Assert.Contains(other, import.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, Data(Store));

        // convert into it, explicitly or by default (the source's format)
        string source = _dir.Combine("src.zarr");
        CliHarness.Expect(0, "import", npy, source, "--array", "m", "--format", other);
        var convert = CliHarness.ExpectError("--format", "convert", source, Store, "--array", "m", "--to-array", "y");
        Assert.Contains(existing, convert.Stderr, StringComparison.Ordinal);
        Assert.Contains(other, convert.Stderr, StringComparison.Ordinal);
        CliHarness.ExpectError("--format", "convert", Store, Store, "--array", "m", "--to-array", "y", "--format", other);
        Assert.Equal(before, Data(Store));

        // The same into a store zarr-python wrote (no transaction log): nothing is created either.
        string foreign = _dir.Combine("foreign.zarr");
        CliHarness.Expect(0, "import", npy, foreign, "--array", "m", "--format", existing);
        Directory.Delete(Path.Combine(foreign, ".chunkcompute"), recursive: true);
        var foreignBefore = Snapshot(foreign);
        CliHarness.ExpectError("--format", "import", npy, foreign, "--array", "x", "--format", other);
        Assert.Equal(foreignBefore, Snapshot(foreign));
    }

    [Fact]
    public void ExistingArray_ErrorNamesOverwriteFlag()
    {
        string npy = _dir.Combine("m.npy");
        CliHarness.SaveMatrix(npy);
        CliHarness.Expect(0, "import", npy, Store, "--array", "m");
        var import = CliHarness.ExpectError("--overwrite", "import", npy, Store, "--array", "m");
        Assert.DoesNotContain("Overwrite = true", import.Stderr, StringComparison.Ordinal);
        CliHarness.Expect(0, "convert", Store, Store, "--array", "m", "--to-array", "c", "--chunks", "2,2");
        CliHarness.ExpectError("--overwrite", "convert", Store, Store, "--array", "m", "--to-array", "c");
        CliHarness.Expect(0, "convert", Store, Store, "--array", "m", "--to-array", "c", "--overwrite");
    }

    [Fact]
    public void Consolidate_ImportAndAppend_ZarrPythonOpenConsolidatedSeesNewShape_AndMatchesFreshConsolidation()
    {
        PythonZarr.RequireOrSkip();
        string npy = _dir.Combine("m.npy");
        CliHarness.SaveMatrix(npy);
        CliHarness.Expect(0, "import", npy, Store, "--array", "g/m", "--format", "v2", "--consolidate");
        Assert.True(File.Exists(Path.Combine(Store, ".zmetadata")));
        string more = _dir.Combine("more.npy");
        Npy.Save<int>(more, new int[18], [3, 6]);
        CliHarness.Expect(0, "append", more, Store, "--array", "g/m", "--consolidate");
        string converted = _dir.Combine("c.zarr");
        CliHarness.Expect(0, "convert", Store, converted, "--array", "g/m", "--to-array", "x", "--consolidate");

        const string Check = """
            import sys, json, shutil, zarr
            out = {}
            for p, name in ((sys.argv[1], 'g/m'), (sys.argv[2], 'x')):
                c = zarr.open_consolidated(p, mode='r')
                ours = json.load(open(p + '/.zmetadata'))
                copy = sys.argv[3] + '/' + name.replace('/', '_')
                shutil.copytree(p, copy)
                zarr.consolidate_metadata(copy)
                fresh = json.load(open(copy + '/.zmetadata'))
                out[name] = {'shape': list(c[name].shape), 'equal': ours == fresh}
            print(json.dumps(out))
            """;
        string scratch = _dir.Combine("scratch");
        Directory.CreateDirectory(scratch);
        using var doc = JsonDocument.Parse(PythonZarr.Run(Check, Store, converted, scratch));
        Assert.Equal([13L, 6L], doc.RootElement.GetProperty("g/m").GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.True(doc.RootElement.GetProperty("g/m").GetProperty("equal").GetBoolean(), ".zmetadata differs from zarr.consolidate_metadata's");
        Assert.Equal([13L, 6L], doc.RootElement.GetProperty("x").GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.True(doc.RootElement.GetProperty("x").GetProperty("equal").GetBoolean(), "converted store's .zmetadata differs");
    }

    [Fact]
    public void Consolidate_V3_WritesInlineConsolidatedMetadata()
    {
        string npy = _dir.Combine("m.npy");
        CliHarness.SaveMatrix(npy);
        CliHarness.Expect(0, "import", npy, Store, "--array", "m", "--consolidate");
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(Store, "zarr.json")))!;
        var entry = root["consolidated_metadata"]!["metadata"]!["m"]!;
        Assert.Equal("[10,6]", entry["shape"]!.ToJsonString());
        Npy.Save<int>(_dir.Combine("more.npy"), new int[6], [1, 6]);
        CliHarness.Expect(0, "append", _dir.Combine("more.npy"), Store, "--array", "m", "--consolidate");
        root = JsonNode.Parse(File.ReadAllText(Path.Combine(Store, "zarr.json")))!;
        Assert.Equal("[11,6]", root["consolidated_metadata"]!["metadata"]!["m"]!["shape"]!.ToJsonString());
    }

    [Theory]
    [InlineData("v2")]
    [InlineData("v3")]
    public void Dims_OnImportAndConvert_ShownByInfo_KeptByConvert(string format)
    {
        string npy = _dir.Combine("m.npy");
        CliHarness.SaveMatrix(npy);
        var wrong = CliHarness.Expect(2, "import", npy, Store, "--array", "m", "--dims", "a,b,c");
        Assert.Contains("--dims", wrong.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Store));
        CliHarness.Expect(0, "import", npy, Store, "--array", "m", "--dims", "row,col", "--format", format);
        Assert.Contains("dims: (row, col)", CliHarness.Expect(0, "info", Store).Stdout, StringComparison.Ordinal);

        // convert keeps them in the other format too, and --dims replaces them
        string other = format == "v2" ? "v3" : "v2";
        CliHarness.Expect(0, "convert", Store, _dir.Combine("o.zarr"), "--array", "m", "--format", other);
        using (var o = ZarrStore.OpenExisting(_dir.Combine("o.zarr")))
        {
            Assert.Equal(new string?[] { "row", "col" }, o.OpenArray("m").Metadata.DimensionNames!);
            Assert.Equal(other == "v2", o.OpenArray("m").Attributes.ContainsKey("_ARRAY_DIMENSIONS"));
        }

        CliHarness.Expect(0, "convert", Store, Store, "--array", "m", "--to-array", "n", "--dims", "y,x");
        using var s = ZarrStore.OpenExisting(Store);
        Assert.Equal(new string?[] { "y", "x" }, s.OpenArray("n").Metadata.DimensionNames!);
        var badConvert = CliHarness.Expect(2, "convert", Store, Store, "--array", "m", "--to-array", "q", "--dims", "x");
        Assert.Contains("--dims", badConvert.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void CsvHeader_BecomesColumnsAttribute()
    {
        string csv = _dir.Combine("t.csv");
        File.WriteAllText(csv, "time,temp,wind\n1,2,3\n4,5,6\n");
        CliHarness.Expect(0, "import", csv, Store, "--array", "t", "--dims", "obs,var");
        using var s = ZarrStore.OpenExisting(Store);
        var t = s.OpenArray("t");
        Assert.Equal("[\"time\",\"temp\",\"wind\"]", t.Attributes["columns"]!.ToJsonString());
        Assert.Equal(new string?[] { "obs", "var" }, t.Metadata.DimensionNames!);
    }

    [Fact]
    public void XarrayStyleV2Store_InfoShowsDims_ConvertToV3KeepsThemAsDimensionNames()
    {
        PythonZarr.RequireOrSkip();
        PythonZarr.Run(
            """
            import sys, zarr, numpy as np
            g = zarr.open_group(sys.argv[1], mode='w')
            t = g.create_dataset('temp', data=np.arange(24.0).reshape(2, 3, 4), chunks=(1, 3, 4))
            t.attrs['_ARRAY_DIMENSIONS'] = ['time', 'lat', 'lon']
            t.attrs['units'] = 'K'
            zarr.consolidate_metadata(sys.argv[1])
            """,
            Store);
        var info = CliHarness.Expect(0, "info", Store);
        Assert.Contains("dims: (time, lat, lon)", info.Stdout, StringComparison.Ordinal);
        using (var doc = JsonDocument.Parse(CliHarness.Expect(0, "info", Store, "--json").Stdout))
        {
            var temp = doc.RootElement.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("path").GetString() == "temp");
            Assert.Equal(["time", "lat", "lon"], temp.GetProperty("dimension_names").Deserialize<string[]>()!);
        }

        string v3 = _dir.Combine("v3.zarr");
        CliHarness.Expect(0, "convert", Store, v3, "--array", "temp", "--format", "v3");
        var meta = JsonNode.Parse(File.ReadAllText(Path.Combine(v3, "temp", "zarr.json")))!;
        Assert.Equal("[\"time\",\"lat\",\"lon\"]", meta["dimension_names"]!.ToJsonString());
        Assert.Equal("{\"units\":\"K\"}", meta["attributes"]!.ToJsonString());
    }

    [Theory]
    [InlineData("import", "STORE_FIRST")]
    [InlineData("append", "STORE_FIRST")]
    [InlineData("export", "FILE_FIRST")]
    [InlineData("convert", "FILE_AS_SRC")]
    [InlineData("convert", "FILE_AS_DST")]
    [InlineData("info", "FILE_AS_STORE")]
    [InlineData("stats", "FILE_AS_STORE")]
    [InlineData("verify", "FILE_AS_STORE")]
    [InlineData("gc", "FILE_AS_STORE")]
    public void SwappedArguments_UsageErrorSaysWhatWasExpected(string command, string mistake)
    {
        string npy = _dir.Combine("m.npy");
        CliHarness.SaveMatrix(npy);
        CliHarness.Expect(0, "import", npy, Store, "--array", "m");
        string csv = _dir.Combine("t.csv");
        File.WriteAllText(csv, "1,2\n");
        var before = Snapshot(Store);
        string[] args = (command, mistake) switch
        {
            ("import", _) => ["import", Store, npy, "--array", "x"],
            ("append", _) => ["append", Store, npy, "--array", "m"],
            ("export", _) => ["export", _dir.Combine("out.npy"), Store, "--array", "m"],
            ("convert", "FILE_AS_SRC") => ["convert", npy, Store, "--array", "m"],
            ("convert", _) => ["convert", Store, csv, "--array", "m"],
            ("stats", _) => ["stats", npy, "--array", "m", "--op", "sum"],
            _ => [command, npy],
        };
        var result = CliHarness.Expect(2, args);
        Assert.Contains("usage: chunkcompute " + command, result.Stderr, StringComparison.Ordinal);
        Assert.Contains("must be", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("denied", result.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, Snapshot(Store));
        Assert.False(File.Exists(_dir.Combine("out.npy")));
    }

    [Fact]
    public void ImportToCsvNamedStore_IsAUsageError_NothingCreated()
    {
        string npy = _dir.Combine("m.npy");
        CliHarness.SaveMatrix(npy);
        var result = CliHarness.Expect(2, "import", npy, _dir.Combine("out.csv"), "--array", "m");
        Assert.Contains("STORE", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.Combine("out.csv")));
    }

    [Fact]
    public void Info_V2Array_ShownInV2Terms()
    {
        string npy = _dir.Combine("m.npy");
        CliHarness.SaveMatrix(npy);
        CliHarness.Expect(0, "import", npy, Store, "--array", "m", "--format", "v2", "--codec", "zstd:3");
        var text = CliHarness.Expect(0, "info", Store).Stdout;
        Assert.Contains("compressor: zstd(level=3", text, StringComparison.Ordinal);
        Assert.Contains("filters: none; order C; dimension_separator '.'", text, StringComparison.Ordinal);
        Assert.DoesNotContain("codecs:", text, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(CliHarness.Expect(0, "info", Store, "--array", "m", "--json").Stdout);
        var m = doc.RootElement.GetProperty("nodes")[0];
        Assert.Equal("zstd", m.GetProperty("compressor").GetProperty("id").GetString());
        Assert.Equal("C", m.GetProperty("order").GetString());
        Assert.Equal(".", m.GetProperty("dimension_separator").GetString());
        Assert.Equal(JsonValueKind.Null, m.GetProperty("filters").ValueKind);
    }

    [Fact]
    public void UnsupportedDtypes_InfoListsThemExitZero_VerifySkipsThemWithANote()
    {
        PythonZarr.RequireOrSkip();
        PythonZarr.Run(
            """
            import sys, zarr, numpy as np, numcodecs
            g = zarr.open_group(sys.argv[1], mode='w')
            g.create_dataset('names', data=np.array(['ab', 'cdef'], dtype='<U4'))
            g.create_dataset('words', shape=(3,), chunks=(2,), dtype=str)[:] = ['a', '', 'h\u00e9']
            g.create_dataset('rec', data=np.zeros(2, dtype=[('a', '<i4'), ('b', '<f8')]))
            g.create_dataset('pick', shape=(2,), dtype=object, object_codec=numcodecs.Pickle())[:] = [1, 'x']
            g.create_dataset('ok', data=np.arange(4, dtype='<i4'))
            """,
            Store);
        var info = CliHarness.Expect(0, "info", Store);
        Assert.Contains("/rec  array (zarr v2) unsupported", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("/pick  array (zarr v2) unsupported: dtype |O", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("/ok  array int32", info.Stdout, StringComparison.Ordinal);

        // String dtypes are supported now: info shows them, verify decodes their chunks.
        Assert.Contains("/names  array U4 shape [2]", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("/words  array string shape [3]", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("variable logical", info.Stdout, StringComparison.Ordinal);
        using (var doc = JsonDocument.Parse(CliHarness.Expect(0, "info", Store, "--json").Stdout))
        {
            var nodes = doc.RootElement.GetProperty("nodes").EnumerateArray().ToList();
            var rec = nodes.Single(n => n.GetProperty("path").GetString() == "rec");
            Assert.False(rec.GetProperty("supported").GetBoolean());
            var names = nodes.Single(n => n.GetProperty("path").GetString() == "names");
            Assert.True(names.GetProperty("supported").GetBoolean());
            Assert.Equal("U4", names.GetProperty("dtype").GetString());
            Assert.Equal(32, names.GetProperty("logical_bytes").GetInt64());
            var words = nodes.Single(n => n.GetProperty("path").GetString() == "words");
            Assert.Equal("string", words.GetProperty("dtype").GetString());
            Assert.Equal(JsonValueKind.Null, words.GetProperty("logical_bytes").ValueKind);
        }

        var verify = CliHarness.Expect(0, "verify", Store, "--json");
        using (var report = JsonDocument.Parse(verify.Stdout))
        {
            Assert.True(report.RootElement.GetProperty("sound").GetBoolean());
            Assert.Empty(report.RootElement.GetProperty("problems").EnumerateArray());
            var notes = report.RootElement.GetProperty("notes").EnumerateArray().Select(n => n.GetString()!).ToList();
            Assert.Contains(notes, n => n.Contains("'rec' skipped", StringComparison.Ordinal));
            Assert.Contains(notes, n => n.Contains("'pick' skipped", StringComparison.Ordinal));
            Assert.DoesNotContain(notes, n => n.Contains("'names'", StringComparison.Ordinal) || n.Contains("'words'", StringComparison.Ordinal));
        }

        // A truncated vlen-utf8 chunk is a problem verify names.
        string chunk = Path.Combine(Store, "words", "0");
        File.WriteAllBytes(chunk, File.ReadAllBytes(chunk)[..6]);
        var broken = CliHarness.Run("verify", Store, "--json");
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains("words/0", broken.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void InfoVerbose_SaysWhenReadWithoutSnapshotPin()
    {
        string npy = _dir.Combine("m.npy");
        CliHarness.SaveMatrix(npy);
        CliHarness.Expect(0, "import", npy, Store, "--array", "m");
        Assert.DoesNotContain("snapshot pin", CliHarness.Expect(0, "info", Store, "--verbose").Stdout, StringComparison.Ordinal);
        Directory.Delete(Path.Combine(Store, ".chunkcompute"), recursive: true);
        var text = CliHarness.Expect(0, "info", Store, "--verbose").Stdout;
        Assert.Contains("read without a snapshot pin", text, StringComparison.Ordinal);
        Assert.Contains("no transaction log", text, StringComparison.Ordinal);
        Assert.DoesNotContain("snapshot pin", CliHarness.Expect(0, "info", Store).Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Store, ".chunkcompute")));
    }

    [Fact]
    public void ReadOnlyCommands_OnReadOnlyBindMount_WriteNothing()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && Environment.UserName == "root", "a read-only bind mount needs root on Linux");
        string npy = _dir.Combine("m.npy");
        CliHarness.SaveMatrix(npy);
        CliHarness.Expect(0, "import", npy, Store, "--array", "g/m", "--chunks", "4,4", "--consolidate");
        string mount = _dir.Combine("ro");
        Directory.CreateDirectory(mount);
        Run("mount", "--bind", "-o", "ro", Store, mount);
        try
        {
            var before = Snapshot(Store);
            RunEveryReadCommand(mount, "g/m");
            Assert.Contains("read-only", CliHarness.Expect(0, "info", mount, "--verbose").Stdout, StringComparison.Ordinal);
            Assert.Equal(before, Snapshot(Store));
        }
        finally
        {
            Run("umount", mount);
        }
    }

    [Fact]
    public void ReadOnlyCommands_OnZarrPythonStore_CreateNothing()
    {
        PythonZarr.RequireOrSkip();
        PythonZarr.Run(
            """
            import sys, zarr, numpy as np
            g = zarr.open_group(sys.argv[1], mode='w')
            a = g.create_dataset('g/m', data=np.arange(60, dtype='<i4').reshape(10, 6), chunks=(4, 4))
            a.attrs['_ARRAY_DIMENSIONS'] = ['y', 'x']
            g.create_dataset('names', data=np.array(['ab'], dtype='<U2'))
            zarr.consolidate_metadata(sys.argv[1])
            """,
            Store);
        var before = Snapshot(Store);
        RunEveryReadCommand(Store, "g/m");
        Assert.Equal(before, Snapshot(Store));
        Assert.False(Directory.Exists(Path.Combine(Store, ".chunkcompute")));
    }

    private void RunEveryReadCommand(string store, string array)
    {
        CliHarness.Expect(0, "info", store);
        CliHarness.Expect(0, "info", store, "--verbose");
        CliHarness.Expect(0, "info", store, "--json");
        CliHarness.Expect(0, "info", store, "--array", array);
        CliHarness.Expect(0, "stats", store, "--array", array, "--op", "sum");
        CliHarness.Expect(0, "stats", store, "--array", array, "--op", "mean", "--axis", "0");
        string output = _dir.Combine("out-" + Guid.NewGuid().ToString("N") + ".npy");
        CliHarness.Expect(0, "export", store, output, "--array", array, "--slice", "1:5,::2");
        Assert.True(File.Exists(output));
        CliHarness.Expect(0, "verify", store);
        CliHarness.Expect(0, "verify", store, "--json");
    }

    // Every file and folder below root with its size and modification time (folders' too: a file created and
    // removed again changes its folder's).
    private static string[] Snapshot(string root) =>
        [.. Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Append(root)
            .Select(p => Path.GetRelativePath(root, p) + ":" + (File.Exists(p) ? new FileInfo(p).Length.ToString(System.Globalization.CultureInfo.InvariantCulture) : "dir") + ":" + File.GetLastWriteTimeUtc(p).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Order(StringComparer.Ordinal)];

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: {err}");
    }
}
