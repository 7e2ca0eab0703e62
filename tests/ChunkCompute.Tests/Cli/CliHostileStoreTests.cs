using System.Text.Json;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Npy;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Cli;

/// <summary>Issue 13: failed exports keep the user's file, --memory is planned up front, verify survives bad nodes.</summary>
public sealed class CliHostileStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Export_FailingMidway_KeepsExistingFileAndLeavesNoTemporary()
    {
        using var tmp = new TempDirectory("cc-cli-hostile");
        string input = tmp.Combine("in.npy");
        CliHarness.SaveMatrix(input, rows: 40, cols: 6);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", input, store, "--array", "m", "--chunks", "5,6", "--codec", "zstd", "--format", "v2");

        // The user's file: must survive a failed export byte for byte.
        string outDir = tmp.Combine("out");
        Directory.CreateDirectory(outDir);
        string output = Path.Combine(outDir, "result.npy");
        byte[] original = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        File.WriteAllBytes(output, original);

        // A chunk late in the array is corrupt: the export writes the blocks before it, then fails.
        string chunk = Path.Combine(store, "m", "7.0");
        var bytes = File.ReadAllBytes(chunk);
        File.WriteAllBytes(chunk, bytes[..(bytes.Length / 2)]);
        var failed = CliHarness.ExpectError("m/7.0", "export", store, output, "--array", "m", "--memory", "4KiB");
        Assert.Contains("corrupt", failed.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(original, File.ReadAllBytes(output));
        Assert.Equal([output], Directory.GetFiles(outDir));

        // A successful export replaces it with the array.
        File.WriteAllBytes(chunk, bytes);
        CliHarness.Expect(0, "export", store, output, "--array", "m", "--slice", "38:", "--memory", "4KiB");
        Assert.Equal([380, 381, 382, 383, 384, 385, 390, 391, 392, 393, 394, 395], Npy.Load<int>(output));
        Assert.Equal([output], Directory.GetFiles(outDir));
    }

    [Fact]
    public void Export_Cancelled_KeepsExistingFile()
    {
        using var tmp = new TempDirectory("cc-cli-hostile");
        string input = tmp.Combine("in.npy");
        CliHarness.SaveMatrix(input);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", input, store, "--array", "m");
        string output = tmp.Combine("keep.npy");
        File.WriteAllText(output, "precious");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var result = CliHarness.RunCancellable(cancelled.Token, "export", store, output, "--array", "m");
        Assert.Equal(130, result.ExitCode);
        Assert.Equal("precious", File.ReadAllText(output));
        Assert.Single(Directory.GetFiles(tmp.Path, "*.tmp", SearchOption.AllDirectories).Concat(Directory.GetFiles(tmp.Path, "keep.npy")));
    }

    [Fact]
    public void Export_BudgetBelowOneChunk_RefusedUpFrontNamingChunk_BudgetThatFits_ExactValues()
    {
        using var tmp = new TempDirectory("cc-cli-hostile");
        string input = tmp.Combine("in.npy");
        var data = CliHarness.SaveMatrix(input, rows: 64, cols: 128); // int32: 32 KiB
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", input, store, "--array", "m", "--chunks", "64,128");
        string output = tmp.Combine("out.npy");

        // One chunk decodes to 32 KiB and its stored bytes are taken as large again: 16 KiB cannot hold one.
        var refused = CliHarness.ExpectError("32 KiB", "export", store, output, "--array", "m", "--memory", "16KiB");
        Assert.Contains("--memory 16 KiB", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("array 'm'", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("raise --memory to at least", refused.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));

        CliHarness.Expect(0, "export", store, output, "--array", "m", "--memory", "128KiB");
        Assert.Equal(data, Npy.Load<int>(output));
    }

    [Fact]
    public void Export_ShardIndexCountsAgainstBudget()
    {
        using var tmp = new TempDirectory("cc-cli-hostile");
        string store = tmp.Combine("s.zarr");
        WriteShardedUInt8(store, "s", 4096);

        // A 4 KiB shard of 4096 one-byte inner chunks: its index is 64 KiB, far more than the data.
        string output = tmp.Combine("out.npy");
        var refused = CliHarness.ExpectError("64 KiB shard index", "export", store, output, "--array", "s", "--memory", "32KiB");
        Assert.Contains("--memory 32 KiB", refused.Stderr, StringComparison.Ordinal);

        CliHarness.Expect(0, "export", store, output, "--array", "s", "--memory", "1MiB");
        Assert.Equal(Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)), Npy.Load<byte>(output));

        var verify = CliHarness.Expect(1, "verify", store, "--memory", "32KiB");
        Assert.Contains("array 's'", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("shard index", verify.Stdout, StringComparison.Ordinal);
        CliHarness.Expect(0, "verify", store, "--memory", "1MiB");
    }

    [Fact]
    public void Verify_BudgetBelowOneChunkOfOneArray_ReportsItAndChecksTheOthers()
    {
        using var tmp = new TempDirectory("cc-cli-hostile");
        string big = tmp.Combine("big.npy");
        CliHarness.SaveMatrix(big, rows: 64, cols: 128);
        string small = tmp.Combine("small.npy");
        CliHarness.SaveMatrix(small, rows: 4, cols: 4);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", big, store, "--array", "big", "--chunks", "64,128");
        CliHarness.Expect(0, "import", small, store, "--array", "small", "--chunks", "2,4");

        var result = CliHarness.Expect(1, "verify", store, "--memory", "16KiB", "--json");
        using var doc = JsonDocument.Parse(result.Stdout);
        var problem = Assert.Single(doc.RootElement.GetProperty("problems").EnumerateArray()).GetString()!;
        Assert.Contains("array 'big'", problem, StringComparison.Ordinal);
        Assert.Contains("32 KiB", problem, StringComparison.Ordinal);
        Assert.Contains("raise --memory to at least", problem, StringComparison.Ordinal);
        Assert.Equal(2, doc.RootElement.GetProperty("chunks").GetInt64()); // the small array's two chunks were decoded
    }

    [Fact]
    public void Verify_BadNodeTypeAndHugeBloscHeader_ListsBothAndChecksTheRest()
    {
        using var tmp = new TempDirectory("cc-cli-hostile");
        string input = tmp.Combine("in.npy");
        CliHarness.SaveMatrix(input);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", input, store, "--array", "a", "--chunks", "5,6", "--codec", "blosc-lz4", "--format", "v2");
        CliHarness.Expect(0, "import", input, store, "--array", "b", "--chunks", "5,6", "--format", "v2");
        CliHarness.Expect(0, "import", input, store, "--array", "z", "--chunks", "5,6", "--format", "v2");

        // A node whose metadata says "node_type": 5, and a Blosc chunk whose header claims 2 GiB decoded.
        Directory.CreateDirectory(Path.Combine(store, "weird"));
        File.WriteAllText(Path.Combine(store, "weird", "zarr.json"), """{"zarr_format": 3, "node_type": 5}""");
        string chunk = Path.Combine(store, "a", "1.0");
        var bytes = File.ReadAllBytes(chunk);
        BitConverter.TryWriteBytes(bytes.AsSpan(4, 4), int.MaxValue);
        File.WriteAllBytes(chunk, bytes);

        var result = CliHarness.Expect(1, "verify", store, "--json");
        using var doc = JsonDocument.Parse(result.Stdout);
        var problems = doc.RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("weird/zarr.json", StringComparison.Ordinal) && p.Contains("node_type 5", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("a/1.0", StringComparison.Ordinal));
        Assert.Equal(3, doc.RootElement.GetProperty("arrays").GetInt32());
        Assert.Equal(6, doc.RootElement.GetProperty("chunks").GetInt64()); // every listed chunk was attempted
    }

    [Fact]
    public void Import_FortranNpy_StreamsColumnSlabsWithinBudget_RefusesBelowOneSlab()
    {
        using var tmp = new TempDirectory("cc-cli-hostile");
        string npy = tmp.Combine("f.npy");
        WriteFortranInt32(npy, 1000, 6); // a[i, j] = 10 * i + j, stored column by column
        string store = tmp.Combine("s.zarr");

        // One column of chunks is 4000 B, held twice (read, transposed) plus a chunk's encoding (8000 B): 16 KiB
        // streams it; the whole file (24000 B) would not have fit. 8 KiB cannot hold one column slab.
        var refused = CliHarness.ExpectError("column of chunks", "import", npy, store, "--array", "f", "--chunks", "1000,1", "--memory", "8KiB");
        Assert.Contains("Fortran", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("--memory 8 KiB", refused.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(store));

        CliHarness.Expect(0, "import", npy, store, "--array", "f", "--chunks", "1000,1", "--memory", "16KiB");
        using var zarr = ZarrStore.OpenExisting(store);
        var values = zarr.OpenArray<int>("f").Read(Ct);
        Assert.Equal(Enumerable.Range(0, 6000).Select(k => (10 * (k / 6)) + (k % 6)), values);

        // Auto chunks with a slab that is not a whole chunk column multiple of the block: still exact.
        CliHarness.Expect(0, "import", npy, store, "--array", "g", "--chunks", "300,4", "--memory", "64KiB");
        using var again = ZarrStore.OpenExisting(store);
        Assert.Equal(values, again.OpenArray<int>("g").Read(Ct));
    }

    [Fact]
    public void ImportCsv_LineLongerThanBudgetAllows_RefusedNamingLine()
    {
        using var tmp = new TempDirectory("cc-cli-hostile");
        string csv = tmp.Combine("wide.csv");
        string wide = string.Join(",", Enumerable.Repeat("1", 5000)); // 9999 characters
        File.WriteAllText(csv, "1,2\n3,4\n" + wide + "\n");
        string store = tmp.Combine("s.zarr");
        var refused = CliHarness.ExpectError("Line 3", "import", csv, store, "--array", "t", "--memory", "16KiB");
        Assert.Contains("9999 characters", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("--memory 16 KiB", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("raise --memory to at least", refused.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(store));

        // A budget that holds the line reads it (and then finds the ragged row).
        CliHarness.ExpectError("line 3: ragged row", "import", csv, store, "--array", "t", "--memory", "1MiB");
    }

    [Fact]
    public void ImportCsv_FirstRowMixingNumbersAndText_IsAnErrorNamingLineAndColumn()
    {
        using var tmp = new TempDirectory("cc-cli-hostile");
        string csv = tmp.Combine("typo.csv");
        File.WriteAllText(csv, "1,3.O,2\n4,5,6\n");
        string store = tmp.Combine("s.zarr");
        var typo = CliHarness.ExpectError("line 1, column 2", "import", csv, store, "--array", "t");
        Assert.Contains("'3.O'", typo.Stderr, StringComparison.Ordinal);
        Assert.Contains("--header", typo.Stderr, StringComparison.Ordinal);

        // Numeric column names: a mix too, unless --header says the row is names.
        string years = tmp.Combine("years.csv");
        File.WriteAllText(years, "city,2020,2021\n1,2,3\n4,5,6\n");
        CliHarness.ExpectError("line 1, column 1", "import", years, store, "--array", "y");
        var named = CliHarness.Expect(0, "import", years, store, "--array", "y", "--header", "--json");
        using (var doc = JsonDocument.Parse(named.Stdout))
        {
            Assert.Equal(["city", "2020", "2021"], doc.RootElement.GetProperty("header").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal([2L, 3L], doc.RootElement.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        }

        // All names: a header, as before; --no-header makes it data, which it is not.
        string names = tmp.Combine("names.csv");
        File.WriteAllText(names, "a,b\n1,2\n");
        CliHarness.ExpectError("line 1, column 1: 'a', not a number", "import", names, store, "--array", "n", "--no-header");
        CliHarness.Expect(0, "import", names, store, "--array", "n");
        CliHarness.Expect(2, "import", names, store, "--array", "n2", "--header", "--no-header");
        using var zarr = ZarrStore.OpenExisting(store);
        Assert.Equal([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], zarr.OpenArray<double>("y").Read(Ct));
        Assert.Equal([1.0, 2.0], zarr.OpenArray<double>("n").Read(Ct));
        Assert.Null(zarr.GetNodeKind("t"));
    }

    [Fact]
    public void Stats_HugeGridAndChunksOver2GiB_NamedErrorsBeforeAnyWork()
    {
        using var tmp = new TempDirectory("cc-cli-hostile");
        string store = tmp.Combine("s.zarr");
        Directory.CreateDirectory(store);
        File.WriteAllText(Path.Combine(store, "zarr.json"), """{"zarr_format": 3, "node_type": "group", "attributes": {}}""");
        WriteFloat64Metadata(store, "huge", 1_000_000_000_000_000, 1_000_000); // 1e9 chunks
        WriteFloat64Metadata(store, "fat", 1_000_000_000, 500_000_000); // 3.73 GiB chunks

        var huge = CliHarness.ExpectError("1000000000 chunks", "stats", store, "--array", "huge", "--op", "sum");
        Assert.Contains("raise --memory", huge.Stderr, StringComparison.Ordinal);
        CliHarness.ExpectError("chunks over 2 GiB", "stats", store, "--array", "fat", "--op", "sum", "--memory", "100GiB");
        CliHarness.ExpectError("chunks over 2 GiB", "export", store, tmp.Combine("o.npy"), "--array", "fat", "--slice", "0:10");
    }

    [Fact]
    public void Append_AlongAxisOneReadsTheFileWhole_RefusedWhenItCannotFit()
    {
        using var tmp = new TempDirectory("cc-cli-hostile");
        string npy = tmp.Combine("in.npy");
        CliHarness.SaveMatrix(npy, rows: 10, cols: 6);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", npy, store, "--array", "m", "--chunks", "5,6");
        string wide = tmp.Combine("wide.npy");
        Npy.Save<int>(wide, Enumerable.Range(0, 1000).ToArray(), [10, 100]); // 4000 B

        var refused = CliHarness.ExpectError("read whole", "append", wide, store, "--array", "m", "--axis", "1", "--memory", "2KiB");
        Assert.Contains("--memory 2 KiB", refused.Stderr, StringComparison.Ordinal);
        using (var zarr = ZarrStore.OpenExisting(store))
        {
            Assert.Equal([10L, 6L], zarr.OpenArray("m").Shape);
        }

        CliHarness.Expect(0, "append", wide, store, "--array", "m", "--axis", "1", "--memory", "64KiB");
        using var after = ZarrStore.OpenExisting(store);
        var m = after.OpenArray<int>("m");
        Assert.Equal([10L, 106L], m.Shape);
        var all = m.Read(Ct);
        Assert.Equal(10 * 9 + 5, all[(9 * 106) + 5]);
        Assert.Equal(999, all[(9 * 106) + 105]);
    }

    // A Fortran-order int32 .npy written byte by byte (independently of NpyWriter): a[i, j] = 10 * i + j.
    private static void WriteFortranInt32(string path, int rows, int cols)
    {
        string dict = $"{{'descr': '<i4', 'fortran_order': True, 'shape': ({rows}, {cols}), }}";
        int headerLength = 10 + dict.Length + 1;
        int padded = (headerLength + 63) / 64 * 64;
        string header = dict + new string(' ', padded - headerLength) + "\n";
        using var file = File.Create(path);
        file.Write([0x93]);
        file.Write("NUMPY"u8);
        file.Write([1, 0]);
        file.Write(BitConverter.GetBytes((ushort)header.Length));
        file.Write(System.Text.Encoding.ASCII.GetBytes(header));
        for (int j = 0; j < cols; j++)
        {
            for (int i = 0; i < rows; i++)
            {
                file.Write(BitConverter.GetBytes((10 * i) + j));
            }
        }
    }

    private static void WriteFloat64Metadata(string store, string name, long length, long chunk)
    {
        Directory.CreateDirectory(Path.Combine(store, name));
        File.WriteAllText(Path.Combine(store, name, "zarr.json"), $$$"""
            {"zarr_format": 3, "node_type": "array", "shape": [{{{length}}}], "data_type": "float64",
             "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [{{{chunk}}}]}},
             "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}}, "fill_value": 0,
             "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}], "attributes": {}}
            """);
    }

    // A v3 array of `length` uint8 values (i * 7) in one shard of one-byte inner chunks (bytes codec; index bytes + crc32c).
    internal static void WriteShardedUInt8(string store, string name, int length)
    {
        Directory.CreateDirectory(Path.Combine(store, name));
        File.WriteAllText(Path.Combine(store, "zarr.json"), """{"zarr_format": 3, "node_type": "group", "attributes": {}}""");
        File.WriteAllText(Path.Combine(store, name, "zarr.json"), $$$"""
            {"zarr_format": 3, "node_type": "array", "shape": [{{{length}}}], "data_type": "uint8",
             "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [{{{length}}}]}},
             "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}}, "fill_value": 0,
             "codecs": [{"name": "sharding_indexed", "configuration": {"chunk_shape": [1],
               "codecs": [{"name": "bytes"}],
               "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
               "index_location": "end"}}],
             "attributes": {}}
            """);
        using var zarr = ZarrStore.OpenExisting(store, new ZarrStoreOptions { Transactional = false });
        zarr.OpenArray<byte>(name).Write(Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray(), Ct);
    }
}
